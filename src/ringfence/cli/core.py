"""Core commands: attribute, explain, policy, simulate, demo."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from ringfence import __version__
from ringfence.cli._common import App, console, err_console, handle_errors, parse_date
from ringfence.cli.engine_opts import (
    ConfOpt,
    EngineName,
    EngineOpt,
    MasterOpt,
    OutOpt,
    make_engine,
    write_verdicts,
)
from ringfence.exc import InputError
from ringfence.model import Verdict
from ringfence.policy import DEFAULT_POLICY, load_policy, resolve, shipped_policies
from ringfence.policy.diff import diff_policies

if TYPE_CHECKING:
    from ringfence.engines.base import Engine, VerdictBook
    from ringfence.snapshot import Snapshot

PolicyOpt = Annotated[str, typer.Option("--policy", "-p",
                                        help="Shipped policy name or YAML file.")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="Evaluate as of this date "
                                             "(YYYY-MM-DD; default today).")]
SnapDir = Annotated[Path, typer.Argument(help="Snapshot folder.")]
SnapLoc = Annotated[str, typer.Argument(
    metavar="SNAPSHOT", help="Snapshot folder (with --engine spark also a Hadoop "
    "filesystem URL: hdfs://, s3a://, abfss://, gs://).")]

policy_app = App(help="Validate, show and compare policy files.", no_args_is_help=True)

_BIG = 200_000  # entities past which long steps show progress


def _open(snapshot: Path) -> Snapshot:
    from ringfence.snapshot import open_snapshot

    return open_snapshot(snapshot)


def _evaluate(snap: Snapshot, policy: str, as_of: str | None,
              engine: Engine | None = None) -> VerdictBook:
    from ringfence.engines.local import LocalEngine

    when = parse_date(as_of)
    loaded = load_policy(policy)
    big = snap.manifest.counts.get("entities", 0) >= _BIG
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err_console, disable=not big, transient=True) as progress:
        task = progress.add_task("loading snapshot", total=None)
        if engine is None or engine.name == "local":
            snap.graph()
        progress.update(task, description=f"attributing under {policy}")
        return (engine or LocalEngine()).evaluate(snap, loaded, when)


def _is_url(location: str) -> bool:
    return "://" in location


def _batch(location: str, policy: str, as_of: str | None, engine: Engine
           ) -> tuple[Snapshot | None, VerdictBook]:
    """A batch run: the snapshot (None when it lies behind a URL: only Spark reads it
    there) and the book."""
    if _is_url(location):
        if engine.name != "spark":
            raise InputError(f"{location}: a snapshot URL needs --engine spark")
        from ringfence.engines.spark import SparkEngine

        assert isinstance(engine, SparkEngine)
        return None, engine.evaluate(location, load_policy(policy), parse_date(as_of))
    snap = _open(Path(location))
    return snap, _evaluate(snap, policy, as_of, engine)


def _names(snap: Snapshot) -> dict[str, str]:
    table = snap.entities_table(["id", "name"])
    return dict(zip(table.column("id").to_pylist(), table.column("name").to_pylist(),
                    strict=True))


def _unknown_owners(snap: Snapshot) -> set[str]:
    from ringfence.usecases.review import unnamed_owners

    return unnamed_owners(snap)


@handle_errors
def attribute_cmd(
    snapshot: SnapLoc,
    policy: PolicyOpt = DEFAULT_POLICY,
    as_of: AsOfOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print every verdict as JSON.")]
    = False,
    limit: Annotated[int, typer.Option("--limit", min=0, help="Rows shown per verdict "
                                       "table (--json prints all).")] = 500,
    summary: Annotated[bool, typer.Option(
        "--summary", help="Print the review load instead: verdict counts and every "
        "uncertain verdict's causes, grouped, with examples (--json: as JSON).")] = False,
    engine: EngineOpt = EngineName.LOCAL,
    master: MasterOpt = None,
    conf: ConfOpt = None,
    out: OutOpt = None,
) -> None:
    """Compute every entity's verdict: restricted, clear or uncertain, with bounds."""
    snap, book = _batch(snapshot, policy, as_of, make_engine(engine, master, conf))
    if out is not None:
        write_verdicts(book, out)
        err_console.print(f"wrote every verdict to {out}")
    if summary:
        from ringfence.usecases.review import review_summary, snapshot_review

        report = snapshot_review(snap, book) if snap is not None else review_summary(book)
        if as_json:
            typer.echo(json.dumps(report.as_dict()))
        else:
            typer.echo(report.render(_names(snap) if snap is not None else {}))
        return
    if as_json:
        payload = {**book.header(), "verdicts": [v.as_dict() for v in book.items()]}
        typer.echo(json.dumps(payload))
        return
    counts = book.counts()
    p = book.policy
    console.print(f"snapshot [bold]{book.snapshot_id}[/] · policy [bold]{p.name}[/] "
                  f"version {p.version} · as of {book.as_of}")
    if not p.settings.enabled:
        console.print("[yellow]this policy is not in force on that date: it restricts "
                      "nothing[/]")
    console.print(f"{len(book)} entities: [red]{counts[Verdict.RESTRICTED]} restricted[/], "
                  f"[yellow]{counts[Verdict.UNCERTAIN]} uncertain[/], "
                  f"[green]{counts[Verdict.CLEAR]} clear[/]")
    if snap is None:  # behind a URL: the counts, and the verdicts in --out
        return
    names = _names(snap)
    unknown = _unknown_owners(snap)
    if unknown:
        console.print(f"({len(unknown)} of them are owners registries say exist but do not "
                      "name; they are left out of the tables below)")
    for verdict, colour in ((Verdict.RESTRICTED, "red"), (Verdict.UNCERTAIN, "yellow")):
        rows = [v for v in book.items() if v.verdict is verdict and v.entity not in unknown]
        if not rows:
            continue
        table = Table(title=f"{verdict} ({len(rows)})", title_style=f"bold {colour}",
                      title_justify="left")
        table.add_column("entity")
        table.add_column("name")
        table.add_column("restricted share", justify="right")
        for v in rows[:limit]:
            share = (f"{v.lower:.1%}" if v.lower == v.upper
                     else f"{v.lower:.1%} – {v.upper:.1%}")
            table.add_row(v.entity, names.get(v.entity, ""), share)
        console.print(table)
        if len(rows) > limit:
            console.print(f"… and {len(rows) - limit} more (ringfence attribute {snapshot} "
                          "--json for all)", markup=False, highlight=False)


