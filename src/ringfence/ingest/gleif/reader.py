"""The GLEIF entry point: sniff each file's format and read it (XML in parallel parts
when large)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ringfence.ingest.gleif import parallel
from ringfence.ingest.gleif.api import read_api_json
from ringfence.ingest.gleif.golden_csv import read_csv
from ringfence.ingest.gleif.records import Emitter
from ringfence.ingest.gleif.xml import XML_KINDS, read_xml, xml_root
from ringfence.ingest.inputs import expand_paths, peek
from ringfence.ingest.stage import (
    FileStats,
    ProgressHook,
    Stage,
)

__all__ = [
    "read_gleif",
    "sniff",
]


# -- entry point ----------------------------------------------------------------------------

def sniff(path: Path) -> str:
    """``xml:<root>``, ``json``, ``csv`` or ``""`` for a GLEIF file."""
    head = peek(path).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        root = xml_root(head)
        return f"xml:{root}" if root else ""
    if head.startswith((b"{", b"[")):
        return "json"
    if head:
        return "csv"
    return ""


def read_gleif(paths: list[Path], stage: Stage, *, progress: ProgressHook | None = None,
               workers: int | None = None) -> Iterator[FileStats]:
    """Read GLEIF files (any mix of the formats above; directories are searched).

    XML is read by ``workers`` processes (default: :func:`parallel.worker_count`, 2 for
    large inputs on a machine with 2+ CPUs); see :mod:`ringfence.ingest.gleif.parallel`."""
    files = expand_paths(paths, (".xml", ".json", ".csv", ".zip", ".gz"))
    kinds: list[str] = []
    xml_bytes = 0
    for path, _label in files:
        try:
            kinds.append(sniff(path))
        except OSError:
            kinds.append("")
            continue
        if kinds[-1].startswith("xml:"):
            xml_bytes += path.stat().st_size
    n = workers if workers is not None else parallel.worker_count(xml_bytes)
    if n > 1 and xml_bytes:
        yield from _read_parallel(files, kinds, stage, progress, n)
        return
    for (path, label), kind in zip(files, kinds, strict=True):
        yield _read_one(path, label, kind, stage, progress)


def _read_parallel(files: list[tuple[Path, str]], kinds: list[str], stage: Stage,
                   progress: ProgressHook | None, workers: int) -> Iterator[FileStats]:
    all_stats: list[FileStats] = []
    parts: list[parallel.XmlPart] = []
    in_main: list[tuple[int, Path, str, str, int]] = []
    parts_dir = stage.work.parent / "parts"
    for i, ((path, label), kind) in enumerate(zip(files, kinds, strict=True)):
        dataset = f"gleif:{label}"
        if not kind.startswith("xml:"):
            all_stats.append(FileStats(str(path), "gleif", dataset))
            in_main.append((i, path, label, kind, stage.seq))
            stage.seq += parallel.SEQ_SPAN
            continue
        root = kind[4:]
        all_stats.append(FileStats(str(path), f"gleif-{XML_KINDS[root][2]}-xml", dataset))
        try:
            plan = parallel.plan_parts(path, root, parallel.PART_BYTES)
        except OSError:
            plan = None
        plan_or_whole: list[list[tuple[int, int]] | None] = list(plan) if plan else [None]
        for segments in plan_or_whole:
            index = len(parts)
            parts.append(parallel.XmlPart(
                index=index, path=str(path), kind=root, dataset=dataset, src=stage.src,
                seq_base=stage.seq, work=str(parts_dir / f"p{stage.src}-{index}"),
                segments=segments, last=plan is None or segments is plan[-1],
                file_index=i))
            stage.seq += parallel.SEQ_SPAN

    def main_files() -> None:
        saved = stage.seq
        for i, path, label, kind, base in in_main:
            stage.seq = base
            got = _read_one(path, label, kind, stage, progress)
            got.records += all_stats[i].records
            all_stats[i] = got
        stage.seq = saved

    parallel.run_parts(parts, stage, all_stats, workers=workers, progress=progress,
                       in_main=main_files)
    yield from all_stats


def _read_one(path: Path, label: str, kind: str, stage: Stage,
              progress: ProgressHook | None) -> FileStats:
    dataset = f"gleif:{label}"
    stats = FileStats(str(path), "gleif", dataset)
    em = Emitter(stage, dataset)
    try:
        if not kind:
            kind = sniff(path)
        if kind.startswith("xml:"):
            stats.format = f"gleif-{XML_KINDS[kind[4:]][2]}-xml"
            read_xml(path, kind[4:], em, stats, progress)
        elif kind == "json":
            stats.format = "gleif-api-json"
            read_api_json(path, em, stats)
        elif kind == "csv":
            stats.format = "gleif-csv"
            read_csv(path, em, stats, progress)
        else:
            stage.problem(dataset, "not a GLEIF file (LEI-CDF, RR-CDF or RepEx XML, "
                          "golden-copy CSV, or API JSON)")
            stats.rejected += 1
    except OSError as err:
        stage.problem(dataset, f"cannot read: {err}")
        stats.rejected += 1
    return stats
