"""Ingest on Spark (``engines/spark_ingest.py``) against the in-process readers: the same
bundled samples give the same snapshot, table for table (rows sorted), and the same
verdicts; bad records are the same problems, named by file, line, record and field, and
a strict run publishes nothing. GLEIF XML is cut into parts of a few KB here, so that
every sample file is read by several Spark tasks (record boundaries, ``seq`` ranges and
line numbers across parts are what is tested)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from ringfence.engines.local import LocalEngine
from ringfence.exc import IngestError
from ringfence.ingest.default import data_dir, default_sources
from ringfence.ingest.pipeline import SourceSpec, ingest_sources
from ringfence.policy import load_policy
from ringfence.snapshot import open_snapshot

pytestmark = [pytest.mark.spark, pytest.mark.slow]

SHARED = Path(__file__).parents[2].parent / "shared" / "data"
PART_BYTES = 4096  # every bundled GLEIF XML file is cut into several parts
TABLES = ("entities", "holdings", "names", "identifiers", "evidence", "conflicts")


def _reader(spark_engine: Any) -> Any:
    from ringfence.engines.spark_ingest import SparkSourceReader

    return SparkSourceReader(session=spark_engine.spark, part_bytes=PART_BYTES)


def _rows(path: Path) -> list[tuple[Any, ...]]:
    table = pq.read_table(path)
    return sorted(zip(*(table.column(c).to_pylist() for c in table.column_names),
                      strict=True), key=repr)


def _both(spark_engine: Any, tmp_path: Path, sources: list[SourceSpec]) -> tuple[Path, Path]:
    local, spark = tmp_path / "local", tmp_path / "spark"
    ingest_sources(sources, out=local, workers=1)
    ingest_sources(sources, out=spark, reader=_reader(spark_engine))
    return local, spark


def _assert_same_snapshot(local: Path, spark: Path) -> None:
    a, b = open_snapshot(local), open_snapshot(spark)
    assert a.manifest.counts == b.manifest.counts
    for name in TABLES:
        fa, fb = local / f"{name}.parquet", spark / f"{name}.parquet"
        assert fa.exists() == fb.exists(), name
        if fa.exists():
            assert pq.read_schema(fa) == pq.read_schema(fb), name
            assert _rows(fa) == _rows(fb), name


def _shared_sources() -> list[SourceSpec]:
    sources = [SourceSpec("gleif", [SHARED / "gleif"])]
    sources += [SourceSpec("bods", [SHARED / "bods" / d]) for d in
                ("0.3-examples-fictional", "0.4-examples-fictional")]
    return sources


def test_the_default_dataset_gives_the_same_snapshot_and_verdicts(spark_engine: Any,
                                                                  tmp_path: Path) -> None:
    """CSV, GLEIF (XML in parts, API JSON on the driver), BODS and the lists together:
    GLEIF and BODS are read on Spark, the rest in process, then one merge."""
    local, spark = _both(spark_engine, tmp_path, default_sources())
    _assert_same_snapshot(local, spark)
    policy = load_policy("provider-terms")
    day = dt.date(2026, 12, 1)
    got = {v.entity: (v.verdict, v.lower, v.upper)
           for v in LocalEngine().evaluate(open_snapshot(spark), policy, day).items()}
    want = {v.entity: (v.verdict, v.lower, v.upper)
            for v in LocalEngine().evaluate(open_snapshot(local), policy, day).items()}
    assert got == want
    assert len({v for v, _, _ in got.values()}) == 3  # restricted, uncertain and clear


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"no shared sample data at {SHARED}")
def test_the_shared_samples_give_the_same_snapshot(spark_engine: Any, tmp_path: Path
                                                   ) -> None:
    """The shared GLEIF files and the fictional BODS 0.3 and 0.4 examples (replacement
    chains, closed records, indirect interests), with their bad records left out."""
    local, spark = tmp_path / "local", tmp_path / "spark"
    rej_l, rej_s = tmp_path / "local.csv", tmp_path / "spark.csv"
    ingest_sources(_shared_sources(), out=local, workers=1, skip_bad=True, rejects=rej_l)
    ingest_sources(_shared_sources(), out=spark, reader=_reader(spark_engine),
                   skip_bad=True, rejects=rej_s)
    _assert_same_snapshot(local, spark)
    assert rej_l.exists() == rej_s.exists()
    if rej_l.exists():
        assert sorted(rej_l.read_text().splitlines()) == sorted(rej_s.read_text().splitlines())


def test_bad_records_are_the_same_problems_and_nothing_is_published(spark_engine: Any,
                                                                     tmp_path: Path) -> None:
    gleif = data_dir() / "gleif" / "golden-copy-xml"
    repex = tmp_path / "in" / "repex.xml"
    repex.parent.mkdir()
    text = (gleif / "repex-data.xml").read_text()
    head, _, tail = text.replace("NO_KNOWN_PERSON", "MADE_UP_REASON", 1).rpartition(
        "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT")
    repex.write_text(head + "SIDEWAYS_PARENT" + tail)
    truncated = tmp_path / "in" / "lei.xml"  # breaks off inside a record of a later part
    truncated.write_text((gleif / "lei-data.xml").read_text()[:30_000])
    sources = [SourceSpec("gleif", [tmp_path / "in"])]
    errors = []
    for out, kw in ((tmp_path / "local", {"workers": 1}),
                    (tmp_path / "spark", {"reader": _reader(spark_engine)})):
        with pytest.raises(IngestError) as err:
            ingest_sources(sources, out=out, **kw)
        assert not out.exists()
        errors.append(sorted((p.location, p.line, p.field, p.record, p.reason)
                             for p in err.value.problems))
    assert errors[0] == errors[1]
    assert {p[2] for p in errors[1]} >= {"ExceptionReason", "ExceptionCategory"}
    assert any("malformed XML" in p[4] and p[1] for p in errors[1])
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".ringfence")] == []


def test_bods_json_lines_cut_in_parts_give_the_same_snapshot(spark_engine: Any,
                                                             tmp_path: Path) -> None:
    """A BODS 0.4 JSON Lines file is cut at newlines into parts (line numbers of bad
    lines kept); a file whose parts hold a 0.3 statement replacing another is read again
    whole (the chain runs across the file), so both give the in-process snapshot."""
    from ringfence.engines.spark_ingest import SparkSourceReader, bods_parts
    from ringfence.ingest import synth

    folder = tmp_path / "in"
    folder.mkdir()
    synth.write_bods(tmp_path / "synth.jsonl", 300)
    lines = (tmp_path / "synth.jsonl").read_text().splitlines()
    lines[101] = '{"recordId": "broken", '                       # malformed line
    lines[350] = lines[350].replace('"entity"', '"organisation"')  # unknown record type
    (folder / "big.jsonl").write_text("\n".join(lines) + "\n")
    chain = json.loads((SHARED / "bods" / "0.3-examples-fictional" / "2-single-update.json")
                       .read_text()) if SHARED.is_dir() else []
    mixed = lines[:150] + [json.dumps(st) for st in chain] + lines[150:300]
    (folder / "mixed.jsonl").write_text("\n".join(mixed) + "\n")
    part_bytes = 32 << 10
    assert len(bods_parts(folder / "big.jsonl", part_bytes) or []) >= 4
    assert len(bods_parts(folder / "mixed.jsonl", part_bytes) or []) >= 4
    sources = [SourceSpec("bods", [folder])]
    local, spark = tmp_path / "local", tmp_path / "spark"
    ingest_sources(sources, out=local, workers=1, skip_bad=True,
                   rejects=tmp_path / "local.csv")
    reader = SparkSourceReader(session=spark_engine.spark, part_bytes=part_bytes)
    ingest_sources(sources, out=spark, reader=reader, skip_bad=True,
                   rejects=tmp_path / "spark.csv")
    _assert_same_snapshot(local, spark)
    rejects = (tmp_path / "spark.csv").read_text()
    assert sorted(rejects.splitlines()) == sorted((tmp_path / "local.csv").read_text()
                                                  .splitlines())
    assert "bods:in/big.jsonl,102," in rejects and "bods:in/big.jsonl,351," in rejects
