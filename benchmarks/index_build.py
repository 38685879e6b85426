"""Index build, this tree against an earlier commit, side by side in one run.

    .venv/bin/python -u benchmarks/index_build.py --entities 200000 --against 79e50b9 \\
        [--workers 1] [--rounds 1]

Both builds index the same entities (the retrieval benchmark's synthetic ones, seed 7,
plus the public groups) in a fresh process each, alternating (this tree, the other, ...
``--rounds`` times), with the name-analysis caches cold after a warm-up that loads the
dictionaries. The earlier commit's ``src`` is taken with ``git archive`` into a temporary
folder and put first on ``PYTHONPATH``. Reported per build: CPU seconds of the process
and its workers, wall, peak RSS, keys and postings, and a digest of keys with their
postings (equal when the two analyses index the same keys).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CHILD = r'''
import gc, hashlib, random, resource, sys, time
sys.path.insert(0, sys.argv[3])
from retrieval import real_entities, synth_entity
import ringfence
from ringfence.resolve import ScreeningIndex
n, workers = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(7)
reals, _ = real_entities()
ents = reals + [synth_entity(i, rng)[0] for i in range(n)]
ScreeningIndex.build(ents[:300])  # loads the dictionaries
for mod in list(sys.modules.values()):  # every analysis cache cold
    if getattr(mod, "__name__", "").startswith("ringfence.resolve"):
        for obj in vars(mod).values():
            if hasattr(obj, "cache_clear") and hasattr(obj, "cache_info"):
                obj.cache_clear()
gc.collect()
def cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime
c0, w0 = cpu(), time.perf_counter()
idx = ScreeningIndex.build(ents, workers=workers)
w1 = time.perf_counter()
c1 = cpu()
parts = idx.parts()
h = hashlib.sha256()
for k in sorted(range(len(parts.keys)), key=lambda i: parts.keys[i]):
    h.update(parts.keys[k].encode() + b"\0")
    h.update(parts.postings[parts.offsets[k]:parts.offsets[k + 1]].tobytes())
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{len(ents)} {c1 - c0:.1f} {w1 - w0:.1f} {rss:.0f} {len(parts.keys)} "
      f"{len(parts.postings)} {h.hexdigest()[:16]}")
'''


def _run(src: Path, n: int, workers: int) -> list[str]:
    env = dict(os.environ, PYTHONPATH=str(src))
    out = subprocess.run([sys.executable, "-c", CHILD, str(n), str(workers), str(HERE)],
                         env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    return out.stdout.split()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--entities", type=int, default=200_000)
    ap.add_argument("--against", default="main", help="commit to compare with")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="index-build-") as tmp:
        other = Path(tmp)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.against, "src"],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(other)], input=archive, check=True)
        runs: dict[str, list[list[str]]] = {"this tree": [], args.against: []}
        for _ in range(args.rounds):
            runs["this tree"].append(_run(ROOT / "src", args.entities, args.workers))
            runs[args.against].append(_run(other / "src", args.entities, args.workers))
    with open("/proc/loadavg") as fh:
        load = fh.read().split()[0]
    print(f"{args.entities:,} synthetic entities + public groups, {args.workers} worker(s), "
          f"load average {load} at the end")
    print("| build | entities | CPU-s | per entity | wall s | peak RSS MB | keys | postings "
          "| digest |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    best: dict[str, float] = {}
    for label, rows in runs.items():
        for ents, cpu, wall, rss, keys, post, digest in rows:
            per = 1000 * float(cpu) / int(ents)
            best[label] = min(best.get(label, 1e18), float(cpu))
            print(f"| {label} | {int(ents):,} | {float(cpu):.1f} | {per:.3f} ms | {wall} | {rss} "
                  f"| {int(keys):,} | {int(post):,} | {digest} |")
    print(f"CPU ratio ({args.against} / this tree, best of each): "
          f"{best[args.against] / best['this tree']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
