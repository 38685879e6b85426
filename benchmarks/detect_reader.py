"""Request-log reading: orjson line by line (what ``traffic.reader`` does) against
pyarrow.json's streaming reader (``open_json``), on the first N lines of a log.

    python benchmarks/detect_reader.py DATA/requests.jsonl [--lines 200000]

Both produce one Python dict per request (what the detector consumes); pyarrow parses to
Arrow batches fast, but the detector needs rows, so its figure includes ``to_pylist``.
Prints lines/s for each and the ratio.
"""

from __future__ import annotations

import argparse
import io
import itertools
import time
from pathlib import Path


def _orjson(data: bytes) -> int:
    import orjson

    n = 0
    for line in io.BytesIO(data):
        rec = orjson.loads(line)
        n += rec is not None
    return n


def _pyarrow(data: bytes) -> int:
    import pyarrow.json as pj

    n = 0
    reader = pj.open_json(io.BytesIO(data), read_options=pj.ReadOptions(block_size=1 << 22))
    for batch in reader:
        for rec in batch.to_pylist():
            n += rec is not None
    return n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("log", type=Path)
    ap.add_argument("--lines", type=int, default=200_000)
    args = ap.parse_args()
    with open(args.log, "rb") as fh:
        data = b"".join(itertools.islice(fh, args.lines))
    results = {}
    for name, fn in (("orjson", _orjson), ("pyarrow.json", _pyarrow)):
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            n = fn(data)
            best = min(best, time.perf_counter() - t)
        results[name] = n / best
        print(f"{name:13s} {n:,} lines in {best:.2f} s = {n / best:,.0f} lines/s")
    print(f"orjson / pyarrow.json = {results['orjson'] / results['pyarrow.json']:.2f}x")


if __name__ == "__main__":
    main()
