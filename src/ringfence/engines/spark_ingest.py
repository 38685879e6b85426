"""GLEIF and BODS read on Spark into the staging tables the in-process readers write; the
same merge, checks and atomic publish follow (issue 19 item 3, docs/spark.md "Ingest").

What runs where:

- **driver**: finds the files, sniffs them and cuts every uncompressed GLEIF XML file into
  parts at record boundaries (``LEIRecord`` / ``RelationshipRecord`` / ``Exception``: the
  byte search of :func:`ringfence.ingest.gleif.parallel.plan_parts`), each part with a
  ``seq`` range reserved in file order; every BODS file is one part. GLEIF API JSON and
  golden-copy CSV files are read on the driver (streamed) while nothing else runs.
- **executors**: one Spark task per part runs the in-process reader on it
  (:func:`~ringfence.ingest.gleif.parallel.run_part` for a GLEIF XML part: the file's
  head, the part's bytes, the file's closing tags parsed as one document;
  :func:`~ringfence.ingest.bods.read_bods` for a BODS file), so every record is mapped by
  the same per-record code. The staged rows come back as Arrow batches of one wide schema
  (every staging table's columns) and Spark writes them as Parquet partitioned by table
  and part (``t=hold/p=3/part-*.parquet``), with one row per part of what it read
  (records, rejects, problems with record and field, newlines for line numbers).
- **driver**: the parts are added to the stage as the worker processes' parts are
  (:func:`~ringfence.ingest.gleif.parallel.add_results`: line numbers shifted by the
  newlines of the parts before, problems kept), and the one merge
  (:mod:`ringfence.ingest.merge`, DuckDB with a memory limit, spilling to disk) and the
  one publish write the snapshot. The merge is not written a second time for Spark: its
  rules (versions, identity, reporting exceptions, same-edge ranges, checks) live once.

The Spark output goes to the snapshot writer's hidden work folder (removed with it); on a
cluster, that folder (``--out``'s parent) must be a filesystem the executors and the
driver share, or give ``stage_dir``.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from ringfence.engines.spark_jobs import spark_session
from ringfence.exc import IntegrityError
from ringfence.ingest.bods import BODS_SUFFIXES, read_bods
from ringfence.ingest.gleif.parallel import (
    PART_BYTES,
    SEQ_SPAN,
    PartResult,
    XmlPart,
    add_results,
    finish_part,
    run_part,
)
from ringfence.ingest.gleif.reader import GLEIF_SUFFIXES, plan_sources, sniff_files
from ringfence.ingest.inputs import expand_paths
from ringfence.ingest.stage import STAGE_SCHEMAS, FileStats, ProgressHook, Stage

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from ringfence.ingest.pipeline import SourceSpec

__all__ = ["SPARK_FORMATS", "WIDE_SCHEMA", "SparkSourceReader"]

SPARK_FORMATS = ("gleif", "bods")
"""Source formats read on Spark; the others (CSV contract, FtM, lists) are read in process."""


def _wide_schema() -> pa.Schema:
    fields: dict[str, pa.Field] = {}
    for schema in STAGE_SCHEMAS.values():
        for f in schema:
            if fields.setdefault(f.name, f).type != f.type:
                raise TypeError(f"staging column {f.name} has two types")
    return pa.schema([*fields.values(), pa.field("meta", pa.string()),
                      pa.field("t", pa.string()), pa.field("p", pa.int32())])


WIDE_SCHEMA = _wide_schema()
"""Every staging table's columns (one name, one type), ``meta`` (a part's
:class:`PartResult` as JSON), ``t`` (the table, or ``meta``) and ``p`` (the part)."""

_SPARK_TYPES = {pa.string(): "string", pa.int64(): "bigint", pa.int32(): "int",
                pa.int8(): "tinyint", pa.bool_(): "boolean"}


def _ddl(schema: pa.Schema) -> str:
    return ", ".join(f"{f.name} {_SPARK_TYPES[f.type]}" for f in schema)


def _widen(batch: pa.RecordBatch, table: str, part: int) -> pa.RecordBatch:
    n = batch.num_rows
    cols = []
    for f in WIDE_SCHEMA:
        if f.name == "t":
            cols.append(pa.array([table] * n, pa.string()))
        elif f.name == "p":
            cols.append(pa.array([part] * n, pa.int32()))
        elif f.name in batch.schema.names:
            cols.append(batch.column(f.name).cast(f.type))
        else:
            cols.append(pa.nulls(n, f.type))
    return pa.RecordBatch.from_arrays(cols, schema=WIDE_SCHEMA)


def bods_parts(path: Path, part_bytes: int) -> list[list[tuple[int, int]]] | None:
    """Byte segments ``[empty, part, empty]`` of a BODS 0.4 JSON Lines file cut after
    newlines every ``part_bytes``, or ``None`` when the file is read whole (compressed,
    small, a JSON array, or BODS 0.3, whose replacement chains run across the file)."""
    if path.name.lower().endswith((".gz", ".zip")):
        return None
    size = path.stat().st_size
    if size < 2 * part_bytes:
        return None
    with path.open("rb") as fh:
        try:
            first = json.loads(fh.readline(1 << 24))
        except ValueError:
            return None
        if not isinstance(first, dict) or "recordType" not in first:
            return None
        bounds = [0]
        off = part_bytes
        while off < size - part_bytes // 2:
            fh.seek(off)
            fh.readline()  # to the end of the line ``off`` falls in
            if fh.tell() >= size:
                break
            bounds.append(fh.tell())
            off = bounds[-1] + part_bytes
    bounds.append(size)
    return [[(a, a), (a, b), (b, b)] for a, b in itertools.pairwise(bounds)]


def _copy_part(part: XmlPart, dest: Path) -> tuple[int, bool]:
    """The part's bytes copied to ``dest``: (newlines, whether a statement replaces
    another: a BODS 0.3 chain the part cannot follow alone)."""
    start, end = part.segments[1] if part.segments else (0, 0)
    newlines, replaces, tail = 0, False, b""
    with open(part.path, "rb") as src, dest.open("wb") as out:
        src.seek(start)
        left = end - start
        while left > 0:
            block = src.read(min(left, 16 << 20))
            if not block:
                break
            left -= len(block)
            newlines += block.count(b"\n")
            replaces = replaces or b'"replacesStatements"' in tail + block
            tail = block[-32:]
            out.write(block)
    return newlines, replaces


def _read_bods_part(part: XmlPart) -> PartResult:
    """A BODS file, or a part of a 0.4 JSON Lines file, read by the in-process reader
    with its source's label and ``seq``."""
    stage = Stage(Path(part.work) / "stage")
    stage.src = part.src
    stage.seq = part.seq_base
    path, res = Path(part.path), PartResult(part.index)
    if part.segments is not None:
        path = Path(part.work) / "part.jsonl"
        res.newlines, res.whole = _copy_part(part, path)
    stats = FileStats(part.path, "bods", part.dataset)
    if not res.whole:
        for got in read_bods([path], stage, lines=part.segments is not None,
                             files=[(path, part.dataset.removeprefix("bods:"))]):
            stats.records += got.records
            stats.rejected += got.rejected
    finish_part(stage, stats, res)
    return res


