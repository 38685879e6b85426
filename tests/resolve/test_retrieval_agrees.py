"""Retrieval finds what the scorer accepts: every pair ``compare`` matches is retrieved by
the index from either side (issue 14).

All pairs' sides are indexed together (one entity per side), so each query has the
other pairs' names as distractors, as in a snapshot.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ringfence.resolve import EntityNames, Record, ScreeningIndex, compare, parse_id

PAIRS = Path(__file__).resolve().parents[1] / "fixtures" / "names-visible.jsonl"


def _record(side: dict[str, str]) -> Record:
    ids = [parse_id(side["id_scheme"], side["id"])] if side.get("id") else []
    return Record.of(side["name"], country=side.get("country"), ids=ids)


def _matched_pairs() -> list[tuple[str, Record, Record]]:
    out = []
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        pair = json.loads(line)
        a, b = _record(pair["a"]), _record(pair["b"])
        if compare(a, b).match:
            out.append((pair["pid"], a, b))
    return out


def _index(sides: list[Record]) -> ScreeningIndex:
    return ScreeningIndex.build(
        EntityNames(str(i), r.names, r.countries, r.ids) for i, r in enumerate(sides)
    )


@pytest.mark.parametrize("direction", ["a_finds_b", "b_finds_a"])
def test_every_matched_pair_is_retrieved(direction: str) -> None:
    pairs = _matched_pairs()
    assert len(pairs) >= 100  # the positives the scorer matches (of 257 pairs)
    targets = [b if direction == "a_finds_b" else a for _, a, b in pairs]
    queries = [a if direction == "a_finds_b" else b for _, a, b in pairs]
    index = _index(targets)
    missed = []
    for k, (query, (pid, _, _)) in enumerate(zip(queries, pairs, strict=True)):
        wanted = {i for i, t in enumerate(targets) if t == targets[k]}
        if not wanted & set(index.candidates(query)):
            missed.append((pid, query.names[0], targets[k].names[0]))
    assert missed == [], "\n".join(map(str, missed))


def test_byte_dance_is_found_from_either_spelling() -> None:
    index = _index([Record.of("ByteDance Ltd."), Record.of("Dance Academy Ltd.")])
    found = index.search(Record.of("Byte Dance"), limit=1)
    assert found and found[0].entity_id == "0"
    index = _index([Record.of("Byte Dance Ltd."), Record.of("Byte Computer Ltd.")])
    found = index.search(Record.of("ByteDance"), limit=1)
    assert found and found[0].entity_id == "0"
