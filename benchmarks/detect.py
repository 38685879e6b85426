"""Detection benchmark: `ringfence detect replay` against the naive linkage baseline.

Simulates three logs (the default seed, a second seed, and the variant with other rates,
sizes, release times and wording; no tuning between them), runs the detector's replay and
the baseline on each in a fresh process (so wall time and peak RSS are each run's own),
scores both with the §4 evaluator, prints the tables and writes them as Markdown and JSON.

    nice -n 5 .venv/bin/python benchmarks/detect.py                  # the three 14-day logs
    .venv/bin/python benchmarks/detect.py --runs small --workdir /tmp/bd   # a smoke run

Simulated logs are kept in WORKDIR/<run>/data and reused when their config is unchanged.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# run name -> (preset, seed)
RUNS: dict[str, tuple[str, int | None]] = {
    "default": ("default", None), "seed2": ("default", 2), "variant": ("variant", None),
    "heldout": ("heldout", None),  # the held-out wordings: evaluate only, never tune on them
    "heldout2": ("heldout2", None), "heldout3": ("heldout3", None),
    "small": ("small", None), "demo": ("demo", None),
}

CHILD = r"""
import json, resource, sys, threading, time
from pathlib import Path
peak = [0]
def sample():
    import os
    while True:
        try:
            with open(f"/proc/{os.getpid()}/statm") as fh:
                peak[0] = max(peak[0], int(fh.read().split()[1]) * 4096)
        except OSError:
            pass
        time.sleep(0.2)
threading.Thread(target=sample, daemon=True).start()
which, data, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
t = time.perf_counter()
if which == "replay":
    from ringfence.traffic.replay import replay
    rep = replay(data, out)
    extra = {"requests": rep.requests, "rejects": rep.rejects, "findings": rep.findings}
else:
    sys.path.insert(0, sys.argv[4])
    from detect_baseline import run_baseline
    extra = run_baseline(data, out)
secs = time.perf_counter() - t
ru = resource.getrusage(resource.RUSAGE_SELF)
# VmHWM is this process's own high-water mark; ru_maxrss also carries the parent's image
# from before exec (Linux keeps the old mm's peak across execve)
hwm = 0.0
with open("/proc/self/status") as fh:
    for line in fh:
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1]) / 1024
print("RESULT " + json.dumps({"seconds": secs, "peak_rss_mb": hwm or ru.ru_maxrss / 1024,
                              "ru_maxrss_mb": ru.ru_maxrss / 1024,
                              "sampled_peak_mb": peak[0] / 2**20,
                              "cpu_seconds": ru.ru_utime + ru.ru_stime, **extra}))
