"""Russian compound words and initialisms against their English or spelt-out forms (for
the token alignment of :mod:`ringfence.resolve.score`, through
:func:`ringfence.resolve.acronyms.acronym_spans`).

Russian organisation names are built from clipped words (РОС-ЭКСИМ-БАНК, УРАЛ-МАШ-ЗАВОД,
ТЕХ-МАШ) and from initialisms (НИИ, ЦКБ, НПК); lists write them in Cyrillic, romanised in
any system, or translated (EXIMBANK OF RUSSIA, MACHINE ENGINEERING TECHNOLOGIES,
SCIENTIFIC RESEARCH INSTITUTE). The parts are data, ``ringfence/data/lexicon/ru_parts.tsv``
(each with the Russian word it stands for, its English and its source; read by
:mod:`ringfence.resolve.ruparts`); the mechanisms
are general:

* **a compound split into its parts**: a word (Cyrillic, or Latin letters in any
  romanisation, compared by the loose key) is split into known clipped parts, with a
  linking -o-/-e- allowed after a part and one free piece of three letters or more at
  either end (a place or a brand: URAL-MASH-ZAVOD); each part and free piece must then
  find a partner among the words of a run of one to four successive words of the other
  name (a word of the run may be a compound itself, split the same way): by spelling,
  or by the part's English (ROS ~ Russia, SELKHOZ ~ agricultural, ZAVOD ~ plant), a part
  whose English is two words taking two. Every part and every word of the run must be
  paired: a part in excess (GAZPROM-BANK against GAZPROM, ROSNEFT-E-GAZ against ROSNEFT)
  pairs nothing, and the words stay unmatched and cost as before.
* **an initialism read as its words**: a word that is a listed initialism (НИИ, NII;
  ЦКБ, TSKB) pairs with a run of the other name's words that is one of its English
  expansions in order (NII ~ SCIENTIFIC RESEARCH INSTITUTE; СК ~ SHIPPING [company], the
  company a legal form the other side had stripped), the initials of one (НПК ~ SPC), or
  the romanised Russian words it stands for, compared by their stems (TSKB ~ TSENTRALNOE
  KONSTRUKTORSKOE BYURO, where the romanised initials would be TKB). One left unpaired is
  a kind of organisation: it weighs like a generic word (:func:`is_initialism`).

Each pairing is evidence at 0.85 (``token:clipped``, ``token:initialism``), as an acronym
is.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from ringfence.resolve import ruparts
from ringfence.resolve.names import Token
from ringfence.resolve.ruparts import (
    Part,
    english_initials,
    initialism,
    initialism_form,
    is_initialism,
    written,
)
from ringfence.resolve.text import cyrillic_to_latin, latin_skeleton, loose

__all__ = [
    "HALF",
    "PART_SCORE",
    "WEAK",
    "clear_caches",
    "compound_lookups",
    "initialism_form",
    "is_initialism",
    "last_part",
    "part_keys",
    "part_spans",
    "same_place",
    "split_compound",
]

PART_SCORE = 0.85
Cand = tuple[float, int, str, tuple[int, ...], tuple[int, ...]]

_FREE_MIN = 3  # letters of a free piece at either end of a compound
_SPLIT_MIN = 6  # letters of a word that is tried as a compound
_LINK = ("o", "e")  # the linking vowel of Russian compounds (нефт-е-газ, машин-о-строение)
_RUN_MAX = 4
_SPLIT_MAX = 32
_PART_MAX = 12  # letters of a part as written (nefteḱhim: 9)
_SPLITS = 4
# words inside a run that pair with no part: BANK FOR FOREIGN TRADE ~ VNESH-TORG-BANK
_FILLER = frozenset(["of", "for", "the", "and", "i", "po"])
def clear_caches() -> None:
    ruparts.clear_caches()
    split_compound.cache_clear()
    _splits_of.cache_clear()
    _part_keys.cache_clear()
    _last_part.cache_clear()
    _adjective_stem.cache_clear()


# --- compounds ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Atom:
    """One piece of a word: its spellings and its English words (single-word keys) and
    English phrases of two words or more."""

    keys: frozenset[str]
    phrases: tuple[tuple[str, ...], ...] = ()


@lru_cache(maxsize=1 << 16)
def split_compound(word: str) -> tuple[tuple[tuple[str, Part | None], ...], ...]:
    """A word in Latin letters (a Cyrillic word romanised first) split into clipped parts
    (see the module): splits of ``(piece, part)`` pairs, ``part`` None for a free piece at
    either end, the splits with the most letters in known parts first (at most
    :data:`_SPLITS`); () when the word is no compound of two pieces or more with a known
    part. Pieces are looked up as written, in any of the spellings romanisations give
    the part (:func:`_spellings`: VNESHNE-EKONOM, ROS-SELKHOZ, not the loose key's
    vneshnikonom, roselhoz)."""
    n = len(word)
    if n < _SPLIT_MIN or n > _SPLIT_MAX or not word.isascii() or not word.isalpha():
        return ()
    spelt, starts = written()
    hits: list[list[tuple[int, Part]]] = [
        [
            (end, part)
            for end in range(pos + 2, min(n, pos + _PART_MAX) + 1)
            if (part := spelt.get(word[pos:end])) is not None
        ]
        if word[pos : pos + 2] in starts
        else []
        for pos in range(n)
    ]
    if not any(hits):
        return ()
    found: list[tuple[int, int, tuple[tuple[str, Part | None], ...]]] = []

    def walk(pos: int, acc: tuple[tuple[str, Part | None], ...], known: int) -> None:
        if pos == n:
            if len(acc) >= 2 and known:
                found.append((known, -len(acc), acc))
            return
        for end, part in hits[pos]:
            walk(end, (*acc, (word[pos:end], part)), known + end - pos)
            if end < n and word[end] in _LINK:
                walk(end + 1, (*acc, (word[pos:end], part)), known + end - pos)
        if pos == 0:  # a free piece first, before a known part: a place or a brand (URAL-)
            for end in range(_FREE_MIN, n - 1):
                if hits[end] and word[:end] not in spelt:
                    walk(end, ((word[:end], None),), 0)
        elif n - pos >= _FREE_MIN and acc[-1][1] is not None and word[pos:] not in spelt:
            walk(n, (*acc, (word[pos:], None)), known)  # a free piece last (-PLANT)

    walk(0, (), 0)
    found.sort(key=lambda f: (-f[0], -f[1]))
    return tuple(dict.fromkeys(f[2] for f in found))[:_SPLITS]


def _gloss_atom(piece: str, part: Part | None) -> _Atom:
    from ringfence.resolve.lexicon import latin_gloss

    if part is not None:
        return _Atom(
            keys=part.keys | {p[0] for p in part.english if len(p) == 1},
            phrases=tuple(p for p in part.english if len(p) > 1),
        )
    gloss = latin_gloss(piece) if len(piece) >= 5 else ()
    return _Atom(keys=frozenset({loose(piece)}) | {p[0] for p in gloss if len(p) == 1})


def _splits(t: Token) -> tuple[tuple[_Atom, ...], ...]:
    return _splits_of(t.text, t.script)


@lru_cache(maxsize=1 << 16)
def _splits_of(text: str, script: str) -> tuple[tuple[_Atom, ...], ...]:
    if script not in ("Latn", "Cyrl"):
        return ()
    letters = cyrillic_to_latin(text) if script == "Cyrl" else text
    return tuple(
        tuple(_gloss_atom(p, part) for p, part in split)
        for split in split_compound(letters.casefold())
    )


def part_keys(t: Token) -> tuple[frozenset[str], frozenset[str], frozenset[str], bool]:
    """A compound word's keys for candidate generation: its leading known parts joined,
    for each split (РОСТЕХНОЛОГИИ: rosteh, the key of the word РОСТЕХ); of its first
    split, each known part's English words (ROSSELKHOZBANK: russia, agricultural, bank)
    and each free piece of three letters or more as spelt (VTBBANK: vtb); and whether
    that split has two known parts or more (what the index keeps)."""
    return _part_keys(t.text, t.script)


@lru_cache(maxsize=1 << 16)
def _part_keys(
    text: str, script: str
) -> tuple[frozenset[str], frozenset[str], frozenset[str], bool]:
    none = (frozenset[str](), frozenset[str](), frozenset[str](), False)
    if script not in ("Latn", "Cyrl"):
        return none
    letters = cyrillic_to_latin(text) if script == "Cyrl" else text
    splits = split_compound(letters.casefold())
    if not splits:
        return none
    leads: set[str] = set()
    for split in splits:
        lead = list(itertools.takewhile(lambda p: p[1] is not None, split))
        if len(lead) >= 2:
            leads.add(loose("".join(piece for piece, _ in lead)))
    english: set[str] = set()
    free: set[str] = set()
    for piece, part in splits[0]:
        if part is not None:
            english |= {p[0] for p in part.english if len(p) == 1}
        elif len(piece) >= _FREE_MIN:
            free.add(loose(piece))
    known = sum(part is not None for _, part in splits[0]) >= 2
    return frozenset(leads), frozenset(english), frozenset(free), known


def last_part(t: Token) -> frozenset[str]:
    """The English of a compound word's last part when it is a known one (ROSNEFT: oil,
    petroleum): the kind of company the compound names, which the name may say again."""
    return _last_part(t.text, t.script)


@lru_cache(maxsize=1 << 16)
def _last_part(text: str, script: str) -> frozenset[str]:
    if script not in ("Latn", "Cyrl"):
        return frozenset()
    letters = cyrillic_to_latin(text) if script == "Cyrl" else text
    splits = split_compound(letters.casefold())
    last = splits[0][-1][1] if splits else None
    return frozenset(p[0] for p in last.english if len(p) == 1) if last else frozenset()


def _word_atom(t: Token) -> _Atom:
    return _Atom(keys=t.keys | {p[0] for p in t.gloss if len(p) == 1})


def _atoms_of(t: Token) -> tuple[tuple[_Atom, ...], ...]:
    """A word's readings as atoms: whole, and split when it is a compound."""
    return ((_word_atom(t),), *_splits(t))


