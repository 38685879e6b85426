"""A saved screening index answers exactly like a freshly built one; a stale or damaged one
is rebuilt, never used (``ringfence.snapshot.screenindex``: ``cached_index``,
``save_index``, ``load_index``)."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ringfence.exc import IntegrityError
from ringfence.packaged.screening_eval import folds, public_entities
from ringfence.resolve import (
    EntityNames,
    Record,
    ScreeningIndex,
    parse_id,
)
from ringfence.snapshot.publish import publish_folder
from ringfence.snapshot.screenindex import cached_index, load_index, save_index


def _public_index() -> ScreeningIndex:
    """Every name and identifier of the bundled public groups, as ``screen`` indexes them."""
    ents, names, ids = public_entities()
    return ScreeningIndex.build(
        EntityNames(
            e["id"],
            tuple(names[e["id"]]),
            frozenset(c for c in (e["hq_country"], e["jurisdiction"]) if c),
            tuple(parse_id(s, v) for s, v in ids.get(e["id"], [])),
        )
        for e in ents
    )


@pytest.fixture(scope="module")
def built() -> ScreeningIndex:
    return _public_index()


def _answers(index: ScreeningIndex, queries: list[Record]) -> list[list[tuple[Any, ...]]]:
    return [
        [(c.entity_id, c.name, c.score, c.match, c.explanation) for c in index.search(q, limit=5)]
        for q in queries
    ]


def test_loaded_index_answers_exactly_like_a_fresh_build(
    built: ScreeningIndex, tmp_path: Path
) -> None:
    """Every evaluation query (held-out names, retyped legal names, labelled identifiers,
    unknown organisations, look-alikes; half with a country): same candidates, scores,
    match flags and evidence, in the same order."""
    save_index(built, tmp_path / "screening", snapshot_id="snap-1", publish=publish_folder)
    loaded = load_index(tmp_path / "screening", snapshot_id="snap-1")
    _, queries = folds()
    records = [q.record() for q in queries]
    assert len(loaded) == len(built) and len(records) > 500
    assert list(loaded.entities) == list(built.entities)
    want = _answers(built, records)
    assert any(a and a[0][3] for a in want) and any(q.ids for q in records)
    assert _answers(loaded, records) == want


def _small() -> ScreeningIndex:
    return ScreeningIndex.build(
        [
            EntityNames(
                "huawei", ("Huawei Technologies Co., Ltd.", "华为技术有限公司"), frozenset({"CN"})
            ),
            EntityNames(
                "rosneft",
                ("ПАО «НК «Роснефть»", "Rosneft Oil Company"),
                frozenset({"RU"}),
                (parse_id("lei", "253400JT3MQWNDKMJE44"),),
            ),
            EntityNames("mellat", ("Bank Mellat", "بانک ملت"), frozenset({"IR"})),
        ]
    )


def _rewrite(folder: Path, name: str, arr: np.ndarray, *, restamp: bool) -> None:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    (folder / f"{name}.npy").write_bytes(buf.getvalue())
    if restamp:  # a consistent-looking stamp: only the array checks can tell
        stamp = json.loads((folder / "index.json").read_text())
        stamp["arrays"][name] = hashlib.sha256(buf.getvalue()).hexdigest()
        (folder / "index.json").write_text(json.dumps(stamp))


def _set_stamp(folder: Path, key: str, value: Any) -> None:
    stamp = json.loads((folder / "index.json").read_text())
    stamp[key] = value
    (folder / "index.json").write_text(json.dumps(stamp))


DAMAGE = {
    "another snapshot": lambda f: _set_stamp(f, "snapshot", "snap-0"),
    "another index format": lambda f: _set_stamp(f, "format", 0),
    "other analysis code": lambda f: _set_stamp(f, "analysis", "0" * 16),
    "no stamp": lambda f: (f / "index.json").unlink(),
    "stamp not JSON": lambda f: (f / "index.json").write_text("{"),
    "missing array": lambda f: (f / "postings.npy").unlink(),
    "truncated array": lambda f: (f / "postings.npy").write_bytes(
        (f / "postings.npy").read_bytes()[:-8]
    ),
    "flipped byte": lambda f: (f / "key_utf8.npy").write_bytes(
        (b := (f / "key_utf8.npy").read_bytes())[:-1] + bytes([b[-1] ^ 1])
    ),
    "posting out of range": lambda f: _rewrite(
        f, "postings", np.full(len(np.load(f / "postings.npy")), 99, np.int32), restamp=True
    ),
    "wrong dtype": lambda f: _rewrite(
        f, "postings", np.load(f / "postings.npy").astype(np.int64), restamp=True
    ),
    "offsets past the postings": lambda f: _rewrite(
        f, "key_offsets", np.load(f / "key_offsets.npy") + 1, restamp=True
    ),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_stale_or_damaged_index_is_rebuilt_not_used(tmp_path: Path, damage: str) -> None:
    folder = tmp_path / "cache" / "screening"
    builds: list[int] = []

    def build() -> ScreeningIndex:
        builds.append(1)
        return _small()

    first, loaded = cached_index(folder, snapshot_id="snap-1", build=build,
                                  publish=publish_folder)
    assert not loaded and builds == [1] and (folder / "index.json").is_file()
    again, loaded = cached_index(folder, snapshot_id="snap-1", build=build,
                                  publish=publish_folder)
    assert loaded and builds == [1]  # the sound cache is used

    DAMAGE[damage](folder)
    with pytest.raises(IntegrityError):
        load_index(folder, snapshot_id="snap-1")
    rebuilt, loaded = cached_index(folder, snapshot_id="snap-1", build=build,
                                  publish=publish_folder)
    assert not loaded and builds == [1, 1]
    q = Record.of("Huawei Technologies", country="CN")
    assert _answers(rebuilt, [q]) == _answers(first, [q]) == _answers(again, [q])
    # ... and the rebuilt index replaced the bad one.
    assert cached_index(folder, snapshot_id="snap-1", build=build,
                        publish=publish_folder)[1] and builds == [1, 1]
    assert not list(folder.parent.glob(".screening-*"))  # no work folder left behind
    assert not list(folder.parent.glob(".ringfence-work-*"))


def test_a_folder_that_cannot_be_written_goes_without_the_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder would go")
    index, loaded = cached_index(blocker / "screening", snapshot_id="s", build=_small,
                                    publish=publish_folder)
    assert not loaded and len(index) == 3
    assert index.search(Record.of("Bank Mellat"), limit=1)[0].entity_id == "mellat"
