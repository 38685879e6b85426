"""CSV contract → snapshot: every bad row named, nothing half-written, atomic publish."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ringfence.exc import ConflictError, IngestError
from ringfence.ingest.run import ingest_csv
from ringfence.model import Entity, EntityType
from ringfence.snapshot import SnapshotWriter, open_snapshot

PUBLIC = Path(__file__).resolve().parents[2] / "src" / "ringfence" / "data" / "public-groups"
if not PUBLIC.exists():  # before the bundled copy exists, read the shared original
    PUBLIC = Path(__file__).resolve().parents[3] / "shared" / "data" / "public-groups"

ENTITIES = """id,name,type,hq_country,jurisdiction,lists
P,Parent,company,CN,KY,
S,Sub,company,SG,SG,
Q,Other,company,us,US,SDN;EU_CONSOLIDATED
"""


def write(tmp: Path, entities: str, holdings: str) -> tuple[Path, Path]:
    e, h = tmp / "entities.csv", tmp / "holdings.csv"
    e.write_text(entities)
    h.write_text("owner,owned,kind,share,share_min,share_max,valid_from,valid_to,source\n"
                 + holdings)
    return e, h


def test_good_files_publish_a_snapshot_with_manifest(tmp_path: Path) -> None:
    e, h = write(tmp_path, ENTITIES,
                 "P,S,shares,60%,,,2020-01-01,,filing\nQ,S,shares,,>0.1,<0.4,,,x\n")
    manifest, _ = ingest_csv(entities=e, holdings=h, out=tmp_path / "snap")
    snap = open_snapshot(tmp_path / "snap", verify=True)
    assert snap.id == manifest.id
    assert manifest.counts == {"entities": 3, "holdings": 2, "names": 3, "identifiers": 0}
    assert [s["records"] for s in manifest.sources] == [3, 2]
    rows = snap.holdings_table().to_pylist()
    assert rows[0]["lo"] == rows[0]["hi"] == 600_000_000
    assert rows[1]["lo_open"] and rows[1]["hi_open"]
    assert rows[0]["source_line"] == 2 and rows[0]["source_note"] == "filing"
    ents = {r["id"]: r for r in snap.entities_table().to_pylist()}
    assert ents["Q"]["hq_country"] == "US"  # any case in, upper case stored
    assert ents["Q"]["lists"] == ["SDN", "EU_CONSOLIDATED"]
    on_disk = json.loads((tmp_path / "snap" / "manifest.json").read_text())
    assert on_disk["id"] == manifest.id and on_disk["files"]


BAD_HOLDINGS = (
    "P,S,shares,0.6,,,,,ok\n"  # line 2: fine
    "P,X,shares,0.1,,,,,\n"  # line 3: unknown entity
    "P,S,votes,1.5,,,,,\n"  # line 4: share above 1
    "P,Q,shares,,0.7,0.2,,,\n"  # line 5: min > max
    "Q,S,shares,0.5,,,,,\n"  # line 6: P 0.6 + Q 0.5 > 100%
    "Q,P,shares,0.1,,,2020-13-01,,\n"  # line 7: bad date
    "Q,P,stake,0.1,,,,,\n"  # line 8: unknown kind
)


def test_every_bad_row_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    e, h = write(tmp_path, ENTITIES + "P,Dup,company,CN,CN,\nZ,Zed,robot,ZZ,,\n", BAD_HOLDINGS)
    with pytest.raises(IngestError) as err:
        ingest_csv(entities=e, holdings=h, out=tmp_path / "snap")
    found = {(Path(p.location).name, p.line, p.field) for p in err.value.problems}
    assert ("entities.csv", 5, "id") in found  # duplicate id
    assert ("entities.csv", 6, "type") in found
    for line, col in [(3, "owned"), (4, "share"), (5, "share"), (6, "share"), (2, "share"),
                      (7, "valid_from"), (8, "kind")]:
        assert ("holdings.csv", line, col) in found, (line, col, found)
    reasons = " | ".join(p.reason for p in err.value.problems)
    assert "unknown entity 'X'" in reasons and "past 100%" in reasons
    assert not (tmp_path / "snap").exists()
    assert not list(tmp_path.glob(".ringfence-work-*"))


def test_skip_bad_publishes_the_rest_and_writes_rejects(tmp_path: Path) -> None:
    e, h = write(tmp_path, ENTITIES, "P,S,shares,0.6,,,,,ok\nP,X,shares,0.1,,,,,\n")
    manifest, _batch = ingest_csv(entities=e, holdings=h, out=tmp_path / "snap", skip_bad=True)
    assert manifest.counts["holdings"] == 1
    rejects = (tmp_path / "snap.rejects.csv").read_text()
    assert "unknown entity 'X'" in rejects and ",3," in rejects
    assert manifest.sources[1]["rejected"] == 1


def test_dates_make_overlap_legal_when_half_open(tmp_path: Path) -> None:
    # 0.8 until 2024-01-31, then 0.3 from that day: never over 100% at once.
    e, h = write(tmp_path, ENTITIES,
                 "P,S,shares,0.8,,,,2024-01-31,\nQ,S,shares,0.3,,,2024-01-31,,\n")
    manifest, _ = ingest_csv(entities=e, holdings=h, out=tmp_path / "snap")
    assert manifest.counts["holdings"] == 2


def test_existing_snapshot_is_kept_unless_forced(tmp_path: Path) -> None:
    e, h = write(tmp_path, ENTITIES, "P,S,shares,0.6,,,,,\n")
    first, _ = ingest_csv(entities=e, holdings=h, out=tmp_path / "snap")
    with pytest.raises(ConflictError):
        ingest_csv(entities=e, holdings=h, out=tmp_path / "snap")
    h.write_text(h.read_text() + "Q,S,shares,0.2,,,,,\n")
    second, _ = ingest_csv(entities=e, holdings=h, out=tmp_path / "snap", force=True)
    assert open_snapshot(tmp_path / "snap").id == second.id != first.id


def test_failure_mid_write_leaves_old_snapshot_and_no_debris(tmp_path: Path) -> None:
    e, h = write(tmp_path, ENTITIES, "P,S,shares,0.6,,,,,\n")
    first, _ = ingest_csv(entities=e, holdings=h, out=tmp_path / "snap")

    def exploding() -> list[Entity]:
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError), SnapshotWriter(tmp_path / "snap", replace=True) as w:
        w.add_entities([Entity("A", EntityType.COMPANY)])
        w.add_entities(exploding())
    assert open_snapshot(tmp_path / "snap", verify=True).id == first.id
    assert not list(tmp_path.glob(".ringfence-work-*"))


def test_public_groups_ingest_whole(tmp_path: Path) -> None:
    manifest, batch = ingest_csv(
        entities=PUBLIC / "entities.csv", holdings=PUBLIC / "holdings.csv",
        names=PUBLIC / "names.csv", identifiers=PUBLIC / "identifiers.csv",
        out=tmp_path / "snap")
    assert not batch.problems
    snap = open_snapshot(tmp_path / "snap")
    ents, holds = snap.graph()
    ids = ents.index()
    bytedance = ids["bytedance"]
    assert ents.countries[ents.hq[bytedance]] == "CN"
    assert ents.countries[ents.jurisdiction[bytedance]] == "KY"
    assert len(holds) == manifest.counts["holdings"] > 100


def test_look_through_ordering_is_cached_with_the_snapshot(tmp_path: Path) -> None:
    import numpy as np

    e, h = write(tmp_path, ENTITIES, "P,S,shares,0.6,,,,,\nS,Q,shares,0.3,,,,,\n"
                 "Q,S,shares,0.2,,,,,\n")
    ingest_csv(entities=e, holdings=h, out=tmp_path / "snap")
    first = open_snapshot(tmp_path / "snap").graph_order()
    assert (tmp_path / "snap" / "cache" / "order" / "order.npy").exists()
    again = open_snapshot(tmp_path / "snap").graph_order()
    assert np.array_equal(first.order, again.order)
    # S and Q hold each other: one component; P comes before it.
    ids = open_snapshot(tmp_path / "snap").graph()[0].index()
    assert first.comp[ids["S"]] == first.comp[ids["Q"]] > first.comp[ids["P"]]
    # A stale cache (another snapshot's id) is rebuilt, not trusted.
    (tmp_path / "snap" / "cache" / "order" / "snapshot-id").write_text("other")
    rebuilt = open_snapshot(tmp_path / "snap").graph_order()
    assert np.array_equal(rebuilt.comp, first.comp)
    assert (tmp_path / "snap" / "cache" / "order" / "snapshot-id").read_text() != "other"


def _same_graph(a: tuple[object, object], b: tuple[object, object]) -> None:
    import dataclasses

    import numpy as np

    for x, y in zip(a, b, strict=True):
        for f in dataclasses.fields(x):  # type: ignore[arg-type]
            u, v = getattr(x, f.name), getattr(y, f.name)
            if isinstance(u, np.ndarray):
                assert u.dtype == v.dtype and np.array_equal(u, v), f.name
            else:
                assert list(u) == list(v), f.name


def test_graph_arrays_are_cached_with_the_snapshot_and_rebuilt_when_damaged(
        tmp_path: Path) -> None:
    import numpy as np

    from ringfence.attribution.ordering import GraphOrder
    from ringfence.snapshot.graphcache import (
        GRAPH_ENTITY_COLUMNS,
        GRAPH_HOLDING_COLUMNS,
        build_graph,
    )

    manifest, _ = ingest_csv(entities=PUBLIC / "entities.csv",
                             holdings=PUBLIC / "holdings.csv", out=tmp_path / "snap")
    cache = tmp_path / "snap" / "cache" / "graph"
    # publishing wrote both caches, stamped with the snapshot's id
    assert manifest.id in (cache / "meta.json").read_text()
    order_dir = tmp_path / "snap" / "cache" / "order"
    assert (order_dir / "snapshot-id").read_text() == manifest.id
    snap = open_snapshot(tmp_path / "snap")
    built = build_graph(snap.entities_table(list(GRAPH_ENTITY_COLUMNS)),
                        snap.holdings_table(list(GRAPH_HOLDING_COLUMNS)))
    # opening reads the cache and gets exactly what the tables give
    loaded = snap.graph()
    _same_graph(built, loaded)
    fresh = GraphOrder.for_holdings(len(built[0]), built[1])
    assert np.array_equal(snap.graph_order().order, fresh.order)
    assert np.array_equal(snap.graph_order().comp, fresh.comp)
    # the cache is what an open reads (a valid stamp is trusted without --verify) ...
    np.save(cache / "h_lo.npy", built[1].lo + 1)
    assert np.array_equal(open_snapshot(tmp_path / "snap").graph()[1].lo, built[1].lo + 1)
    # ... and a verified open rebuilds it from the checked tables
    _same_graph(built, open_snapshot(tmp_path / "snap", verify=True).graph())
    _same_graph(built, open_snapshot(tmp_path / "snap").graph())
    assert len(loaded[1].owner) == manifest.counts["holdings"]
    # another snapshot's arrays, a wrong dtype, a truncated file, an end out of range:
    # rebuilt, never used
    def stale() -> None:
        np.save(cache / "h_lo.npy", built[1].lo + 1)
        (cache / "meta.json").write_text(
            (cache / "meta.json").read_text().replace(manifest.id, "other"))

    damage = [
        stale,
        lambda: np.save(cache / "h_lo.npy", built[1].lo.astype(np.float64)),
        lambda: (cache / "e_type.npy").write_bytes((cache / "e_type.npy").read_bytes()[:-3]),
        lambda: np.save(cache / "h_owner.npy",
                        np.full_like(built[1].owner, len(built[0]))),
        lambda: np.save(cache / "e_hq.npy", np.full_like(built[0].hq, 999)),
        lambda: np.save(cache / "e_list_ptr.npy", built[0].list_ptr[::-1].copy()),
    ]
    for spoil in damage:
        spoil()
        _same_graph(built, open_snapshot(tmp_path / "snap").graph())
        # and the rebuilt cache is good again
        _same_graph(built, open_snapshot(tmp_path / "snap").graph())
    # where the cache cannot be written the graph is still built
    import shutil

    shutil.rmtree(tmp_path / "snap" / "cache")
    (tmp_path / "snap" / "cache").write_text("not a folder")
    _same_graph(built, open_snapshot(tmp_path / "snap").graph())


def test_the_writers_final_check_names_duplicate_ids_and_unknown_ends(tmp_path: Path) -> None:
    import pyarrow as pa

    from ringfence.snapshot.schema import ENTITIES, HOLDINGS

    def ents(ids: list[str]) -> pa.Table:
        return pa.table({"id": ids, "name": ids, "type": ["company"] * len(ids),
                         "hq_country": ["CN"] * len(ids), "jurisdiction": [""] * len(ids),
                         "lists": [[]] * len(ids), "source_dataset": ["t"] * len(ids),
                         "source_record": ids, "source_line": list(range(len(ids)))},
                        schema=ENTITIES)

    def holds(pairs: list[tuple[str, str]]) -> pa.Table:
        k = len(pairs)
        return pa.table({"owner": [a for a, _ in pairs], "owned": [b for _, b in pairs],
                         "kind": ["shares"] * k, "lo": [100_000_000] * k,
                         "hi": [100_000_000] * k, "lo_open": [False] * k,
                         "hi_open": [False] * k, "valid_from": [None] * k,
                         "valid_to": [None] * k, "source_dataset": ["h"] * k,
                         "source_record": [f"r{i}" for i in range(k)],
                         "source_line": list(range(10, 10 + k)), "source_note": [""] * k},
                        schema=HOLDINGS)

    w = SnapshotWriter(tmp_path / "bad")
    w.add_table("entities", ents(["A", "B", "A", "C", "C", "C"]))
    w.add_table("holdings", holds([("A", "B"), ("Z", "B"), ("B", "Y")]))
    with pytest.raises(IngestError) as err:
        w.publish()
    w.abort()
    found = {(p.record, p.field, p.line) for p in err.value.problems}
    assert ("A", "id", None) in found and ("C", "id", None) in found
    assert ("r1", "owner", 11) in found and ("r2", "owned", 12) in found
    assert not any(p.record == "B" and p.field == "id" for p in err.value.problems)
    assert not (tmp_path / "bad").exists()
    # the same rows without the faults publish, with the graph cached
    w = SnapshotWriter(tmp_path / "good")
    w.add_table("entities", ents(["A", "B", "C"]))
    w.add_table("holdings", holds([("A", "B"), ("C", "B")]))
    manifest = w.publish()
    ents_, holds_ = open_snapshot(tmp_path / "good").graph()
    assert manifest.id in (tmp_path / "good" / "cache" / "graph" / "meta.json").read_text()
    assert [ents_.ids[i] for i in holds_.owner] == ["A", "C"]
    assert [ents_.ids[i] for i in holds_.owned] == ["B", "B"]


def _two_orders(tmp_path: Path) -> None:
    e, h = write(tmp_path, ENTITIES, "P,S,shares,0.6,,,,,\n")
    ingest_csv(entities=e, holdings=h, out=tmp_path / "a")
    # the same companies listed in another order: row numbers from one are wrong in the other
    e2, h2 = write(tmp_path, "id,name,type,hq_country,jurisdiction,lists\n"
                   "Q,Other,company,US,US,\nS,Sub,company,SG,SG,\nP,Parent,company,CN,KY,\n",
                   "P,S,shares,0.6,,,,,\n")
    ingest_csv(entities=e2, holdings=h2, out=tmp_path / "b")


def test_a_snapshot_replaced_while_its_graph_is_read_fails_closed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A plain folder (written before versions, or copied by hand) replaced under a
    reader: the reader notices and fails closed."""
    import os
    import shutil

    from ringfence.exc import IntegrityError
    from ringfence.snapshot import graphcache, reader
    from ringfence.snapshot.publish import current

    _two_orders(tmp_path)
    for name in ("a", "b"):  # plain folders, not pointers to versions
        plain = tmp_path / f"{name}.plain"
        shutil.copytree(current(tmp_path / name), plain, symlinks=True)
        (tmp_path / name).unlink()
        os.replace(plain, tmp_path / name)

    def swap() -> None:  # what `ingest --force` does to a folder a reader has open
        os.replace(tmp_path / "a", tmp_path / "old")
        os.replace(tmp_path / "b", tmp_path / "a")

    def swap_back() -> None:
        os.replace(tmp_path / "a", tmp_path / "b")
        os.replace(tmp_path / "old", tmp_path / "a")

    # without a cache: the folder changes between the reads of one graph
    real_end_rows = graphcache.end_rows

    def end_rows_then_swap(*args: object) -> object:
        out = real_end_rows(*args)  # type: ignore[arg-type]
        swap()
        return out

    snap = open_snapshot(tmp_path / "a", verify=True)  # verify: the cache is not read
    monkeypatch.setattr(reader, "end_rows", end_rows_then_swap)
    with pytest.raises(IntegrityError, match="replaced"):
        snap.graph()
    monkeypatch.undo()
    swap_back()
    # from the cache: the folder changes while the arrays are loaded
    real_load = graphcache.load_graph

    def load_then_swap(*args: object) -> object:
        out = real_load(*args)  # type: ignore[arg-type]
        swap()
        return out

    snap = open_snapshot(tmp_path / "a")
    monkeypatch.setattr(reader, "load_graph", load_then_swap)
    with pytest.raises(IntegrityError, match="replaced"):
        snap.graph()
    monkeypatch.undo()
    swap_back()
    ents, holds = open_snapshot(tmp_path / "a").graph()
    assert [(ents.ids[o], ents.ids[d]) for o, d in zip(holds.owner, holds.owned,
                                                        strict=True)] == [("P", "S")]


def test_a_reader_keeps_its_version_when_the_pointer_is_switched(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the pointer: a reader reads the version it opened to the end, whatever
    is published meanwhile (never two snapshots' arrays mixed)."""
    import os

    from ringfence.snapshot import graphcache, reader

    _two_orders(tmp_path)
    first = open_snapshot(tmp_path / "a")
    real_end_rows = graphcache.end_rows

    def end_rows_then_switch(*args: object) -> object:
        out = real_end_rows(*args)  # type: ignore[arg-type]
        os.replace(tmp_path / "b", tmp_path / "a")  # a's pointer now names b's version
        return out

    snap = open_snapshot(tmp_path / "a", verify=True)
    monkeypatch.setattr(reader, "end_rows", end_rows_then_switch)
    ents, holds = snap.graph()
    assert snap.id == first.id != open_snapshot(tmp_path / "a").id
    assert list(ents.ids) == ["P", "S", "Q"]  # a's order, not b's
    assert [(ents.ids[o], ents.ids[d]) for o, d in zip(holds.owner, holds.owned,
                                                        strict=True)] == [("P", "S")]
