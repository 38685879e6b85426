"""``ringfence demo``: the first run on the embedded default data.

Builds the bundled snapshot (real public group structures, GLEIF and BODS samples, the US
and UK designation list samples) into
the data folder if it is not there yet, then prints the attribution report under the
default policy and the proof of one offshore-held company.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ringfence.cli._common import console, handle_errors
from ringfence.policy import DEFAULT_POLICY

DEFAULT_DATA_DIR = Path("var")


def default_snapshot(data_dir: Path, *, rebuild: bool = False) -> Path:
    """The embedded default snapshot under ``data_dir``, built on first use."""
    out = data_dir / "snapshots" / "default"
    if out.exists() and not rebuild:
        return out
    from ringfence.ingest.default import build_default_snapshot

    build_default_snapshot(out, force=rebuild)
    return out


@handle_errors
def demo_cmd(
    data_dir: Annotated[Path, typer.Option("--data-dir", help="Where snapshots and state "
                                           "live.")] = DEFAULT_DATA_DIR,
    policy: Annotated[str, typer.Option("--policy", "-p")] = DEFAULT_POLICY,
    as_of: Annotated[str | None, typer.Option("--as-of")] = None,
    entity: Annotated[str, typer.Option("--explain", help="Entity whose proof to show.")]
    = "tiktok_inc",
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Rebuild the default "
                                          "snapshot.")] = False,
) -> None:
    """Build the bundled snapshot and print the attribution report under the policy."""
    from ringfence.cli.core import attribute_cmd, explain_cmd

    snap = default_snapshot(data_dir, rebuild=rebuild)
    console.rule(f"ringfence demo: bundled data in {snap}")
    attribute_cmd(snap, policy=policy, as_of=as_of, as_json=False)
    console.rule(f"why {entity} holds its verdict")
    explain_cmd(snap, entity, policy=policy, as_of=as_of, as_json=False, svg=None)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_cmd)
