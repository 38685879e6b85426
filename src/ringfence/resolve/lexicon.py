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
from dataclasses import dataclass
from functools import lru_cache

from ringfence.exc import IngestError
from ringfence.resolve.gloss import (
    dictionaries,
    en_key,
    en_phrase,
    merge_glosses,
    ru_latin_gloss,
    zh_gloss,
)
from ringfence.resolve.latin_variants import latin_variant_gloss
from ringfence.resolve.tables import table_error, table_rows
from ringfence.resolve.text import korean_key, loose, to_simplified

__all__ = ["LEXICON_FIELDS", "LexiconEntry", "arabic_keys", "ko_entries", "ko_gloss",
           "ko_segments", "latin_gloss", "lexicon_entries", "lexicon_gloss", "lookup_key",
           "name_lexicon", "parse_lexicon"]


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
    own = ko_entries().get(word, ())
    extra = lexicon_gloss("ko:" + word)
    return own + tuple(p for p in extra if p not in own) if extra else own


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


# --- the multilingual lexicon (``ringfence/data/lexicon/names.tsv``) ---------------------

LEXICON_FIELDS = ("lang", "word", "english", "source")
# en: an English word with another English name for the same thing (a country's short
# name and its official one); und-Latn: a word of another language written in Latin
# letters (groupe, islamique).
LEXICON_LANGS = frozenset(["zh", "ja", "ko", "ru", "ru-Latn", "fa", "ar", "en", "und-Latn"])


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    """One company-name part in another script with its English and where it came from."""

    lang: str
    word: str
    english: str
    source: str
    line: int


def parse_lexicon(text: str, *, location: str) -> tuple[LexiconEntry, ...]:
    """Parse a lexicon file: ``#`` comment lines, then a header naming
    :data:`LEXICON_FIELDS`, then one tab-separated entry a line. Fails closed on the first
    bad line with an :class:`~ringfence.exc.IngestError` whose problem names the file, the
    line and the field (a lexicon that silently lost lines would silently lose matches)."""

    def bad(line: int, field: str, reason: str) -> IngestError:
        return table_error("lexicon file", location, line, field, reason)

    out: list[LexiconEntry] = []
    for number, row in table_rows(text, LEXICON_FIELDS, location=location, what="lexicon file"):
        if row["lang"] not in LEXICON_LANGS:
            raise bad(number, "lang", f"unknown language {row['lang']!r}")
        if not any(ch.isalpha() for ch in row["english"]) or not row["english"].isascii():
            raise bad(number, "english", f"not an English word: {row['english']!r}")
        out.append(LexiconEntry(row["lang"], row["word"], row["english"], row["source"], number))
    return tuple(out)


def lookup_key(lang: str, word: str) -> str:
    """The form a lexicon word is looked up by, the same as the analysis makes of a name's
    word: Han in simplified Chinese; Russian stemmed; Persian/Arabic letter variants
    folded (with the Arabic article dropped as a second key, see :func:`arabic_keys`);
    Hangul as written; romanised Russian, and English or other Latin-letter words, by
    their loose key."""
    from ringfence.resolve.gloss import ru_stem
    from ringfence.resolve.text import fold_persian, loose, script_of

    if lang in ("zh", "ja") and script_of(word) == "Hani":
        return "zh:" + to_simplified(word)
    if lang == "ru":
        return "ru:" + ru_stem(word.casefold())
    if lang in ("fa", "ar"):
        return "fa:" + fold_persian(word)
    if lang == "ru-Latn":
        return "ru-Latn:" + loose(word)
    if lang in ("en", "und-Latn"):
        return "Latn:" + loose(word)
    return lang + ":" + word


_AR_ARTICLE = ("وال", "بال", "فال", "لل", "ال")


def arabic_keys(folded: str) -> tuple[str, ...]:
    """Lookup keys of a folded Arabic-script word: itself, then without a leading article
    (ال, and with the particles و ب ف or as لل), when three letters remain."""
    keys = ["fa:" + folded]
    for art in _AR_ARTICLE:
        if folded.startswith(art) and len(folded) - len(art) >= 3:
            keys.append("fa:" + folded[len(art):])
            break
    return tuple(keys)


@lru_cache(maxsize=1)
def lexicon_entries() -> tuple[LexiconEntry, ...]:
    """The multilingual lexicon handed in (``names.tsv``), parsed once."""
    text, location = dictionaries().lexicon("names.tsv")
    return parse_lexicon(text, location=location)


@lru_cache(maxsize=1)
def name_lexicon() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Lookup key (:func:`lookup_key`) → English phrases (as :func:`en_key` tuples), from
    the multilingual lexicon handed in. Built once: a name's word costs one dict lookup."""
    entries = lexicon_entries()
    out: dict[str, list[tuple[str, ...]]] = {}
    # A word's own translation (CLDR, an aligned pair) before the English of a rigour
    # symbol, which groups near words (FED: federal, federation): the first gloss decides
    # whether the word is generic.
    for e in sorted(entries, key=lambda e: e.source.startswith("rigour")):
        phrase = en_phrase(e.english)
        if phrase:
            key = lookup_key(e.lang, e.word)
            if phrase not in out.setdefault(key, []):
                out[key].append(phrase)
    return {k: tuple(v) for k, v in out.items()}


def lexicon_gloss(key: str) -> tuple[tuple[str, ...], ...]:
    """English phrases of a lookup key (empty when the lexicon lacks it)."""
    return name_lexicon().get(key, ())


def latin_gloss(word: str) -> tuple[tuple[str, ...], ...]:
    """English phrases for a word in Latin letters: as romanised Russian (from five
    letters, :func:`~ringfence.resolve.gloss.ru_latin_gloss`) or else as romanised Korean
    (:func:`_ko_latin`), then the lexicon's entries for the word as written in Latin
    letters (Russia → Russian Federation, groupe → group). Two dictionary look-ups past
    the romanised Russian ones."""
    own = ru_latin_gloss(word) if len(word) >= 5 else ()
    if len(word) >= _KO_LATIN_MIN and not own:
        for hangul in _ko_latin().get(korean_key(word), ()):
            own = merge_glosses(own, ko_gloss(hangul))
    own = merge_glosses(own, lexicon_gloss("Latn:" + loose(word)))
    return own or latin_variant_gloss(word)  # Arabic spellings in Latin letters


_KO_LATIN_MIN = 5  # letters of a romanised Korean word (and of its key) glossed


@lru_cache(maxsize=1)
def _ko_latin() -> dict[str, tuple[str, ...]]:
    """The Korean lexicon's words by the Korean key (:func:`~ringfence.resolve.text.
    korean_key`) of their Revised and McCune–Reischauer romanisations: a name that
    writes 조선 as Choson or Chosun meets its English, Korea (and shipbuilding). Keys of
    five letters or more only; built once from the 70 entries' Hangul (the English, which
    needs CC-CEDICT, only on a hit)."""
    from ringfence.resolve.text import korean_to_latin
    from ringfence.resolve.variants import korean_variant_keys

    lines = [ln for ln in dictionaries().korean_lexicon().splitlines() if not ln.startswith("#")]
    out: dict[str, tuple[str, ...]] = {}
    for row in csv.DictReader(lines, delimiter="\t"):
        word = row["hangul"].strip()
        keys = {korean_key(korean_to_latin(word))}
        keys |= {k[3:] for k in korean_variant_keys(word) if k.startswith("ko:")}
        for key in keys:
            if len(key) >= _KO_LATIN_MIN and word not in out.get(key, ()):
                out[key] = (*out.get(key, ()), word)
    return out