def _pairs(x: _Atom, others: tuple[_Atom, ...], at: int) -> Iterator[int]:
    """How many of ``others`` from ``at`` the atom ``x`` takes (1, or a phrase's length)."""
    y = others[at]
    if x.keys & y.keys:
        yield 1
    for p in x.phrases:
        run = others[at : at + len(p)]
        if len(run) == len(p) and all(w in a.keys for w, a in zip(p, run, strict=True)):
            yield len(p)


def _cover(xs: tuple[_Atom, ...], ys: tuple[_Atom, ...]) -> bool:
    """Every atom of ``xs`` pairs with atoms of ``ys`` (a phrase with as many successive
    ones) and every atom of ``ys`` is taken, in any order."""
    if len(xs) > len(ys) or len(ys) > 2 * len(xs) + 2:
        return False

    def go(i: int, free: frozenset[int]) -> bool:
        if i == len(xs):
            return not free
        for j in sorted(free):
            for n in _pairs(xs[i], ys, j):
                taken = frozenset(range(j, j + n))
                if taken <= free and go(i + 1, free - taken):
                    return True
        return False

    return go(0, frozenset(range(len(ys))))


def _somewhere(a: _Atom, known: frozenset[str]) -> bool:
    return bool(a.keys & known) or any(p[0] in known for p in a.phrases)


