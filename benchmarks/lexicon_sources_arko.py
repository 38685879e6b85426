"""Lexicon sources for words of other languages written in Latin letters that list aliases
use (Arabic, Persian, Urdu, Pashto, Indonesian, French, German: jund soldiers, harakat
movement, jaysh army, anstalt establishment) and for countries written as initials
(DPRK), called by ``benchmarks/build_lexicon.py``.

* ``aligned list aliases`` (:func:`alias_entries`): two Latin names *of one record* of the
  development part (``real_pairs.part_of``) that ringfence's comparison leaves with
  exactly one word unmatched on each side are a translation pair when one word is generic
  English (a lower-case word of three or more CC-CEDICT headwords' glosses, as the other
  sources require) and the other is no English word (not in CC-CEDICT's lower-case
  vocabulary nor a headword of Mueller's dictionary) of four letters or more: the UN
  list's "JUND AL AQSA" a.k.a. "Soldiers of Aqsa" gives jund → soldiers. Left out: a word
  that is an organisation's whole name (Al-Qaida, Al-Shabaab) or a place (CLDR's English
  country and city names), a word aligned with English words of different meanings
  anywhere (Indonesian timur against east and western: one list gives a sister group's
  name as an alias), and a word aligned in only one pair of names that is a given or
  family name of a development-part individual of the UN list (Muhammad) or that sits
  inside its name while its English sits at an edge of the other, or the reverse (Gidar
  against Commander; a head word is at an edge in both orders: Jaysh … / … Army). A second pass
  aligns again with the first pass's words known ("Soldiers of the Caliphate" / "Jund
  al-Khilafah": khilafah → caliphate). Every entry names a record and both names.
* ``pycountry`` initials (:func:`country_initials_entries`): a country's official name as
  its initials, four letters or more (DPRK), with that name, the ISO name's head and the
  common name (Korea, North Korea).
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
_PASSES = 2
_MIN_PAIRS = 2  # pairs of names a word is aligned in (one alignment may be a brand)


def _places() -> set[str]:
    """English names of countries and territories and of time-zone cities (CLDR), folded."""
    from babel import Locale

    en = Locale.parse("en")
    out = {n.casefold() for n in en.territories.values()}
    out |= {str(z).rsplit("/", 1)[-1].replace("_", " ").casefold() for z in en.time_zones}
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


def _dev_latin_names(data: Path) -> list[tuple[str, str, list[str]]]:
    """(source, record id, its distinct Latin names) for the development part's records."""
    from build_lexicon import _lang_of, _sources
    from real_pairs import part_of

    out = []
    for source, orgs in _sources(data):
        for org in orgs:
            if part_of(org.rid) == "dev" and org.primary:
                names = [org.primary] + [n for _k, n in org.others]
                out.append(
                    (
                        source,
                        org.rid,
                        list(dict.fromkeys(n for n in names if n and not _lang_of(n))),
                    )
                )
    return out


class _WithEntries:
    """The dictionaries in use, with ``entries`` as the multilingual lexicon."""

    def __init__(self, inner: object, entries: list[Entry]) -> None:
        self._inner = inner
        self._text = (
            "\n".join(
                ["\t".join(("lang", "word", "english", "source")), *("\t".join(e) for e in entries)]
            )
            + "\n"
        )

    def lexicon(self, name: str) -> tuple[str, str]:
        if name == "names.tsv":
            return self._text, "(aligned so far)"
        return self._inner.lexicon(name)  # type: ignore[attr-defined, no-any-return]

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


def _at_edge(word: str, name: str) -> bool:
    """The word is the first or last of the name's words as analysed (legal forms and
    stop words stripped). Arabic puts the head noun first and English last (Jaysh Khalid …
    / Khalid … Army), so a head word sits at an edge in both; a word inside one name
    aligned with one at the other's edge is rather a name (TARIQ GIDAR AFRIDI GROUP /
    COMMANDER TARIQ AFRIDI GROUP)."""
    from ringfence.resolve.names import analyse_name

    texts = [t.text for t in analyse_name(name).tokens]
    return word not in texts or word in (texts[0], texts[-1])