@handle_errors
def explain_cmd(
    snapshot: SnapDir,
    entity: Annotated[str, typer.Argument(help="Entity id.")],
    policy: PolicyOpt = DEFAULT_POLICY,
    as_of: AsOfOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the proof as JSON.")] = False,
    svg: Annotated[Path | None, typer.Option("--svg", help="Draw the ownership chain "
                                             "to this SVG file.")] = None,
) -> None:
    """Show why an entity's verdict holds: the ownership path, each share with its source."""
    from ringfence.render import proof_svg, proof_text

    snap = _open(snapshot)
    book = _evaluate(snap, policy, as_of)
    proof = book.explain(entity)
    names = _names(snap)
    if svg is not None:
        svg.write_text(proof_svg(proof, names=names), encoding="utf-8")
        err_console.print(f"wrote {svg}")
    # evidence the sources state but the engines never count (a designation list's
    # "Linked To:" and free-text ownership, indirect edges): shown for the analyst
    evidence = [{"relation": r["relation"], "owner": r["owner"], "owned": r["owned"],
                 "source": f"{r['source_dataset']} line {r['source_line']}"
                           if r["source_line"] is not None else r["source_dataset"],
                 "note": r["source_note"]}
                for r in snap.evidence_about(entity)[:200]]
    if as_json:
        typer.echo(json.dumps({**proof.as_dict(), "evidence": evidence}, indent=2))
    else:
        typer.echo(proof_text(proof, names=names))
        if evidence:
            typer.echo("\nevidence (kept for review, not counted as ownership):")
            for ev in evidence:
                typer.echo(f"  {ev['relation']}: {ev['owner']} -> {ev['owned']}  "
                           f"[{ev['source']}] {ev['note']}")


@handle_errors
def simulate_cmd(
    snapshot: SnapDir,
    policy: PolicyOpt = DEFAULT_POLICY,
    draft: Annotated[str, typer.Option("--draft", help="The draft policy (name or file).")]
    = DEFAULT_POLICY,
    customers: Annotated[Path | None, typer.Option(
        "--customers", help="CSV with columns customer,entity (and optionally name): "
        "report flips per customer.")] = None,
    as_of: AsOfOpt = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    engine: EngineOpt = EngineName.LOCAL,
    master: MasterOpt = None,
    conf: ConfOpt = None,
) -> None:
    """Run a draft policy beside the live one and list every verdict that would flip."""
    from ringfence.usecases import simulate

    report = simulate(_open(snapshot), live=load_policy(policy), draft=load_policy(draft),
                      as_of=parse_date(as_of), engine=make_engine(engine, master, conf),
                      customers=_read_customers(customers) if customers else None)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
        return
    typer.echo(report.render())


