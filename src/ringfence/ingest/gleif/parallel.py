"""GLEIF XML read by several processes at once (a golden copy is ~10 GB of XML).

Each XML file is cut into parts at record boundaries (an opening ``LEIRecord`` /
``RelationshipRecord`` / ``Exception`` tag found by a byte search near every
``PART_BYTES``); a worker process parses one part as a document of its own: the file's
head (XML declaration, root element with its namespaces, header) + the part's bytes +
the file's tail (closing tags). Every part writes its own staging files; the merge reads
them all. Order and line numbers are kept:

- ``seq`` (which version of a record is the latest, and which names belong to which
  entity) comes from a range reserved per part in file order, so parts compare as if
  read one after the other;
- a part counts its own newlines; the lines of part *k* are shifted by the newlines of
  the parts before it (in the merge, for staged rows, and here, for problems).

Compressed files (``.gz``, ``.zip``) and files smaller than a part are one part each,
still read in parallel with the others. API JSON and CSV files are read in the main
process while the workers run.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import multiprocessing as mp
import os
import queue
import re
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ringfence.ingest.gleif.records import Emitter
from ringfence.ingest.gleif.xml import parse_xml_stream
from ringfence.ingest.inputs import open_binary
from ringfence.ingest.stage import STAGE_SCHEMAS, FileStats, ProgressHook, Stage

__all__ = ["PARALLEL_MIN_BYTES", "PART_BYTES", "SEQ_SPAN", "PartResult", "XmlPart", "add_results",
           "finish_part", "plan_parts", "run_part", "worker_count"]

PARALLEL_MIN_BYTES = 64 << 20
"""Below this many bytes of GLEIF XML in one source, read in the main process."""
PART_BYTES = 192 << 20
"""Target size of one part of a split XML file."""
SEQ_SPAN = 1 << 36
"""Sequence numbers reserved per part (far more than rows a part can stage)."""

_RECORD_TAG = {"LEIData": b"LEIRecord", "RelationshipData": b"RelationshipRecord",
               "ReportingExceptionData": b"Exception"}
_WINDOW = 4 << 20


def worker_count(total_xml_bytes: int) -> int:
    """How many processes read GLEIF XML by default: 2 (at most the CPU count) for inputs
    of at least :data:`PARALLEL_MIN_BYTES`, else 1. (The CLI's
    ``RINGFENCE_INGEST_WORKERS`` is read at the entry point and passed as ``workers``.)"""
    if total_xml_bytes < PARALLEL_MIN_BYTES:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


@dataclass
class XmlPart:
    """One unit of work: a whole file, or a byte range of one with head and tail."""

    index: int
    path: str
    kind: str  # root element name (a key of gleif.XML_KINDS)
    dataset: str
    src: int
    seq_base: int
    work: str
    segments: list[tuple[int, int]] | None = None  # None: the whole (maybe compressed) file
    last: bool = True
    file_index: int = 0


@dataclass
class PartResult:
    index: int
    records: int = 0
    rejected: int = 0
    newlines: int = 0  # in the part's own bytes (not head or tail)
    size: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[tuple[str, int | None, str | None, str | None, str]] = field(
        default_factory=list)
    problem_count: int = 0
    notes: list[str] = field(default_factory=list)
    whole: bool = False
    """The part cannot be read apart from the rest of its file (a BODS 0.3 statement that
    replaces another: the chain is followed across the file); nothing of it is used."""


def plan_parts(path: Path, kind: str, part_bytes: int) -> list[list[tuple[int, int]]] | None:
    """Byte segments ``[head, part, tail]`` of each part of an uncompressed XML file, or
    ``None`` when the file is not split (small, compressed, or no record boundaries)."""
    name = path.name.lower()
    if name.endswith((".gz", ".zip")):
        return None
    size = path.stat().st_size
    if size < 2 * part_bytes:
        return None
    local = _RECORD_TAG[kind]
    with path.open("rb") as fh:
        head = fh.read(_WINDOW)
        m = re.search(rb"<([A-Za-z_][\w.\-]*:)?" + local + rb"[\s>/]", head)
        if m is None:
            return None
        prefix = m.group(1) or b""
        open_tag = re.compile(rb"<" + re.escape(prefix) + local + rb"[\s>/]")
        first = m.start()
        fh.seek(max(0, size - _WINDOW))
        tail_win = fh.read()
        ends = list(re.finditer(rb"</" + re.escape(prefix) + local + rb"\s*>", tail_win))
        if not ends:
            return None
        tail = max(0, size - _WINDOW) + ends[-1].end()
        bounds = [first]
        off = first + part_bytes
        while off < tail - part_bytes // 2:
            fh.seek(off)
            found = open_tag.search(fh.read(_WINDOW))
            if found is None:
                return None
            b = off + found.start()
            if b >= tail:
                break
            bounds.append(b)
            off = b + part_bytes
    bounds.append(tail)
    if len(bounds) < 3:
        return None
    return [[(0, first), (a, b), (tail, size)] for a, b in itertools.pairwise(bounds)]


class _Segments(io.RawIOBase):
    """Several byte ranges of one file read as one stream; counts the newlines of the
    middle range (the part's own bytes)."""

    def __init__(self, path: Path, segments: list[tuple[int, int]]) -> None:
        self.fh = path.open("rb")
        self.segments = segments
        self.i = 0
        self.pos = segments[0][0]
        self.newlines = 0
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while self.i < len(self.segments):
            start, end = self.segments[self.i]
            if self.pos < start:
                self.pos = start
            if self.pos >= end:
                self.i += 1
                continue
            n = min(len(b), end - self.pos)
            self.fh.seek(self.pos)
            data = self.fh.read(n)
            if not data:
                self.i += 1
                continue
            b[:len(data)] = data
            self.pos += len(data)
            self.done += len(data)
            if self.i == 1:
                self.newlines += data.count(b"\n")
            return len(data)
        return 0

    def middle_done(self) -> bool:
        return self.i >= 2

    def close(self) -> None:
        self.fh.close()
        super().close()


_QUEUE: Any = None


def _init(q: Any) -> None:
    global _QUEUE
    _QUEUE = q
    with contextlib.suppress(Exception):  # die with the parent (Linux): no orphan writers
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def run_part(part: XmlPart) -> PartResult:
    """Parse one part into its own staging folder (runs in a worker process)."""

    work = Path(part.work)
    stage = Stage(work)
    stage.src = part.src
    stage.seq = part.seq_base
    em = Emitter(stage, part.dataset)
    stats = FileStats(part.path, "", part.dataset)
    res = PartResult(part.index)
    last_sent = [0.0]

    def progress_of(done: Any) -> Any:
        def hook(records: int) -> None:
            now = time.monotonic()
            if _QUEUE is not None and now - last_sent[0] > 0.5:
                last_sent[0] = now
                _QUEUE.put((part.index, done(), records))
        return hook

    path = Path(part.path)
    if part.segments is None:
        with open_binary(path) as (fh, counter, size):
            res.size = size
            parse_xml_stream(fh, part.kind, em, stats, progress_of(lambda: counter.count))
    else:
        seg = _Segments(path, part.segments)
        res.size = part.segments[1][1] - part.segments[1][0]
        head_lines = _count_newlines(path, part.segments[0])
        middle = part.segments[1]

        def ignore(line: int | None) -> bool:
            # an error in the closing tags: the last part reports it, once
            return (not part.last and line is not None and seg.middle_done()
                    and line > head_lines + seg.newlines)

        try:
            parse_xml_stream(io.BufferedReader(seg, 1 << 20), part.kind, em, stats,
                             progress_of(lambda: max(0, seg.pos - middle[0])),
                             ignore_error=ignore)
        finally:
            seg.close()
        # newlines of the whole part, whether or not parsing stopped early
        res.newlines = _count_newlines(path, middle)
    finish_part(stage, stats, res)
    if _QUEUE is not None:
        _QUEUE.put((part.index, res.size, res.records))
    return res


def finish_part(stage: Stage, stats: FileStats, res: PartResult) -> None:
    """Close a part's staging files and copy what it read into ``res``."""
    stage.finish()
    res.records, res.rejected = stats.records, stats.rejected
    res.counts = dict(stage.counts)
    res.problems = [(p.reason, p.line, p.field, p.record, r["raw"])
                    for p, r in zip(stage.problems, stage.rejects, strict=True)]
    res.problem_count = stage.problem_count
    res.notes = stage.notes


def _count_newlines(path: Path, seg: tuple[int, int]) -> int:
    n = 0
    with path.open("rb") as fh:
        fh.seek(seg[0])
        left = seg[1] - seg[0]
        while left > 0:
            block = fh.read(min(left, 16 << 20))
            if not block:
                break
            n += block.count(b"\n")
            left -= len(block)
    return n


def run_parts(parts: list[XmlPart], stage: Stage, stats: list[FileStats], *,
              workers: int, progress: ProgressHook | None,
              in_main: Any = None) -> None:
    """Run ``parts`` on ``workers`` processes, call ``in_main()`` meanwhile, then add
    every part's staging files, problems and counts to ``stage`` and ``stats`` (indexed
    by ``XmlPart.file_index``)."""
    # fork: "spawn" and "forkserver" re-import the caller's __main__ in every worker,
    # which re-runs a script that has no ``if __name__ == "__main__"`` guard. The parent
    # has no DuckDB work in flight here, and Arrow re-creates its thread pools after a
    # fork; the workers use only lxml and pyarrow.
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    done: dict[int, tuple[int, int]] = {}
    results: dict[int, PartResult] = {}
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init,
                             initargs=(q,)) as pool:
        # largest first: the two workers finish at about the same time
        order = sorted(parts, key=lambda p: -(p.segments[1][1] - p.segments[1][0]
                                              if p.segments else _size(p.path)))
        futures: list[Future[PartResult]] = [pool.submit(run_part, p) for p in order]
        if in_main is not None:
            in_main()
        while not all(f.done() for f in futures):
            _drain(q, done, parts, progress, timeout=0.5)
        for f in futures:
            r = f.result()
            results[r.index] = r
        _drain(q, done, parts, progress, timeout=0)
    add_results(parts, results, stage, stats,
                staged=lambda p, table: Path(p.work) / f"{table}.parquet")
    if progress is not None:
        for p in parts:
            r = results[p.index]
            progress(p.dataset, r.size, r.records)


