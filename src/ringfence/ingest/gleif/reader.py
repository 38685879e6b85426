"""The GLEIF entry point: sniff each file's format and read it (XML in parallel parts
when large)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
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
    "GLEIF_SUFFIXES",
    "SourcePlan",
    "plan_sources",
    "read_gleif",
    "sniff",
    "sniff_files",
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


GLEIF_SUFFIXES = (".xml", ".json", ".csv", ".zip", ".gz")


def sniff_files(files: list[tuple[Path, str]]) -> tuple[list[str], int]:
    """The sniffed kind of each file (``""`` when unreadable) and the bytes of XML."""
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
    return kinds, xml_bytes


def read_gleif(paths: list[Path], stage: Stage, *, progress: ProgressHook | None = None,
               workers: int | None = None) -> Iterator[FileStats]:
    """Read GLEIF files (any mix of the formats above; directories are searched).

    XML is read by ``workers`` processes (default: :func:`parallel.worker_count`, 2 for
    large inputs on a machine with 2+ CPUs); see :mod:`ringfence.ingest.gleif.parallel`."""
    files = expand_paths(paths, GLEIF_SUFFIXES)
    kinds, xml_bytes = sniff_files(files)
    n = workers if workers is not None else parallel.worker_count(xml_bytes)
    if n > 1 and xml_bytes:
        yield from _read_parallel(files, kinds, stage, progress, n)
        return
    for (path, label), kind in zip(files, kinds, strict=True):
        yield _read_one(path, label, kind, stage, progress)


def _read_parallel(files: list[tuple[Path, str]], kinds: list[str], stage: Stage,
                   progress: ProgressHook | None, workers: int) -> Iterator[FileStats]:
    plan = plan_sources(files, kinds, stage, stage.work.parent / "parts",
                        part_bytes=parallel.PART_BYTES)
    parallel.run_parts(plan.parts, stage, plan.stats, workers=workers, progress=progress,
                       in_main=lambda: plan.read_rest(stage, progress))
    yield from plan.stats


@dataclass
class SourcePlan:
    """A GLEIF source cut into XML parts (read elsewhere: worker processes, Spark tasks)
    and the files read here (API JSON, CSV); ``stats`` has one entry per file."""

    stats: list[FileStats]
    parts: list[parallel.XmlPart]
    rest: list[tuple[int, Path, str, str, int]]

    def read_rest(self, stage: Stage, progress: ProgressHook | None) -> None:
        """Read the files that are not XML parts here, each with its reserved ``seq``."""
        saved = stage.seq
        for i, path, label, kind, base in self.rest:
            stage.seq = base
            got = _read_one(path, label, kind, stage, progress)
            got.records += self.stats[i].records
            self.stats[i] = got
        stage.seq = saved


def plan_sources(files: list[tuple[Path, str]], kinds: list[str], stage: Stage,
                 parts_dir: Path, *, part_bytes: int) -> SourcePlan:
    """Cut every XML file of ``files`` (with their sniffed ``kinds``) into parts of about
    ``part_bytes`` at record boundaries, each with a ``seq`` range reserved in file order
    (so parts compare as if read one after the other)."""
    plan = SourcePlan([], [], [])
    for i, ((path, label), kind) in enumerate(zip(files, kinds, strict=True)):
        dataset = f"gleif:{label}"
        if not kind.startswith("xml:"):
            plan.stats.append(FileStats(str(path), "gleif", dataset))
            plan.rest.append((i, path, label, kind, stage.seq))
            stage.seq += parallel.SEQ_SPAN
            continue
        root = kind[4:]
        plan.stats.append(FileStats(str(path), f"gleif-{XML_KINDS[root][2]}-xml", dataset))
        try:
            cuts = parallel.plan_parts(path, root, part_bytes)
        except OSError:
            cuts = None
        plan_or_whole: list[list[tuple[int, int]] | None] = list(cuts) if cuts else [None]
        for segments in plan_or_whole:
            index = len(plan.parts)
            plan.parts.append(parallel.XmlPart(
                index=index, path=str(path), kind=root, dataset=dataset, src=stage.src,
                seq_base=stage.seq, work=str(parts_dir / f"p{stage.src}-{index}"),
                segments=segments, last=cuts is None or segments is cuts[-1],
                file_index=i))
            stage.seq += parallel.SEQ_SPAN
    return plan


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