@handle_errors
def what_if_cmd(
    snapshot: SnapDir,
    changes: Annotated[Path, typer.Option(
        "--changes", help="CSV: action (add|remove),owner,owned,kind,share,share_min,"
        "share_max,valid_from,valid_to.")],
    policy: PolicyOpt = DEFAULT_POLICY,
    as_of: AsOfOpt = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    engine: EngineOpt = EngineName.LOCAL,
    master: MasterOpt = None,
    conf: ConfOpt = None,
) -> None:
    """Apply changed holdings and list the verdicts that flip (the local engine
    recomputes only what the change reaches, Spark re-runs the batch)."""
    from ringfence.ingest.changes import read_holding_changes
    from ringfence.usecases import what_if

    snap = _open(snapshot)
    outcome = what_if(snap, read_holding_changes(changes, snap), policy=load_policy(policy),
                      as_of=parse_date(as_of), engine=make_engine(engine, master, conf))
    if as_json:
        typer.echo(json.dumps(outcome.as_dict(), indent=2))
        return
    typer.echo(f"{outcome.added} holding(s) added, {outcome.removed} removed; "
               f"{outcome.downstream} entities downstream, {outcome.recomputed} recomputed")
    if not outcome.flips:
        typer.echo("no verdict flips")
    for f in outcome.flips:
        a, b = f.before, f.after
        typer.echo(f"  {f.entity}: {a.verdict} → {b.verdict} (restricted share "
                   f"{a.lower:.1%}–{a.upper:.1%} → {b.lower:.1%}–{b.upper:.1%})")


def _read_customers(path: Path) -> list[tuple[str, str]]:
    from ringfence.exc import InputError

    rows = []
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or not {"customer", "entity"} <= set(reader.fieldnames):
            raise InputError(f"{path}: needs columns customer,entity")
        for row in reader:
            if not row["customer"]:
                raise InputError(f"{path}:{reader.line_num} [customer]: empty")
            rows.append((row["customer"], row["entity"] or ""))
    return rows


# -- policy ----------------------------------------------------------------------------
@policy_app.command("list")
def policy_list() -> None:
    """List the shipped policies."""
    for name in shipped_policies():
        doc = load_policy(name).document
        console.print(f"[bold]{name}[/] ({doc.version}): {doc.description}", highlight=False)


@policy_app.command("check")
@handle_errors
def policy_check(file: Annotated[Path, typer.Argument(help="Policy YAML file.")]) -> None:
    """Validate a policy file; errors name the key path."""
    loaded = load_policy(file)
    versions = len(loaded.document.versions)
    console.print(f"[green]ok[/] {loaded.name} version {loaded.document.version}"
                  f"{f' with {versions} dated version(s)' if versions else ''}; "
                  f"hash {loaded.hash[:12]}")


@policy_app.command("show")
@handle_errors
def policy_show(name: Annotated[str, typer.Argument(help="Shipped name or file.")],
                as_of: AsOfOpt = None) -> None:
    """Print the settings in force on a date as a policy file (a draft's starting point:
    ``policy show NAME > draft.yaml``), headed by its version and hash."""
    import yaml

    from ringfence.policy import policy_file

    loaded = load_policy(name)
    when = parse_date(as_of)
    resolved = resolve(loaded, when)
    typer.echo(f"# {resolved.name} version {resolved.version} as of {resolved.as_of} "
               f"(hash {resolved.hash[:12]}): the settings in force on that date")
    typer.echo(yaml.safe_dump(policy_file(loaded, when), sort_keys=False, allow_unicode=True,
                              width=88), nl=False)


@policy_app.command("diff")
@handle_errors
def policy_diff(a: Annotated[str, typer.Argument()], b: Annotated[str, typer.Argument()],
                as_of: AsOfOpt = None,
                as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Which settings differ between two policies, in words."""
    when = parse_date(as_of)
    ra, rb = resolve(load_policy(a), when), resolve(load_policy(b), when)
    changes = diff_policies(ra, rb)
    if as_json:
        typer.echo(json.dumps([c.as_dict() for c in changes], indent=2))
        return
    if not changes:
        console.print(f"{ra.name} and {rb.name} have the same settings as of {when}")
        return
    console.print(f"{ra.name} ({ra.version}) → {rb.name} ({rb.version}) as of {when}:")
    for c in changes:
        console.print(f"  • {c.words}", highlight=False)


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"ringfence {__version__}")
        raise typer.Exit()


def use_user_cache() -> None:
    """Hand name screening its packaged dictionaries, and keep their parsed tables in the
    user's cache folder (the environment names it: read here, at the entry point)."""
    import os

    from ringfence.packaged import use_packaged_dictionaries
    from ringfence.resolve.gloss import use_table_store
    from ringfence.snapshot.usercache import DiskTableStore, cache_dir_from_env

    use_packaged_dictionaries()
    use_table_store(DiskTableStore(cache_dir_from_env(os.environ)))


def register(app: typer.Typer) -> None:
    @app.callback()
    def _main(
        version: Annotated[bool, typer.Option("--version", callback=version_callback,
                                              is_eager=True, help="Show the version.")]
        = False,
    ) -> None:
        """Ownership-based access control: ingest, attribute, explain, screen, decide."""
        use_user_cache()

    app.command("attribute")(attribute_cmd)
    app.command("explain")(explain_cmd)
    app.command("simulate")(simulate_cmd)
    app.command("what-if")(what_if_cmd)
    app.add_typer(policy_app, name="policy")


