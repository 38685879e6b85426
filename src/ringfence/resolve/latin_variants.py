"""Arabic, Persian and Urdu words written in Latin letters, looked up in the lexicon
whatever their spelling: a name may write حركة as Harakat, Haraket or, bound to the next
word, Harakatul; جيش as Jaish, Jaysh or Jeish; تحريك as Tehrik, Tehreek or Tahrik.

:func:`arabic_latin_key` folds the spellings romanisations of Arabic script disagree on on
top of :func:`~ringfence.resolve.text.loose` (which already folds doubled letters, kh/h,
q/g, y/i, w/v): the short vowels a/e/i (fatha and kasra: Haraket, Hezb, Tahrik) and o/u,
dh/th/z (ذ), and a final h after a vowel (ة). The vowels stay where they are, so words
with other consonants or syllables keep apart (Harakat, Hizb, Jund, Jamaat).
:func:`latin_variant_gloss` looks a word up by that key among the lexicon's Latin-letter
entries, and without the construct ending -ul/-ut/-il/-u that joins a word to the next
one (Harakatul Mujahidin, Hizbul, Dawlatul): one dict look-up, two for a word with such
an ending. Words of fewer than four letters are not looked up this way.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ringfence.resolve.text import loose

__all__ = [
    "adjective_gloss",
    "arabic_latin_key",
    "clear_caches",
    "korean_compound_gloss",
    "latin_variant_gloss",
    "romanised_arabic_gloss",
]

_MIN_LETTERS = 4
_CONSTRUCT = ("ul", "ut", "il", "u")  # -ul, -ut, -il, -u: the word bound to the next
_RULES = (("dh", "z"), ("th", "z"), ("e", "a"), ("i", "a"), ("o", "u"))
_FINAL_H = re.compile(r"(?<=[au])h$")


def arabic_latin_key(word: str) -> str:
    """The lookup key of a Latin-letter word under the Arabic spelling folds."""
    s = loose(word)
    for old, new in _RULES:
        s = s.replace(old, new)
    s = re.sub(r"(.)\1", r"\1", s)
    return _FINAL_H.sub("", s)


@lru_cache(maxsize=1)
def _by_key() -> dict[str, tuple[tuple[str, ...], ...]]:
    """The lexicon's Latin-letter entries (``Latn:`` keys) by :func:`arabic_latin_key`."""
    from ringfence.resolve.gloss import merge_glosses
    from ringfence.resolve.lexicon import name_lexicon

    out: dict[str, tuple[tuple[str, ...], ...]] = {}
    for key, phrases in name_lexicon().items():
        if key.startswith("Latn:") and len(key) - 5 >= _MIN_LETTERS:
            folded = arabic_latin_key(key[5:])
            out[folded] = merge_glosses(out.get(folded, ()), phrases)
    return out


@lru_cache(maxsize=1 << 16)
def latin_variant_gloss(word: str) -> tuple[tuple[str, ...], ...]:
    """English phrases of a Latin-letter word through :func:`arabic_latin_key`, as
    written or without a construct ending (empty when the lexicon has neither)."""
    if len(word) < _MIN_LETTERS:
        return ()
    key = arabic_latin_key(word)
    table = _by_key()
    found = table.get(key, ())
    if found:
        return found
    for end in _CONSTRUCT:
        if key.endswith(end) and len(key) - len(end) >= _MIN_LETTERS:
            found = table.get(key[: -len(end)], ())
            break
    return (found or adjective_gloss(word) or korean_compound_gloss(word)
            or romanised_arabic_gloss(word))


# French -ique and the Arabic relative adjective (nisba) -iya, -iyah, -iyya, -i are the
# English -ic: islamique, islamiya, islamia, islami islamic; électronique electronic.
_ADJECTIVE = re.compile(r"^([a-z]{5,}?)(?:ique|iy{1,2}ah?|iah?|i)$")


def adjective_gloss(word: str) -> tuple[tuple[str, ...], ...]:
    """The English -ic adjective of a French or Arabic adjective in Latin letters (a stem
    of five letters or more), as a gloss phrase; empty for any other word."""
    from ringfence.resolve.gloss import en_key
    from ringfence.resolve.text import ascii_fold

    m = _ADJECTIVE.match(ascii_fold(word).casefold())
    return ((en_key(m.group(1) + "ic"),),) if m else ()


