"""Untrusted name text, normalised once and the same way for indexing and for querying.

:func:`clean_name` is the only way a name enters the analysis (``analyse_name`` calls it),
so the screening index, a ``screen`` query, ``compare`` and the decision service's
onboarding all see the same text. Each step that changed something is recorded, so a
declared name that needed folding to be read carries that as evidence:

===================  ==========================================================  ==========
step                 what                                                        change
===================  ==========================================================  ==========
control characters   C0/C1 controls removed (tab, newline → space)               control
compatibility        Unicode NFKC: full-width ＢＹＴＥ → BYTE, ligatures, ① → 1     compatibility
invisible            Default_Ignorable_Code_Point removed: zero-width space and  invisible
                     joiners, soft hyphen, bidi controls (LRM, RLO, isolates),
                     variation selectors, tag characters, Hangul fillers; also
                     private-use and unassigned code points. ZWNJ between two
                     Arabic-script letters is Persian spelling, not recorded.
stray marks          combining marks left after NFKC on Latin, Cyrillic, Greek,  marks
                     Han or Hangul letters (B̶yteDance, stacked accents), and
                     marks of no Arabic-like script on those letters (ص̶ادرات;
                     their harakat stay)
confusables          a word mixing look-alike letters of two scripts is folded   confusable
                     to one script per Unicode TS #39 (ICU's confusables data):
                     "Аlibаbа" (Cyrillic А, а) → "Alibaba"; "Газпрoм" (Latin o)
                     → "Газпром"; a whole word of look-alikes between words of
                     another script too ("ВУТЕ Dance" → "BYTE Dance")
===================  ==========================================================  ==========

Also (``resolve.shown``): small capitals read as letters (``confusable``), letters spelt
one by one joined, and a bidi override's shown order kept as a second reading.

``compatibility`` is not a disguise (Chinese and Japanese input methods type full-width
Latin); ``control``, ``invisible``, ``marks`` and ``confusable`` are (:data:`DISGUISES`).
Names written partly in Latin and partly in Han or Hangul ("TCL科技") are ordinary and
left alone: only scripts whose letters look alike (Latin, Cyrillic, Greek, Armenian,
Cherokee, Coptic) are folded. Diacritics are kept in the text and folded in the
comparison keys (``text.ascii_fold``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from ringfence.resolve import shown

__all__ = ["DISGUISES", "Cleaned", "clean_name", "confusable_key", "remove_controls",
           "remove_hidden"]

DISGUISES: frozenset[str] = frozenset({"control", "invisible", "marks", "confusable"})

# Scripts whose letters are look-alikes of each other's (TS #39 whole-script confusables).
_LOOKALIKE_SCRIPTS = ("Latn", "Cyrl", "Grek", "Armn", "Cher", "Copt")
# Scripts whose combining marks are spelling (kept): everything but these.
_STRIP_MARK_SCRIPTS = frozenset({"Latn", "Cyrl", "Grek", "Hani", "Hang", "Zyyy"})
_ARABIC_LIKE = frozenset({"Arab", "Syrc", "Nkoo", "Mand", "Adlm"})
_WS_CONTROLS = frozenset("\t\n\r")  # separators in pasted text; other controls vanish
# The standard letters a folded word is written in (a fold never targets rare letters such
# as Cyrillic palochka or Latin small capitals).
_BASIC = {"Latn": "[A-Za-z\u00c0-\u00ff]", "Cyrl": "[\u0400-\u045f]",
          "Grek": "[\u0386-\u03ce]", "Armn": "[\u0531-\u0587]"}


@dataclass(frozen=True, slots=True)
class Cleaned:
    """A name after :func:`clean_name`: the text and what was changed to get it."""

    original: str
    text: str
    changes: tuple[str, ...] = ()  # step names, in order, each once
    removed: tuple[str, ...] = ()  # removed characters as "U+200B ZERO WIDTH SPACE"
    folded: tuple[tuple[str, str], ...] = ()  # (word as written, word as read) for confusables
    # each mixed word read in its other script when nothing says which it is ("Аlіbаbа":
    alternative: str = ""  # 4 Cyrillic letters, 3 Latin), or a bidi override's other order
    readings: tuple[str, ...] = ()  # further readings (resolve.shown): letters spelt joined

    @property
    def disguised(self) -> bool:
        """Invisible, control or look-alike characters were needed to read the name."""
        return any(c in DISGUISES for c in self.changes)

    def evidence(self) -> dict[str, Any]:
        return {
            "original": self.original,
            "normalised": self.text,
            "changes": list(self.changes),
            "removed": list(self.removed),
            "folded": [list(f) for f in self.folded],
            **({"alternative": self.alternative} if self.alternative else {}),
            **({"readings": list(self.readings)} if self.readings else {}),
        }


@lru_cache(maxsize=1)
def _icu() -> Any:
    import icu  # type: ignore[import-untyped]  # PyICU, installed with rigour

    return icu


@lru_cache(maxsize=1)
def _default_ignorable() -> Any:
    icu = _icu()
    found = icu.UnicodeSet("[[:Default_Ignorable_Code_Point:][:Co:][:Cn:]]")
    found.freeze()
    return found


@lru_cache(maxsize=1)
def _spoof() -> Any:
    return _icu().SpoofChecker()


@lru_cache(maxsize=1 << 16)
def _script(ch: str) -> str:
    return str(_icu().Script.getScript(ch).getShortName())


@lru_cache(maxsize=1 << 16)
def _skeleton(text: str) -> str:
    # type 0: the single-script/any-case skeleton of TS #39 (ICU's confusables.txt)
    return str(_spoof().getSkeleton(0, text))


@cache
def _lookalikes(script: str) -> dict[str, tuple[str, ...]]:
    """Skeleton → the standard letters of ``script`` with that skeleton (the prototype
    first when it is of the script), from ICU's script sets and confusables data."""
    icu = _icu()
    out: dict[str, list[str]] = {}
    basic = _BASIC.get(script, f"[:Script={script}:]")
    for ch in icu.UnicodeSet(f"[[:Script={script}:]&[:L:]&{basic}]"):
        out.setdefault(_skeleton(ch), []).append(ch)
    return {
        skel: tuple(sorted(chars, key=lambda c: (c != skel, ord(c))))
        for skel, chars in out.items()
    }