"""


def _cfg(preset: str, seed: int | None) -> Any:
    from ringfence.traffic.sim import SimConfig

    f = getattr(SimConfig, preset)
    return f() if seed is None else f(seed)


def simulate(run: str, work: Path) -> tuple[Path, dict[str, Any]]:
    from ringfence.traffic.sim import simulate as sim

    preset, seed = RUNS[run]
    cfg = _cfg(preset, seed)
    data = work / run / "data"
    stamp = work / run / "config.json"
    want = json.dumps(asdict(cfg), sort_keys=True, default=str)
    if data.exists() and stamp.exists() and stamp.read_text() == want:
        return data, {"reused": True}
    t = time.perf_counter()
    rep = sim(cfg, data)
    stamp.write_text(want)
    return data, {"seconds": time.perf_counter() - t, "requests": rep.requests,
                  "accounts": rep.accounts, "campaigns": rep.campaigns}


def child(which: str, data: Path, out: Path) -> dict[str, Any]:
    """Run replay or the baseline in a fresh interpreter; its time and peak memory."""
    proc = subprocess.run([sys.executable, "-c", CHILD, which, str(data), str(out),
                           str(HERE)], capture_output=True, text=True, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            res: dict[str, Any] = json.loads(line[7:])
            return res
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return {"error": " | ".join(tail) or f"exit {proc.returncode}"}


def fmt(v: Any) -> str:
    from ringfence.traffic.evaluate import format_value

    return format_value(v)


def markdown(run: str, sim: dict[str, Any], res: dict[str, dict[str, Any]],
             reps: dict[str, Any]) -> str:
    """One run's tables: targets side by side, then per campaign and per group."""
    lines = [f"#### {run}", ""]
    who = [w for w in ("replay", "baseline") if w in reps]
    for w in ("replay", "baseline"):
        r = res.get(w, {})
        if "error" in r:
            lines.append(f"- {w}: did not run ({r['error']})")
        elif r:
            rpm = r.get("requests", 0) / (r["seconds"] / 60) if r.get("seconds") else 0
            peak = r.get("sampled_peak_mb", r["peak_rss_mb"]) if "ru_maxrss_mb" not in r \
                else r["peak_rss_mb"]
            cpm = r.get("requests", 0) / (r["cpu_seconds"] / 60) if r.get("cpu_seconds") else 0
            lines.append(f"- {w}: {r['seconds']:.1f} s wall, {r['cpu_seconds']:.1f} s CPU, "
                         f"peak RSS {peak:.0f} MB, {rpm:,.0f} requests/min of wall time, "
                         f"{cpm:,.0f} per CPU minute")
    lines.append("")
    if not who:
        return "\n".join(lines) + "\n"
    lines += ["| metric | target | " + " | ".join(who) + " |",
              "|---|---|" + "---|" * len(who)]
    names: list[str] = []
    by: dict[str, dict[str, Any]] = {w: {} for w in who}
    for w in who:
        for t in reps[w].targets:
            if t.name not in names:
                names.append(t.name)
            by[w][t.name] = t
    tgt = {n: next(by[w][n].target for w in who if n in by[w]) for n in names}
    for n in names:
        cells = []
        for w in who:
            t = by[w].get(n)
            cells.append(f"{fmt(t.value)} {'pass' if t.passed else '**FAIL**'}" if t else "")
        lines.append(f"| {n} | {tgt[n]} | " + " | ".join(cells) + " |")
    for label, attr in (("recall at benign FPR 0.1%", "recall_at_fpr_0_1"),
                        ("recall at benign FPR 1%", "recall_at_fpr_1"),
                        ("PR-AUC", "pr_auc"), ("B-cubed precision", "bcubed_precision"),
                        ("B-cubed recall", "bcubed_recall")):
        lines.append(f"| {label} | reported | " + " | ".join(
            fmt(getattr(reps[w], attr)) for w in who) + " |")
    lines += ["", "| campaign | family | accounts | " + " | ".join(
        f"{w} recall | {w} h to 50% | {w} leakage" for w in who) + " |",
        "|---|---|---|" + "---|---|---|" * len(who)]
    camp = {w: {c["campaign"]: c for c in reps[w].campaigns} for w in who}
    for cid, c in camp[who[0]].items():
        cells = []
        for w in who:
            x = camp[w].get(cid, {})
            cells += [fmt(x.get("recall")), fmt(x.get("hours_to_half")), fmt(x.get("leakage"))]
        lines.append(f"| {cid} | {c['family']} | {c['accounts']} | " + " | ".join(cells) + " |")
    lines += ["", "| hard-negative group | accounts | " + " | ".join(
        f"{w} suspended | {w} throttled | {w} reviewed" for w in who) + " |",
        "|---|---|" + "---|---|---|" * len(who)]
    hn = {w: {g["group"]: g for g in reps[w].hard_negatives} for w in who}
    for g, row in hn[who[0]].items():
        cells = []
        for w in who:
            x = hn[w].get(g, {})
            cells += [fmt(x.get("suspended")), fmt(x.get("throttled")), fmt(x.get("reviewed"))]
        lines.append(f"| {g} | {row['accounts']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", nargs="+", default=["default", "seed2", "variant"],
                    choices=sorted(RUNS))
    ap.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench-detect")
    ap.add_argument("--no-replay", action="store_true", help="Baseline only.")
    ap.add_argument("--rescore", action="store_true",
                    help="Score the outputs already in WORKDIR again (timings from the "
                         "saved results); neither simulate nor run.")
    args = ap.parse_args(argv)
    from ringfence.cli.detect import print_report
    from ringfence.traffic.evaluate import evaluate

    work: Path = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True, check=False).stdout.strip()
    md = [f"Commit {commit}, {platform.machine()}, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.", ""]
    summary: dict[str, Any] = {"commit": commit, "runs": {}}
    for run in args.runs:
        saved: dict[str, Any] = {}
        if args.rescore:
            data = work / run / "data"
            prev = work / f"detect-results-{run}.json"
            saved = json.loads(prev.read_text())["runs"][run] if prev.exists() else {}
            sim = saved.get("sim", {})
        else:
            data, sim = simulate(run, work)
        print(f"== {run}: {data} {sim}", flush=True)
        res: dict[str, dict[str, Any]] = {}
        reps: dict[str, Any] = {}
        for which in (["baseline"] if args.no_replay else ["replay", "baseline"]):
            out = work / run / f"out-{which}"
            if args.rescore:
                res[which] = {k: v for k, v in saved.get("runs", {}).get(which, {}).items()
                              if k != "error"}
                if not (out / "final.csv").exists():
                    res[which] = {"error": "no output to score"}
            else:
                res[which] = child(which, data, out)
            print(f"   {which}: {res[which]}", flush=True)
            if "error" not in res[which]:
                reps[which] = evaluate(data, out)
                print_report(reps[which], title=f"{run} / {which}: ")
        md.append(markdown(run, sim, res, reps))
        summary["runs"][run] = {"sim": sim, "runs": res,
                                "reports": {w: json.loads(r.to_json()) for w, r in reps.items()}}
    tag = "-".join(args.runs)
    (work / f"detect-results-{tag}.md").write_text("\n".join(md))
    (work / f"detect-results-{tag}.json").write_text(json.dumps(summary, indent=1,
                                                                default=str))
    print(f"tables -> {work / f'detect-results-{tag}.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