def _clear_analysis_caches() -> None:
    """Drop the analysed names and token comparisons cached under the previous lexicon
    (``use_dictionaries`` drops the parsed tables only; the entry points set it once)."""
    from ringfence.resolve import names, score, tokensim

    for module in (names, score, tokensim):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def alias_entries(data: Path, vocab: Counter[str], base: Path) -> Iterator[Entry]:
    """Word translations aligned between two Latin names of one development-part record
    (see the module's docstring). ``lang`` is ``und-Latn``. A second pass aligns again
    with the first pass's words known: "Soldiers of the Caliphate" / "Jund al-Khilafah"
    leaves one word a side once jund is known."""
    from ringfence.resolve.gloss import dictionaries, use_dictionaries

    records = _dev_latin_names(data)
    inner = dictionaries()
    entries: list[Entry] = []
    try:
        for _ in range(_PASSES):
            use_dictionaries(_WithEntries(inner, entries))  # type: ignore[arg-type]
            _clear_analysis_caches()
            known = {(e[1], e[2]) for e in entries}
            entries += [
                e for e in _aligned(records, data, vocab, base) if (e[1], e[2]) not in known
            ]
    finally:
        use_dictionaries(inner)
        _clear_analysis_caches()
    yield from entries


def _aligned(
    records: list[tuple[str, str, list[str]]], data: Path, vocab: Counter[str], base: Path
) -> Iterator[Entry]:
    from build_lexicon import _generic_english, _headwords, mueller_articles

    headwords = set(mueller_articles(base))
    places = _places()
    persons = _person_words(data)
    whole: set[str] = set()
    inside: set[str] = set()  # aligned once inside a name against an edge word or back

    def english_word(w: str) -> bool:
        return vocab[w] > 0 or any(h in headwords for h in _headwords(w))

    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for source, rid, names in records:
        for name in names:
            words = [w for w in re.findall(r"[a-z]+", name.casefold()) if w not in _ARTICLES]
            if len(words) == 1:
                whole.add(words[0])
        for a, b in combinations(names, 2):
            left, right = _unmatched(a, b)
            if len(left) != 1 or len(right) != 1:
                continue
            if _at_edge(left[0], a) != _at_edge(right[0], b):
                inside.update({left[0].casefold(), right[0].casefold()})
            for word, en in (
                (left[0].casefold(), right[0].casefold()),
                (right[0].casefold(), left[0].casefold()),
            ):
                if (
                    len(word) >= _MIN_LETTERS
                    and word.isalpha()
                    and word.isascii()
                    and not english_word(word)
                    and _generic_english(en, vocab)
                ):
                    found[(word, en)].append(f"{source} {rid} (names {a!r} / {b!r})")
    meanings: dict[str, set[str]] = defaultdict(set)
    for word, en in found:
        meanings[word].add(en)
    for (word, en), where in sorted(found.items()):
        if word in whole or word in places or en in places:
            continue  # an organisation's whole name (al-Qaida, al-Shabaab) or a place
        if len(meanings[word]) > 1:
            continue  # aligned with words of different meanings (timur: east and western)
        if len(where) >= _MIN_PAIRS or (word not in persons and word not in inside):
            yield "und-Latn", word, en, f"aligned list aliases, {where[0]} (dev part)"


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
        initials = "".join(
            w[0] for w in official.split() if w.casefold() not in ("of", "the", "and")
        ).upper()
        if len(initials) < _MIN_INITIALS or not initials.isalpha():
            continue
        names = [official, country.name.split(",")[0], getattr(country, "common_name", "") or ""]
        for field, name in zip(("official_name", "name", "common_name"), names, strict=True):
            if name and "(" not in name:
                yield (
                    "en",
                    initials,
                    name,
                    f"pycountry {version} ISO 3166-1 "
                    f"{country.alpha_2} {field}; initials of its official name",
                )
