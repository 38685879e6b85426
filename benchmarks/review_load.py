"""Review load before and after issue 16 (reporting exceptions read for what they state),
by cause, under every shipped policy: on the bundled default dataset and on a synthetic
GLEIF golden copy whose reporting exceptions come in the proportions of the bundled GLEIF
sample (``ringfence.ingest.synth.REASON_WEIGHTS``).

Each side runs in its own process on its own source tree (``--previous REV``: the code
before, exported with ``git archive``; the working tree after), ingests the same files,
evaluates each policy and counts the uncertain verdicts by cause with one labeller for
both sides (so the figures compare): every possible-only origin gets a cause (a GLEIF
reason, read from the holding's source note, for an undisclosed parent; else the
owner's type), carried down the holdings of entities restricted at the upper bound only;
an uncertain entity no cause reaches is uncertain through share ranges. Owners that
stand for unnamed parties are not counted.

    .venv/bin/python benchmarks/review_load.py --scale 0.1 --previous b72d949 \\
        --workdir /tmp/rf-review

prints one JSON line per (side, dataset, policy) and a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ("provider-terms", "ofac-50", "bis-affiliates", "eu", "uk")
FULL = {"lei": 3_000_000, "rr": 500_000, "repex": 5_000_000}

_SIDE = r'''
import collections, json, re, resource, sys, time, datetime as dt
from pathlib import Path
import numpy as np
import pyarrow.parquet as pq
from ringfence.engines.local import LocalEngine
from ringfence.ingest.pipeline import SourceSpec, ingest_sources
from ringfence.policy import load_policy
from ringfence.snapshot import open_snapshot

try:  # trees from issue 12 on hand the packaged dictionaries in explicitly
    from ringfence.packaged import use_packaged_dictionaries
    use_packaged_dictionaries()
except ImportError:
    pass
label, dataset, out, policies = sys.argv[1], sys.argv[2], Path(sys.argv[3]), sys.argv[4:]
files = [Path(x) for x in json.loads(sys.stdin.read())]
day = dt.date(2026, 12, 7)
t0 = time.process_time()
if dataset == "default":
    from ringfence.ingest.default import build_default_snapshot
    build_default_snapshot(out, force=True)
else:
    ingest_sources([SourceSpec("gleif", files)], out=out, force=True)
t_ingest = time.process_time() - t0
snap = open_snapshot(out)
ents, _ = snap.graph()
h = pq.read_table(out / "holdings.parquet", columns=["owner", "source_note"])
rx = re.compile(r"GLEIF reporting exception (DIRECT|ULTIMATE)_ACCOUNTING_CONSOLIDATION_PARENT "
                r"([A-Z_]+)")
reason = {}
for o, note in zip(h.column("owner").to_pylist(), h.column("source_note").to_pylist()):
    m = rx.search(note or "") if o.startswith(("unknown:", "persons:")) else None
    if m:
        reason[o] = f"GLEIF {m.group(2)} ({m.group(1).lower()} parent)"
ids = list(ents.ids)
unnamed = np.array([t == 3 or i.startswith("persons:") for i, t in
                    zip(ids, ents.type.tolist())], dtype=bool)
for p in policies:
    t1 = time.process_time()
    book = LocalEngine().evaluate(snap, load_policy(p), day)
    r = book.result
    t_eval = time.process_time() - t1
    seeds = np.flatnonzero(r.possible & ~r.certain)
    words = sorted({reason.get(ids[i]) or ("unnamed owner" if ents.type[i] == 3 else
                                           "person") for i in seeds})
    bit = {w: 1 << k for k, w in enumerate(words)}
    bits = np.zeros(len(ids), dtype=np.int64)
    for i in seeds.tolist():
        bits[i] |= bit[reason.get(ids[i]) or ("unnamed owner" if ents.type[i] == 3
                                              else "person")]
    hold = r.holdings
    only = r.high.restricted & ~r.low.restricted
    keep = only[hold.owner] & (hold.owner != hold.owned)
    ow, od = hold.owner[keep].astype(np.int64), hold.owned[keep].astype(np.int64)
    while len(ow):
        new = bits.copy()
        np.bitwise_or.at(new, od, bits[ow])
        if np.array_equal(new, bits):
            break
        bits = new
    counted = ~unnamed
    verdict = r.verdict
    counts = {name: int(((verdict == code) & counted).sum())
              for code, name in ((2, "restricted"), (1, "uncertain"), (0, "clear"))}
    by_cause = collections.Counter()
    for i in np.flatnonzero((verdict == 1) & counted).tolist():
        found = [w for w, v in bit.items() if bits[i] & v] or ["share range"]
        by_cause.update(found)
    print(json.dumps({"side": label, "dataset": dataset, "policy": p,
                      "entities": int(counted.sum()), "counts": counts,
                      "by_cause": dict(by_cause.most_common()),
                      "cpu_ingest_s": round(t_ingest, 1), "cpu_eval_s": round(t_eval, 1),
                      "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}),
          flush=True)
'''


def _tree(rev: str, work: Path) -> Path:
    """The source tree of ``rev`` (``git archive``), or the working tree for ``""``."""
    if not rev:
        return ROOT / "src"
    dest = work / f"tree-{rev}"
    if not (dest / "src").exists():
        dest.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile() as fh:
            subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], stdout=fh,
                           check=True)
            fh.seek(0)
            with tarfile.open(fileobj=fh) as tar:
                tar.extractall(dest, filter="data")
    return dest / "src"


def _synth(work: Path, scale: float) -> list[Path]:
    from ringfence.ingest import synth

    n = {k: max(10, int(v * scale)) for k, v in FULL.items()}
    files = [work / "lei.xml", work / "rr.xml", work / "repex.xml"]
    stamp = work / "counts.json"
    if stamp.exists() and json.loads(stamp.read_text()) == n and all(
            f.exists() for f in files):
        return files
    synth.write_lei_xml(files[0], n["lei"])
    synth.write_rr_xml(files[1], n["rr"], entities=n["lei"])
    synth.write_repex_xml(files[2], n["repex"], entities=n["lei"])
    stamp.write_text(json.dumps(n))
    return files


def _fmt(d: dict[str, int]) -> str:
    return "; ".join(f"{k} {v:,}" for k, v in d.items()) or "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/rf-review"))
    ap.add_argument("--previous", default="b72d949", help="git revision before")
    ap.add_argument("--datasets", default="default,synthetic")
    args = ap.parse_args()
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    files = _synth(work, args.scale) if "synthetic" in args.datasets else []
    rows = []
    for side, rev in (("before", args.previous), ("after", "")):
        src = _tree(rev, work)
        for dataset in args.datasets.split(","):
            out = work / f"snap-{side}-{dataset}"
            proc = subprocess.run(
                [sys.executable, "-c", _SIDE, side, dataset, str(out), *POLICIES],
                input=json.dumps([str(f) for f in files]), capture_output=True, text=True,
                env={**os.environ, "PYTHONPATH": str(src)}, check=False)
            if proc.returncode:
                raise SystemExit(f"{side} {dataset} failed:\n{proc.stderr[-3000:]}")
            for line in proc.stdout.splitlines():
                print(line, flush=True)
                rows.append(json.loads(line))
    print("\n| dataset | policy | uncertain before | uncertain after | causes before | "
          "causes after |\n|---|---|---|---|---|---|")
    for b in (r for r in rows if r["side"] == "before"):
        a = next(r for r in rows if r["side"] == "after" and r["dataset"] == b["dataset"]
                 and r["policy"] == b["policy"])
        print(f"| {b['dataset']} ({b['entities']:,}) | {b['policy']} | "
              f"{b['counts']['uncertain']:,} | {a['counts']['uncertain']:,} | "
              f"{_fmt(b['by_cause'])} | {_fmt(a['by_cause'])} |")


if __name__ == "__main__":
    main()
