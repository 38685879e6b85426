"""`detect run` following a growing inbox, beside `detect replay` on the same requests.

Cuts the first DAYS days of a DATA folder's log (accounts, orgs and events copied, the
window shortened to DAYS days) and runs, each in a fresh process, best of one:

- ``replay``: ``ringfence.traffic.replay.replay(DATA, OUT)``;
- ``run``: ``ringfence.traffic.run.run(INBOX, STATE, OUT, max_idle=…)`` while a feeder
  renames hourly part files ``requests-<hour>.jsonl`` into INBOX one after another (every
  ``--feed-interval`` seconds), so the follower reads a growing inbox, saves its state and
  rewrites its outputs at every hourly checkpoint, as in production.

It prints requests/s (wall) and CPU seconds for both, the size and pickling cost of the
final state, the load average around the runs, and checks that the two runs wrote the same
actions.csv, final.csv and findings.jsonl.

    nice -n 10 .venv/bin/python benchmarks/detect_run.py DATA --days 3 --workdir /tmp/br
    .venv/bin/python benchmarks/detect_run.py DATA --days 14 --workdir W --cut-only  # once
    .venv/bin/python benchmarks/detect_run.py DATA --days 14 --workdir W  # quiet machine
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

CHILD = r"""
import json, pickle, resource, sys, threading, time, os
from pathlib import Path
which, src, work = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
interval, every = float(sys.argv[4]), int(sys.argv[5])
t = time.perf_counter()
extra = {}
if which == "replay":
    from ringfence.traffic.replay import replay
    rep = replay(src, work / "out-replay")
    n = rep.requests
else:
    import inspect
    from ringfence.traffic.run import run
    inbox = work / "inbox"
    parts = sorted((work / "parts").glob("requests-*.jsonl"))
    def feed():
        for p in parts:
            p.rename(inbox / p.name)  # a part appears complete (rename into the inbox)
            time.sleep(interval)
    th = threading.Thread(target=feed, daemon=True)
    th.start()
    kw = {"snapshot_every": every} if "snapshot_every" in inspect.signature(run).parameters else {}
    rep = run(inbox, work / "state", work / "out-run", poll=0.05,
              max_idle=max(2.0, 4 * interval), **kw)
    n = rep.requests
secs = time.perf_counter() - t
ru = resource.getrusage(resource.RUSAGE_SELF)
cpu = ru.ru_utime + ru.ru_stime
if which == "run":  # what one save of the whole final state costs (not in the figures above)
    with open(work / "state" / "state.pickle", "rb") as fh:
        state = pickle.load(fh)["detector"]
    c0 = time.process_time()
    blob = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    extra = {"state_mb": len(blob) / 2**20, "state_pickle_cpu_s": time.process_time() - c0}
hwm = 0.0
with open("/proc/self/status") as fh:
    for line in fh:
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1]) / 1024
print("RESULT " + json.dumps({"seconds": secs, "cpu_seconds": cpu,
                              "peak_rss_mb": hwm, "requests": n, **extra}))
"""

HOUR_MS = 3600 * 1000


def _cut(src: Path, work: Path, days: int) -> tuple[Path, int]:
    """DATA cut to ``days`` days at WORK/cut/data, and the same requests as hourly part files
    in WORK/cut/parts; ``_stage`` makes the follower's inbox from them."""
    import orjson

    cut = work / "cut"
    data, parts, inbox = cut / "data", cut / "parts", cut / "inbox"
    for d in (data, parts, inbox):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    for name in ("accounts.jsonl", "orgs.jsonl"):
        shutil.copy(src / name, data / name)
        shutil.copy(src / name, inbox / name)
    ev = json.loads((src / "events.json").read_text())
    start = ev["window_start"]
    from datetime import datetime, timedelta

    t0 = datetime.fromisoformat(start.replace("Z", "+00:00"))
    end = t0 + timedelta(days=days)
    ev["window_end"] = end.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    ev["events"] = [e for e in ev["events"]
                    if datetime.fromisoformat(e["ts"].replace("Z", "+00:00")) < end]
    for d in (data, inbox):
        (d / "events.json").write_text(json.dumps(ev))
    n = 0
    cur_hour, fh_part = None, None
    with (src / "requests.jsonl").open("rb") as fin, \
            (data / "requests.jsonl").open("wb") as fout:
        for line in fin:
            ts = orjson.loads(line)["ts"]
            when = datetime.fromisoformat(ts.replace("Z", "+00:00"))
            if when >= end:
                break
            fout.write(line)
            hour = when.strftime("%Y%m%d%H")
            if hour != cur_hour:
                if fh_part is not None:
                    fh_part.close()
                fh_part = (parts / f"requests-{hour}.jsonl").open("wb")
                cur_hour = hour
            assert fh_part is not None
            fh_part.write(line)
            n += 1
    if fh_part is not None:
        fh_part.close()
    (cut / "cut.json").write_text(json.dumps({"src": str(src), "days": days, "requests": n}))
    return data, n


