"""Does a list alias share any string evidence with the name it is an alias of?

Used by ``benchmarks/real_pairs.py`` to label a list's a.k.a. pair ``list_alias`` when it
does and ``list_alias_other`` when it does not (a rename, a name in another language that
shares no word, a nickname: "Boko Haram" ~ "JAMA'ATU AHLIS SUNNA LIDDA'AWATI WAL-JIHAD",
"RUSSIAN HELICOPTERS" ~ "VERTOLETY ROSSII"). The rule looks at the two names only, never
at any matcher (ringfence's included), and is deliberately generous: whatever could
count as string evidence keeps the pair in ``list_alias``. Both names are read through
ICU's ``Any-Latin; Latin-ASCII`` (so a name in Cyrillic or Han is compared by its Latin
reading), lower-cased and split into words of letters and digits; stopwords and the words
of the legal forms are dropped (:data:`real_pairs.LEGAL_FORMS` and the romanised Russian
forms). The pair has string evidence when

* a word of one name is a word of the other, or the two are spellings of one word:
  rapidfuzz ``ratio`` ≥ 75 for words of four letters or more, or a shared start of five
  letters (``globeks`` ~ ``globexbank``, ``tekhnopromeksport``); or
* a word of one name is written inside a word of the other, or inside its words
  written together (``surgut`` in ``surgutneftegasbank``, ``qaida`` in ``Al Qa'ida``;
  four letters or more), or, from five letters, is within rapidfuzz ``partial_ratio``
  ≥ 85 of part of a longer word (``ekonomiki`` in ``niigazekonomika``); or
* a word of 2-10 letters of one name is an acronym of the other: the initials of a run
  of its successive words (stopwords and legal-form words kept or left out), or, from
  three letters, its letters in order inside one longer word of the other, starting with
  its first letter (``gpb`` in ``gazprombank``, ``sngb`` in ``surgutneftegasbank``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

STOPWORDS = frozenset({
    "of", "the", "and", "for", "in", "on", "by", "at", "to", "a", "an", "&", "de", "la",
    "du", "des", "el", "al", "le", "les", "et", "y", "i", "der", "die", "das", "und", "fi",
    "wal", "wa",
})  # fmt: skip


@lru_cache(maxsize=1)
def _reader() -> Any:
    import icu  # type: ignore[import-untyped]

    return icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")


def words(name: str, drop: frozenset[str]) -> list[str]:
    """The name's words in Latin letters, lower case, without ``drop``."""
    read = str(_reader().transliterate(name)).casefold()
    return [w for w in re.findall(r"[a-z0-9]+", read) if w not in drop]


def _same_word(x: str, y: str) -> bool:
    from rapidfuzz import fuzz

    if x == y:
        return True
    if min(len(x), len(y)) < 4:
        return False
    if fuzz.ratio(x, y) >= 75 or (len(x) >= 5 and len(y) >= 5 and x[:5] == y[:5]):
        return True
    short, long_ = sorted((x, y), key=len)
    return short in long_ or (len(short) >= 5 and fuzz.partial_ratio(short, long_) >= 85)


def _in_order(letters: str, text: str, start: int) -> bool:
    k = start
    for ch in letters:
        k = text.find(ch, k)
        if k < 0:
            return False
        k += 1
    return True


def _acronym_of(acro: str, ws: list[str]) -> bool:
    """``acro`` is the initials of a run of ``ws``, or its letters follow in order inside
    one longer word of ``ws``, from its first letter (a syllable acronym of a compound)."""
    if not 2 <= len(acro) <= 10 or not acro.isalpha():
        return False
    if acro in "".join(w[0] for w in ws):
        return True
    return len(acro) >= 3 and any(
        len(w) >= len(acro) + 3 and w[0] == acro[0] and _in_order(acro[1:], w, 1) for w in ws
    )


def has_string_evidence(alias: str, primary: str, form_words: frozenset[str]) -> bool:
    """Whether ``alias`` and ``primary`` share any string evidence (module docstring)."""
    drop = STOPWORDS | form_words
    wa, wb = words(alias, drop), words(primary, drop)
    if any(_same_word(x, y) for x in wa for y in wb):
        return True
    joined_a, joined_b = "".join(wa), "".join(wb)
    if any(len(x) >= 4 and x in joined_b for x in wa) or any(
        len(y) >= 4 and y in joined_a for y in wb
    ):
        return True
    full_a, full_b = words(alias, frozenset()), words(primary, frozenset())
    for acros, other in ((wa, (wb, full_b)), (wb, (wa, full_a))):
        for acro in acros:
            if any(_acronym_of(acro, ws) for ws in other if ws):
                return True
    return False
