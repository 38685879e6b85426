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
    attribute_cmd(str(snap), policy=policy, as_of=as_of, as_json=False, limit=15)
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
    """The clusters of ``out/findings.jsonl``, strongest first, with what they really were:
    one header line per cluster, then its strongest evidence, one line each (cut to the
    terminal's width)."""
    import csv
    import json
    from collections import Counter

    truth: dict[str, dict[str, str]] = {}
    tfile = data / "truth" / "accounts.csv"
    if tfile.exists():
        with open(tfile, newline="") as fh:
            truth = {r["account_id"]: r for r in csv.DictReader(fh)}
    findings: list[dict[str, Any]] = []
    ffile = out / "findings.jsonl"
    if ffile.exists():
        latest: dict[str, dict[str, Any]] = {}
        for line in ffile.read_text(encoding="utf-8").split("\n"):
            if line.strip():
                f = json.loads(line)
                latest[str(f["cluster_id"])] = f
        findings = sorted(latest.values(), key=lambda f: -float(f["score"]))
    _plain(f"clusters found ({ffile.name}), strongest first:")
    for f in findings[:limit]:
        accts = [str(a) for a in f["account_ids"]]
        what = Counter(_label(truth.get(a)) for a in accts)
        really = ", ".join(f"{k} ×{v}" for k, v in what.most_common())
        head = (f"{f['cluster_id']}  {str(f['action']).upper()} {float(f['score']):.2f}  "
                f"{len(accts)} accts / {len(f['org_ids'])} orgs")
        if len(head) + len(really) + 10 <= console.width:
            console.print(f"{head}  really: {really}", markup=False, highlight=False,
                          style="bold")
        else:  # the truth on a line of its own rather than wrapped mid-label
            console.print(head, markup=False, highlight=False, style="bold")
            _plain(f"  really: {really}")
        ev = sorted(f["evidence"], key=lambda e: -float(e["weight"]))
        for e in ev[:evidence]:
            detail = " ".join(str(e["detail"]).split())
            console.print(f"  {e['signal']} ({float(e['weight']):.2f}): {detail}",
                          markup=False, highlight=False, no_wrap=True, overflow="ellipsis")
    if len(findings) > limit:
        _plain(f"… and {len(findings) - limit} smaller findings in {ffile}")
    if truth:
        _plain("review or throttle of a legitimate group is allowed (an analyst decides); "
               "suspend is not.")
        _hard_negative_line(truth, out)


def _plain(text: str) -> None:
    console.print(text, markup=False, highlight=False)


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