def _pick(ch: str, choices: tuple[str, ...]) -> str:
    """The look-alike written in the same case as ``ch`` (Cyrillic І → Latin I, not l)."""
    for c in choices:
        if c.isupper() == ch.isupper():
            return c
    return choices[0]


@cache
def _unambiguous(script: str) -> frozenset[str]:
    """Standard letters of ``script`` that no other look-alike script has a look-alike of:
    the letters that say which script a mixed name is really written in (Latin h, n, t;
    Cyrillic б, д, ж)."""
    own = _lookalikes(script)
    others: set[str] = set()
    for other in _LOOKALIKE_SCRIPTS:
        if other != script:
            others.update(_lookalikes(other))
    return frozenset(c for skel, chars in own.items() if skel not in others for c in chars)


def confusable_key(word: str) -> str:
    """TS #39 skeleton of a casefolded word (``A1ibaba`` and ``alibaba`` agree): a
    comparison key for look-alikes within one script, digits and letters included."""
    return _skeleton(word.casefold()).casefold()


# General category Cc is exactly these two ranges (C0 with DEL, C1).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def remove_controls(text: str) -> tuple[str, tuple[str, ...]]:
    """``text`` without C0/C1 control characters (tab and line breaks become spaces) and
    the removed characters described ("U+0000 Cc"): what ingest and onboarding store."""
    if not _CONTROLS.search(text):
        return text, ()
    out: list[str] = []
    removed: list[str] = []
    for ch in text:
        if unicodedata.category(ch) != "Cc":
            out.append(ch)
        elif ch in _WS_CONTROLS:
            out.append(" ")
        else:
            removed.append(_describe(ch))
    return "".join(out), tuple(removed)


