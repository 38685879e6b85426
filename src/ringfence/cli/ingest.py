"""``ringfence ingest``: build a snapshot from CSV, BODS, GLEIF or FollowTheMoney files,
or from several sources of different formats at once.

Every command is strict by default: any bad record is printed as
``file:line [field]: reason`` and the command exits non-zero with nothing published.
``--skip-bad`` writes the bad records to a rejects file and publishes the rest.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from ringfence.cli._common import App, os_error_text
from ringfence.cli.engine_opts import (
    ConfOpt,
    EngineName,
    MasterOpt,
    no_pyspark,
    spark_settings,
)
from ringfence.exc import IngestError, InputError, Problem, RingfenceError

if TYPE_CHECKING:  # the snapshot package pulls in the engine (numba): not for --help
    from ringfence.snapshot import Manifest

__all__ = ["register"]

ingest_app = App(
    help="Build a snapshot from ownership data (CSV, BODS, GLEIF, FollowTheMoney) and "
         "designation lists (OFAC, CSL, UK, EU, UN).",
    no_args_is_help=True,
)
_out = Console()
_err = Console(stderr=True)

Out = Annotated[Path, typer.Option("--out", "-o", help="Snapshot folder to create.")]
SkipBad = Annotated[bool, typer.Option("--skip-bad", help="Write bad records to the "
                                       "rejects file and publish the rest.")]
Rejects = Annotated[Path | None, typer.Option("--rejects", help="Rejects file "
                                              "(default: <out>.rejects.csv).")]
Force = Annotated[bool, typer.Option("--force", help="Replace an existing snapshot at "
                                     "--out (atomically).")]
Files = Annotated[list[Path], typer.Argument(help="Files or directories.", exists=True)]
Memory = Annotated[str, typer.Option("--memory-limit", help="DuckDB memory limit for "
                                     "the merge step.")]
IngestEngine = Annotated[EngineName, typer.Option(
    "--engine", help="local: read in this process (default); spark: read GLEIF and BODS "
    "sources on Spark (local[*] unless --master), then the same merge and publish.")]


def _reader(engine: EngineName, master: str | None, conf: list[str] | None) -> Any:
    """The source reader ``--engine`` asks for (None: the in-process readers)."""
    settings = spark_settings(engine, master, conf)
    if settings is None:
        return None
    try:
        from ringfence.engines.spark_ingest import SparkSourceReader
    except ImportError as exc:
        raise no_pyspark(exc) from exc
    return SparkSourceReader(master=master, conf=settings)


def _problem_line(p: Problem) -> str:
    where = p.location + (f":{p.line}" if p.line is not None else "")
    if p.field:
        where += f" [{p.field}]"
    return f"{where}: {p.reason}" + (f" (record {p.record})" if p.record else "")


def _fail(err: RingfenceError | OSError) -> None:
    if isinstance(err, OSError):  # disk full, no permission: said, no traceback
        _err.print(f"[bold red]error:[/] {os_error_text(err)}", highlight=False)
        sys.exit(2)
    _err.print(f"[bold red]error:[/] {err.message}", highlight=False)
    if isinstance(err, IngestError):
        for p in err.problems[:500]:
            _err.print(f"  {_problem_line(p)}", markup=False, highlight=False, soft_wrap=True)
        if len(err.problems) > 500:
            _err.print(f"  ... and {len(err.problems) - 500} more")
    sys.exit(2)


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        records = int(task.fields.get("records", 0))
        elapsed = task.elapsed or 0.0
        rate = records / elapsed if elapsed > 0 else 0.0
        return Text(f"{records:,} rec  {rate:,.0f} rec/s", style="cyan")


class _Bars:
    """The progress hook: one bar per input file, bytes read and records per second."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, label: str, done: int, records: int) -> None:
        if label not in self.tasks:
            self.tasks[label] = self.progress.add_task(label[-50:], total=None, records=0)
        self.progress.update(self.tasks[label], completed=done, records=records)


def _step_printer() -> Callable[[str], None]:
    """After reading, the merge runs for minutes on a large input: say which step."""
    started = time.monotonic()

    def show(name: str) -> None:
        if _err.is_terminal:
            _err.print(f"[dim]{time.monotonic() - started:7.1f}s[/] {name} ...",
                       highlight=False)

    return show


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                    _RateColumn(), TimeElapsedColumn(), console=_err,
                    disable=not _err.is_terminal, transient=False)


