"""Index keys: what a name puts into the screening index and what a query looks up.

Each token of each (normalised, see ``resolve.normalise``) name contributes:

* its romanised keys (pinyin, Cantonese, Cyrillic romanisation, Latin loose spelling,
  stems, business abbreviations written out) and its TS #39 confusable key;
* its consonant skeleton (``sk:``), so Persian script meets Latin, and its consonant
  classes (``ab:``, :func:`~ringfence.resolve.arabic_latin.block_key`), so Arabic script
  meets the Latin spellings the skeleton misses (ث th, ذ dh);
* its English glosses, so 银行 meets Bank;
* a Russian compound's parts' English and its leading parts joined, under ``cp:``
  (``resolve.rucompound``), which a query word's spellings and English look up
  (:func:`compound_lookups`): ROSSELKHOZBANK meets Agricultural;
* a four-letter prefix and suffix (``p:``, ``s:``), so one typo still finds the entity.

A Latin name of several words also contributes its initials (``ac:``, ``ac3:``), which a
one-word capitalised query (CSSC, HKEX) looks up (:func:`acronym_lookups`). A Latin
compound word that ends in a descriptive word (GAZPROMBANK, SURGUTNEFTEGASBANK)
contributes the skeletons a syllable acronym of it would have (``sy:``, see
:func:`compound_skeletons`), which a query word of three to five capitals looks up
(GPB, SNGB: ``resolve.acronyms`` scores them). A word written in capitals (two to six
letters) also contributes ``in:`` + itself, which the initials of a run of query words
look up (Eghtesad Novin ~ EN).

Each pair of neighbouring tokens also contributes the two primary keys joined, and the
joined word's first and last four letters, so "ByteDance" finds "Byte Dance" and
"Byte-Dance" finds "Bytedance"; a query looks up its own joined pairs and runs of three
in the same way, and the inner four-letter runs of its long words as word starts and
ends (:func:`query_groups`: "KarefarinBank" meets Karafarin's ``s:arin``); a Chinese
query word without dictionary English also looks up its Cantonese syllables one by one
(李錦記 meets "Lee Kum Kee").
Splitting and joining words is thus done in candidate generation, not only in the scorer.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from ringfence.resolve.acronyms import _TAIL_WORDS  # what the scorer reads as a compound's end
from ringfence.resolve.arabic_latin import block_key, latin_block_keys
from ringfence.resolve.legal import HAN_LEGAL_SUFFIXES
from ringfence.resolve.names import NameForm, Token, analyse_name
from ringfence.resolve.rucompound import HALF, WEAK, compound_lookups, part_keys
from ringfence.resolve.text import (
    jyutping,
    korean_key,
    latin_skeleton,
    loose,
    pinyin_syllables,
)
from ringfence.resolve.variants import cantonese_syllable_keys, persian_latin_skeletons

__all__ = [
    "HALF",
    "WEAK",
    "KeyChunk",
    "Readings",
    "acronym_keys",
    "acronym_lookups",
    "analysed",
    "chunk_keys",
    "compound_lookups",
    "compound_skeletons",
    "entity_keys",
    "gc_paused",
    "indexed_token_keys",
    "initials_of",
    "query_groups",
    "syllable_lookup",
    "token_keys",
    "warm_up",
]


@dataclass(slots=True)
class Readings:
    """Pinyin and Cantonese (Jyutping) readings of Chinese words, as
    :func:`pinyin_syllables` and :func:`jyutping` give them. Kept with a saved index and handed to
    :func:`ringfence.resolve.text.remember_readings` on load, so comparing the snapshot's
    names again needs neither pypinyin nor ToJyutping."""

    pinyin: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cantonese: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def add(self, word: str) -> None:
        if word not in self.pinyin:
            self.pinyin[word] = pinyin_syllables(word)
            self.cantonese[word] = jyutping(word)

    def add_legal_forms(self) -> None:
        """The Chinese legal forms, whose pinyin every Latin name is checked against."""
        for suffix in HAN_LEGAL_SUFFIXES:
            self.pinyin.setdefault(suffix, pinyin_syllables(suffix))

    def update(self, other: Readings) -> None:
        for word, syllables in other.pinyin.items():
            self.pinyin.setdefault(word, syllables)
        for word, syllables in other.cantonese.items():
            self.cantonese.setdefault(word, syllables)


_BLOCK_MIN = 3  # consonant classes of an ``ab:`` key (fewer are shared by too many words)


def token_keys(token: Token) -> Iterator[str]:
    """The index keys of one token."""
    yield token.primary
    yield from token.keys
    yield from token.confusable
    if token.skeleton and len(token.skeleton) >= 2:
        yield "sk:" + token.skeleton
        if token.script == "Latn":  # Xodro ~ خودرو (x for kh): resolve.variants
            yield from ("sk:" + s for s in persian_latin_skeletons(token.text)[1:] if len(s) >= 2)
    # Arabic script and its Latin spellings by consonant classes (resolve.arabic_latin),
    # which the letter-by-letter comparison's spellings share (الملثمون ~ Moulathamoun)
    if token.script == "Arab":
        block = block_key(token.text)
        if len(block) >= _BLOCK_MIN:
            yield "ab:" + block
    elif token.script == "Latn" and token.text.isalpha():
        yield from ("ab:" + b for b in latin_block_keys(token.text) if len(b) >= _BLOCK_MIN)
    for phrase in token.gloss[:4]:
        yield from phrase
    p = token.primary
    if len(p) >= 6 and not p.startswith("fa:"):
        yield "p:" + p[:4]
        yield "s:" + p[-4:]


# token → its index keys, for tokens met again (analysis hands out one Token object per
# distinct word, so most tokens of a large build are met many times); keyed by the
# object's id, each entry holding the token so the id stays its own; cleared when full.
_TOKEN_KEYS: dict[int, tuple[Token, tuple[str, ...]]] = {}
_TOKEN_KEYS_MAX = 1 << 18


def indexed_token_keys(token: Token) -> set[str]:
    """Every key one token puts into the index: :func:`token_keys`, the syllable-acronym
    skeletons of a compound (:func:`compound_skeletons`) and, for a word in capitals,
    ``in:`` + itself (what a run of query words' initials looks up)."""
    keys = set(token_keys(token))
    keys |= compound_skeletons(token)
    leads, english, free, known = part_keys(token)  # resolve.rucompound: compound_lookups
    keys |= {"cj:" + k for k in leads if k != token.primary}  # РОСТЕХНОЛОГИИ: cj:rosteh
    if known:
        keys |= {"cp:" + k for k in english | free}  # ROSSELKHOZBANK: cp:agrikultural
    if _acronym_word(token):
        keys.add("in:" + token.text)
    return keys


def _keys_of_token(token: Token) -> tuple[str, ...]:
    """:func:`indexed_token_keys`, remembered per token object."""
    hit = _TOKEN_KEYS.get(id(token))
    if hit is not None and hit[0] is token:
        return hit[1]
    keys = tuple(indexed_token_keys(token))
    if len(_TOKEN_KEYS) >= _TOKEN_KEYS_MAX:
        _TOKEN_KEYS.clear()
    _TOKEN_KEYS[id(token)] = (token, keys)
    return keys


def _joinable(token: Token) -> bool:
    return bool(token.primary) and not token.primary.startswith("fa:") and not token.qualifier


def joined_pairs(tokens: tuple[Token, ...], k: int = 2) -> Iterator[tuple[int, str]]:
    """(position of the first token, the primary keys joined) for each run of ``k``
    neighbouring tokens (the scorer joins runs of two and three)."""
    if k == 2:  # the same for two, without a slice and generators per pair
        for i in range(len(tokens) - 1):
            a, b = tokens[i], tokens[i + 1]
            if _joinable(a) and _joinable(b):
                yield i, a.primary + b.primary
                if a.script == "Latn" and b.script == "Latn":
                    yield i, loose(a.text + b.text)
        return
    for i in range(len(tokens) - k + 1):
        run = tokens[i : i + k]
        if all(_joinable(t) for t in run):
            yield i, "".join(t.primary for t in run)
            if all(t.script == "Latn" for t in run):
                yield i, loose("".join(t.text for t in run))  # Gail lon ~ Gaillon (ll → l)


def acronym_keys(form: NameForm) -> set[str]:
    """The initials of a Latin name of two or more words, as an acronym would spell them:
    ``ac:`` all of them (legal forms included: CNOOC, and without), ``ac3:`` the first
    three (HKEX and COMAC take more than one letter of a word; see
    :func:`acronym_lookups`)."""
    words = [w for w in form.raw_words if w.isascii() and w.isalpha()]
    if len(words) < 2:
        return set()
    initials = "".join(w[0] for w in words)
    core = "".join(t.text[0] for t in form.tokens if t.script == "Latn" and t.text.isalpha())
    keys = {"ac:" + initials, "ac3:" + initials[:3]}
    if len(core) >= 2:
        keys.add("ac:" + core)
    return keys


def initials_of(names: Iterable[str]) -> set[str]:
    """The initials keys of the query's names (what an indexed acronym would be)."""
    out: set[str] = set()
    for name in names:
        out |= acronym_keys(analyse_name(name))
    return out


def acronym_lookups(form: NameForm) -> set[str]:
    """For a name that is one capitalised Latin token of 2 to 6 letters (CSSC, HKEX), the
    index keys of the names it may abbreviate: each letter stands for one word, except one
    run of two or three letters (COMAC = COMmercial Aircraft Corporation)."""
    toks = form.tokens
    if len(toks) != 1 or not toks[0].upper or toks[0].script != "Latn":
        return set()
    acro = toks[0].text
    if not 2 <= len(acro) <= 6 or not acro.isalpha():
        return set()
    out: set[str] = set()

    def walk(i: int, initials: str, multi: bool) -> None:
        if i == len(acro):
            if len(initials) >= 2:
                out.add("ac:" + initials)
                out.add("ac3:" + initials[:3])
            return
        for n in (1, 2, 3):
            if i + n <= len(acro) and (n == 1 or not multi):
                walk(i + n, initials + acro[i], multi or n > 1)

    walk(0, "", False)
    return out


def compound_skeletons(token: Token) -> set[str]:
    """``sy:`` + first letter + a letter of the body + the end word's first letter, for
    each letter that could start the second part of a Latin compound ending in a
    descriptive word (``resolve.acronyms``: GPB ~ GAZPROMBANK, each part two letters or
    more): the first, second and last letters of every syllable acronym of it
    (:func:`syllable_lookup`). A dozen keys at most per such word; none for others."""
    word = token.text
    if token.script != "Latn" or len(word) < 8 or not word.endswith(_TAIL_WORDS):
        return set()  # one C call for most words: ending in no end word
    if not word.isascii() or not word.isalpha():
        return set()
    out: set[str] = set()
    for tail in _TAIL_WORDS:
        end = len(word) - len(tail)
        if word.endswith(tail) and end >= 4:
            out.update(f"sy:{word[0]}{word[p]}{tail[0]}" for p in range(2, end - 1))
    return out


def syllable_lookup(token: Token) -> str:
    """The ``sy:`` key a word of three to five capitals (GPB, SNGB) looks up, or ""."""
    acro = token.text
    if not (token.upper and token.script == "Latn" and 3 <= len(acro) <= 5
            and acro.isascii() and acro.isalpha()):
        return ""
    return f"sy:{acro[0]}{acro[1]}{acro[-1]}"


def _name_keys(name: str, readings: Readings) -> set[str]:
    keys: set[str] = set()
    form = analyse_name(name)
    keys |= acronym_keys(form) | acronym_lookups(form)  # both ways: CSSC ~ China State ...
    for variant in form.variants:
        for token in variant:
            keys.update(_keys_of_token(token))
            if token.script == "Hani":
                readings.add(token.text)
        for _, joined in joined_pairs(variant):
            keys.add(joined)
            if len(joined) >= 6:  # "CGN Power" ~ CGNPoower: the joined word's ends
                keys.add("p:" + joined[:4])
                keys.add("s:" + joined[-4:])
        for _, block in joined_blocks(variant):
            keys.add(block)
    return keys


def joined_blocks(tokens: tuple[Token, ...]) -> Iterator[tuple[int, str]]:
    """(position of the first token, ``ab:`` key) of each two neighbouring Arabic-script
    or Latin words written as one (بندرعباس ~ Bandar Abbas): the scorer reads such a pair
    against one word of the other script (``tokensim._arabic_span``)."""
    for i in range(len(tokens) - 1):
        a, b = tokens[i], tokens[i + 1]
        if a.qualifier or b.qualifier or a.script != b.script:
            continue
        if a.script == "Arab":
            blocks: Iterable[str] = (block_key(a.text + b.text),)
        elif a.script == "Latn" and a.text.isalpha() and b.text.isalpha():
            blocks = latin_block_keys(a.text + b.text)
        else:
            continue
        for block in blocks:
            if len(block) >= _BLOCK_MIN:
                yield i, "ab:" + block


def entity_keys(names: tuple[str, ...], readings: Readings) -> list[str]:
    """Every index key of an entity's names; the readings of its Chinese words are added
    to ``readings``."""
    keys: set[str] = set()
    for name in names:
        keys |= _name_keys(name, readings)
    return list(keys)


def query_groups(names: Iterable[str]) -> list[set[str]]:
    """The keys a query looks up, grouped by query word (an entity scores each group once).

    A joined pair (or run of three) of query words is looked up in the groups of each
    word: an entity written "ByteDance" then counts for "Byte" and for "Dance".
    """
    groups: dict[str, set[str]] = {}
    for name in names:
        form = analyse_name(name)
        acronyms = acronym_lookups(form)
        for variant in form.variants:
            for token in variant:
                groups.setdefault(token.primary, set()).update(token_keys(token))
                groups[token.primary].update(acronyms)
                if token.script == "Latn" and len(korean_key(token.text)) >= 4:
                    groups[token.primary].add("ko:" + korean_key(token.text))  # ~ 삼성
                if _own_name(token):  # 李錦記 ~ Lee Kum Kee
                    groups[token.primary].update(cantonese_syllable_keys(token.text))
                groups[token.primary].update(_inner_edges(token.primary))
                groups[token.primary].update(compound_lookups(token))
                if syllables := syllable_lookup(token):  # GPB ~ GAZPROMBANK
                    groups[token.primary].add(syllables)
                for reading in token.confusable:  # LUK0IL read as lukoil ~ LUKUIL
                    if len(latin_skeleton(reading)) >= 2:
                        groups[token.primary].add("sk:" + latin_skeleton(reading))
                    if len(reading) >= 6:
                        groups[token.primary].update(("p:" + reading[:4], "s:" + reading[-4:]))
            for i, k, initials in _runs_initials(variant):  # EN ~ Eghtesad Novin
                for token in variant[i : i + k]:
                    groups[token.primary].add("in:" + initials)
            for i, block in joined_blocks(variant):  # Bandar Abbas ~ بندرعباس
                for token in variant[i : i + 2]:
                    groups[token.primary].add(block)
            for k in (2, 3):  # three: one indexed word split twice ("Ro-sn eftegaz")
                for i, joined in joined_pairs(variant, k):
                    ends = {joined}
                    if len(joined) >= 6:  # "Kare farin" ~ Karafarin: s:arin
                        ends |= {"p:" + joined[:4], "s:" + joined[-4:]}
                    for token in variant[i : i + k]:
                        groups[token.primary].update(ends)
    return list(groups.values())


def _own_name(token: Token) -> bool:
    """A Chinese word of three characters or more that is a name of its own (no dictionary
    English, not a place or a generic word): its syllables are looked up one by one.
    Dictionary words (集团, 化工, 中国) are not: their syllables are in too many names and
    crowd the candidates out; nor two characters, which meet the index's joined pairs."""
    return token.script == "Hani" and len(token.text) > 2 and not token.gloss and not token.generic


def _acronym_word(token: Token) -> bool:
    """A word written in capitals, two to six Latin letters: what ``resolve.acronyms``
    reads as the initials of a run of the other name's words (VO, SRPE, NZPP)."""
    word = token.text
    return (token.upper and token.script == "Latn" and 2 <= len(word) <= 6
            and word.isascii() and word.isalpha())


def _runs_initials(tokens: tuple[Token, ...]) -> Iterator[tuple[int, int, str]]:
    """(start, length, initials) of each run of two to six Latin words, looked up as the
    ``in:`` key of an indexed acronym word (:func:`_acronym_word`; VO, SRPE, NZPP). Not
    as a bare key: "gam", "lo" (GAZPROMBANK ASSET MANAGEMENT, LUKOIL OIL) are also the
    Cantonese readings of 金 and 络, which crowded the candidates out."""
    for i in range(len(tokens)):
        for k in range(2, 7):
            run = tokens[i : i + k]
            if len(run) < k or not all(t.script == "Latn" and t.text.isalpha() for t in run):
                break
            yield i, k, "".join(t.text[0] for t in run)


def _inner_edges(primary: str) -> Iterator[str]:
    """For a long query word, each four letters inside it as the start or the end of an
    indexed word (``p:``, ``s:``): a word written joined to its neighbour with a typo
    ("KarefarinBank") still meets the end of one word (Karafarin: ``s:arin``)."""
    if len(primary) < 8 or primary.startswith("fa:"):
        return
    for j in range(1, len(primary) - 4):
        gram = primary[j : j + 4]
        yield "p:" + gram
        yield "s:" + gram


_T = TypeVar("_T")


@dataclass(slots=True)
class KeyChunk:
    """The index keys of a run of distinct names, compact for sending between processes:
    the distinct keys of the run (``vocab``), each name's keys as positions in it, one
    name after the other (``flat``, ``counts[i]`` of them for name ``i``), and the
    readings of the run's Chinese words."""

    vocab: list[str]
    flat: np.ndarray  # int32 positions in vocab
    counts: np.ndarray  # int64 keys per name
    readings: Readings


def chunk_keys(names: Sequence[str]) -> KeyChunk:
    """The keys of each name in ``names`` (see :class:`KeyChunk`)."""
    readings = Readings()
    every: list[str] = []  # each name's keys, one name after the other
    counts: list[int] = []
    with gc_paused():
        for name in names:
            keys = _name_keys(name, readings)
            every.extend(keys)
            counts.append(len(keys))
        # the run's distinct keys in order of first appearance, numbered; each key as its
        # number (dictionary passes in C rather than a Python call per key)
        vocab = list(dict.fromkeys(every))
        number = dict(zip(vocab, range(len(vocab)), strict=True))
        flat = np.fromiter(map(number.__getitem__, every), dtype=np.int32, count=len(every))
    return KeyChunk(vocab, flat, np.asarray(counts, dtype=np.int64), readings)


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while analysing names. Analysis makes millions of
    small objects (cached tokens and keys) and no reference cycles; a full collection
    pass walks all of them each time the heap grows by a quarter."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def warm_up() -> None:
    """Load what name analysis reads (CC-CEDICT, OpenCC, pypinyin, ToJyutping, ICU, the
    Korean lexicon, rigour's tables) in this process, so that worker processes forked
    from it share them instead of each loading its own."""
    chunk_keys(["中國銀行股份有限公司", "ПАО «Банк ВТБ»", "بانک ملت", "삼성전자 주식회사",
                "Аlibаbа Group Holding Ltd."])


def analysed(runs: Iterable[tuple[list[str], _T]], workers: int) -> Iterator[tuple[_T, KeyChunk]]:
    """The index keys of each run of names, in order, with the tag it came with.
    ``workers > 1`` analyses in that many processes."""
    if workers <= 1:
        for names, tag in runs:
            yield tag, chunk_keys(names)
        return
    from concurrent.futures import ProcessPoolExecutor

    warm_up()
    it = iter(runs)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: deque[tuple[_T, Any]] = deque()
        done = False
        while True:
            if not done:
                run = next(it, None)
                if run is None:
                    done = True
                else:
                    pending.append((run[1], pool.submit(chunk_keys, run[0])))
            if pending and (done or len(pending) >= workers * 2):
                tag, fut = pending.popleft()
                yield tag, fut.result()
            if done and not pending:
                return
