"""Negative pairs whose names share one word only once a word is translated or romanised.

Used by ``benchmarks/real_pairs.py`` for its ``hard_negative_translated`` kind: two
*different* records of one part (dev or test, ``real_pairs.part_of``) whose names, both
short, share exactly one distinctive word, and share it only across a translation
(рассвет / RASSVET ~ DAWNING) or across scripts (ДИНК-ИНВЕСТ ~ M INVEST): the risk a
lexicon of translations brings, that one translated word carries a match between two
names of a few words each. Built from the names and ringfence's lexicon *data* only
(``ringfence/data/lexicon/names.tsv`` and the Korean parts of ``ko.tsv``, their English
as the lexicon loader reads it), never from the matcher's output, like
``benchmarks/alias_evidence.py``.

How a name is read (module functions below, all independent of ringfence's analysis):

* Words are runs of letters and digits; Han and Hangul runs are cut on the lexicon's words
  of those scripts, longest first (中国银行 → 中国 + 银行, when both are entries). Stopwords
  (``alias_evidence.STOPWORDS``) and legal-form words (``real_pairs._FORM_WORDS``) are
  dropped.
* A word's *concepts*: its own Latin reading (ICU ``Any-Latin; Latin-ASCII``, lower case,
  Snowball English stem), and, through the lexicon, the stemmed words of its English:
  a Cyrillic, Arabic-script, Han, Hangul or kana word by the entry that writes it (Russian
  also by a crude stem: the word without a one- to three-letter ending); a Latin word by
  the ``en`` / ``und-Latn`` entries, by the ICU reading of a Russian entry (as romanised
  Russian, stem against stem: ``rassvet`` → рассвет → dawn) and by the romanisation of a
  Korean entry (a loose key folding Revised and McCune–Reischauer spellings, the whole
  word, or its start or end with three letters or more left: a romanised compound).
* Two words *meet* when they share a concept; the meeting is *crossed* when the two words
  are in different scripts or one reached the concept through the lexicon.
* A concept is *generic* when the names of the part that carry it are 0.4% of them or
  more, and at least ten (bank, trading, Russia, ...; counted on the part, so no list is
  typed here).

A pair is kept when both names have at most four words, exactly one word of each meets
the other name on a distinctive concept, that meeting is crossed, at most one generic
word also meets, and at least one name has a distinctive word the other lacks (two
one-word names that translate each other may be one organisation listed twice). Also kept,
as *generic cross-script near-misses*: a name in a non-Latin script and a Latin name that
meet only on one generic concept, crossed. Records that could be one organisation are
never paired: names equal after ICU's Latin reading, rapidfuzz ``token_set_ratio`` ≥ 90
between any two of their names, or a shared identifier. Each record is the query side of
at most one pair of each sort (its shortest partner, ties by a hash); a pair of records is
used once.
"""

from __future__ import annotations

import csv
import re
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from alias_evidence import STOPWORDS

LEXICON_DIR = Path(__file__).resolve().parent.parent / "src" / "ringfence" / "data" / "lexicon"
GENERIC_SHARE = 0.004
GENERIC_FLOOR = 10  # names, for a small set
MAX_WORDS = 4
PER_RECORD = 2  # pairs of each sort a record is the query side of
_RU_ENDINGS = sorted(
    {"ая", "яя", "ое", "ее", "ый", "ий", "ой", "ого", "его", "ому", "ему", "ым", "им", "ых",
     "их", "ую", "юю", "ами", "ями", "ах", "ях", "ом", "ем", "ов", "ев", "а", "я", "о", "е",
     "ы", "и", "у", "ю", "ь", "й"}, key=len, reverse=True)  # fmt: skip
_RU_LATIN_ENDINGS = sorted(
    {"aya", "yaya", "oye", "oe", "ye", "yy", "yi", "iy", "ii", "oy", "oi", "ogo", "ego",
     "omu", "emu", "ym", "im", "ykh", "ikh", "uyu", "yuyu", "ami", "yami", "akh", "yakh",
     "om", "em", "ov", "ev", "a", "ya", "o", "e", "y", "i", "u", "yu", "j"},
    key=len, reverse=True)  # fmt: skip


@lru_cache(maxsize=1)
def _reader() -> Any:
    import icu

    return icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")


def latin(text: str) -> str:
    return str(_reader().transliterate(text)).casefold()


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    import snowballstemmer

    return str(snowballstemmer.stemmer("english").stemWord(word))


def script(word: str) -> str:
    for ch in word:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            for s in ("LATIN", "CYRILLIC", "ARABIC", "CJK", "HANGUL", "HIRAGANA", "KATAKANA"):
                if name.startswith(s):
                    return s
            return "OTHER"
    return "LATIN"