_KO_COMPOUND_MIN = 8  # letters of a romanised Korean compound split (MOOYOKBANK)
_KO_PART_MIN = 4  # letters of its English tail (bank)


@lru_cache(maxsize=1)
def _ko_english() -> dict[str, tuple[tuple[str, ...], ...]]:
    """The one-word English glosses of the Korean lexicon's words (은행 bank, 무역 trade),
    by their key: the English tails romanised Korean compounds take (Mooyokbank)."""
    from ringfence.resolve.lexicon import ko_entries

    out: dict[str, tuple[tuple[str, ...], ...]] = {}
    for phrases in ko_entries().values():
        for phrase in phrases:
            if len(phrase) == 1 and len(phrase[0]) >= _KO_PART_MIN:
                out[phrase[0]] = (phrase,)
    return out


def korean_compound_gloss(word: str) -> tuple[tuple[str, ...], ...]:
    """A Latin word written as one romanised Korean lexicon word followed by another or by
    the English of one (MOOYOKBANK: 무역 mooyok, trade + bank): the English phrases of the
    two parts, the Korean part first. The head is looked up by its Korean key
    (:func:`~ringfence.resolve.text.korean_key`, at least five letters, as
    :func:`~ringfence.resolve.lexicon.latin_gloss` does); one look-up per split point of
    words of eight letters or more."""
    from ringfence.resolve.gloss import en_key
    from ringfence.resolve.lexicon import _ko_latin, ko_gloss
    from ringfence.resolve.text import korean_key

    low = word.casefold()
    if len(low) < _KO_COMPOUND_MIN or not (low.isascii() and low.isalpha()):
        return ()
    table = _ko_latin()
    for cut in range(len(low) - _KO_PART_MIN, 4, -1):
        heads = table.get(korean_key(low[:cut]), ())
        if not heads:
            continue
        tail = low[cut:]
        tails = _ko_english().get(en_key(tail), ())
        for hangul in table.get(korean_key(tail), ()) if not tails else ():
            tails += ko_gloss(hangul)[:1]
        if tails:
            firsts = [p for h in heads for p in ko_gloss(h)[:2]]
            return tuple(dict.fromkeys(f + t for f in firsts for t in tails))
    return ()


_AR_MIN_CONSONANTS = 3  # consonant letters of an Arabic-script word a Latin spelling must fit


@lru_cache(maxsize=1)
def _arabic_by_block() -> dict[tuple[str, str], tuple[str, ...]]:
    """The lexicon's Arabic-script words (``fa:`` keys, article and particles as the
    lexicon keeps them) by :func:`~ringfence.resolve.arabic_latin.block_key` and each
    letter a Latin spelling of them can start with."""
    from ringfence.resolve.arabic_latin import block_key, first_letters
    from ringfence.resolve.lexicon import name_lexicon

    out: dict[tuple[str, str], tuple[str, ...]] = {}
    for key in name_lexicon():
        if key.startswith("fa:"):
            block = block_key(key[3:])
            if len(block) >= 2:
                for first in first_letters(key[3:]):
                    out[block, first] = (*out.get((block, first), ()), key[3:])
    return out


def romanised_arabic_gloss(word: str) -> tuple[tuple[str, ...], ...]:
    """The English of the lexicon's Arabic-script words that a Latin word spells
    (:func:`~ringfence.resolve.arabic_latin.romanisation_fit` on three consonant letters
    or more: Katibat كتيبة battalion, Hizbul حزب party, Jaish جيش army), candidates found
    by their consonant classes; empty for words under four letters."""
    from ringfence.resolve.arabic_latin import latin_block_keys, romanisation_fit
    from ringfence.resolve.gloss import merge_glosses
    from ringfence.resolve.lexicon import lexicon_gloss

    if len(word) < _MIN_LETTERS or not word.isalpha() or not word.isascii():
        return ()
    table = _arabic_by_block()
    out: tuple[tuple[str, ...], ...] = ()
    first = word[0].lower()
    for block in latin_block_keys(word):
        for arabic in table.get((block, first), ()):
            if romanisation_fit(arabic, word) >= _AR_MIN_CONSONANTS:
                out = merge_glosses(out, lexicon_gloss("fa:" + arabic))
    return out


def clear_caches() -> None:
    """Drop the tables built from the dictionaries (called when they change)."""
    _by_key.cache_clear()
    _arabic_by_block.cache_clear()
    _ko_english.cache_clear()
    latin_variant_gloss.cache_clear()
