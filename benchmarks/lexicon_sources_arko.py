"""Lexicon sources for words of other languages written in Latin letters that list aliases
use (Arabic, Persian, Urdu, Pashto, Indonesian, French, German: jund soldiers, harakat
movement, tanzim organisation, timur east, anstalt establishment), called by
``benchmarks/build_lexicon.py``.

* ``aliases``: two Latin names *of one record* of the development part
  (``real_pairs.part_of``) that ringfence's comparison leaves with exactly one word
  unmatched on each side are a translation pair when one word is generic English (a
  lower-case word of three or more CC-CEDICT headwords' glosses, as the other sources
  require) and the other is no English word (not in CC-CEDICT's lower-case vocabulary nor
  a headword of Mueller's dictionary): the UN list's "JUND AL AQSA" a.k.a. "Soldiers of
  Aqsa" gives jund → soldiers. An entry needs two such pairs of names, is not a place
  (CLDR's English country and city names), and its word must not be aligned with English
  words of different meanings anywhere (Indonesian timur against east and western, one
  list's alias for a sister group): a brand or a mislabelled alias left unmatched once
  does not become a word; nor does a word that is an organisation's whole name (Al-Qaida). Every entry names a record and both names it came from.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path

Entry = tuple[str, str, str, str]  # lang, word, english, source

_MIN_LETTERS = 4
_ARTICLES = frozenset(["al", "el", "the"])
_MIN_PAIRS = 2  # pairs of names a word is aligned in (one alignment may be a brand)


def _places() -> set[str]:
    """English names of countries and territories and of time-zone cities (CLDR), folded."""
    from babel import Locale

    en = Locale.parse("en")
    out = {n.casefold() for n in en.territories.values()}
    out |= {z.rsplit("/", 1)[1].replace("_", " ").casefold() for z in en.time_zones}
    return out


def _unmatched(a: str, b: str) -> tuple[list[str], list[str]]:
    """Words of each name ringfence's comparison left without a partner."""
    from ringfence.resolve import Record, compare

    result = compare(Record.of(a), Record.of(b))
    left = [f.a for f in result.explanation if f.feature == "token_unmatched" and f.a]
    right = [f.b for f in result.explanation if f.feature == "token_unmatched" and f.b]
    return left, right


def alias_entries(data: Path, vocab: Counter[str], base: Path) -> Iterator[Entry]:
    """Word translations aligned between two Latin names of one development-part record
    (see the module's docstring). ``lang`` is ``und-Latn``."""
    from build_lexicon import _generic_english, _headwords, _lang_of, _sources, mueller_articles
    from real_pairs import part_of

    headwords = set(mueller_articles(base))
    places = _places()
    whole: set[str] = set()

    def english_word(w: str) -> bool:
        return vocab[w] > 0 or any(h in headwords for h in _headwords(w))

    found: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for source, orgs in _sources(data):
        for org in orgs:
            if part_of(org.rid) != "dev" or not org.primary:
                continue
            names = list(dict.fromkeys(n for n in [org.primary] + [n for _k, n in org.others]
                                       if n and not _lang_of(n)))
            for name in names:
                words = [w for w in re.findall(r"[A-Za-z]+", name.casefold()) if w not in _ARTICLES]
                if len(words) == 1:
                    whole.add(words[0])
            for a, b in combinations(names, 2):
                left, right = _unmatched(a, b)
                if len(left) != 1 or len(right) != 1:
                    continue
                for word, en in ((left[0], right[0]), (right[0], left[0])):
                    word, en = word.casefold(), en.casefold()
                    if (len(word) >= _MIN_LETTERS and word.isalpha() and word.isascii()
                            and not english_word(word) and _generic_english(en, vocab)):
                        found[(word, en)].append((org.rid, f"{source} {org.rid}: {a!r} / {b!r}"))
    by_word: dict[str, set[str]] = defaultdict(set)
    for word, en in found:
        by_word[word].add(en)
    for (word, en), where in sorted(found.items()):
        if word in whole:
            continue  # an organisation's whole name (al-Qaida, al-Shabaab), not a word
        if en in places or any(other[:4] != en[:4] for other in by_word[word]):
            continue  # a place, or a word aligned with words of different meanings
        if len(where) >= _MIN_PAIRS:
            yield "und-Latn", word, en, f"aligned list aliases, {where[0][1]} (dev part)"