def _ru_stem(word: str, endings: list[str], least: int) -> str:
    for e in endings:
        if word.endswith(e) and len(word) - len(e) >= least:
            return word[: -len(e)]
    return word


def korean_key(latin_word: str) -> str:
    """Revised and McCune–Reischauer spellings folded together (a loose key of this
    module's own: vowels ŏ/o/u/eu and ae/e fall together, so do g/k, d/t, b/p, j/ch,
    r/l)."""
    k = re.sub(r"[^a-z]", "", latin(latin_word))
    for a, b in (
        ("eo", "o"),
        ("eu", "o"),
        ("u", "o"),
        ("ae", "e"),
        ("ch", "j"),
        ("k", "g"),
        ("t", "d"),
        ("p", "b"),
        ("r", "l"),
        ("sh", "s"),
        ("wo", "o"),
    ):
        k = k.replace(a, b)
    return k


@dataclass(frozen=True)
class Lexicon:
    by_word: dict[str, frozenset[str]]  # a word in its own script (casefolded) → concepts
    ru_stems: dict[str, frozenset[str]]  # a Russian stem → concepts
    ru_latin: dict[str, frozenset[str]]  # a romanised Russian stem → concepts
    latin_words: dict[str, frozenset[str]]  # en / und-Latn entries
    ko_latin: dict[str, frozenset[str]]  # Korean key of a Korean entry's romanisation
    cjk_words: tuple[str, ...]  # Han / Hangul / kana entries, longest first


def _concepts(english: Iterable[str]) -> frozenset[str]:
    """One concept per English phrase: its words' stems, joined (a country's official
    name is one concept, not its words "republic" and "democratic")."""
    out = set()
    for phrase in english:
        ws = [stem(w) for w in re.findall(r"[a-z0-9]+", latin(phrase)) if w not in STOPWORDS]
        if ws:
            out.add("_".join(ws))
    return frozenset(out)


@lru_cache(maxsize=1)
def lexicon(folder: Path = LEXICON_DIR) -> Lexicon:
    by_word: dict[str, set[str]] = defaultdict(set)
    ru_stems: dict[str, set[str]] = defaultdict(set)
    ru_latin: dict[str, set[str]] = defaultdict(set)
    latin_words: dict[str, set[str]] = defaultdict(set)
    ko_latin: dict[str, set[str]] = defaultdict(set)
    lines = [
        ln
        for ln in (folder / "names.tsv").read_text(encoding="utf-8").splitlines()
        if ln and not ln.startswith("#")
    ]
    rows: list[tuple[str, str, frozenset[str]]] = []
    for row in csv.DictReader(lines, delimiter="\t"):
        rows.append((row["lang"], row["word"].casefold(), _concepts([row["english"]])))
    for hangul, english in _korean_entries(folder):
        rows.append(("ko", hangul, _concepts(english)))
    for lang, word, concepts in rows:
        if not concepts:
            continue
        if lang in ("en", "und-Latn"):
            latin_words[latin(word)] |= concepts
            continue
        if lang == "ru-Latn":
            ru_latin[_ru_stem(latin(word), _RU_LATIN_ENDINGS, 4)] |= concepts
            continue
        by_word[word] |= concepts
        if lang == "ru":
            ru_stems[_ru_stem(word, _RU_ENDINGS, 4)] |= concepts
            ru_latin[_ru_stem(latin(word), _RU_LATIN_ENDINGS, 4)] |= concepts
        if lang == "ko":
            key = korean_key(word)
            if len(key) >= 4:
                ko_latin[key] |= concepts
    cjk = tuple(
        sorted(
            (
                w
                for w in by_word
                if script(w) in ("CJK", "HANGUL", "HIRAGANA", "KATAKANA") and len(w) >= 2
            ),
            key=len,
            reverse=True,
        )
    )

    def freeze(d: dict[str, set[str]]) -> dict[str, frozenset[str]]:
        return {k: frozenset(v) for k, v in d.items()}

    return Lexicon(
        freeze(by_word),
        freeze(ru_stems),
        freeze(ru_latin),
        freeze(latin_words),
        freeze(ko_latin),
        cjk,
    )


def _korean_entries(folder: Path) -> Iterator[tuple[str, list[str]]]:
    """The Korean lexicon's words with their English: the loanwords' own English, the
    Sino-Korean words' through CC-CEDICT as ringfence's loader reads it (the data, not the
    matcher: :func:`ringfence.resolve.lexicon.ko_entries`)."""
    from ringfence.packaged import use_packaged_dictionaries
    from ringfence.resolve.lexicon import ko_entries

    use_packaged_dictionaries()
    for word, phrases in ko_entries().items():
        yield word, [" ".join(p) for p in phrases]


@dataclass(frozen=True)
class Word:
    text: str
    script: str
    literal: frozenset[str]  # concepts of the word as written
    translated: frozenset[str]  # concepts through the lexicon


