"""Snapshot load: Parquet on disk → the arrays attribution reads, and the cached ordering.

Writes the attribution benchmark's synthetic graph (``benchmarks/attribution.py``:
power-law forest, ~1.48 holdings per entity, cross-holdings, ranges) as a real snapshot
(entity ids shaped like ``lei:`` + 20 characters; the publish, with its final check and
the caches it writes, is timed too), then times, each in a fresh process:

1. ``open_snapshot(DIR).graph()`` with no cache: read the columns, map holding ends to
   entity rows, encode types, countries, kinds and dates, save the arrays under
   ``cache/graph`` (once per snapshot);
2. the same in a new process with the cache: the load the service and the CLI pay at
   every start (entity ids from Parquet, the rest from the cached arrays);
3. ``graph_order()`` with no cache (computed, then saved under ``cache/order``);
4. ``graph_order()`` again in a new process (loaded from the cache);

and, in the same run, two baselines for step 1: pyarrow reading the same columns and
nothing else (a floor: decoding alone), and DuckDB doing the same job (read both tables,
map owner and owned ids to entity row numbers with a join, return NumPy arrays).

    .venv/bin/python benchmarks/load.py --sizes 1000000 10000000 --workdir /tmp/rf-load
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

HERE = Path(__file__).resolve().parent

_TIMED = {
    "ringfence: open_snapshot().graph(), no cache (built and saved)": """
import shutil
from ringfence.snapshot import open_snapshot
shutil.rmtree(DIR + "/cache/graph", ignore_errors=True)
t0 = time.monotonic(); c0 = time.process_time()
ents, holds = open_snapshot(DIR).graph()
EXTRA["wall"] = time.monotonic() - t0; EXTRA["cpu"] = time.process_time() - c0
assert len(ents) == N and len(holds.owner) == M and holds.owner.min() >= 0
""",
    "ringfence: open_snapshot().graph(), cached (the load)": """
from ringfence.snapshot import open_snapshot
ents, holds = open_snapshot(DIR).graph()
assert len(ents) == N and len(holds.owner) == M and holds.owner.min() >= 0
""",
    "ringfence: graph_order(), no cache (computed and saved)": """
import shutil
from ringfence.snapshot import open_snapshot
shutil.rmtree(DIR + "/cache", ignore_errors=True)
snap = open_snapshot(DIR)
snap.graph()
t0 = time.monotonic(); c0 = time.process_time()
order = snap.graph_order()
EXTRA["wall"] = time.monotonic() - t0; EXTRA["cpu"] = time.process_time() - c0
""",
    "ringfence: graph_order(), cached": """
from ringfence.snapshot import open_snapshot
snap = open_snapshot(DIR)
snap.graph()
t0 = time.monotonic(); c0 = time.process_time()
order = snap.graph_order()
EXTRA["wall"] = time.monotonic() - t0; EXTRA["cpu"] = time.process_time() - c0
assert order.n == N
""",
    "baseline: pyarrow read_table of the same columns (decode only)": """
import pyarrow.parquet as pq
e = pq.read_table(DIR + "/entities.parquet",
                  columns=["id", "type", "hq_country", "jurisdiction", "lists"])
h = pq.read_table(DIR + "/holdings.parquet",
                  columns=["owner", "owned", "kind", "lo", "hi", "lo_open", "hi_open",
                           "valid_from", "valid_to"])
assert e.num_rows == N and h.num_rows == M
""",
    "baseline: DuckDB, ids mapped to rows by a join, NumPy out": """
import duckdb
con = duckdb.connect()
con.execute("SET enable_progress_bar=false")
con.execute(f"CREATE TABLE e AS SELECT id, type, hq_country, jurisdiction, "
            f"row_number() OVER () - 1 AS rn FROM read_parquet('{DIR}/entities.parquet')")
out = con.execute(f'''
    SELECT o.rn AS owner, d.rn AS owned, h.kind, h.lo, h.hi, h.lo_open, h.hi_open,
           coalesce(h.valid_from - DATE '1970-01-01', -2147483648) AS vf,
           coalesce(h.valid_to - DATE '1970-01-01', 2147483647) AS vt
    FROM read_parquet('{DIR}/holdings.parquet') h
    JOIN e o ON o.id = h.owner JOIN e d ON d.id = h.owned''').fetchnumpy()
ents = con.execute("SELECT type, hq_country, jurisdiction FROM e ORDER BY rn").fetchnumpy()
assert len(out["owner"]) == M and len(ents["type"]) == N
""",
}

_WRAP = """
import json, sys, time
import duckdb, numpy, pyarrow.parquet  # imports are not timed
import ringfence.snapshot, ringfence.attribution.ordering
DIR, N, M = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
EXTRA = {{}}
t0 = time.monotonic(); c0 = time.process_time()
{body}
wall, cpu = time.monotonic() - t0, time.process_time() - c0
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the forking parent
hwm = [ln for ln in open("/proc/self/status") if ln.startswith("VmHWM:")][0].split()[1]
print(json.dumps({{"wall": EXTRA.get("wall", wall), "cpu": EXTRA.get("cpu", cpu),
                  "rss_gb": int(hwm) / 2**20}}))
