"""``ringfence detect``: distillation and hydra-cluster detection over request logs.

Commands: ``replay`` and ``run`` (the detector), ``evaluate`` (the simulator's evaluator),
``publish`` and ``show`` (the service side). Each area adds its own commands here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ringfence.cli._common import console, err_console, handle_errors

detect_app = typer.Typer(
    name="detect",
    help="Detect distillation campaigns and hydra clusters in request logs.",
    no_args_is_help=True,
)


@handle_errors
def replay_cmd(
    data: Annotated[Path, typer.Argument(help="Folder with requests.jsonl[.gz], "
                                         "accounts.jsonl, orgs.jsonl, events.json.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")]
    = False,
) -> None:
    """Replay a log hour by hour (no look-ahead); write actions.csv, final.csv,
    findings.jsonl and rejects.jsonl into OUT."""
    from ringfence.traffic.replay import replay

    def progress(checkpoint: str, n: int) -> None:
        err_console.print(f"{checkpoint}  {n:>10,} requests", markup=False,
                          highlight=False)

    report = replay(data, out, progress=None if quiet else progress)
    console.print(
        f"{report.requests:,} requests ({report.rejects:,} rejected), "
        f"{report.accounts:,} accounts, {report.checkpoints} checkpoints in "
        f"{report.seconds:.1f} s; final actions: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(report.actions.items()))
        + f"; {report.findings} findings -> {report.out_dir}",
        markup=False, highlight=False)


@handle_errors
def simulate_cmd(
    out: Annotated[Path, typer.Argument(help="DATA folder to write (replaced if present).")],
    preset: Annotated[str, typer.Option("--preset", help="default (14 days, ~1.3M "
                                        "requests), variant, heldout, heldout2, heldout3 (the "
                                        "held-out wordings: evaluate, never tune), small or "
                                        "demo.")] = "default",
    seed: Annotated[int | None, typer.Option("--seed", help="Seed (the preset's if "
                                             "absent).")] = None,
    days: Annotated[int | None, typer.Option("--days", help="Override the window "
                                             "length.")] = None,
    gz: Annotated[bool, typer.Option("--gzip", help="Write requests.jsonl.gz.")] = False,
) -> None:
    """Simulate a request log with ground truth (OUT/truth/) for tests and benchmarks."""
    from dataclasses import replace

    from ringfence.traffic.sim import SimConfig, simulate

    presets = {"default": SimConfig.default, "variant": SimConfig.variant,
               "heldout": SimConfig.heldout, "heldout2": SimConfig.heldout2,
               "heldout3": SimConfig.heldout3,
               "small": SimConfig.small, "demo": SimConfig.demo}
    if preset not in presets:
        raise typer.BadParameter(f"--preset must be one of {', '.join(presets)}")
    cfg = presets[preset]() if seed is None else presets[preset](seed)
    if days is not None:
        cfg = replace(cfg, days=days)
    cfg = replace(cfg, gzip=gz)
    rep = simulate(cfg, out)
    console.print(f"{rep.requests:,} requests, {rep.accounts:,} accounts, {rep.orgs:,} orgs, "
                  f"campaigns {rep.campaigns} in {rep.seconds:.1f} s -> {rep.out_dir}",
                  markup=False, highlight=False)


@handle_errors
def evaluate_cmd(
    data: Annotated[Path, typer.Argument(help="Simulated DATA folder (with truth/).")],
    out: Annotated[Path, typer.Argument(help="Detector output folder (actions.csv, "
                                        "final.csv, findings.jsonl).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]
    = False,
) -> None:
    """Score a detector's output against the simulator's truth (request-logs.md §4)."""
    from ringfence.traffic.evaluate import EvalInputError, evaluate

    try:
        rep = evaluate(data, out)
    except EvalInputError as e:
        err_console.print(f"error: {e}", markup=False, highlight=False)
        raise typer.Exit(2) from e
    if as_json:
        console.print(rep.to_json().decode(), markup=False, highlight=False, soft_wrap=True)
        return
    print_report(rep)


def print_report(rep: object, *, title: str = "") -> None:
    """The evaluation as three rich tables: targets, campaigns, hard-negative groups."""
    from rich.table import Table

    from ringfence.traffic.evaluate import EvalReport, format_value, iter_rows

    assert isinstance(rep, EvalReport)
    tt = Table(title=f"{title}§4 targets ({rep.campaign_accounts} campaign, "
               f"{rep.benign_accounts} benign active accounts)")
    for c in ("metric", "value", "target", "pass"):
        tt.add_column(c)
    for t in rep.targets:
        tt.add_row(t.name, format_value(t.value), t.target, "PASS" if t.passed else "FAIL")
    for name, v in (("recall at benign FPR 0.1%", rep.recall_at_fpr_0_1),
                    ("recall at benign FPR 1%", rep.recall_at_fpr_1),
                    ("PR-AUC (final.csv scores)", rep.pr_auc),
                    ("B-cubed precision", rep.bcubed_precision),
                    ("B-cubed recall", rep.bcubed_recall)):
        tt.add_row(name, format_value(v), "reported", "")
    console.print(tt)
    cols = ["campaign", "family", "accounts", "flagged", "recall", "in_pure_clusters",
            "detected", "hours_to_half", "horizon_h", "on_time", "leakage"]
    ct = Table(title=f"{title}per campaign")
    for c in cols:
        ct.add_column(c)
    for r in iter_rows(rep.campaigns, cols):
        ct.add_row(*r)
    console.print(ct)
    hcols = ["group", "accounts", "suspended", "throttled", "reviewed", "max_score"]
    ht = Table(title=f"{title}hard-negative groups (never suspended)")
    for c in hcols:
        ht.add_column(c)
    for r in iter_rows(rep.hard_negatives, hcols):
        ht.add_row(*r)
    console.print(ht)


@handle_errors
def run_cmd(
    inbox: Annotated[Path, typer.Argument(help="Folder where requests-*.jsonl[.gz] files "
                                          "appear (with accounts.jsonl, orgs.jsonl, "
                                          "events.json beside them).")],
    state: Annotated[Path, typer.Option("--state", help="Folder for the checkpointed "
                                        "state.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    service: Annotated[str | None, typer.Option("--service", help="Base URL of the "
                                                "ringfence service to post findings to.")]
    = None,
    token: Annotated[str | None, typer.Option("--token", envvar="RINGFENCE_TOKEN",
                                              help="Bearer token of a detector role.")]
    = None,
    once: Annotated[bool, typer.Option("--once", help="Process the files present, treat "
                                       "the inbox as complete, and exit.")] = False,
    poll: Annotated[float, typer.Option("--poll", help="Seconds between looks at the "
                                        "inbox.")] = 2.0,
    max_idle: Annotated[float | None, typer.Option("--max-idle", help="Stop (finishing "
                                                   "the window) after this many idle "
                                                   "seconds.")] = None,
    snapshot_hours: Annotated[int, typer.Option(
        "--snapshot-hours", help="Save the whole state every N checkpoints (hours of log "
        "time) and at the end; a progress mark is saved every hour.")] = 24,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Follow INBOX: checkpoint every hour of log time into --state (resumes after a
    restart or kill -9), write OUT, post new findings to --service."""
    from ringfence.exc import InputError
    from ringfence.traffic.run import FindingsPoster, run

    if service and not token:
        raise InputError("--service needs --token (or RINGFENCE_TOKEN)")
    poster = FindingsPoster(service, token or "") if service else None

    def progress(checkpoint: str, n: int) -> None:
        err_console.print(f"{checkpoint}  {n:>10,} requests", markup=False,
                          highlight=False)

    report = run(inbox, state, out, poster=poster, once=once, poll=poll,
                 progress=None if quiet else progress, max_idle=max_idle,
                 snapshot_every=snapshot_hours)
    console.print(f"{report.requests:,} requests read, {report.checkpoints} checkpoints, "
                  f"{report.rejects:,} rejected lines, {report.posted} findings posted, "
                  f"{report.unsent} queued" + (" (window finished)" if report.finished
                                              else ""), markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    detect_app.command("replay")(replay_cmd)
    detect_app.command("simulate")(simulate_cmd)
    detect_app.command("evaluate")(evaluate_cmd)
    detect_app.command("run")(run_cmd)
    from ringfence.cli.detect_service import register_service_commands

    register_service_commands(detect_app)  # publish, show, purge (the service side)
    app.add_typer(detect_app, name="detect")