def _cjk_split(run: str, lex: Lexicon) -> list[str]:
    out: list[str] = []
    rest = ""
    i = 0
    while i < len(run):
        hit = next((w for w in lex.cjk_words if run.startswith(w, i)), "")
        if hit:
            if rest:
                out.append(rest)
                rest = ""
            out.append(hit)
            i += len(hit)
        else:
            rest += run[i]
            i += 1
    if rest:
        out.append(rest)
    return out


def read_name(name: str, drop: frozenset[str], lex: Lexicon) -> list[Word]:
    out: list[Word] = []
    for raw in re.findall(r"\w+", name.casefold()):
        sc = script(raw)
        pieces = _cjk_split(raw, lex) if sc in ("CJK", "HANGUL", "HIRAGANA", "KATAKANA") else [raw]
        for w in pieces:
            lat = latin(w)
            if lat in drop or w in drop or (sc == "LATIN" and len(w) < 2):
                continue
            # a word's own reading is one concept (ICU reads 香港 as two syllables)
            literal = frozenset({stem(re.sub(r"[^a-z0-9]", "", lat))} - {""})
            if not literal:
                continue
            tr: set[str] = set(lex.by_word.get(w, ()))
            if sc == "CYRILLIC":
                tr |= lex.ru_stems.get(_ru_stem(w, _RU_ENDINGS, 4), set())
            elif sc == "ARABIC" and w.startswith("ال") and len(w) >= 5:
                tr |= lex.by_word.get(w[2:], set())
            elif sc == "LATIN":
                tr |= lex.latin_words.get(lat, set())
                if len(lat) >= 5:
                    tr |= lex.ru_latin.get(_ru_stem(lat, _RU_LATIN_ENDINGS, 4), set())
                key = korean_key(lat)
                if len(key) >= 4:
                    tr |= lex.ko_latin.get(key, set())
                    for part, concepts in lex.ko_latin.items():
                        if len(key) - len(part) >= 3 and (
                            key.startswith(part) or key.endswith(part)
                        ):
                            tr |= concepts
            out.append(Word(w, sc, literal, frozenset(tr - literal)))
    return out


@dataclass(frozen=True)
class Meeting:
    a: Word
    b: Word
    concept: str
    crossed: bool


def meetings(wa: list[Word], wb: list[Word]) -> list[Meeting]:
    """One meeting per word of ``wa`` that shares a concept with a word of ``wb`` (the
    first found, literal meetings before translated ones)."""
    out: list[Meeting] = []
    used_b: set[int] = set()
    for x in wa:
        best: Meeting | None = None
        for j, y in enumerate(wb):
            if j in used_b:
                continue
            lit = x.literal & y.literal
            if lit:
                crossed = x.script != y.script
                best = Meeting(x, y, min(lit), crossed)
                if not crossed:
                    break
                continue
            via = (x.literal | x.translated) & (y.literal | y.translated)
            if via and best is None:
                best = Meeting(x, y, min(via), True)
        if best is not None:
            used_b.add(wb.index(best.b))
            out.append(best)
    return out


def negatives(
    orgs: list[Any], part_of: Any, drop: frozenset[str], lex: Lexicon | None = None
) -> list[tuple[str, dict[str, object]]]:
    """``(record id, pair)`` of kind ``hard_negative_translated`` for every part."""
    from rapidfuzz import fuzz

    lex = lex or lexicon()
    by_part: dict[str, list[Any]] = defaultdict(list)
    for o in orgs:
        by_part[part_of(o.rid)].append(o)
    out: list[tuple[str, dict[str, object]]] = []
    for part in sorted(by_part):
        out += _part_negatives(sorted(by_part[part], key=lambda o: o.rid), drop, lex, fuzz)
    return out


