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


def register(app: typer.Typer) -> None:
    detect_app.command("replay")(replay_cmd)
    from ringfence.cli.detect_service import register_service_commands

    register_service_commands(detect_app)  # publish, show, purge (the service side)
    app.add_typer(detect_app, name="detect")
