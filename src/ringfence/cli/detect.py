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
                 progress=None if quiet else progress, max_idle=max_idle)
    console.print(f"{report.requests:,} requests read, {report.checkpoints} checkpoints, "
                  f"{report.rejects:,} rejected lines, {report.posted} findings posted, "
                  f"{report.unsent} queued" + (" (window finished)" if report.finished
                                              else ""), markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    detect_app.command("replay")(replay_cmd)
    detect_app.command("run")(run_cmd)
    from ringfence.cli.detect_service import register_service_commands

    register_service_commands(detect_app)  # publish, show, purge (the service side)
    app.add_typer(detect_app, name="detect")