def _part_negatives(
    orgs: list[Any], drop: frozenset[str], lex: Lexicon, fuzz: Any
) -> list[tuple[str, dict[str, object]]]:
    # every name of every record of the part, read once
    names: list[tuple[int, str, list[Word]]] = []
    for k, o in enumerate(orgs):
        seen: set[str] = set()
        for n in [o.primary, *(n for _kind, n in o.others)]:
            if n.casefold() in seen:
                continue
            seen.add(n.casefold())
            ws = read_name(n, drop, lex)
            if 1 <= len(ws) <= MAX_WORDS:
                names.append((k, n, ws))
    df: dict[str, int] = defaultdict(int)
    for _k, _n, ws in names:
        for c in {c for w in ws for c in w.literal | w.translated}:
            df[c] += 1
    generic = {c for c, n in df.items() if n >= max(GENERIC_FLOOR, GENERIC_SHARE * len(names))}
    postings: dict[str, list[int]] = defaultdict(list)
    for idx, (_k, _n, ws) in enumerate(names):
        for c in {c for w in ws for c in w.literal | w.translated}:
            postings[c].append(idx)
    readings = [
        {re.sub(r"[^a-z0-9]", "", latin(n)) for n in [o.primary, *(x for _, x in o.others)]}
        for o in orgs
    ]
    ids = [{v for _s, v in o.ids} for o in orgs]
    family = [_family(o.rid) for o in orgs]

    def same_org(k: int, j: int, na: str, nb: str) -> bool:
        if readings[k] & readings[j] or ids[k] & ids[j]:
            return True
        if _words_alike([na], [nb]) >= 2:
            return True  # a second word spelt alike (SANTERAT ~ SADERAT): maybe one org
        all_a = [orgs[k].primary, *(x for _, x in orgs[k].others)]
        all_b = [orgs[j].primary, *(x for _, x in orgs[j].others)]
        return any(fuzz.token_set_ratio(latin(x), latin(y)) >= 90 for x in all_a for y in all_b)

    def sort_key(k: int, idx: int) -> tuple[int, int]:
        return (len(names[idx][2]), zlib.crc32(f"{orgs[k].rid}|{names[idx][1]}".encode()))

    out: list[tuple[str, dict[str, object]]] = []
    used: set[frozenset[int]] = set()
    for k, org in enumerate(orgs):
        mine = [i for i, (kk, _n, _ws) in enumerate(names) if kk == k]
        found: dict[str, list[tuple[tuple[int, int], int, int, Meeting]]] = defaultdict(list)
        for i in mine:
            _k, _na, wa = names[i]
            non_latin = all(w.script != "LATIN" for w in wa)
            for c in {c for w in wa for c in w.literal | w.translated}:
                if c in generic and not non_latin:
                    continue  # generic concepts: only a non-Latin name's near-misses
                for j in postings[c]:
                    kj, _nb, wb = names[j]
                    if kj == k or family[kj] != family[k] or frozenset((k, kj)) in used:
                        continue
                    got = _kind_of(wa, wb, generic)
                    if got is None:
                        continue
                    sort_name, meet = got
                    found[sort_name].append((sort_key(kj, j), i, j, meet))
        for sort_name in ("distinctive", "generic_cross_script"):
            taken = 0
            for _key, i, j, meet in sorted(found.get(sort_name, []), key=lambda x: x[0]):
                kj = names[j][0]
                if (
                    taken == PER_RECORD
                    or frozenset((k, kj)) in used
                    or same_org(k, kj, names[i][1], names[j][1])
                ):
                    continue
                used.add(frozenset((k, kj)))
                taken += 1
                note = (
                    f" vs {orgs[kj].rid} ({sort_name}: {meet.a.text} ~ {meet.b.text}"
                    f" = {meet.concept})"
                )
                out.append(
                    (
                        org.rid,
                        {
                            "a": {"name": names[i][1]},
                            "b": {"name": names[j][1]},
                            "match": False,
                            "kind": "hard_negative_translated",
                            "source": note,
                        },
                    )
                )
    return out


def _words_alike(na: list[str], nb: list[str]) -> int:
    """The most words that one name of each list has alike as strings (alias_evidence's
    test for one word spelt two ways, on ICU's Latin reading)."""
    from alias_evidence import _same_word, words

    best = 0
    for x in na:
        wx = words(x, STOPWORDS)
        for y in nb:
            wy = words(y, STOPWORDS)
            best = max(best, sum(1 for a in wx if any(_same_word(a, b) for b in wy)))
    return best


def _family(rid: str) -> str:
    """The list a record comes from (OFAC's SDN CSV and its consolidated XML are one
    publisher's lists): records are paired within one, where each organisation is listed
    once, not across lists that may name one organisation differently."""
    prefix = rid.split(":", 1)[0]
    return "ofac" if prefix == "sdn" else prefix


def _kind_of(wa: list[Word], wb: list[Word], generic: set[str]) -> tuple[str, Meeting] | None:
    ma, mb = meetings(wa, wb), meetings(wb, wa)
    dist_a = [m for m in ma if m.concept not in generic]
    dist_b = [m for m in mb if m.concept not in generic]
    if len(dist_a) == 1 and len(dist_b) == 1:
        if not dist_a[0].crossed or len(ma) - 1 > 1:
            return None
        return "distinctive", dist_a[0]
    if dist_a or dist_b or len(ma) != 1 or len(mb) != 1 or not ma[0].crossed:
        return None
    latin_a = [w.script == "LATIN" for w in wa]
    latin_b = [w.script == "LATIN" for w in wb]
    if (all(latin_a) and not any(latin_b)) or (all(latin_b) and not any(latin_a)):
        return "generic_cross_script", ma[0]
    return None