def _compound_spans(ta: tuple[Token, ...], tb: tuple[Token, ...]) -> list[Cand]:
    out: list[Cand] = []
    if not any(_splits(x) for x in ta):
        return out
    readings = [_atoms_of(t) for t in tb]
    spelt = [frozenset().union(*(a.keys for atoms in r for a in atoms)) for r in readings]
    known = frozenset().union(*spelt)
    written = {t.primary for t in tb}
    for i, x in enumerate(ta):
        if x.primary in written:
            continue  # the other side writes the word itself
        # a split whose every atom finds a spelling on the other side at all (a phrase its
        # first word) is tried against runs; most words of most names have none
        splits = [xs for xs in _splits(x) if all(_somewhere(a, known) for a in xs)]
        if not splits:
            continue
        for k in range(1, _RUN_MAX + 1):
            for j in range(len(tb) - k + 1):
                here = frozenset().union(*spelt[j : j + k])
                if not any(all(_somewhere(a, here) for a in xs) for xs in splits):
                    continue
                if tb[j].text in _FILLER or tb[j + k - 1].text in _FILLER:
                    continue  # a run starts and ends with a word of its own
                if any(
                    _cover(xs, tuple(a for atoms in combo for a in atoms))
                    for xs in splits
                    for combo in itertools.product(
                        *(r for r, t in zip(readings[j : j + k], tb[j : j + k], strict=True)
                          if t.text not in _FILLER))
                ):
                    out.append((PART_SCORE, k, "clipped", (i,), tuple(range(j, j + k))))
    return out


# --- place adjectives -------------------------------------------------------------------

_PLACE_MIN = 5  # letters of the stem a place name and its adjective share
_NOUN_ENDS = ("", "o", "a", "e", "i", "sk")  # Kalinov-o, Tul-a, Novosibir-sk


@lru_cache(maxsize=1 << 16)
def _adjective_stem(word: str) -> str:
    """The stem of a romanised Russian adjective in -sk- with its ending (kalinovski,
    novosibirskaya → kalinov, novosibir), "" for another word."""
    from ringfence.resolve.gloss import ru_latin_endings

    key = loose(word)
    for cut in range(len(key) - 2, _PLACE_MIN - 1, -1):
        if key[cut : cut + 2] == "sk" and key[cut + 2 :] in ru_latin_endings():
            return key[:cut]
    return ""