"""


def write_snapshot(out: Path, n: int) -> int:
    """The synthetic graph of size ``n`` as a published snapshot at ``out``; returns the
    number of holdings."""
    sys.path.insert(0, str(HERE))
    from attribution import synthetic
    from ringfence.attribution.graph import NO_DATE_MAX, NO_DATE_MIN
    from ringfence.snapshot import SnapshotWriter

    ents, holds = synthetic(n)
    ids = pa.array([f"lei:{i:020d}" for i in range(n)], pa.string())
    types = np.array(["company", "person", "state", "unknown"], dtype=object)
    countries = np.array(ents.countries, dtype=object)
    m = len(holds.owner)

    def date(a: np.ndarray[Any, Any], none: int) -> pa.Array:
        return pa.array(a.astype(np.int32), pa.int32(), mask=a == none).cast(pa.date32())

    shutil.rmtree(out, ignore_errors=True)
    with SnapshotWriter(out) as w:
        step = 2_000_000
        for a in range(0, n, step):
            b = min(n, a + step)
            w.add_table("entities", pa.table({
                "id": ids.slice(a, b - a),
                "name": pa.array([""] * (b - a), pa.string()),
                "type": pa.array(types[ents.type[a:b]], pa.string()),
                "hq_country": pa.array(countries[ents.hq[a:b]], pa.string()),
                "jurisdiction": pa.array(countries[ents.jurisdiction[a:b]], pa.string()),
                "lists": pa.array([[]] * (b - a), pa.list_(pa.string())),
                "source_dataset": pa.array(["synthetic"] * (b - a), pa.string()),
                "source_record": pa.array([""] * (b - a), pa.string()),
                "source_line": pa.nulls(b - a, pa.int64()),
            }))
        kinds = np.array(["shares", "votes", "control"], dtype=object)
        for a in range(0, m, step):
            b = min(m, a + step)
            w.add_table("holdings", pa.table({
                "owner": pc.take(ids, pa.array(holds.owner[a:b])),
                "owned": pc.take(ids, pa.array(holds.owned[a:b])),
                "kind": pa.array(kinds[holds.kind[a:b]], pa.string()),
                # an eighth of the attribution benchmark's shares, so that no company
                # is over 100% owned and the publish check passes (the load does not
                # depend on the values)
                "lo": pa.array(holds.lo[a:b] // 8), "hi": pa.array(holds.hi[a:b] // 8),
                "lo_open": pa.array(holds.lo_open[a:b]),
                "hi_open": pa.array(holds.hi_open[a:b]),
                "valid_from": date(holds.valid_from[a:b], NO_DATE_MIN),
                "valid_to": date(holds.valid_to[a:b], NO_DATE_MAX),
                "source_dataset": pa.array(["synthetic"] * (b - a), pa.string()),
                "source_record": pa.array([""] * (b - a), pa.string()),
                "source_line": pa.nulls(b - a, pa.int64()),
                "source_note": pa.array([""] * (b - a), pa.string()),
            }))
        t, c = time.monotonic(), time.process_time()
        w.publish()  # checks the snapshot and caches its graph arrays and ordering
        print(f"  publish (final check, graph and ordering cached): wall "
              f"{time.monotonic() - t:.2f}s cpu {time.process_time() - c:.2f}s",
              file=sys.stderr, flush=True)
    return m


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/rf-load"))
    ap.add_argument("--repeat", type=int, default=2, help="runs per figure (best kept)")
    args = ap.parse_args()
    rows: list[tuple[int, int, str, dict[str, float]]] = []
    for n in args.sizes:
        snap = args.workdir / f"snap-{n}"
        t = time.monotonic()
        m = write_snapshot(snap, n)
        print(f"{n:,} entities, {m:,} holdings written in {time.monotonic() - t:.0f}s "
              f"({sum(f.stat().st_size for f in snap.glob('*.parquet')) / 2**20:,.0f} MB "
              "of Parquet)", file=sys.stderr, flush=True)
        for label, body in _TIMED.items():
            best: dict[str, float] | None = None
            for _ in range(args.repeat):
                out = subprocess.run([sys.executable, "-c", _WRAP.format(body=body),
                                      str(snap), str(n), str(m)], capture_output=True,
                                     text=True, env=os.environ.copy())
                if out.returncode:
                    raise SystemExit(f"{label} failed:\n{out.stderr[-3000:]}")
                got = json.loads([ln for ln in out.stdout.splitlines()
                                  if ln.startswith("{")][-1])
                if best is None or got["wall"] < best["wall"]:
                    best = got
            assert best is not None
            rows.append((n, m, label, best))
            print(f"  {label}: wall {best['wall']:.2f}s cpu {best['cpu']:.2f}s "
                  f"peak {best['rss_gb']:.2f} GB", file=sys.stderr, flush=True)
        shutil.rmtree(snap, ignore_errors=True)
    print(f"\nmachine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n")
    print("| entities | holdings | run | wall s | CPU s | peak RSS GB |")
    print("|---:|---:|---|---:|---:|---:|")
    for n, m, label, r in rows:
        print(f"| {n:,} | {m:,} | {label} | {r['wall']:.2f} | {r['cpu']:.2f} | "
              f"{r['rss_gb']:.2f} |")


if __name__ == "__main__":
    main()
