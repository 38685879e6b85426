"""Russian compound words and initialisms against their English or spelt-out forms (for
the token alignment of :mod:`ringfence.resolve.score`, through
:func:`ringfence.resolve.acronyms.acronym_spans`).

Russian organisation names are built from clipped words (РОС-ЭКСИМ-БАНК, УРАЛ-МАШ-ЗАВОД,
ТЕХ-МАШ) and from initialisms (НИИ, ЦКБ, НПК); lists write them in Cyrillic, romanised in
any system, or translated (EXIMBANK OF RUSSIA, MACHINE ENGINEERING TECHNOLOGIES,
SCIENTIFIC RESEARCH INSTITUTE). The parts are data, ``ringfence/data/lexicon/ru_parts.tsv``
(each with the Russian word it stands for, its English and its source); the mechanisms
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

from ringfence.exc import IngestError, Problem
from ringfence.resolve.gloss import dictionaries, en_phrase, ru_stem
from ringfence.resolve.names import Token
from ringfence.resolve.text import cyrillic_to_latin, loose

__all__ = ["FIELDS", "PART_SCORE", "Part", "clear_caches", "initialism_form", "is_initialism",
           "last_part", "parse_parts", "part_keys", "part_spans", "ru_parts", "same_place",
           "split_compound"]

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
_EN_SMALL = frozenset(["of", "for", "the", "and"])
FIELDS = ("kind", "part", "stands_for", "english", "latin", "source")


@dataclass(frozen=True, slots=True)
class Part:
    """A clipped part or an initialism: its keys (loose romanisations), its English
    phrases (as :func:`en_phrase` tuples) and the Russian words it stands for."""

    kind: str  # clip | init
    part: str
    keys: frozenset[str]
    english: tuple[tuple[str, ...], ...]
    stands_for: tuple[tuple[str, ...], ...]  # loose romanised stems, word by word
    # the English alternatives' words as written, without stopwords (for initials)
    english_raw: tuple[tuple[str, ...], ...] = ()
    latin: frozenset[str] = frozenset()  # the listed Latin spellings, lower case


def _keys(cyrillic: str, latin: str) -> frozenset[str]:
    out = {loose(cyrillic_to_latin(cyrillic.casefold()))}
    out |= {loose(x) for x in latin.split("|") if x and x != "-"}
    return frozenset(k for k in out if k)


def _stems(phrase: str) -> tuple[str, ...]:
    words = phrase.replace("-", " ").split()
    return tuple(loose(cyrillic_to_latin(ru_stem(w.casefold()))) for w in words)


@lru_cache(maxsize=1)
def ru_parts() -> tuple[dict[str, Part], dict[str, Part]]:
    """The clipped parts and the initialisms of the packaged table, each by its keys."""
    text, location = dictionaries().lexicon("ru_parts.tsv")
    return parse_parts(text, location=location)


def parse_parts(text: str, *, location: str) -> tuple[dict[str, Part], dict[str, Part]]:
    """Parse the table (``#`` comments, a header naming :data:`FIELDS`, one tab-separated
    row a line). Fails closed on the first bad line with an
    :class:`~ringfence.exc.IngestError` naming the file, the line and the field."""

    def bad(line: int, field: str | None, reason: str) -> IngestError:
        problem = Problem(location=location, line=line, field=field, reason=reason)
        return IngestError(f"bad Russian parts table: {problem}", problems=[problem])

    clips: dict[str, Part] = {}
    inits: dict[str, Part] = {}
    header = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cells = raw.split("\t")
        if not header:
            if tuple(cells) != FIELDS:
                raise bad(number, None, f"header must be {'/'.join(FIELDS)}")
            header = True
            continue
        if len(cells) != len(FIELDS):
            raise bad(number, None, f"{len(cells)} fields, expected {len(FIELDS)}")
        for field, cell in zip(FIELDS, cells, strict=True):
            if not cell.strip():
                raise bad(number, field, "empty")
        kind, part, stands, english, latin, _source = (c.strip() for c in cells)
        if kind not in ("clip", "init"):
            raise bad(number, "kind", f"unknown kind {kind!r}")
        if not english.isascii():
            raise bad(number, "english", f"not English: {english!r}")
        entry = Part(
            kind=kind,
            part=part,
            keys=_keys(part, latin),
            english=tuple(p for p in (en_phrase(e) for e in english.split("|")) if p),
            stands_for=tuple(_stems(s) for s in stands.split("|")),
            english_raw=tuple(
                tuple(w for w in e.split() if w not in _EN_SMALL) for e in english.split("|")
            ),
            latin=frozenset(x.casefold() for x in latin.split("|") if x and x != "-"),
        )
        table = clips if kind == "clip" else inits
        for k in entry.keys:
            table[k] = entry
    if not header:
        raise bad(0, None, "no header line")
    return clips, inits


def clear_caches() -> None:
    ru_parts.cache_clear()
    _written.cache_clear()
    split_compound.cache_clear()
    _splits_of.cache_clear()
    _part_keys.cache_clear()
    _last_part.cache_clear()
    _adjective_stem.cache_clear()
    _english_initials.cache_clear()
    _initialism.cache_clear()


# --- compounds ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Atom:
    """One piece of a word: its spellings and its English words (single-word keys) and
    English phrases of two words or more."""

    keys: frozenset[str]
    phrases: tuple[tuple[str, ...], ...] = ()


# how romanisations write the Russian letters whose spelling varies (BGN/PCGN first; GOST,
# ICAO, English habits: kh/h/ch, ts/c/tz, y/i/j, к as c in ELECTRO, TECHNO)
_LETTERS: dict[str, tuple[str, ...]] = {
    "к": ("k", "c"), "х": ("kh", "h", "ch"), "ц": ("ts", "c", "tz"), "й": ("y", "i", "j", ""),
    "ы": ("y", "i"), "е": ("e", "ye"), "ё": ("e", "yo"), "ж": ("zh", "j"),
    "щ": ("shch", "sch", "sh"), "я": ("ya", "ia"), "ю": ("yu", "iu"), "ъ": ("",), "ь": ("",),
}  # fmt: skip
_VARIANTS_MAX = 64


def _spellings(cyrillic: str) -> set[str]:
    """The Latin spellings of a Cyrillic part, letter by letter (КС also as x)."""
    out = {""}
    for ch in cyrillic.casefold():
        alts = _LETTERS.get(ch) or (cyrillic_to_latin(ch).casefold(),)
        out = {w + a for w in out for a in alts}
        if len(out) > _VARIANTS_MAX:
            out = set(sorted(out)[:_VARIANTS_MAX])
    return out | {w.replace("ks", "x") for w in out if "ks" in w}


@lru_cache(maxsize=1)
def _written() -> tuple[dict[str, Part], frozenset[str]]:
    """Every clipped part by its Latin spellings as written (and the listed ones), and
    their first two letters: a split looks pieces up as they stand in the word, with no
    folding per piece."""
    out: dict[str, Part] = {}
    for part in ru_parts()[0].values():
        for spelling in _spellings(part.part) | part.latin:
            if len(spelling) >= 2:
                out.setdefault(spelling, part)
    return out, frozenset(k[:2] for k in out)


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
    written, starts = _written()
    hits: list[list[tuple[int, Part]]] = [
        [
            (end, part)
            for end in range(pos + 2, min(n, pos + _PART_MAX) + 1)
            if (part := written.get(word[pos:end])) is not None
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
                if hits[end] and word[:end] not in written:
                    walk(end, ((word[:end], None),), 0)
        elif n - pos >= _FREE_MIN and acc[-1][1] is not None and word[pos:] not in written:
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


def part_keys(t: Token) -> frozenset[str]:
    """Index keys of a compound word's parts: of its first split, with two known parts or
    more, each known part's English words and each free piece of four letters or more
    as spelt (ROSSELKHOZBANK ~ agricultural); of each split, its leading known parts
    joined (РОСТЕХНОЛОГИИ ~ rosteh, as РОСТЕХ is keyed). Candidate generation so meets
    what the scorer pairs."""
    return _part_keys(t.text, t.script)


@lru_cache(maxsize=1 << 16)
def _part_keys(text: str, script: str) -> frozenset[str]:
    if script not in ("Latn", "Cyrl"):
        return frozenset()
    letters = cyrillic_to_latin(text) if script == "Cyrl" else text
    splits = split_compound(letters.casefold())
    out: set[str] = set()
    for split in splits:
        lead = list(itertools.takewhile(lambda p: p[1] is not None, split))
        if len(lead) >= 2:  # РОСТЕХ-НОЛОГИИ: rosteh, the word РОСТЕХ itself
            out.add(loose("".join(piece for piece, _ in lead)))
    if not splits or sum(part is not None for _, part in splits[0]) < 2:
        return frozenset(out)
    for piece, part in splits[0]:
        if part is not None:
            out |= {p[0] for p in part.english if len(p) == 1}
        elif len(piece) >= 4:
            out.add(loose(piece))
    return frozenset(out)


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


@lru_cache(maxsize=1 << 14)
def _initialism(text: str, script: str) -> Part | None:
    """The listed initialism ``text`` is: in Cyrillic as written, in Latin letters as
    BGN/PCGN romanises it (TSKB; not CKB, nor NPC for НПК: a loose key would take
    Latin acronyms of other words for Russian ones)."""
    if not 2 <= len(text) <= 5 or script not in ("Latn", "Cyrl"):
        return None
    latin = cyrillic_to_latin(text).casefold() if script == "Cyrl" else text.casefold()
    part = ru_parts()[1].get(loose(latin))
    if part is None or cyrillic_to_latin(part.part).casefold() != latin:
        return None
    return part


@lru_cache(maxsize=1)
def _english_initials() -> dict[str, Part]:
    """The English initials the table gives for its initialisms (SPC for НПК, JCSB for
    АКБ, CIS for СНГ): a one-word English alternative whose letters are the initials of
    another alternative's words, in any order (lists write JSCB and JCSB)."""
    out: dict[str, Part] = {}
    for part in set(ru_parts()[1].values()):
        phrases = [p for p in part.english_raw if len(p) > 1]
        for word in (p[0] for p in part.english_raw if len(p) == 1):
            if any(sorted(word) == sorted(w[0] for w in p) for p in phrases):
                out[word] = part
    return out


def initialism_form(t: Token, other_legal: tuple[str, ...]) -> str:
    """The other side's stripped legal form that the listed initialism ``t`` stands for
    (FGUP or FSUE where the other side's ФГУП or Federal State Unitary Enterprise was
    stripped), or ""."""
    if not t.upper or not other_legal:
        return ""
    part = _initialism(t.text, t.script)
    if part is None and t.script == "Latn":
        part = _english_initials().get(t.text)
    if part is None:
        return ""
    for form in other_legal:
        words = tuple(w for w in form.casefold().split() if w not in _EN_SMALL)
        if form.casefold() == part.part.casefold() or words in part.english_raw:
            return form
    return ""


def is_initialism(t: Token) -> bool:
    """``t`` is a listed initialism written in capitals (NII, ЦКБ): a kind of
    organisation, which weighs like a generic word when it pairs with nothing."""
    return t.upper and _initialism(t.text, t.script) is not None


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
        part = _initialism(x.text, x.script) if x.upper else None
        if part is None and x.upper and x.script == "Latn":
            part = _english_initials().get(x.text)  # JCSB ~ COMMERCIAL BANK
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