def _stage(work: Path) -> None:
    """A fresh WORK/inbox (records and events only), WORK/parts (hard links to the cut's
    part files, renamed into the inbox by the feeder), no state or outputs."""
    for name in ("inbox", "parts", "state", "out-run", "out-replay"):
        shutil.rmtree(work / name, ignore_errors=True)
    shutil.copytree(work / "cut" / "inbox", work / "inbox")
    (work / "parts").mkdir()
    for p in sorted((work / "cut" / "parts").iterdir()):
        os.link(p, work / "parts" / p.name)


def _child(which: str, data: Path, work: Path, interval: float, every: int
           ) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-c", CHILD, which, str(data), str(work),
                           str(interval), str(every)], capture_output=True, text=True,
                          check=False)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            res: dict[str, Any] = json.loads(line[7:])
            return res
    return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-3:]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", type=Path)
    ap.add_argument("--days", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/rf-detect-run"))
    ap.add_argument("--feed-interval", type=float, default=0.2)
    ap.add_argument("--snapshot-hours", type=int, default=24,
                    help="run's snapshot_every (ignored by a version without it)")
    ap.add_argument("--modes", nargs="+", default=["replay", "run"], choices=["replay", "run"])
    ap.add_argument("--cut-only", action="store_true",
                    help="cut the log into WORKDIR/cut and stop (no lock needed for that)")
    args = ap.parse_args()
    marker = args.workdir / "cut" / "cut.json"
    done = json.loads(marker.read_text()) if marker.exists() else {}
    if done.get("src") == str(args.data) and done.get("days") == args.days:
        data, n = args.workdir / "cut" / "data", int(done["requests"])  # cut already
    else:
        data, n = _cut(args.data, args.workdir, args.days)
    if args.cut_only:
        return
    _stage(args.workdir)
    print(f"{n:,} requests in {args.days} days; {len(list((args.workdir / 'parts').iterdir()))}"
          " hourly part files")
    print(f"load average before: {_load()}")
    rows = {w: _child(w, data, args.workdir, args.feed_interval, args.snapshot_hours)
            for w in args.modes}
    print(f"load average after: {_load()}")
    print("\n| mode | requests | wall s | CPU s | requests/s (wall) | requests/CPU-s |"
          " peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for w, r in rows.items():
        if "error" in r:
            print(f"| {w} | error: {r['error']} |")
            continue
        print(f"| {w} | {r['requests']:,} | {r['seconds']:.1f} | {r['cpu_seconds']:.1f} | "
              f"{r['requests'] / r['seconds']:,.0f} | {r['requests'] / r['cpu_seconds']:,.0f} | "
              f"{r['peak_rss_mb']:.0f} |")
    run = rows.get("run", {})
    if "state_mb" in run:
        print(f"\nfinal state: {run['state_mb']:.1f} MB pickled, "
              f"{run['state_pickle_cpu_s']:.2f} CPU-s per save")
    if len(rows) == 2:
        for name in ("actions.csv", "final.csv", "findings.jsonl"):
            same = ((args.workdir / "out-replay" / name).read_bytes()
                    == (args.workdir / "out-run" / name).read_bytes())
            print(f"{name} identical: {same}")


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    main()