def remove_hidden(text: str) -> tuple[str, tuple[str, ...]]:
    """``text`` without the characters nobody sees: C0/C1 controls (tab and line breaks
    become spaces) and default-ignorable, private-use and unassigned code points
    (zero-width space and joiners, soft hyphen, bidi controls, variation selectors, tag
    characters; a ZWNJ between two Persian letters is spelling and stays), with the
    removed characters described ("U+200B ZERO WIDTH SPACE"). Nothing else changes (no
    NFKC, no folding): what ingest stores, so a registry's name stays as written while
    :func:`clean_name` reads the stored name as it reads the original."""
    text, removed = remove_controls(text)
    if text.isascii():
        return text, removed
    ignorable = _default_ignorable()
    out: list[str] = []
    dropped = list(removed)
    for i, ch in enumerate(text):
        if ignorable.contains(ch) and not (ch == "\u200c" and _persian_zwnj(text, i)):
            dropped.append(_describe(ch))
        else:
            out.append(ch)
    return "".join(out), tuple(dropped)


def clean_name(text: str) -> Cleaned:
    """Normalise untrusted name text and say what was changed (see the module table)."""
    return _clean(text)


@lru_cache(maxsize=1 << 17)
def _clean(original: str) -> Cleaned:
    if original.isascii() and original.isprintable():
        # nothing to remove or fold: printable ASCII has no controls, no invisible
        # characters or marks, is its own NFKC form and is written in one script
        text = " ".join(original.split())
        return Cleaned(original, text, readings=shown.spelt_readings(text, text, _clean)[0])
    changes: list[str] = []
    removed: list[str] = []

    def note(change: str) -> None:
        if change not in changes:
            changes.append(change)

    # 1. control characters (before NFKC, which keeps them)
    text, controls = remove_controls(original)
    if controls:
        note("control")
        removed.extend(controls)
    # 2. compatibility forms
    nfkc = unicodedata.normalize("NFKC", text)
    if nfkc != text:
        note("compatibility")
    text, folded = shown.latin_letter_forms(nfkc)  # small capitals ʙʏᴛᴇ → BYTE, as look-alikes
    # 3. invisible characters; 4. stray combining marks
    if not text.isascii():
        text = _drop_invisible(text, note, removed)
    more, seen = shown.spelt_readings(text, "", _clean)  # "В у t е", before folding
    changes.extend(c for c in seen if c not in changes)
    # 5. confusables
    alternative = ""
    if not text.isascii():
        text, alternative = _fold_confusables(text, folded)
    if folded:
        note("confusable")
    text, alternative, more = shown.both_orders(original, text, alternative, more, _clean)
    text, alternative = " ".join(text.split()), " ".join(alternative.split())
    return Cleaned(original=original, text=text, changes=tuple(changes), removed=tuple(removed),
                   folded=tuple(folded), alternative=alternative,
                   readings=shown.other_readings((text, alternative), more))


def _describe(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, unicodedata.category(ch))}"


@lru_cache(maxsize=1 << 16)
def _droppable(ch: str) -> bool:
    """A default-ignorable character or a combining mark: what :func:`_drop_invisible`
    may remove."""
    return bool(_default_ignorable().contains(ch)) or unicodedata.category(ch) in ("Mn", "Me", "Cs")


def _drop_invisible(text: str, note: Any, removed: list[str]) -> str:
    if not any(_droppable(ch) for ch in set(text)):
        return text
    ignorable = _default_ignorable()
    out: list[str] = []
    base = "Zyyy"
    for i, ch in enumerate(text):
        if ignorable.contains(ch) or "\ud800" <= ch <= "\udfff":  # a lone surrogate too
            if ch == "\u200c" and _persian_zwnj(text, i):
                out.append(ch)  # Persian spelling (می‌خواهم); fold_persian drops it later
                continue
            note("invisible")
            removed.append(_describe(ch))
            continue
        cat = unicodedata.category(ch)
        if cat in ("Mn", "Me"):
            if cat == "Me" or base in _STRIP_MARK_SCRIPTS or (
                    base in _ARABIC_LIKE and not _script_mark(ch, base)):
                note("marks")
                removed.append(_describe(ch))
                continue
        elif cat[0] == "L":
            base = _script(ch)
        elif cat[0] == "Z":
            base = "Zyyy"
        out.append(ch)
    return "".join(out)


