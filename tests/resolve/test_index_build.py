"""How the screening index is built: each entity's keys are the union of its names' keys,
whether names repeat across entities or not, and whether names are analysed in one
process or in several.

Strategy: the postings of an index over many entities are checked against indexes of one
entity each (what that entity alone puts into an index), so the expectation comes from
the same public interface, entity by entity, not from a copy of the build.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ringfence.resolve import EntityNames, ScreeningIndex


def _entities(public_groups: Any) -> list[EntityNames]:
    """Real names, with repeats: entities that share a name, an entity whose second name
    is another entity's first, and names of several scripts."""
    base = [e["name"] for e in public_groups["entities"][:40]]
    ents = [EntityNames(f"e{i}", (name,)) for i, name in enumerate(base)]
    ents += [
        EntityNames("dup-a", (base[0],)),  # the same name as e0
        EntityNames("dup-b", (base[1], base[0])),  # e1's name, then e0's
        EntityNames("mixed", ("字节跳动有限公司", "ByteDance Ltd.", "ПАО «Газпром»")),
        EntityNames("again", ("ByteDance Ltd.", "بانک ملت")),
        EntityNames("empty", ()),
    ]
    return ents


def _postings(index: ScreeningIndex) -> dict[str, list[int]]:
    parts = index.parts()
    return {
        key: parts.postings[parts.offsets[k] : parts.offsets[k + 1]].tolist()
        for k, key in enumerate(parts.keys)
    }


def test_postings_are_the_union_of_each_entitys_own_keys(public_groups: Any) -> None:
    ents = _entities(public_groups)
    expected: dict[str, list[int]] = {}
    for pos, ent in enumerate(ents):
        for key in ScreeningIndex.build([ent]).parts().keys:
            expected.setdefault(key, []).append(pos)
    got = _postings(ScreeningIndex.build(ents))
    assert got == expected
    # a shared name's keys list both entities, each once
    some_key = next(iter(ScreeningIndex.build([ents[0]]).parts().keys))
    pos = {e.id: i for i, e in enumerate(ents)}
    assert {pos["e0"], pos["dup-a"], pos["dup-b"]} <= set(got[some_key])


def test_offsets_and_postings_are_consistent(public_groups: Any) -> None:
    parts = ScreeningIndex.build(_entities(public_groups)).parts()
    assert parts.offsets[0] == 0 and parts.offsets[-1] == len(parts.postings)
    assert len(parts.offsets) == len(parts.keys) + 1
    lens = np.diff(parts.offsets)
    assert (lens > 0).all()  # no key without an entity
    for k in range(len(parts.keys)):
        run = parts.postings[parts.offsets[k] : parts.offsets[k + 1]]
        assert (np.diff(run) > 0).all()  # ascending, each entity once


def test_worker_processes_build_the_same_index(public_groups: Any) -> None:
    ents = _entities(public_groups) + [
        EntityNames(f"p{i}", (e["name"],)) for i, e in enumerate(public_groups["entities"])
    ]
    one = ScreeningIndex.build(ents)
    two = ScreeningIndex.build(ents, workers=2)
    assert _postings(one) == _postings(two)
    assert one.parts().readings == two.parts().readings
    assert [e.id for e in two.entities] == [e.id for e in ents]
