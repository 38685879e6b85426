"""Korean company-name parts, as data: ``ringfence/data/lexicon/ko.tsv`` (read by the
adapter :mod:`ringfence.packaged` and handed in with the other dictionaries).

Each entry is a Hangul word with its Sino-Korean characters (항공 航空; several, ``|``
separated, when the Chinese word for the same thing differs: 자동차 自動車|汽車) or, for an English
loanword written in Hangul (그룹, 홀딩스), the English word. The English of a Sino-Korean
word is not typed here: it is CC-CEDICT's gloss of the characters (航空 → aviation), the
dictionary the Chinese analysis already uses, so Korean and Chinese names meet English on
the same vocabulary. No entry names an organisation.

A Korean compound name is split from the right on these parts (삼성전자 → 삼성 + 전자,
조선무역은행 → 조선 + 무역 + 은행): Korean company names put the brand first and the
descriptive words after it.
"""

from __future__ import annotations

import csv
from functools import lru_cache

from ringfence.resolve.gloss import dictionaries, en_key, zh_gloss
from ringfence.resolve.text import to_simplified

__all__ = ["ko_entries", "ko_gloss", "ko_segments"]


@lru_cache(maxsize=1)
def ko_entries() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Hangul word → English phrases (as :func:`en_key` tuples), from the data file."""
    out: dict[str, list[tuple[str, ...]]] = {}
    text = dictionaries().korean_lexicon()
    lines = [ln for ln in text.splitlines() if not ln.startswith("#")]
    for row in csv.DictReader(lines, delimiter="\t"):
        word = row["hangul"].strip()
        glosses: list[tuple[str, ...]] = []
        for hanja in filter(None, (h.strip() for h in row["hanja"].split("|"))):
            glosses.extend(zh_gloss(to_simplified(hanja))[:4])
        if row["english"].strip():
            glosses.append(tuple(en_key(w) for w in row["english"].split()))
        out.setdefault(word, []).extend(g for g in glosses if g)
    return {w: tuple(dict.fromkeys(g)) for w, g in out.items()}


def ko_gloss(word: str) -> tuple[tuple[str, ...], ...]:
    return ko_entries().get(word, ())


@lru_cache(maxsize=1 << 14)
def ko_segments(word: str) -> tuple[str, ...]:
    """A Hangul compound split from the right on the lexicon's parts (longest first); what
    is left at the front is one word (the brand)."""
    parts = sorted(ko_entries(), key=len, reverse=True)
    tail: list[str] = []
    rest = word
    changed = True
    while changed and rest:
        changed = False
        for part in parts:
            if rest.endswith(part) and len(part) < len(rest) + (1 if tail else 0):
                tail.insert(0, part)
                rest = rest[: -len(part)]
                changed = True
                break
    return tuple(x for x in (rest, *tail) if x)
