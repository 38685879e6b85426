"""Entities known only as the end of a GLEIF relationship or exception (no Level 1 record
in the input) become stub entities made by the merge: one per id, type company, no
name, provenance from the record that mentions them; a Level 1 record of the same LEI,
from any source, replaces the stub."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ringfence.ingest import synth

from .conftest import Snap


def _files(tmp_path: Path, *, lei: int, rr: int, repex: int, entities: int) -> dict[str, Path]:
    files = {"lei": tmp_path / "lei.xml", "rr": tmp_path / "rr.xml",
             "repex": tmp_path / "repex.xml"}
    synth.write_lei_xml(files["lei"], lei)
    synth.write_rr_xml(files["rr"], rr, entities=entities)
    synth.write_repex_xml(files["repex"], repex, entities=entities)
    return files


def test_relationship_and_exception_ends_without_a_record_become_one_stub_each(
        ingest: Callable[..., Snap], tmp_path: Path) -> None:
    f = _files(tmp_path, lei=0, rr=9, repex=4, entities=10)
    snap = ingest(("gleif", [f["rr"], f["repex"]]))
    ends = {r[0] for r in snap.q("SELECT owner FROM holdings WHERE owner LIKE 'lei:%' "
                                 "UNION SELECT owned FROM holdings WHERE owned LIKE 'lei:%' "
                                 "UNION SELECT owner FROM evidence WHERE owner LIKE 'lei:%' "
                                 "UNION SELECT owned FROM evidence")}
    stubs = snap.q("SELECT id, name, type, source_dataset, source_record FROM entities "
                   "WHERE id LIKE 'lei:%' ORDER BY id")
    assert {s[0] for s in stubs} == ends  # every end exists, exactly once
    assert len(stubs) == len({s[0] for s in stubs})
    for eid, name, etype, dataset, record in stubs:
        assert (name, etype) == ("", "company")
        assert dataset.startswith("gleif:")
        # provenance names a record that mentions this LEI
        assert eid.removeprefix("lei:") in record, (eid, record)
    # the exception subjects (the top of the numbering) are among them
    assert f"lei:{synth.make_lei(9)}" in {s[0] for s in stubs}


def test_a_level1_record_replaces_the_stub_in_its_own_source_and_across_sources(
        ingest: Callable[..., Snap], tmp_path: Path) -> None:
    f = _files(tmp_path, lei=4, rr=9, repex=4, entities=10)
    together = ingest(("gleif", [f["lei"], f["rr"], f["repex"]]))
    apart = ingest(("gleif", [f["rr"], f["repex"]]), ("gleif", [f["lei"]]))
    for snap in (together, apart):
        named = dict(snap.q("SELECT id, name FROM entities WHERE id LIKE 'lei:%'"))
        assert len(named) == 10
        for i in range(10):
            lei = f"lei:{synth.make_lei(i)}"
            assert (named[lei] != "") == (i < 4), (i, named[lei])


def test_the_same_inputs_give_the_same_snapshot_rows(
        ingest: Callable[..., Snap], tmp_path: Path) -> None:
    f = _files(tmp_path, lei=30, rr=40, repex=20, entities=30)
    runs = [ingest(("gleif", [f["rr"], f["lei"]]), ("gleif", [f["repex"]]))
            for _ in range(2)]
    for table in ("entities", "holdings", "evidence", "names", "identifiers"):
        a, b = (sorted(map(repr, s.q(f"SELECT * FROM {table}"))) for s in runs)
        assert a == b, table
        assert a, table