def add_results(parts: list[XmlPart], results: dict[int, PartResult], stage: Stage,
                stats: list[FileStats], *, staged: Callable[[XmlPart, str], Path]) -> None:
    """Add what every part read (``results`` by part index) to ``stage`` and ``stats``:
    the staging files (``staged(part, table)``: a file, or a glob DuckDB reads) with the
    line offset of the part in its file, problems with file line numbers, counts, notes.
    Shared by the worker processes here and by the Spark reader."""
    # line offsets: a part's lines count from its own first byte
    offset: dict[int, int] = {}
    running: dict[str, int] = {}
    for p in sorted(parts, key=lambda p: p.index):
        offset[p.index] = running.get(p.path, 0)
        running[p.path] = offset[p.index] + results[p.index].newlines
    for p in sorted(parts, key=lambda p: p.index):
        r = results[p.index]
        off = offset[p.index]
        for table in STAGE_SCHEMAS:
            path = staged(p, table)
            if r.counts.get(table):
                lined = table in ("ent", "hold", "cln")  # tables with a line column
                stage.add_part(table, path, r.counts[table], off if lined else 0)
        for reason, line, fld, record, raw in r.problems:
            if off and line is not None and reason.startswith("malformed XML"):
                # lxml's message names the line of the part too
                reason = reason.replace(f"line {line},", f"line {line + off},")
            stage.problem(p.dataset, reason, line=None if line is None else line + off,
                          field=fld, record=record, raw=raw)
        stage.problem_count += r.problem_count - len(r.problems)
        stage.notes.extend(r.notes)
        st = stats[p.file_index]
        st.records += r.records
        st.rejected += r.rejected


def _size(path: str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0


def _drain(q: Any, done: dict[int, tuple[int, int]], parts: list[XmlPart],
           progress: ProgressHook | None, *, timeout: float) -> None:
    try:
        item = q.get(timeout=timeout) if timeout else q.get_nowait()
    except queue.Empty:
        return
    while True:
        index, nbytes, records = item
        done[index] = (nbytes, records)
        try:
            item = q.get_nowait()
        except queue.Empty:
            break
    if progress is None:
        return
    by_ds: dict[str, list[int]] = {}
    for p in parts:
        b, r = done.get(p.index, (0, 0))
        agg = by_ds.setdefault(p.dataset, [0, 0])
        agg[0] += b
        agg[1] += r
    for ds, (b, r) in by_ds.items():
        progress(ds, b, r)