def _summary(manifest: Manifest, out: Path, seconds: float, rejects: Path | None,
             problems: int, timings: dict[str, float] | None = None) -> None:
    table = Table(title=f"snapshot {manifest.id} at {out}", show_header=True)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in manifest.counts.items():
        table.add_row(name, f"{n:,}")
    _out.print(table)
    records = sum(int(s.get("records", 0)) for s in manifest.sources)
    rate = records / seconds if seconds > 0 else 0.0
    _out.print(f"{len(manifest.sources)} source file(s), {records:,} record(s) in "
               f"{seconds:.1f}s ({rate:,.0f} records/s)", highlight=False)
    if timings:
        _out.print("time: " + ", ".join(f"{k} {v:.1f}s" for k, v in timings.items()),
                   highlight=False, soft_wrap=True)
    for note in manifest.notes:
        _out.print(f"note: {note}", markup=False, highlight=False, soft_wrap=True)
    if rejects is not None:
        _err.print(f"[yellow]{problems} bad record(s) left out; see {rejects}[/]",
                   highlight=False)


def _workers() -> int | None:
    """``RINGFENCE_INGEST_WORKERS``: processes reading GLEIF XML (unset: the default)."""
    raw = os.environ.get("RINGFENCE_INGEST_WORKERS", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise InputError(f"RINGFENCE_INGEST_WORKERS={raw!r}: a whole number of at least 1")
    return int(raw)


def _run(sources: list[tuple[str, list[Path]]], out: Path, *, skip_bad: bool,
         rejects: Path | None, force: bool, memory_limit: str = "2GB",
         notes: list[str] | None = None, specs_given: list[Any] | None = None,
         spark: tuple[EngineName, str | None, list[str] | None] = (EngineName.LOCAL, None,
                                                                   None)) -> None:
    from ringfence.ingest.pipeline import SourceSpec, ingest_sources

    try:
        specs = specs_given or [SourceSpec(fmt, paths) for fmt, paths in sources]
        reader = _reader(*spark)
        with _progress() as progress:
            report = ingest_sources(specs, out=out, skip_bad=skip_bad, rejects=rejects,
                                    force=force, progress=_Bars(progress),
                                    memory_limit=memory_limit, notes=notes,
                                    on_step=_step_printer(), workers=_workers(),
                                    reader=reader)
    except (RingfenceError, OSError) as err:
        _fail(err)
        return
    _summary(report.manifest, out, report.seconds, report.rejects_path,
             report.problem_count, report.timings)


@ingest_app.command("csv")
def csv_cmd(
    entities: Annotated[Path, typer.Option("--entities", help="entities.csv", exists=True)],
    holdings: Annotated[Path, typer.Option("--holdings", help="holdings.csv", exists=True)],
    out: Out,
    names: Annotated[Path | None, typer.Option("--names", help="names.csv",
                                               exists=True)] = None,
    identifiers: Annotated[Path | None, typer.Option("--identifiers",
                                                     help="identifiers.csv",
                                                     exists=True)] = None,
    skip_bad: SkipBad = False,
    rejects: Rejects = None,
    force: Force = False,
) -> None:
    """Ingest the CSV contract (entities, holdings, optional names and identifiers)."""
    from ringfence.ingest.run import ingest_csv

    started = time.monotonic()
    try:
        manifest, batch = ingest_csv(entities=entities, holdings=holdings, out=out,
                                     names=names, identifiers=identifiers,
                                     skip_bad=skip_bad, rejects=rejects, force=force)
    except (RingfenceError, OSError) as err:
        _fail(err)
        return
    rej = (rejects or out.with_name(out.name + ".rejects.csv")) if batch.problems else None
    _summary(manifest, out, time.monotonic() - started, rej, len(batch.problems))


@ingest_app.command("bods")
def bods_cmd(files: Files, out: Out, skip_bad: SkipBad = False, rejects: Rejects = None,
             force: Force = False, memory_limit: Memory = "2GB",
             engine: IngestEngine = EngineName.LOCAL, master: MasterOpt = None,
             conf: ConfOpt = None) -> None:
    """Ingest BODS 0.4 / 0.3 statements (JSON arrays or JSON Lines)."""
    _run([("bods", files)], out, skip_bad=skip_bad, rejects=rejects, force=force,
         memory_limit=memory_limit, spark=(engine, master, conf))


@ingest_app.command("gleif")
def gleif_cmd(files: Files, out: Out, skip_bad: SkipBad = False, rejects: Rejects = None,
              force: Force = False, memory_limit: Memory = "2GB",
              engine: IngestEngine = EngineName.LOCAL, master: MasterOpt = None,
              conf: ConfOpt = None) -> None:
    """Ingest GLEIF Level 1 / Level 2 / reporting exceptions (XML, CSV, API JSON; .zip ok)."""
    _run([("gleif", files)], out, skip_bad=skip_bad, rejects=rejects, force=force,
         memory_limit=memory_limit, spark=(engine, master, conf))


@ingest_app.command("ftm")
def ftm_cmd(files: Files, out: Out, skip_bad: SkipBad = False, rejects: Rejects = None,
            force: Force = False, memory_limit: Memory = "2GB") -> None:
    """Ingest FollowTheMoney entities (JSON Lines)."""
    _run([("ftm", files)], out, skip_bad=skip_bad, rejects=rejects, force=force,
         memory_limit=memory_limit)


@ingest_app.command("lists")
def lists_cmd(
    files: Files, out: Out,
    fmt: Annotated[str, typer.Option(
        "--format", help="Force the format of every file: ofac-csv, ofac-xml, csl, uk, eu "
                         "or un (default: detected per file).")] = "",
    published: Annotated[str, typer.Option(
        "--published", help="Publication date (YYYY-MM-DD) of files whose format states "
                            "none (OFAC CSV, CSL).")] = "",
    partial: Annotated[bool, typer.Option(
        "--partial", help="The files are excerpts: they add memberships but never delist "
                          "a party they leave out.")] = False,
    skip_bad: SkipBad = False, rejects: Rejects = None, force: Force = False,
    memory_limit: Memory = "2GB",
) -> None:
    """Ingest designation lists: OFAC (CSV folder, XML, Enhanced XML; .zip ok), trade.gov
    CSL (CSV, JSON), UK (HM Treasury/OFSI CSV, UK Sanctions List XML), EU (FSF XML), UN
    (XML). Give every file of one list together: a party missing from a newer complete
    file is delisted from that file's date."""
    import datetime as dt

    from ringfence.exc import InputError
    from ringfence.ingest.pipeline import SourceSpec

    try:
        day = dt.date.fromisoformat(published) if published else None
    except ValueError:
        _fail(InputError(f"--published {published!r} is not a date (YYYY-MM-DD)"))
        return
    try:
        spec = SourceSpec("lists", list(files), list_format=fmt, published=day,
                          partial=partial)
    except (RingfenceError, OSError) as err:
        _fail(err)
        return
    _run([], out, skip_bad=skip_bad, rejects=rejects, force=force,
         memory_limit=memory_limit, specs_given=[spec])


@ingest_app.command("multi")
def multi_cmd(
    source: Annotated[list[str], typer.Option(
        "--source", "-s",
        help="FORMAT:PATH[,PATH...], repeatable; FORMAT is csv, bods, gleif, ftm or lists. "
             "For csv give entities.csv,holdings.csv[,names.csv,identifiers.csv] or a "
             "folder. Lists take options: lists[format=csl,published=2025-06-25,partial]:"
             "FILE. Earlier sources win ties and keep their ids.")],
    out: Out, skip_bad: SkipBad = False, rejects: Rejects = None, force: Force = False,
    memory_limit: Memory = "2GB", engine: IngestEngine = EngineName.LOCAL,
    master: MasterOpt = None, conf: ConfOpt = None,
) -> None:
    """Merge several sources of different formats into one snapshot (with --engine spark,
    the GLEIF and BODS sources are read on Spark, the others in this process)."""
    from ringfence.ingest.pipeline import parse_source

    try:
        specs = [parse_source(s) for s in source]
    except (RingfenceError, OSError) as err:
        _fail(err)
        return
    _run([], out, skip_bad=skip_bad, rejects=rejects, force=force,
         memory_limit=memory_limit, specs_given=specs, spark=(engine, master, conf))


@ingest_app.command("default")
def default_cmd(out: Out, force: Force = False) -> None:
    """Build the embedded default snapshot (shipped public groups + GLEIF + BODS)."""
    from ringfence.ingest.default import ATTRIBUTION, default_sources

    _run([], out, skip_bad=False, rejects=None, force=force,
         notes=[f"default dataset: {ATTRIBUTION}"], specs_given=default_sources())


def register(app: typer.Typer) -> None:
    app.add_typer(ingest_app, name="ingest")
