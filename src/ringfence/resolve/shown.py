"""Names as a reader sees them, where the stored characters say something else.

Two tricks an applicant can play that the other normalisation steps do not undo, both
read from the Unicode Character Database rather than from a hand table:

* **Bidi overrides.** U+202E RIGHT-TO-LEFT OVERRIDE lays out the letters after it right
  to left, so ``"\\u202eecnaDetyB"`` is stored as a word no index holds and shown to a
  reviewer (and on a contract) as ``ByteDance``. :func:`display_order` gives the text in
  the order a reader reads it: letters of a left-to-right script inside a right-to-left
  override reversed, and letters of a right-to-left script inside a left-to-right
  override (U+202D) reversed. The override characters themselves are removed by
  ``normalise`` as invisible; this reading is kept *beside* the stored one (a name
  stored as ``ByteDance`` and shown backwards must still match).
* **Latin letters of another form.** NFKC leaves the small capitals (``ʙʏᴛᴇᴅᴀɴᴄᴇ``) and
  two IPA letter forms (script ɡ, Latin alpha ɑ) as they are, and TS #39 reads
  several small capitals as Cyrillic letters. :func:`latin_letter_forms` reads each as
  the basic letter its Unicode name gives ("LATIN LETTER SMALL CAPITAL B" → B).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any

__all__ = ["both_orders", "display_order", "join_spelt_letters", "latin_letter_forms",
           "other_readings", "reading_order", "spelt_readings"]

_RLO, _LRO, _PDF = "\u202e", "\u202d", "\u202c"
_EMBED_OR_OVERRIDE = frozenset("\u202a\u202b\u202d\u202e")  # closed by PDF
_ISOLATE = frozenset("\u2066\u2067\u2068")  # closed by PDI
_PDI = "\u2069"


def display_order(text: str) -> str:
    """``text`` in the order its letters are read when shown, where a bidi override
    changes it ("" when the text has no override or the override changes nothing).
    Overrides end at their PDF, at the PDI closing an isolate they are in, or at the
    end of a paragraph (a newline); bidi controls are dropped from the result."""
    if _RLO not in text and _LRO not in text:
        return ""
    out: list[str] = []
    stack: list[str] = []  # open embeddings/overrides/isolates, innermost last
    run: list[str] = []  # characters under the innermost override

    def flush() -> None:
        if run:
            out.append(_read(run, _innermost(stack)))
            run.clear()

    for ch in text:
        if ch in _EMBED_OR_OVERRIDE or ch in _ISOLATE:
            flush()
            stack.append(ch)
        elif ch == _PDF:
            flush()
            if stack and stack[-1] in _EMBED_OR_OVERRIDE:
                stack.pop()
        elif ch == _PDI:
            flush()
            while stack and stack.pop() not in _ISOLATE:
                pass
        elif ch in "\n\r\u2029":
            flush()
            stack.clear()
            out.append(ch)
        elif _innermost(stack):
            run.append(ch)
        else:
            out.append(ch)
    flush()
    shown = "".join(out)
    stored = "".join(c for c in text if unicodedata.bidirectional(c) not in _BIDI_CONTROLS)
    return shown if shown != stored else ""


def both_orders(original: str, text: str, alternative: str, more: tuple[str, ...],
                clean: Callable[[str], Any]) -> tuple[str, str, tuple[str, ...]]:
    """(main reading, second reading, further readings) of a name cleaned as ``text`` with
    the confusable ``alternative`` and the readings ``more``, when ``original`` has a bidi
    override that changes its order (``clean`` reads the shown order); as they are when
    not. The confusable readings of both orders stay among the further readings (a whole
    word of Cyrillic look-alikes in an override is still read in Latin letters)."""
    order = display_order(original)
    if not order:
        return text, alternative, more
    shown_as = clean(order)
    more = (*more, alternative, shown_as.alternative, *shown_as.readings)
    main, second = reading_order(" ".join(text.split()), shown_as.text)
    return main, second, more


def reading_order(stored: str, shown: str) -> tuple[str, str]:
    """(main reading, second reading) of a name stored as ``stored`` and shown as
    ``shown`` (both cleaned). The shown order leads when it has more legal-form words
    ("ПАО «НК «Роснефть»" against "»ьтфенсоР« КН« ОАП": the stored order was written
    backwards to be shown right); otherwise the stored order does (a name written the
    right way and wrapped in an override, which shows it backwards)."""
    if _legal_words(shown) > _legal_words(stored):
        return shown, stored
    return stored, shown


def other_readings(have: tuple[str, str], found: tuple[str, ...]) -> tuple[str, ...]:
    """The readings in ``found`` (spaces normalised) that are not empty and not in ``have``
    (the main and the second reading), each once, in order."""
    out = dict.fromkeys(" ".join(r.split()) for r in found)
    return tuple(r for r in out if r and r not in have)


def _legal_words(text: str) -> int:
    from ringfence.resolve.legal import is_legal_word

    # words of letters and digits only: a lone surrogate (JSON's "\\ud800") is no word
    return sum(1 for w in _WORDS.findall(text.casefold()) if is_legal_word(w))


_WORDS = re.compile(r"[^\W_]+")


_BIDI_CONTROLS = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})


def _innermost(stack: list[str]) -> str:
    """The override in force: the innermost open override, unless an embedding or
    isolate opened inside it resets the direction ("" for none)."""
    return stack[-1] if stack and stack[-1] in (_RLO, _LRO) else ""


def _read(chars: list[str], override: str) -> str:
    """Characters laid out under ``override`` in reading order. Every character takes the
    override's direction, and a reader reads Latin letters left to right and Arabic or
    Hebrew ones right to left: under RLO the run is reversed, then each stretch of
    right-to-left letters turned back; under LRO only those stretches are reversed. A
    run of one direction: RLO reverses Latin letters, LRO Arabic ones, the rest as stored."""
    rtl = any(unicodedata.bidirectional(c) in ("R", "AL") for c in chars)
    ltr = any(unicodedata.bidirectional(c) == "L" for c in chars)
    if override == _RLO and ltr:
        return _turn_rtl(chars[::-1])
    if override == _LRO and rtl:
        return _turn_rtl(chars)
    return "".join(chars)


def _turn_rtl(chars: list[str]) -> str:
    """``chars`` with each stretch from a right-to-left letter to the last one before the
    next left-to-right letter (spaces between them included) reversed."""
    out: list[str] = []
    i = 0
    while i < len(chars):
        if unicodedata.bidirectional(chars[i]) not in ("R", "AL"):
            out.append(chars[i])
            i += 1
            continue
        last = j = i
        while j < len(chars) and unicodedata.bidirectional(chars[j]) != "L":
            if unicodedata.bidirectional(chars[j]) in ("R", "AL"):
                last = j
            j += 1
        out.extend(reversed(chars[i : last + 1]))
        i = last + 1
    return "".join(out)


def latin_letter_forms(text: str) -> tuple[str, list[tuple[str, str]]]:
    """``text`` with Latin letter forms NFKC keeps read as basic letters, and the
    (word as written, word as read) pairs of the words that changed."""
    table = _forms()
    if not any(ch in table for ch in text):
        return text, []
    changed: list[tuple[str, str]] = []
    words = text.split(" ")
    for k, word in enumerate(words):
        read = "".join(table.get(ch, ch) for ch in word)
        if read != word:
            changed.append((word, read))
            words[k] = read
    return " ".join(words), changed


@lru_cache(maxsize=1)
def _forms() -> dict[str, str]:
    """Letter → basic letter, from the names the Unicode database gives: LATIN LETTER
    SMALL CAPITAL X (→ X), and the script g and Latin alpha small letters (IPA letters; not
    the dotless ı, a letter of Turkish)."""
    out: dict[str, str] = {}
    for cp in (*range(0x0180, 0x1EFF), *range(0xA720, 0xA800)):
        name = unicodedata.name(chr(cp), "")
        if name.startswith("LATIN LETTER SMALL CAPITAL "):
            base = name.removeprefix("LATIN LETTER SMALL CAPITAL ")
            if len(base) == 1 and base.isalpha():
                out[chr(cp)] = base
    for name, base in (("LATIN SMALL LETTER SCRIPT G", "g"), ("LATIN SMALL LETTER ALPHA", "a")):
        out[unicodedata.lookup(name)] = base
    return out


# three letters or more written one by one, with a space or a dot between
_SPACED = re.compile(r"(?<![\w.])[^\W\d_](?:(?:\. ?| )[^\W\d_]){2,}\.?(?![\w])")
_NOT_LETTER = re.compile(r"[\W\d_]")
_ALIAS_MARKS = frozenset({"aka", "fka", "nka"})  # A.K.A. ..., read by listnames.alias_parts


def join_spelt_letters(text: str) -> str:
    """Three letters or more written one by one, with a space or a dot between, read as
    one word: "B y t e D a n c e" → ByteDance, "B.Y.T.E.D.A.N.C.E" → BYTEDANCE, U.S.A. →
    USA. The name's own reading, not a second one: no name is spelt out letter by letter
    but to be read as the word. A legal form so written (S.r.l., P.J.S.C.) and the marks
    of a list's other names (A.K.A., F.K.A.) are left as they are: their own readers read
    them already."""
    if " " not in text and "." not in text:
        return text

    from ringfence.resolve.legal import is_legal_word

    def joined(m: re.Match[str]) -> str:
        word = _NOT_LETTER.sub("", m.group(0))
        low = word.casefold()
        return m.group(0) if low in _ALIAS_MARKS or is_legal_word(low) else word

    return _SPACED.sub(joined, text)


def spelt_readings(text: str, main: str, clean: Callable[[str], Any]
                   ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The readings (``clean``'s text, alternative and further readings) of ``text`` with
    its spelt-out letters joined, other than ``main``, and the changes ``clean`` made to
    read them; none when nothing is joined. A further reading, never the name's only one:
    joined as the only reading, the dotted letters a name ends with (S.A.C., T.O.O.,
    U.S.A., "S.A. J.S.C.") became a word of the company and the name stopped matching."""
    joined = join_spelt_letters(text)
    if joined == text:
        return (), ()
    found = clean(joined)
    readings = (found.text, found.alternative, *found.readings)
    return other_readings((main, ""), readings), found.changes
