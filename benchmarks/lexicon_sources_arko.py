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
_MAX_PHRASE = 1  # English words one word may translate to (two brought in sssr "state
# development", thahab "money exchange": a name's extra words, not a translation)
_MIN_PAIRS = 2  # pairs of names a word is aligned in (one alignment may be a brand)


def _places() -> set[str]:
    """English names of countries and territories and of time-zone cities (CLDR), folded."""
    from babel import Locale

    en = Locale.parse("en")
    out = {n.casefold() for n in en.territories.values()}
    out |= {z.rsplit("/", 1)[1].replace("_", " ").casefold() for z in en.time_zones}
    return out


def _person_words(data: Path) -> set[str]:
    """The words of the names of the UN list's individuals in the development part
    (``part_of`` of ``un:DATAID``; individuals are in no pair of the evaluation): given
    names and family names (Muhammad, Tariq), which are no organisation words."""
    import xml.etree.ElementTree as ET

    from real_pairs import part_of

    root = ET.parse(data / "sanctions/un_sc/UN_consolidated.xml").getroot()
    out: set[str] = set()
    for ind in root.iter("INDIVIDUAL"):
        if part_of(f"un:{(ind.findtext('DATAID') or '').strip()}") != "dev":
            continue
        for el in ind.iter():
            if el.tag.endswith("_NAME") and el.tag != "NAME_ORIGINAL_SCRIPT" and el.text:
                out.update(w.casefold() for w in re.findall(r"[A-Za-z]+", el.text))
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
    persons = _person_words(data)

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
                for one, en, name in ((left, right, b), (right, left, a)):
                    if len(one) != 1 or not 1 <= len(en) <= _MAX_PHRASE:
                        continue
                    word, phrase = one[0].casefold(), " ".join(en).casefold()
                    if (len(word) >= _MIN_LETTERS and word.isalpha() and word.isascii()
                            and not english_word(word)
                            and all(_generic_english(w, vocab) for w in phrase.split())
                            and phrase in " ".join(re.findall(r"[a-z]+", name.casefold()))):
                        found[(word, phrase)].append(
                            (org.rid, f"{source} {org.rid} (names {a!r} / {b!r})"))
    by_word: dict[str, Counter[str]] = defaultdict(Counter)
    for (word, en), where in found.items():
        by_word[word][en[:4]] += len(where)
    for (word, en), where in sorted(found.items()):
        if word in whole or word in places or any(w in places for w in en.split()):
            continue  # an organisation's whole name (al-Qaida, al-Shabaab) or a place
        if len(by_word[word]) > 1:
            continue  # aligned with words of different meanings (timur: east and western)
        if len(where) >= _MIN_PAIRS or (len(where) == 1 and word not in persons):
            yield "und-Latn", word, en, f"aligned list aliases, {where[0][1]} (dev part)"



_MIN_INITIALS = 4  # three-letter initials collide with other abbreviations (SAR, PRC)


def country_initials_entries() -> Iterator[Entry]:
    """A country's official name written as its initials (pycountry, ISO 3166-1: DPRK for
    Democratic People's Republic of Korea, FDRE, SRVN), with that official name, the
    ISO name's head (Korea, of "Korea, Democratic People's Republic of") and the common
    name where pycountry has one (North Korea): list aliases write "DPRK X" for "Korea X".
    Initials of four letters or more, of the words after "of", "the", "and" are left out;
    names with brackets or commas are skipped."""
    import pycountry

    version = getattr(pycountry, "__version__", "")
    for country in pycountry.countries:
        official = (getattr(country, "official_name", "") or "").replace("'s ", " ")
        if not official or "(" in official or "," in official:
            continue
        initials = "".join(w[0] for w in official.split()
                           if w.casefold() not in ("of", "the", "and")).upper()
        if len(initials) < _MIN_INITIALS or not initials.isalpha():
            continue
        names = [official, country.name.split(",")[0],
                 getattr(country, "common_name", "") or ""]
        for field, name in zip(("official_name", "name", "common_name"), names, strict=True):
            if name and "(" not in name:
                yield ("en", initials, name, f"pycountry {version} ISO 3166-1 "
                       f"{country.alpha_2} {field}; initials of its official name")