def _script_mark(mark: str, base: str) -> bool:
    """A combining mark of the letter's own script (Arabic harakat, Syriac vowels), which
    spells; a general one on it (U+0336 LONG STROKE OVERLAY) is a disguise."""
    return unicodedata.name(mark, "").startswith(_MARK_PREFIX.get(base, "\0"))


_MARK_PREFIX = {"Arab": "ARABIC", "Syrc": "SYRIAC", "Nkoo": "NKO", "Mand": "MANDAIC",
                "Adlm": "ADLAM"}


def _persian_zwnj(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    return bool(before and after) and _script(before) in _ARABIC_LIKE and (
        _script(after) in _ARABIC_LIKE
    )


def _words(text: str) -> list[tuple[int, int]]:
    """Spans of letter runs (letters and the marks on them)."""
    spans: list[tuple[int, int]] = []
    start = -1
    for i, ch in enumerate(text):
        is_letter = unicodedata.category(ch)[0] in "LM"
        if is_letter and start < 0:
            start = i
        elif not is_letter and start >= 0:
            spans.append((start, i))
            start = -1
    if start >= 0:
        spans.append((start, len(text)))
    return spans


def _fold_confusables(text: str, folded: list[tuple[str, str]]) -> tuple[str, str]:
    """``text`` with its look-alike words folded (each fold appended to ``folded``), and
    the alternative reading ("" when none: see :class:`Cleaned`)."""
    present = _lookalike_scripts(text)
    if len(present) < 2:  # both folds need letters of two look-alike scripts in the name
        return text, _latin_reading(text) if present - {"Latn"} else ""
    spans = _words(text)
    if not spans:
        return text, ""
    words = [text[a:b] for a, b in spans]
    scripts = [_letter_scripts(w) for w in words]
    new_words = list(words)
    other_words = list(words)
    context: dict[str, int] = {}  # letters only one script has, per script
    for w in words:
        for ch in w:
            sc_ = _script(ch) if unicodedata.category(ch)[0] == "L" else ""
            if sc_ in _LOOKALIKE_SCRIPTS and ch in _unambiguous(sc_):
                context[sc_] = context.get(sc_, 0) + 1
    # a word mixing look-alike scripts: fold it into one of them
    for k, (word, sc) in enumerate(zip(words, scripts, strict=True)):
        alike = [s for s in sc if s in _LOOKALIKE_SCRIPTS]
        if len(alike) >= 2:
            new_words[k], other = _fold_word(word, alike, context)
            other_words[k] = other or new_words[k]
    # a whole word of look-alikes amid words of another look-alike script ("ВУТЕ Dance")
    scripts = [_letter_scripts(w) for w in new_words]
    counts: dict[str, int] = {}
    for w, sc in zip(new_words, scripts, strict=True):
        if len(sc) == 1 and sc[0] in _LOOKALIKE_SCRIPTS:
            counts[sc[0]] = counts.get(sc[0], 0) + sum(1 for c in w if c.isalpha())
    if len(counts) >= 2:
        main = max(counts, key=lambda s: (counts[s], s == "Latn"))
        for k, (w, sc) in enumerate(zip(new_words, scripts, strict=True)):
            if (
                len(sc) == 1
                and sc[0] != main
                and sc[0] in _LOOKALIKE_SCRIPTS
                and len(w) >= 2
                and not _legal_form(w)
            ):
                target = _to_script(w, main)
                if target is not None:
                    new_words[k] = target
    if new_words == words:
        return text, ""
    for old, new in zip(words, new_words, strict=True):
        if new != old:
            folded.append((old, new))
    main_text = _respell(text, spans, new_words)
    alternative = _respell(text, spans, other_words) if other_words != words else ""
    if alternative and other_words != new_words:
        return main_text, alternative
    return main_text, ""


def _latin_reading(text: str) -> str:
    """A name of one non-Latin look-alike script read in Latin where a word of it is
    entirely Latin look-alikes and either short and in capitals, as acronyms are ("АВВ",
    "МРІ") or written with letters Russian has not (Macedonian Ѕ, Ukrainian І: "ВЅІ"); ""
    when no word is. Not a fold: the name keeps its own script, this is a second reading
    (a Russian word such as ТОРС is a word, and its Latin look-alike a disguise only
    perhaps)."""
    spans = _words(text)
    words = [text[a:b] for a, b in spans]
    latin = list(words)
    for k, word in enumerate(words):
        acronym = word.isupper() and sum(c.isalpha() for c in word) <= _ACRONYM_MAX
        if not acronym and not _NOT_RUSSIAN.search(word):
            continue  # most words: one regex, no script look-up, no legal-form test
        if not _legal_form(word):
            read = _to_script(word, "Latn")
            if read is not None and read != word:
                latin[k] = read
    return _respell(text, spans, latin) if latin != words else ""


_ACRONYM_MAX = 4
# letters of the Cyrillic block Russian has not (Macedonian Ѕ, Ukrainian І; Ё and ё are
# Russian)
_NOT_RUSSIAN = re.compile("[\u0400\u0402-\u040f\u0450\u0452-\u045f\u0460-\u04ff]")


def _respell(text: str, spans: list[tuple[int, int]], words: list[str]) -> str:
    out: list[str] = []
    last = 0
    for (a, b), word in zip(spans, words, strict=True):
        out.append(text[last:a])
        out.append(word)
        last = b
    out.append(text[last:])
    return "".join(out)


def _lookalike_scripts(text: str) -> set[str]:
    """The look-alike scripts (Latin, Cyrillic, Greek ...) of ``text``'s letters."""
    found: set[str] = set()
    for ch in set(text):
        if ch.isalpha() and (s := _script(ch)) in _LOOKALIKE_SCRIPTS:
            found.add(s)
    return found


def _legal_form(word: str) -> bool:
    """A legal form in its own script ("ООО Gazprom", "АО Tinkoff") is ordinary."""
    from ringfence.resolve.legal import rigour_strip

    _kept, removed = rigour_strip((word.casefold(),))
    return bool(removed)


def _letter_scripts(word: str) -> list[str]:
    seen: dict[str, int] = {}
    for ch in word:
        if unicodedata.category(ch)[0] == "L":
            s = _script(ch)
            if s not in ("Zyyy", "Zinh"):
                seen[s] = seen.get(s, 0) + 1
    return sorted(seen, key=lambda s: -seen[s])


def _fold_word(word: str, alike: list[str], context: dict[str, int]) -> tuple[str, str]:
    """Fold ``word`` into the look-alike script that can take all of its letters; among
    those, the script most of the name's letters are written in, then the one needing the
    fewest changes (Latin on a tie). Also the word folded whole into the runner-up when
    only the count of changes chose between them (``""`` otherwise): an applicant writing
    "Alibaba" with four Cyrillic letters out of seven wins that count, so the name is
    read both ways."""
    ranked: list[tuple[tuple[int, int, int, str], str]] = []
    for target in alike:
        folded = _to_script(word, target, partial=True)
        if folded is None:
            continue
        misses = sum(
            1 for c in folded if c.isalpha() and _script(c) in _LOOKALIKE_SCRIPTS
            and _script(c) != target
        )
        changed = sum(1 for x, y in zip(word, folded, strict=True) if x != y)
        key = (misses, -context.get(target, 0), changed, "0" if target == "Latn" else target)
        ranked.append((key, folded))
    if not ranked:
        return word, ""
    ranked.sort()
    (best, best_word), rest = ranked[0], ranked[1:]
    other = next((w for k, w in rest if k[:2] == best[:2] == (0, 0)), "")
    return best_word, other


def _to_script(word: str, target: str, *, partial: bool = False) -> str | None:
    """``word`` with each look-alike letter of another script replaced by the letter of
    ``target`` that has the same TS #39 skeleton; None when a letter has none (unless
    ``partial``: then it is left as it is)."""
    table = _lookalikes(target)
    out: list[str] = []
    for ch in word:
        s = _script(ch) if unicodedata.category(ch)[0] == "L" else "Zyyy"
        if s in ("Zyyy", "Zinh", target):
            out.append(ch)
            continue
        choices = table.get(_skeleton(ch))
        if choices is None:
            if not partial:
                return None
            out.append(ch)
        else:
            out.append(_pick(ch, choices))
    return "".join(out)
