"""Build one snapshot from any number of sources of any supported format.

::

    ingest_sources([SourceSpec("csv", [entities, holdings, names, identifiers]),
                    SourceSpec("gleif", [Path("golden-copy/")]),
                    SourceSpec("bods", [Path("bods.jsonl")])], out=Path("snap"))

Strict by default: any bad record raises :class:`~ringfence.exc.IngestError` naming
every problem, and nothing is published. With ``skip_bad`` the bad records go to a
rejects file (CSV: location, line, field, record, reason, raw) and the rest is
published. The snapshot writer works in a hidden folder beside ``out`` (the staging
files live inside it), so an interrupted ingest leaves nothing behind that the next run
does not clean.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ringfence.exc import IngestError, InputError, Problem
from ringfence.ingest.bods import read_bods
from ringfence.ingest.csv_contract import read_csv_contract
from ringfence.ingest.ftm import read_ftm
from ringfence.ingest.gleif import read_gleif
from ringfence.ingest.ids import MERGE_SCHEMES, classify_identifier
from ringfence.ingest.lists import read_lists
from ringfence.ingest.merge import merge_stage
from ringfence.ingest.stage import FileStats, ProgressHook, Stage
from ringfence.snapshot import Manifest, SnapshotWriter, SourceFile, file_sha256

__all__ = ["FORMATS", "IngestReport", "SourceReader", "SourceSpec", "ingest_sources",
           "parse_source"]

FORMATS = ("csv", "bods", "gleif", "ftm", "lists")


@dataclass
class SourceSpec:
    """One source: a format and its files (or directories).

    For ``csv`` the paths are, in order, ``entities.csv``, ``holdings.csv`` and
    optionally ``names.csv`` and ``identifiers.csv``; a single directory holding files
    with those names works too. For ``lists`` (designation lists, see
    :mod:`ringfence.ingest.lists`): ``list_format`` forces the format of every file,
    ``published`` dates the files whose format states no date, ``partial`` marks them as
    excerpts that never delist.
    """

    format: str
    paths: list[Path]
    list_format: str = ""
    published: dt.date | None = None
    partial: bool = False

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise InputError(f"unknown source format {self.format!r} "
                             f"(one of {', '.join(FORMATS)})")
        if not self.paths:
            raise InputError(f"source {self.format}: no files given")
        for p in self.paths:
            if not p.exists():
                raise InputError(f"source {self.format}: {p} does not exist")


SourceReader = Callable[[SourceSpec, Stage, ProgressHook | None], Iterator[FileStats] | None]
"""Reads a source into the stage in another way (on Spark: ``engines/spark_ingest.py``),
or returns ``None`` for the in-process reader to read it."""


def parse_source(text: str) -> SourceSpec:
    """``"gleif:path"``, ``"bods:a.json,b.jsonl"``, ``"csv:entities.csv,holdings.csv"``
    (or ``csv:DIR``) → :class:`SourceSpec`. Designation lists take options in
    brackets: ``"lists[format=csl,published=2025-06-25,partial]:consolidated.csv"``."""
    fmt, sep, rest = text.partition(":")
    if not sep or not rest:
        raise InputError(f"source {text!r}: expected FORMAT:PATH[,PATH...] "
                         f"(FORMAT one of {', '.join(FORMATS)})")
    fmt, _, opts = fmt.partition("[")
    spec = SourceSpec(fmt.strip().lower(), [Path(p) for p in rest.split(",") if p])
    for opt in (o.strip() for o in opts.rstrip("]").split(",") if o.strip()):
        name, _, value = opt.partition("=")
        if spec.format != "lists":
            raise InputError(f"source {text!r}: options are for lists sources only")
        if name == "partial" and not value:
            spec.partial = True
        elif name == "format" and value:
            spec.list_format = value
        elif name == "published" and value:
            try:
                spec.published = dt.date.fromisoformat(value)
            except ValueError:
                raise InputError(f"source {text!r}: published {value!r} is not an ISO "
                                 "date") from None
        else:
            raise InputError(f"source {text!r}: unknown option {opt!r} (format=, "
                             "published=, partial)")
    return spec


@dataclass
class IngestReport:
    manifest: Manifest
    files: list[FileStats]
    problems: list[Problem]
    problem_count: int
    rejects_path: Path | None
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    """Wall seconds per phase: ``read``, ``merge: <step>``, ``checksums``, ``publish``."""


def _csv_paths(spec: SourceSpec) -> tuple[Path, Path, Path | None, Path | None]:
    paths = spec.paths
    if len(paths) == 1 and paths[0].is_dir():
        d = paths[0]
        names, idents = d / "names.csv", d / "identifiers.csv"
        return (d / "entities.csv", d / "holdings.csv", names if names.exists() else None,
                idents if idents.exists() else None)
    if len(paths) < 2 or len(paths) > 4:
        raise InputError("csv source: give entities.csv,holdings.csv[,names.csv"
                         "[,identifiers.csv]] or a directory holding them")
    by_name = {p.name: p for p in paths}
    if "names.csv" in by_name or "identifiers.csv" in by_name:
        return (paths[0], paths[1], by_name.get("names.csv"), by_name.get("identifiers.csv"))
    return (paths[0], paths[1], paths[2] if len(paths) > 2 else None,
            paths[3] if len(paths) > 3 else None)


def _read_csv(spec: SourceSpec, stage: Stage) -> Iterator[FileStats]:
    ents, holds, names, idents = _csv_paths(spec)
    batch = read_csv_contract(ents, holds, names_path=names, identifiers_path=idents,
                              dataset=None)
    rejected: dict[str, int] = {}
    for p in batch.problems:
        rejected[p.location] = rejected.get(p.location, 0) + 1
        stage.problem(f"csv:{Path(p.location).name}" if p.location else "csv", p.reason,
                      line=p.line, field=p.field, record=p.record)
    cleaned: dict[str, list[dict[str, object]]] = {}
    for c in batch.cleaned:
        cleaned.setdefault(str(c["entity"]), []).append(c)
    for e in batch.entities:
        seq = stage.next_seq()
        for c in cleaned.get(e.id, ()):  # names the reader cleaned (Stage "cln" rows)
            stage.rows("cln").append((stage.src, seq, c["field"], c["original"], c["stored"],
                                      c["removed"], f"csv:{c['source_dataset']}",
                                      c["source_line"], e.id))
        stage.entity(rec=e.id, key=e.id, seq=seq, etype=str(e.type), name=e.name,
                     hq=e.hq_country, hq_rank=3 if e.hq_country else 0,
                     juris=e.jurisdiction, lists=";".join(e.lists),
                     dataset=f"csv:{ents.name}", line=e.source.line if e.source else None,
                     record=e.id)
        for n in e.names:
            stage.name(seq, n.value, lang=n.lang, script=n.script, kind=n.kind)
        for i in e.identifiers:
            scheme, value = i.scheme, i.value
            if scheme in MERGE_SCHEMES or scheme in ("xi-lei", "gb-coh"):
                scheme, value = classify_identifier(scheme, value, e.jurisdiction)
            stage.ident(seq, scheme, value)
        stage.ref(e.id, e.id)
    # all rows of one edge in one CSV are one record: same-kind rows add up (share
    # classes, tranches), as the CSV contract says
    edge_seq: dict[tuple[str, str, str], int] = {}
    for h in batch.holdings:
        k = (h.owner, h.owned, str(h.kind))
        if k not in edge_seq:
            edge_seq[k] = stage.next_seq()
        stage.holding(hrec=f"csv:{k[0]}|{k[1]}|{k[2]}", seq=edge_seq[k], owner=h.owner,
                      owned=h.owned, kind=h.kind, share=h.share, owner_mode="key",
                      owned_mode="key",
                      vfrom=h.valid_from.isoformat() if h.valid_from else "",
                      vto=h.valid_to.isoformat() if h.valid_to else "",
                      dataset=f"csv:{holds.name}", line=h.source.line,
                      note=h.source.note)
    for path, fmt in ((ents, "csv:entities"), (holds, "csv:holdings"), (names, "csv:names"),
                      (idents, "csv:identifiers")):
        if path is not None:
            yield FileStats(str(path), fmt, f"csv:{path.name}",
                            records=batch.counts.get(path.name, 0),
                            rejected=rejected.get(str(path), 0))


def _read(spec: SourceSpec, stage: Stage, progress: ProgressHook | None,
          workers: int | None = None) -> Iterator[FileStats]:
    if spec.format == "csv":
        return _read_csv(spec, stage)
    if spec.format == "bods":
        return read_bods(spec.paths, stage, progress=progress)
    if spec.format == "gleif":
        return read_gleif(spec.paths, stage, progress=progress, workers=workers)
    if spec.format == "lists":
        return read_lists(spec.paths, stage, fmt=spec.list_format, published=spec.published,
                          partial=spec.partial, progress=progress)
    return read_ftm(spec.paths, stage, progress=progress)


def write_rejects(path: Path, stage: Stage, extra: list[Problem]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["location", "line", "field", "record", "reason", "raw"])
        for r in stage.rejects:
            w.writerow([r["location"], r["line"] or "", r["field"] or "", r["record"] or "",
                        r["reason"], r["raw"]])
        for p in extra:
            w.writerow([p.location, p.line or "", p.field or "", p.record or "", p.reason,
                        ""])


def ingest_sources(
    sources: list[SourceSpec],
    *,
    out: Path,
    skip_bad: bool = False,
    rejects: Path | None = None,
    force: bool = False,
    progress: ProgressHook | None = None,
    notes: list[str] | None = None,
    memory_limit: str = "2GB",
    on_step: Callable[[str], None] | None = None,
    workers: int | None = None,
    reader: SourceReader | None = None,
) -> IngestReport:
    """Read every source, merge, check and publish one snapshot at ``out``.

    ``workers``: processes reading GLEIF XML (default: 2 for large inputs, see
    :func:`ringfence.ingest.parallel.worker_count`; 1 reads in this process).
    ``reader``: reads the sources it takes (returns their file stats) instead of the
    in-process readers; the merge, checks and publish are the same either way.

    ``on_step(name)`` is called as each phase after reading starts (the merge's steps,
    checksums, the final check and publish), for a progress display."""
    if not sources:
        raise InputError("no sources given")
    started = time.monotonic()
    timings: dict[str, float] = {}

    def phase(name: str) -> None:
        if on_step is not None:
            on_step(name)

    with SnapshotWriter(out, replace=force) as writer:
        work = writer.work / "_stage"
        stage = Stage(work / "tables")
        files: list[FileStats] = []
        for i, spec in enumerate(sources):
            stage.src = i
            got = reader(spec, stage, progress) if reader is not None else None
            files.extend(got if got is not None else _read(spec, stage, progress, workers))
        paths = stage.finish()
        timings["read"] = time.monotonic() - started
        if stage.problem_count and not skip_bad:
            raise IngestError(f"{stage.problem_count} bad record(s); nothing was published",
                              problems=_sorted(stage.problems))
        # the manifest's checksums of the input files (a golden copy is ~9 GB) are
        # computed on a thread while the merge runs: hashlib releases the GIL
        stop = threading.Event()
        hasher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ringfence-sha256")
        checksums = {f.path: hasher.submit(file_sha256, Path(f.path), stop=stop)
                     for f in files if Path(f.path).is_file()}
        hasher.shutdown(wait=False)
        try:
            result = merge_stage(paths, writer, work=work, skip_bad=skip_bad,
                                 memory_limit=memory_limit, parts=stage.parts,
                                 on_step=lambda name: phase(f"merge: {name}"))
            timings.update({f"merge: {k}": v for k, v in result.timings.items()})
            if result.problems and not skip_bad:
                raise IngestError(f"{len(result.problems)} problem(s) across records; nothing "
                                  "was published", problems=_sorted(result.problems))
            shutil.rmtree(work, ignore_errors=True)
            rejects_path = None
            all_problems = stage.problems + result.problems
            if all_problems:
                rejects_path = rejects or out.with_name(out.name + ".rejects.csv")
                write_rejects(rejects_path, stage, result.problems)
            phase("checksums")
            t = time.monotonic()
            for f in files:
                writer.add_source(SourceFile(path=f.path, format=f.format,
                                             sha256=checksums[f.path].result()
                                             if f.path in checksums else "",
                                             records=f.records, rejected=f.rejected,
                                             published=f.published))
            for note in [*(notes or []), *stage.notes[:200], *result.notes]:
                writer.add_note(note)
            if all_problems:
                left_out = stage.problem_count - stage.kept_count + result.rejected_rows
                kept = (f"; {stage.kept_count} record(s) kept with an unreadable field left "
                        "empty (e.g. an unrecognised country)" if stage.kept_count else "")
                writer.add_note(f"{left_out} bad record(s) left out (--skip-bad){kept}; see "
                                f"{rejects_path}")
        except BaseException:
            # any failure from here on (merge, rejects file, an interrupt) stops the
            # hashing thread, so a failed ingest does not wait for 9 GB to be hashed
            stop.set()
            raise
        timings["checksums"] = time.monotonic() - t
        phase("check and publish")
        t = time.monotonic()
        manifest = writer.publish()
        timings["check and publish"] = time.monotonic() - t
    return IngestReport(manifest=manifest, files=files, problems=all_problems,
                        problem_count=stage.problem_count + len(result.problems),
                        rejects_path=rejects_path, seconds=time.monotonic() - started,
                        counts=manifest.counts, timings=timings)


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.location, p.line or 0))
