"""``ringfence demo``: the first run on the embedded default data.

Builds the bundled snapshot (real public group structures, GLEIF and BODS samples, the US
and UK designation list samples) into
the data folder if it is not there yet, then prints the attribution report under the
default policy and the proof of one offshore-held company. Then it simulates a small
request log (three days: a hydra reseller pool, a chain-of-thought campaign behind front
companies, an evaluation lab bursting on a model release, organic traffic and other
legitimate heavy users), runs the detector's replay over it and prints the clusters found
with their evidence, beside what each cluster really was (the simulator's truth).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

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
    detect: Annotated[bool, typer.Option("--detect/--no-detect", help="Also simulate a "
                                         "small request log and run the detector on "
                                         "it.")] = True,
) -> None:
    """Build the bundled snapshot and print the attribution report under the policy; then
    detect campaigns in a small simulated request log."""
    from ringfence.cli.core import attribute_cmd, explain_cmd

    snap = default_snapshot(data_dir, rebuild=rebuild)
    console.rule(f"ringfence demo: bundled data in {snap}")
    attribute_cmd(snap, policy=policy, as_of=as_of, as_json=False)
    console.rule(f"why {entity} holds its verdict")
    explain_cmd(snap, entity, policy=policy, as_of=as_of, as_json=False, svg=None)
    if detect:
        detection_demo(data_dir / "detect-demo")


def detection_demo(base: Path) -> None:
    """Simulate the demo log into ``base/data``, replay it into ``base/out``, print."""
    from ringfence.traffic.replay import replay
    from ringfence.traffic.sim import SimConfig, simulate

    data, out = base / "data", base / "out"
    console.rule("detection: a simulated three-day request log")
    sim = simulate(SimConfig.demo(), data)
    console.print(f"simulated {sim.requests:,} requests from {sim.accounts:,} accounts in "
                  f"{sim.orgs:,} orgs ({data}); truth kept apart in {data / 'truth'}",
                  markup=False, highlight=False)
    rep = replay(data, out)
    console.print(f"ringfence detect replay: {rep.checkpoints} hourly checkpoints, "
                  f"{rep.findings} findings in {rep.seconds:.1f} s ({out})",
                  markup=False, highlight=False)
    print_findings(data, out)


def print_findings(data: Path, out: Path, *, evidence: int = 4, limit: int = 10) -> None:
    """The clusters of ``out/findings.jsonl`` as a table, with what they really were."""
    import csv
    import json
    from collections import Counter

    from rich.table import Table

    truth: dict[str, dict[str, str]] = {}
    tfile = data / "truth" / "accounts.csv"
    if tfile.exists():
        with open(tfile, newline="") as fh:
            truth = {r["account_id"]: r for r in csv.DictReader(fh)}
    findings: list[dict[str, Any]] = []
    ffile = out / "findings.jsonl"
    if ffile.exists():
        latest: dict[str, dict[str, Any]] = {}
        for line in ffile.read_text().splitlines():
            if line.strip():
                f = json.loads(line)
                latest[str(f["cluster_id"])] = f
        findings = sorted(latest.values(), key=lambda f: -float(f["score"]))
    table = Table(title="clusters found (findings.jsonl), strongest first", show_lines=True)
    for col in ("cluster", "action", "score", "accounts / orgs", "evidence (weight)",
                "really (simulator truth)"):
        table.add_column(col, overflow="fold")
    for f in findings[:limit]:
        accts = [str(a) for a in f["account_ids"]]
        ev = sorted(f["evidence"], key=lambda e: -float(e["weight"]))
        lines = [f"{e['signal']} ({float(e['weight']):.2f})" for e in ev[:evidence]]
        if ev:
            d = str(ev[0]["detail"])
            lines.append(f"  {d[:100]}{'…' if len(d) > 100 else ''}")
        what = Counter(_label(truth.get(a)) for a in accts)
        table.add_row(str(f["cluster_id"]), str(f["action"]), f"{float(f['score']):.2f}",
                      f"{len(accts)} / {len(f['org_ids'])}",
                      "\n".join(lines),
                      ", ".join(f"{k} ×{v}" for k, v in what.most_common()))
    console.print(table)
    if len(findings) > limit:
        console.print(f"… and {len(findings) - limit} smaller findings in {ffile}",
                      markup=False, highlight=False)
    if truth:
        _hard_negative_line(truth, out)


def _label(t: dict[str, str] | None) -> str:
    if not t:
        return "unknown"
    if t["kind"] == "campaign":
        return f"campaign {t['campaign_id']}"
    if t["kind"] == "hard_negative":
        return f"legitimate {t['family']}"
    return "organic"


def _hard_negative_line(truth: dict[str, dict[str, str]], out: Path) -> None:
    """What became of the legitimate heavy users (the evaluation lab above all)."""
    import csv

    rank = {"none": 0, "review": 1, "throttle": 2, "suspend": 3}
    worst: dict[str, str] = {}
    with open(out / "actions.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            t = truth.get(r["account_id"])
            if t and t["kind"] == "hard_negative":
                fam = t["family"]
                if rank.get(r["action"], 0) > rank.get(worst.get(fam, "none"), 0):
                    worst[fam] = r["action"]
    fams = sorted({t["family"] for t in truth.values() if t["kind"] == "hard_negative"})
    console.print("legitimate heavy users, strongest action ever taken: " + ", ".join(
        f"{f} {worst.get(f, 'none')}" for f in fams), markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_cmd)
