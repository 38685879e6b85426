"""Names written the way sanctions lists write them: several names in one string.

* ``DAEDONG CREDIT BANK (DCB)``, ``MODERN INDUSTRIES TECHNIQUE COMPANY (MITEC)``: a
  bracketed word in capitals is the organisation's acronym, an alias, not a qualifier
  such as "(Hong Kong)" or "(Asia)". Country codes ("(USA)") stay qualifiers, and so
  does a two-letter bracket unless it is the initials of the name ("LASHKAR I JHANGVI
  (LJ)").
* ``أنصار الشريعة (Ansar al Charia)``: a bracket in another script than the rest of the
  name is the name written in that script.
* ``COMPAGNIE AERIENNE DES GRANDS LACS (CAGL) ; GREAT LAKES BUSINESS COMPANY (GLBC)``,
  ``HARAKAT UL-MUJAHIDIN / HUM``: names separated by ``;`` or a spaced slash are
  alternatives, and so are names joined by "a.k.a.", "f.k.a.", "n.k.a." (or f/k/a ...),
  "also known as" or "formerly (known as)".

:func:`alias_parts` gives the alternatives, which :func:`ringfence.resolve.names.analyse_name`
keeps as variants beside the full name; :func:`acronym_fits` says whether letters are
the initials of words (also used by the scorer's whole-name acronym).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ringfence.resolve.gloss import zh_places
from ringfence.resolve.legal import STOPWORDS
from ringfence.resolve.text import script_of

__all__ = ["acronym_fits", "alias_bracket", "alias_parts", "place_runs"]

_SEPARATORS = re.compile(
    r"\s+[;/]\s+|\s*;\s*"
    # "ZORBAKS TRADING A.K.A. ZT LLC", "..., F/K/A KIMIA BANK", "also known as"
    r"|[\s,]+\(?(?:[afn]\.k\.a\.?|[afn]/k/a|also\s+known\s+as|formerly(?:\s+known\s+as)?)[\s:]+",
    re.IGNORECASE,
)
_ACRONYM = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@lru_cache(maxsize=1)
def _alpha3() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.countries)


@lru_cache(maxsize=1)
def _place_words() -> frozenset[str]:
    """Words of country, region and subregion names (rigour's territories): "(ASIA)",
    "(KOREA)" are qualifiers even in capitals."""
    from rigour.territories import get_territories

    out: set[str] = set()
    for t in get_territories():
        for name in (t.name, t.full_name, t.region, t.subregion):
            out.update(w.casefold() for w in _WORD.findall(name or ""))
    return frozenset(out)


@lru_cache(maxsize=1)
def place_runs() -> frozenset[tuple[str, ...]]:
    """Names of territories written in two words or more (rigour's territories), and
    their first two words or more, as tuples of lower-cased words: ("hong", "kong") from
    "Hong Kong SAR", ("south", "africa")."""
    from rigour.territories import get_territories

    out: set[tuple[str, ...]] = set()
    for t in get_territories():
        for name in (t.name, t.full_name):
            words = tuple(w.casefold() for w in _WORD.findall(name or ""))
            out.update(words[:n] for n in range(2, len(words) + 1))
    return frozenset(out)


def _place(word: str) -> bool:
    low = word.casefold()
    return low in _place_words() or "pinyin:" + low in zh_places()


@lru_cache(maxsize=1 << 14)
def acronym_fits(acro: str, words: tuple[str, ...]) -> bool:
    """The letters of ``acro`` start successive ``words``, one to three letters a word and
    more than one from at most one word (HKEX: EXchanges; COMAC: COMmercial), with at
    most two words left after the last one used: "CNOOC" is not Cefvocon NOrthern OCean."""

    def fits(a: int, wi: int, multi: int) -> bool:
        if a == len(acro):
            return len(words) - wi <= 2 or all(len(w) <= 3 for w in words[wi:])
        if wi >= len(words):
            return False
        word = words[wi]
        for n in range(min(3, len(word), len(acro) - a), 0, -1):
            more = multi + (n > 1)
            if more <= 1 and word[:n] == acro[a : a + n] and fits(a + n, wi + 1, more):
                return True
        return False

    return fits(0, 0, 0)


def _outside_words(pieces: list[tuple[str, bool]]) -> tuple[str, ...]:
    return tuple(
        w.casefold()
        for p, inside in pieces
        if not inside
        for w in _WORD.findall(p)
        if w.casefold() not in STOPWORDS
    )


def alias_bracket(piece: str, pieces: list[tuple[str, bool]]) -> bool:
    """A bracketed piece that is another name of the organisation (see the module)."""
    word = piece.strip()
    outside = _outside_words(pieces)
    if not word or not outside:
        return False
    if _ACRONYM.fullmatch(word) and word.isascii():
        letters = word.replace("-", "").casefold()
        if acronym_fits(letters, outside) and len(outside) >= 2:
            return True
        if len(letters) < 3 or len(letters) > 6 or word in _alpha3() or _place(word):
            return False  # "(USA)", "(BEIJING)", "(ASIA)": where, not who
        return sum(c.isalpha() for c in word) >= 3
    inner, rest = script_of(word), script_of(" ".join(outside))
    return inner != rest and "Zyyy" not in (inner, rest) and len(_WORD.findall(word)) >= 2


def alias_parts(text: str, pieces: list[tuple[str, bool]]) -> tuple[str, ...]:
    """Other names written inside ``text``: alias brackets, and the parts of a name
    separated by ``;`` or a spaced ``/`` (each without its own alias brackets)."""
    out: list[str] = [p.strip() for p, inside in pieces if inside and alias_bracket(p, pieces)]
    parts = [p.strip() for p in _SEPARATORS.split(text) if p.strip()]
    if len(parts) > 1:
        out.extend(parts)
    return tuple(dict.fromkeys(out))
