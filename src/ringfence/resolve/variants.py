"""Transliteration variants of a word, as extra comparison keys (the analysis already makes
BGN/PCGN for Russian, pinyin and Hong Kong Cantonese for Chinese, Revised Romanization for
Korean; :func:`ringfence.resolve.text.loose` folds the small spelling differences).

* Chinese: Wade–Giles (北京 Pei-ching, 招商 Chao-shang, 长江 Ch'ang-chiang), from the
  pinyin the analysis already has, through a syllable table compiled from pypinyin's
  ``Style.WADEGILES`` (``ringfence/data/lexicon/wadegiles.tsv``, handed in with the other
  dictionaries), so no pypinyin import is needed for a word whose pinyin is known.
* Russian: ISO 9 (Жуковский Žukovskij, Нижний Nižnij; GOST 7.79 System A) through ICU's
  ``Cyrillic-Latin`` transform (PyICU), diacritics folded.
* Japanese kana: romaji through ICU's ``Katakana-Latin`` and ``Hiragana-Latin``
  (トヨタ toyota, ロシア roshia), with the lexicon's English for the word (ロシア Russia).
* Latin: pinyin written with tone numbers (``Hua2wei2``, ``Bei3 jing1``) without them.

Every function is cached per word: building an index costs one look-up per distinct word.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ringfence.resolve.gloss import dictionaries
from ringfence.resolve.text import ascii_fold, loose, pinyin_syllables

__all__ = ["cyrillic_variant_keys", "han_variant_keys", "kana_latin", "latin_variant_keys",
           "parse_wade_giles", "wade_giles", "wade_giles_table"]

_FIELDS = ("pinyin", "wade_giles", "source")


def parse_wade_giles(text: str, *, location: str) -> dict[str, str]:
    """Pinyin syllable (no tone) → Wade–Giles; a malformed line fails closed naming the
    file and line."""
    from ringfence.exc import IngestError, Problem

    out: dict[str, str] = {}
    header = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cells = raw.split("\t")
        if not header:
            header = tuple(cells) == _FIELDS
            if not header:
                problem = Problem(location=location, line=number, reason="bad header")
                raise IngestError(f"bad lexicon file: {problem}", problems=[problem])
            continue
        if len(cells) != len(_FIELDS) or not all(c.strip() for c in cells):
            problem = Problem(location=location, line=number, field="wade_giles",
                              reason=f"expected {len(_FIELDS)} non-empty fields")
            raise IngestError(f"bad lexicon file: {problem}", problems=[problem])
        out[cells[0]] = cells[1]
    return out


@lru_cache(maxsize=1)
def wade_giles_table() -> dict[str, str]:
    text, location = dictionaries().lexicon("wadegiles.tsv")
    return parse_wade_giles(text, location=location)


def wade_giles(han: str) -> str:
    """A Chinese word in Wade–Giles (syllables joined by hyphens, as written: pei-ching);
    empty when a syllable is not in the table."""
    table = wade_giles_table()
    out = [table.get(s) for s in pinyin_syllables(han)]
    return "-".join(x for x in out if x) if out and all(out) else ""


@lru_cache(maxsize=1 << 17)
def han_variant_keys(han: str) -> frozenset[str]:
    wg = wade_giles(han)
    return frozenset([loose(wg)]) if wg else frozenset()


def _transform(ident: str) -> object:
    import icu  # type: ignore[import-untyped]  # PyICU, installed with rigour

    return icu.Transliterator.createInstance(ident)


@lru_cache(maxsize=1)
def _iso9() -> object:
    return _transform("Cyrillic-Latin")


@lru_cache(maxsize=1 << 17)
def cyrillic_variant_keys(word: str) -> frozenset[str]:
    iso = str(_iso9().transliterate(word))  # type: ignore[attr-defined]
    return frozenset([loose(ascii_fold(iso))])


_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]+")


@lru_cache(maxsize=1)
def _kana_latin() -> object:
    return _transform("Katakana-Latin; Hiragana-Latin; Latin-ASCII")


@lru_cache(maxsize=1 << 16)
def kana_latin(word: str) -> str:
    """A Japanese kana word in Hepburn-style romaji through ICU (トヨタ → toyota); empty
    for a word that is not all kana."""
    if not _KANA.fullmatch(word):
        return ""
    return str(_kana_latin().transliterate(word))  # type: ignore[attr-defined]


_TONED = re.compile(r"(?:[a-zü]{1,6}[1-5]){2,}")


@lru_cache(maxsize=1 << 17)
def latin_variant_keys(word: str) -> frozenset[str]:
    """Pinyin with tone numbers (``hua2wei2``): the word without them."""
    if any(ch.isdigit() for ch in word) and _TONED.fullmatch(word):
        return frozenset([loose(re.sub(r"[1-5]", "", word))])
    return frozenset()
