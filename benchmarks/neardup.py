"""Prompt-skeleton fingerprints: exact keys against MinHash/LSH near-duplicate families.

Reads the first LINES prompts of a request log (the simulator's, or any in request-logs.md
format), normalises and masks them once (``text.normalise``, ``text.skeleton``: not timed),
then times, over the same skeletons, best of ``--repeat``:

- ``exact``: the detector's exact head/tail keys (``text.skeleton_keys``, blake2b);
- ``numpy minhash``: ``neardup.minhash`` (character 5-shingles, 64 permutations,
  vectorised per chunk of 256 skeletons);
- ``numpy minhash + LSH``: ``neardup.SkeletonFamilies.families`` on the distinct skeletons
  (signatures, banding, candidate check), the detector's path;
- ``datasketch``: datasketch's ``MinHash`` over the same shingles (``update_batch``,
  64 permutations) and ``MinHashLSH`` insert and query at the same threshold.

    nice -n 10 .venv/bin/python benchmarks/neardup.py DATA/requests.jsonl --lines 100000
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson


def _skeletons(path: Path, lines: int) -> list[str]:
    from ringfence.detect.text import normalise, skeleton

    out: list[str] = []
    with path.open("rb") as fh:
        for i, line in enumerate(fh):
            if i >= lines:
                break
            prompt = orjson.loads(line).get("prompt")
            out.append(skeleton(normalise(prompt if isinstance(prompt, str) else "")))
    return out


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, res = float("inf"), None
    for _ in range(repeat):
        t = time.process_time()
        res = fn()
        best = min(best, time.process_time() - t)
    return best, res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("log", type=Path)
    ap.add_argument("--lines", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threshold", type=float, default=0.6)
    args = ap.parse_args()

    import numpy as np
    from datasketch import MinHash, MinHashLSH

    from ringfence.detect.neardup import SkeletonFamilies, minhash, shingles
    from ringfence.detect.text import skeleton_keys

    skels = _skeletons(args.log, args.lines)
    distinct = list(dict.fromkeys(skels))
    print(f"{len(skels):,} prompts, {len(distinct):,} distinct skeletons "
          f"(mean {np.mean([len(s) for s in distinct]):.0f} characters)")

    rows: list[tuple[str, int, float]] = []
    secs, _ = _best(lambda: [skeleton_keys(s) for s in skels], args.repeat)
    rows.append(("exact head/tail keys (blake2b), every prompt", len(skels), secs))
    secs, _ = _best(lambda: minhash(distinct), args.repeat)
    rows.append(("numpy MinHash, 64 perms (distinct skeletons)", len(distinct), secs))

    def numpy_lsh() -> int:
        fam = SkeletonFamilies(threshold=args.threshold)
        return len(set(fam.families(distinct)))
    secs, nfam = _best(numpy_lsh, args.repeat)
    rows.append((f"numpy MinHash + LSH families ({nfam:,} families)", len(distinct), secs))

    def datasketch_sigs() -> list[Any]:
        out = []
        for s in distinct:
            m = MinHash(num_perm=64)
            m.update_batch([int(h).to_bytes(4, "little") for h in shingles(s)])
            out.append(m)
        return out
    secs, sigs = _best(datasketch_sigs, max(1, args.repeat - 2))
    rows.append(("datasketch MinHash, 64 perms (same shingles)", len(distinct), secs))

    def datasketch_lsh() -> int:
        lsh = MinHashLSH(threshold=args.threshold, num_perm=64)
        hits = 0
        for i, m in enumerate(sigs):
            hits += bool(lsh.query(m))
            lsh.insert(i, m)
        return hits
    secs, _ = _best(datasketch_lsh, max(1, args.repeat - 2))
    rows.append(("datasketch MinHashLSH query + insert (signatures given)", len(distinct),
                 secs))

    print(f"\n| path | items | CPU s | items/s |\n|---|---:|---:|---:|")
    for name, n, s in rows:
        print(f"| {name} | {n:,} | {s:.2f} | {n / s:,.0f} |")


if __name__ == "__main__":
    main()