def same_place(a: str, b: str) -> bool:
    """Two romanised words for one place, one its adjective in -sk- (KALINOVSKI ~
    KALINOVO, NOVOSIBIRSKI ~ NOVOSIBIRSK): the noun is the adjective's stem and a final
    vowel or -sk; the stem five letters or more. Both adjectives are spellings, compared
    elsewhere."""
    for adj, noun in ((a, b), (b, a)):
        stem = _adjective_stem(adj)
        if stem and not _adjective_stem(noun):
            key = loose(noun)
            if any(key == stem + end for end in _NOUN_ENDS):
                return True
    return False


# --- initialisms -------------------------------------------------------------------------


def _spelt(part: Part, words: tuple[Token, ...]) -> bool:
    """``words`` are one of the part's English phrases in order, or the romanised Russian
    words it stands for (by stem: each word starts with the stem's first four letters or
    more)."""
    keys = [t.keys | {p[0] for p in t.gloss if len(p) == 1} for t in words]
    for p in part.english:
        if len(p) == len(words) and all(w in k for w, k in zip(p, keys, strict=True)):
            return True
    for stems in part.stands_for:
        if len(stems) == len(words) and all(
            len(s) >= 4 and t.primary.startswith(s[: max(4, len(s) - 2)])
            for s, t in zip(stems, words, strict=True)
        ):
            return True
    return False


def _initialism_spans(ta: tuple[Token, ...], tb: tuple[Token, ...]) -> list[Cand]:
    out: list[Cand] = []
    for i, x in enumerate(ta):
        part = initialism(x.text, x.script) if x.upper else None
        if part is None and x.upper and x.script == "Latn":
            part = english_initials().get(x.text)  # JCSB ~ COMMERCIAL BANK
        if part is None:
            continue
        for k in range(1, _RUN_MAX + 1):
            for j in range(len(tb) - k + 1):
                run = tb[j : j + k]
                if any(t.text == x.text for t in run):
                    continue
                if _spelt(part, run):
                    out.append((PART_SCORE, k, "initialism", (i,), tuple(range(j, j + k))))
    return out


def part_spans(ta: tuple[Token, ...], tb: tuple[Token, ...]) -> list[Cand]:
    """Alignment candidates ``(score, width, method, a indices, b indices)`` for the
    Russian compounds and initialisms of ``ta`` against words of ``tb`` (see the
    module)."""
    return _compound_spans(ta, tb) + _initialism_spans(ta, tb)


WEAK = "~"  # a query key that counts a quarter (index._shared): a compound's parts' English
HALF = "%"  # ... that counts half: a compound's free piece (the VTB of VTBBANK)


def compound_lookups(token: Token) -> set[str]:
    """What a query word looks up to meet a Russian compound (``resolve.rucompound``).
    An indexed compound keeps its leading known parts joined under ``cj:`` (РОСТЕХНОЛОГИИ:
    ``cj:rosteh``), which the word as written looks up, and, with two known parts or
    more, its pieces (parts' English, free pieces) under ``cp:`` (ROSSELKHOZBANK:
    ``cp:agrikultural``), which the word's spellings and English look up; a compound
    query word looks up its leading parts joined, and its pieces, as plain keys
    (РОСТЕХНОЛОГИИ ~ an indexed РОСТЕХ; VTBBANK ~ an indexed ВТБ). These keys are kept
    apart under ``cj:``/``cp:`` in the index, so they do not count in a word's document
    frequency. The word as written, its leading parts and a free piece of five letters
    or more count in full, a shorter free piece and a free piece's consonant skeleton
    half (:data:`HALF`, as a word's start or end does), the parts' English and the
    ``cp:`` lookups a quarter (:data:`WEAK`), so that a part (GAS of GAZPROM, TECHNOLOGY
    of РОСТЕХ, BANK of a ...BANK) does not rank other names level with the word itself."""
    from ringfence.resolve.lexicon import latin_gloss

    if token.script not in ("Latn", "Cyrl"):
        return set()
    leads, english, free, _ = part_keys(token)
    words = token.keys | {p[0] for p in token.gloss if len(p) == 1}
    weak = set(english) | {"cp:" + k for k in words}
    half = set(free) | {"sk:" + latin_skeleton(f) for f in free if len(latin_skeleton(f)) >= 3}
    for f in free:  # BANK-TEJARAT ~ بانک تجارت: the free piece read as a word
        weak |= {p[0] for p in latin_gloss(f) if len(p) == 1}
    whole = {f for f in free if len(f) >= 5}  # HOUSING-BANK: a word of its own
    return (
        {"cj:" + token.primary}
        | leads
        | whole
        | {HALF + k for k in half - whole}
        | {WEAK + k for k in weak}
    )