def read_part(spec: str) -> Iterator[pa.RecordBatch]:
    """Read one part (an :class:`XmlPart` as JSON; ``kind`` ``bods`` for a BODS file) in
    a temporary folder and yield its staged rows, then one ``meta`` row."""
    part = XmlPart(**json.loads(spec))
    with tempfile.TemporaryDirectory(prefix="ringfence-part-") as tmp:
        part.work = tmp
        res = _read_bods_part(part) if part.kind == "bods" else run_part(part)
        staged = Path(tmp) / "stage" if part.kind == "bods" else Path(tmp)
        for table in STAGE_SCHEMAS:
            if res.counts.get(table) and not res.whole:
                for batch in pq.ParquetFile(staged / f"{table}.parquet").iter_batches(
                        batch_size=65_536):
                    yield _widen(batch, table, part.index)
    meta = pa.RecordBatch.from_pydict({"meta": [json.dumps(dataclasses.asdict(res))]})
    yield _widen(meta, "meta", part.index)


def _read_parts(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The Spark task: every part named in its input rows (``mapInArrow``)."""
    for batch in batches:
        for spec in batch.column(0).to_pylist():
            yield from read_part(spec)


class SparkSourceReader:
    """A :data:`~ringfence.ingest.pipeline.SourceReader` that reads GLEIF and BODS
    sources on Spark (``ingest_sources(..., reader=SparkSourceReader())``).

    ``master`` / ``conf``: as the Spark engine's (``local[*]`` by default); ``part_bytes``:
    the size GLEIF XML files are cut into (one Spark task each); ``stage_dir``: where the
    executors write the staged rows (default: the snapshot writer's work folder)."""

    def __init__(self, *, master: str | None = None, conf: Mapping[str, str] | None = None,
                 session: SparkSession | None = None, part_bytes: int = PART_BYTES,
                 stage_dir: Path | None = None) -> None:
        self.spark = session if session is not None else spark_session(master, conf)
        self.part_bytes = part_bytes
        self.stage_dir = stage_dir

    def __call__(self, spec: SourceSpec, stage: Stage, progress: ProgressHook | None
                 ) -> list[FileStats] | None:
        if spec.format == "gleif":
            files = expand_paths(spec.paths, GLEIF_SUFFIXES)
            kinds, _ = sniff_files(files)
            plan = plan_sources(files, kinds, stage, stage.work.parent / "parts",
                                part_bytes=self.part_bytes)
            plan.read_rest(stage, progress)
            parts, stats = plan.parts, plan.stats
        elif spec.format == "bods":
            parts, stats = [], []
            for i, (path, label) in enumerate(expand_paths(spec.paths, BODS_SUFFIXES)):
                stats.append(FileStats(str(path), "bods", f"bods:{label}"))
                try:
                    cuts = bods_parts(path, self.part_bytes)
                except OSError:
                    cuts = None  # the reader names the file it cannot read
                whole: list[list[tuple[int, int]] | None] = [None]
                for segments in cuts or whole:
                    parts.append(XmlPart(index=len(parts), path=str(path), kind="bods",
                                         dataset=f"bods:{label}", src=stage.src,
                                         seq_base=stage.seq, work="", segments=segments,
                                         file_index=i))
                    stage.seq += SEQ_SPAN
        else:
            return None
        base = self.stage_dir or stage.work.parent / "spark"
        while parts:
            root = base / f"s{stage.src}-{uuid.uuid4().hex[:8]}"
            results = self._run(parts, root)
            # a file with a part that cannot be read alone is read again, whole
            again = {p.file_index for p in parts if results[p.index].whole}
            done = [p for p in parts if p.file_index not in again]
            add_results(done, results, stage, stats, staged=_staged(root))
            if progress is not None:
                for p in done:
                    progress(p.dataset, 0, results[p.index].records)
            parts = [dataclasses.replace(p, segments=None, index=p.file_index)
                     for p in parts if p.file_index in again and p.segments
                     and p.segments[1][0] == 0]
        return stats

    def _run(self, parts: list[XmlPart], root: Path) -> dict[int, PartResult]:
        # largest first, one part per Spark partition (one task each)
        order = sorted(parts, key=lambda p: -(p.segments[1][1] - p.segments[1][0]
                                              if p.segments else _size(p.path)))
        specs = [(json.dumps(dataclasses.asdict(p)),) for p in order]
        rdd = self.spark.sparkContext.parallelize(specs, numSlices=len(specs))
        frame = self.spark.createDataFrame(rdd, "spec string")
        staged = frame.mapInArrow(_read_parts, _ddl(WIDE_SCHEMA))
        try:
            staged.write.partitionBy("t", "p").mode("errorifexists").parquet(root.as_posix())
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        metas = pq.read_table(root / "t=meta", columns=["meta"]).column("meta").to_pylist()
        results: dict[int, PartResult] = {}
        for text in metas:
            res = PartResult(**json.loads(text))
            res.problems = [(r, line, fld, rec, raw) for r, line, fld, rec, raw in res.problems]
            results[res.index] = res
        missing = [p.index for p in parts if p.index not in results]
        if missing:  # a task that died without its meta row: never merge half a source
            raise IntegrityError(f"Spark ingest: parts {missing} of {root} returned no "
                                 "result; nothing was published")
        return results


def _staged(root: Path) -> Callable[[XmlPart, str], Path]:
    """Where Spark wrote table ``t`` of part ``p`` (a glob DuckDB reads)."""
    return lambda p, t: root / f"t={t}" / f"p={p.index}" / "*.parquet"


def _size(path: str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0
