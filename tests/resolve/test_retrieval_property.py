"""Retrieval finds what the scorer accepts, for disguised and re-spelled names too (issue 14
item 2): whenever ``compare`` matches a written variant of one side of a visible pair with
the other side, an index holding the other sides (every pair's, so the rest are
distractors) has it among the query's candidates.

Variants are drawn by Hypothesis over the visible pairs (``names-visible.jsonl``, both
directions): words split and joined, hyphens, invisible characters, look-alike letters of
another script, full-width forms, digits for letters, diacritics, loose spellings (ph/f,
c/k, y/i), case, and identifiers written with a label and spaces. The property is
conditional on the scorer: a variant ``compare`` rejects says nothing about retrieval, so
the test cannot pass by retrieving nothing nor by matching everything.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ringfence.resolve import EntityNames, Record, ScreeningIndex, compare, parse_id

PAIRS = Path(__file__).resolve().parents[1] / "fixtures" / "names-visible.jsonl"

Side = dict[str, str]


@cache
def _pairs() -> tuple[tuple[Side, Side], ...]:
    out = []
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        pair = json.loads(line)
        out.append((pair["a"], pair["b"]))
    return tuple(out)


def _record(side: Side, *, name: str | None = None, id_value: str | None = None) -> Record:
    ids = []
    if side.get("id"):
        ids = [parse_id(side["id_scheme"], id_value if id_value is not None else side["id"])]
    return Record.of(name if name is not None else side["name"], country=side.get("country"),
                     ids=ids)


@cache
def _index(holding: str) -> ScreeningIndex:
    """Every pair's ``holding`` side ("a" or "b") as one entity, at the pair's position."""
    sides = [pair[0 if holding == "a" else 1] for pair in _pairs()]
    return ScreeningIndex.build(
        EntityNames(str(i), r.names, r.countries, r.ids)
        for i, r in enumerate(_record(s) for s in sides)
    )


# --- variants of a written name ----------------------------------------------------------

_HOMOGLYPHS = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у",
               "A": "А", "B": "В", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О",
               "P": "Р", "C": "С", "T": "Т", "X": "Х"}  # Latin → Cyrillic look-alike
_DIGITS = {"l": "1", "o": "0", "O": "0", "I": "1"}
_ACCENTS = {"a": "á", "e": "é", "i": "í", "o": "ö", "u": "ü", "c": "ç", "n": "ñ"}
_LOOSE = (("ph", "f"), ("f", "ph"), ("c", "k"), ("k", "c"), ("y", "i"), ("i", "y"),
          ("ou", "u"), ("ee", "i"), ("ll", "l"), ("ss", "s"))
_INVISIBLE = ("\u200b", "\u00ad", "\u200d", "\u2060", "\ufeff", "\u200e")
_LATIN_WORD = re.compile(r"[A-Za-z]{4,}")


def _in_word(text: str, draw: Callable[..., int], edit: Callable[[str, int], str]) -> str:
    """``edit(word, position)`` applied inside one Latin word of 4+ letters, at a drawn
    place not at either end."""
    words = list(_LATIN_WORD.finditer(text))
    if not words:
        return text
    m = words[draw(len(words))]
    pos = 2 + draw(len(m.group()) - 3)
    return text[: m.start()] + edit(m.group(), pos) + text[m.end() :]


def _swap(text: str, table: dict[str, str], draw: Callable[[int], int], k: int) -> str:
    places = [i for i, ch in enumerate(text) if ch in table]
    for _ in range(min(k, len(places))):
        i = places[draw(len(places))]
        text = text[:i] + table.get(text[i], text[i]) + text[i + 1 :]
    return text


VARIANTS: dict[str, Callable[[str, Callable[[int], int]], str]] = {
    "split": lambda t, d: _in_word(t, d, lambda w, i: w[:i] + " " + w[i:]),
    "hyphen_in_word": lambda t, d: _in_word(t, d, lambda w, i: w[:i] + "-" + w[i:]),
    "joined": lambda t, d: re.sub(r"(?<=\w) (?=\w)", "", t, count=1 + d(3)),
    "all_joined": lambda t, d: t.replace(" ", ""),
    "hyphenated": lambda t, d: t.replace(" ", "-", 1 + d(3)),
    "invisible": lambda t, d: _in_word(t, d, lambda w, i: w[:i] + _INVISIBLE[d(6)] + w[i:]),
    "homoglyphs": lambda t, d: _swap(t, _HOMOGLYPHS, d, 1 + d(3)),
    "digits": lambda t, d: _swap(t, _DIGITS, d, 1),
    "accents": lambda t, d: _swap(t, _ACCENTS, d, 1 + d(2)),
    "full_width": lambda t, d: "".join(
        chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in t),
    "upper": lambda t, d: t.upper(),
    "lower": lambda t, d: t.lower(),
    "loose": lambda t, d: t.replace(*_LOOSE[d(len(_LOOSE))], 1),
    "spaces": lambda t, d: re.sub(" ", "  ", t) + " ",
}


def _spaced_id(value: str, draw: Callable[[int], int]) -> str:
    """An identifier as people write it: a label, groups of four with spaces or dashes."""
    sep = " -"[draw(2)]
    return "ID: " + sep.join(value[i : i + 4] for i in range(0, len(value), 4))


@settings(max_examples=400, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_variant_compare_matches_is_retrieved(data: st.DataObject) -> None:
    pairs = _pairs()
    k = data.draw(st.integers(0, len(pairs) - 1), label="pair")
    query_side = data.draw(st.sampled_from(["a", "b"]), label="query side")
    held = "b" if query_side == "a" else "a"
    side, other = (pairs[k][0], pairs[k][1]) if query_side == "a" else pairs[k][::-1]
    names = data.draw(st.lists(st.sampled_from(sorted(VARIANTS)), min_size=1, max_size=2),
                      label="variants")

    def draw(n: int) -> int:
        return data.draw(st.integers(0, max(n - 1, 0)))

    name = side["name"]
    for variant in names:
        name = VARIANTS[variant](name, draw) or name
    id_value = _spaced_id(side["id"], draw) if side.get("id") and draw(2) else None
    query = _record(side, name=name, id_value=id_value)
    target = _record(other)
    if not compare(query, target).match:
        event("compare rejects the variant")
        return  # the scorer rejects this spelling: nothing for retrieval to find
    event("compare matches the variant")
    index = _index(held)
    same = {i for i, (a, b) in enumerate(pairs)
            if _record(a if held == "a" else b) == target}
    found = index.candidates(query)
    assert same & {int(index.entities[p].id) for p in found}, (
        f"{name!r} (pair {k}, {names}) matches {other['name']!r} but is not retrieved")


def test_variants_change_the_name() -> None:
    """Each variant does what it says on a plain name (so the property is not vacuous)."""
    fixed: Callable[[int], int] = lambda n: n // 2  # noqa: E731
    name = "Sunway Photonics Company Limited"
    for variant, make in VARIANTS.items():
        assert make(name, fixed) != name, variant
