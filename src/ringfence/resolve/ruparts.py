"""The Russian parts table, ``ringfence/data/lexicon/ru_parts.tsv``: clipped parts of
compound words (рос-, -маш-, -завод) and initialisms (НИИ, ЦКБ), each with the Russian
word(s) it stands for, its English, the Latin spellings names use besides BGN/PCGN and its
source; read through the dictionaries handed in (:mod:`ringfence.packaged`), failing
closed on a bad line. What :mod:`ringfence.resolve.rucompound` splits and reads with:
the parts by every spelling romanisations give them, and the initialisms in Cyrillic, in
BGN/PCGN and by their English initials.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ringfence.exc import IngestError
from ringfence.resolve.gloss import dictionaries, en_phrase, ru_stem
from ringfence.resolve.names import Token
from ringfence.resolve.tables import table_error, table_rows
from ringfence.resolve.text import cyrillic_to_latin, loose

__all__ = ["FIELDS", "Part", "clear_caches", "english_initials", "initialism",
           "initialism_form", "is_initialism", "parse_parts", "ru_parts", "written"]

_EN_SMALL = frozenset(["of", "for", "the", "and"])

FIELDS = ("kind", "part", "stands_for", "english", "latin", "source")


@dataclass(frozen=True, slots=True)
class Part:
    """A clipped part or an initialism: its keys (loose romanisations), its English
    phrases (as :func:`en_phrase` tuples) and the Russian words it stands for."""

    kind: str  # clip | init
    part: str
    keys: frozenset[str]
    english: tuple[tuple[str, ...], ...]
    stands_for: tuple[tuple[str, ...], ...]  # loose romanised stems, word by word
    # the English alternatives' words as written, without stopwords (for initials)
    english_raw: tuple[tuple[str, ...], ...] = ()
    latin: frozenset[str] = frozenset()  # the listed Latin spellings, lower case


def _keys(cyrillic: str, latin: str) -> frozenset[str]:
    out = {loose(cyrillic_to_latin(cyrillic.casefold()))}
    out |= {loose(x) for x in latin.split("|") if x and x != "-"}
    return frozenset(k for k in out if k)


def _stems(phrase: str) -> tuple[str, ...]:
    words = phrase.replace("-", " ").split()
    return tuple(loose(cyrillic_to_latin(ru_stem(w.casefold()))) for w in words)


@lru_cache(maxsize=1)
def ru_parts() -> tuple[dict[str, Part], dict[str, Part]]:
    """The clipped parts and the initialisms of the packaged table, each by its keys."""
    text, location = dictionaries().lexicon("ru_parts.tsv")
    return parse_parts(text, location=location)


def parse_parts(text: str, *, location: str) -> tuple[dict[str, Part], dict[str, Part]]:
    """Parse the table (``#`` comments, a header naming :data:`FIELDS`, one tab-separated
    row a line). Fails closed on the first bad line with an
    :class:`~ringfence.exc.IngestError` naming the file, the line and the field."""

    def bad(line: int, field: str, reason: str) -> IngestError:
        return table_error("Russian parts table", location, line, field, reason)

    clips: dict[str, Part] = {}
    inits: dict[str, Part] = {}
    for number, row in table_rows(text, FIELDS, location=location, what="Russian parts table"):
        kind, part, stands, english, latin = (row[f] for f in FIELDS[:5])
        if kind not in ("clip", "init"):
            raise bad(number, "kind", f"unknown kind {kind!r}")
        if not english.isascii():
            raise bad(number, "english", f"not English: {english!r}")
        entry = Part(
            kind=kind,
            part=part,
            keys=_keys(part, latin),
            english=tuple(p for p in (en_phrase(e) for e in english.split("|")) if p),
            stands_for=tuple(_stems(s) for s in stands.split("|")),
            english_raw=tuple(
                tuple(w for w in e.split() if w not in _EN_SMALL) for e in english.split("|")
            ),
            latin=frozenset(x.casefold() for x in latin.split("|") if x and x != "-"),
        )
        table = clips if kind == "clip" else inits
        for k in entry.keys:
            table[k] = entry
    return clips, inits



# how romanisations write the Russian letters whose spelling varies (BGN/PCGN first; GOST,
# ICAO, English habits: kh/h/ch, ts/c/tz, y/i/j, к as c in ELECTRO, TECHNO)
_LETTERS: dict[str, tuple[str, ...]] = {
    "к": ("k", "c"), "х": ("kh", "h", "ch"), "ц": ("ts", "c", "tz"), "й": ("y", "i", "j", ""),
    "ы": ("y", "i"), "е": ("e", "ye"), "ё": ("e", "yo"), "ж": ("zh", "j"),
    "щ": ("shch", "sch", "sh"), "я": ("ya", "ia"), "ю": ("yu", "iu"), "ъ": ("",), "ь": ("",),
}  # fmt: skip
_VARIANTS_MAX = 64


def _spellings(cyrillic: str) -> set[str]:
    """The Latin spellings of a Cyrillic part, letter by letter (КС also as x)."""
    out = {""}
    for ch in cyrillic.casefold():
        alts = _LETTERS.get(ch) or (cyrillic_to_latin(ch).casefold(),)
        out = {w + a for w in out for a in alts}
        if len(out) > _VARIANTS_MAX:
            out = set(sorted(out)[:_VARIANTS_MAX])
    return out | {w.replace("ks", "x") for w in out if "ks" in w}


@lru_cache(maxsize=1)
def written() -> tuple[dict[str, Part], frozenset[str]]:
    """Every clipped part by its Latin spellings as written (and the listed ones), and
    their first two letters: a split looks pieces up as they stand in the word, with no
    folding per piece."""
    out: dict[str, Part] = {}
    for part in ru_parts()[0].values():
        for spelling in _spellings(part.part) | part.latin:
            if len(spelling) >= 2:
                out.setdefault(spelling, part)
    return out, frozenset(k[:2] for k in out)



# --- initialisms -------------------------------------------------------------------------


@lru_cache(maxsize=1 << 14)
def initialism(text: str, script: str) -> Part | None:
    """The listed initialism ``text`` is: in Cyrillic as written, in Latin letters as
    BGN/PCGN romanises it (TSKB; not CKB, nor NPC for НПК: a loose key would take
    Latin acronyms of other words for Russian ones)."""
    if not 2 <= len(text) <= 5 or script not in ("Latn", "Cyrl"):
        return None
    latin = cyrillic_to_latin(text).casefold() if script == "Cyrl" else text.casefold()
    part = ru_parts()[1].get(loose(latin))
    if part is None or cyrillic_to_latin(part.part).casefold() != latin:
        return None
    return part


@lru_cache(maxsize=1)
def english_initials() -> dict[str, Part]:
    """The English initials the table gives for its initialisms (SPC for НПК, JCSB for
    АКБ, CIS for СНГ): a one-word English alternative whose letters are the initials of
    another alternative's words, in any order (lists write JSCB and JCSB)."""
    out: dict[str, Part] = {}
    for part in set(ru_parts()[1].values()):
        phrases = [p for p in part.english_raw if len(p) > 1]
        for word in (p[0] for p in part.english_raw if len(p) == 1):
            if any(sorted(word) == sorted(w[0] for w in p) for p in phrases):
                out[word] = part
    return out


def initialism_form(t: Token, other_legal: tuple[str, ...]) -> str:
    """The other side's stripped legal form that the listed initialism ``t`` stands for
    (FGUP or FSUE where the other side's ФГУП or Federal State Unitary Enterprise was
    stripped), or ""."""
    if not t.upper or not other_legal:
        return ""
    part = initialism(t.text, t.script)
    if part is None and t.script == "Latn":
        part = english_initials().get(t.text)
    if part is None:
        return ""
    for form in other_legal:
        words = tuple(w for w in form.casefold().split() if w not in _EN_SMALL)
        if form.casefold() == part.part.casefold() or words in part.english_raw:
            return form
    return ""


def is_initialism(t: Token) -> bool:
    """``t`` is a listed initialism written in capitals (NII, ЦКБ): a kind of
    organisation, which weighs like a generic word when it pairs with nothing."""
    return t.upper and initialism(t.text, t.script) is not None



def clear_caches() -> None:
    ru_parts.cache_clear()
    written.cache_clear()
    initialism.cache_clear()
    english_initials.cache_clear()
