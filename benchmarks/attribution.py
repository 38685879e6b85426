"""Attribution benchmark: ringfence's engine against the straightforward alternatives.

Synthetic ownership graphs (power-law trees, ~1.5 holdings per entity, ~2% cross-holdings
that close cycles, ~5% ranges, ~1% expired holdings). Per size, in a fresh process (so
peak RSS belongs to that size): building the snapshot ordering, then each mode with both
bounds, the SciPy Jacobi iteration, the same iteration as DuckDB SQL, networkx (at
100k), and one-holding incremental updates against a full run.

    .venv/bin/python benchmarks/attribution.py --sizes 100000 1000000 10000000

Issue 19's in-process targets at 10M (ordering, cascade, control, look-through with both
bounds, peak RSS, beside one SciPy sparse pass, SciPy's and DuckDB's Jacobi), as a table:

    .venv/bin/python benchmarks/attribution.py --sizes 10000000 --targets
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, cast

import numpy as np

AS_OF = dt.date(2025, 1, 1)
SCALE = 1_000_000_000


class Ids:
    """Entity ids made on demand (10M Python strings would dominate memory)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> str:
        return f"e{i}"


def synthetic(n: int, seed: int = 0) -> tuple[Any, Any]:
    from ringfence.attribution.graph import NO_DATE_MAX, NO_DATE_MIN, EntityTable, HoldingTable

    rng = np.random.default_rng(seed)
    etype = rng.choice(np.array([0, 1, 2], dtype=np.int8), n, p=[0.8, 0.18, 0.02])
    # countries: 1 unknown-free filler; 3% restricted (codes 2, 3), 5% unknown hq
    hq = rng.choice(np.array([1, 2, 3, 0, 4], dtype=np.int16), n, p=[0.72, 0.02, 0.01, 0.05, 0.20])
    jur = rng.choice(np.array([1, 4, 2], dtype=np.int16), n, p=[0.6, 0.38, 0.02])
    ents = EntityTable(
        ids=cast(Sequence[str], Ids(n)),
        type=etype,
        hq=hq,
        jurisdiction=jur,
        countries=("", "US", "CN", "RU", "DE"),
        list_ptr=np.zeros(n + 1, dtype=np.int64),
        list_idx=np.zeros(0, dtype=np.int32),
        list_names=(),
    )
    # a tree: entity i (not a root) has a main owner earlier in the order, chosen with a
    # bias towards early entities (hubs: power-law out-degrees)
    roots = max(1, n // 10)
    child = np.arange(roots, n, dtype=np.int64)
    parent = (child * rng.random(len(child)) ** 3).astype(np.int64)
    main = rng.uniform(0.3, 1.0, len(child))
    # minority co-owners: about 0.55 per entity, also earlier
    k = int(0.55 * n)
    mchild = rng.integers(roots, n, k)
    mparent = (mchild * rng.random(k) ** 2).astype(np.int64)
    mshare = rng.uniform(0.01, 0.45, k)
    # cross-holdings: ~2% of edges point backwards, closing cycles
    c = int(0.02 * (len(child) + k))
    cchild = rng.integers(0, n, c)
    cparent = np.minimum(cchild + rng.integers(1, 1000, c), n - 1)
    cshare = rng.uniform(0.01, 0.3, c)
    owner = np.concatenate((parent, mparent, cparent)).astype(np.int32)
    owned = np.concatenate((child, mchild, cchild)).astype(np.int32)
    share = np.concatenate((main, mshare, cshare))
    m = len(owner)
    lo = (np.round(share * 1000) * 1_000_000).astype(np.int64)
    hi = lo.copy()
    ranged = rng.random(m) < 0.05
    hi[ranged] = np.minimum(lo[ranged] + 250_000_000, SCALE)
    lo_open = ranged & (rng.random(m) < 0.5)
    kind = np.zeros(m, dtype=np.int8)
    votes = rng.random(m) < 0.03
    kind[votes] = 1
    valid_to = np.full(m, NO_DATE_MAX, dtype=np.int32)
    valid_to[rng.random(m) < 0.01] = 10_000  # expired in 1997
    perm = rng.permutation(m)  # holdings arrive in no particular order

    def p(a: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return a[perm]

    holds = HoldingTable(
        owner=p(owner),
        owned=p(owned),
        kind=p(kind),
        lo=p(lo),
        hi=p(hi),
        lo_open=p(lo_open),
        hi_open=np.zeros(m, dtype=np.bool_),
        valid_from=np.full(m, NO_DATE_MIN, dtype=np.int32),
        valid_to=p(valid_to),
        row=np.arange(m, dtype=np.int64),
    )
    return ents, holds


def settings(prop: str, aggregate: bool = True) -> Any:
    from ringfence.policy.schema import PolicySettings

    return PolicySettings.model_validate(
        {
            "restricted_regions": ["CN", "RU"],
            "origin": {"persons": "uncertain"},
            "ownership": {"propagation": prop, "threshold": 0.5, "aggregate": aggregate},
        }
    )


CPU: dict[str, float] = {}


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs; its CPU time goes to ``CPU['last']`` (the machine
    is shared: CPU time shows what contention hides)."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        wall = time.perf_counter() - t
        if wall < best:
            best, CPU["last"] = wall, time.process_time() - c
    return best, out


def jacobi_scipy(ents: Any, holds: Any, certain: np.ndarray[Any, Any]) -> tuple[int, Any]:
    """Cascade, lower bound, the plain way: repeated sparse mat-vec until nothing changes."""
    from scipy.sparse import csr_matrix

    n = len(ents)
    live = holds.in_force(AS_OF) & (holds.kind == 0)
    a = csr_matrix(
        (holds.lo[live].astype(np.float64), (holds.owned[live], holds.owner[live])), shape=(n, n)
    )
    o = csr_matrix(
        (holds.lo_open[live].astype(np.float64), (holds.owned[live], holds.owner[live])),
        shape=(n, n),
    )
    r = certain.copy()
    it = 0
    while True:
        it += 1
        x = r.astype(np.float64)
        acc = a @ x  # exact: integer ppb sums stay far below 2**53
        new = certain | (acc > SCALE // 2) | ((acc == SCALE // 2) & (o @ x > 0))
        if (new == r).all():
            return it, r
        r = new


def jacobi_duckdb(ents: Any, holds: Any, certain: np.ndarray[Any, Any]) -> tuple[int, int]:
    """The same iteration as SQL on DuckDB."""
    import duckdb

    live = holds.in_force(AS_OF) & (holds.kind == 0)
    con = duckdb.connect()
    edges = {
        "owner": holds.owner[live],
        "owned": holds.owned[live],
        "lo": holds.lo[live],
        "lo_open": holds.lo_open[live],
    }
    con.register("edges_np", edges)
    con.execute("CREATE TABLE edges AS SELECT * FROM edges_np")
    con.register("origins_np", {"id": np.flatnonzero(certain).astype(np.int32)})
    con.execute("CREATE TABLE r AS SELECT id FROM origins_np")
    it = 0
    while True:
        it += 1
        added = con.execute(
            """
            INSERT INTO r
            SELECT e.owned FROM edges e JOIN r ON e.owner = r.id
            WHERE e.owned NOT IN (SELECT id FROM r)
            GROUP BY e.owned
            HAVING sum(e.lo) > ? OR (sum(e.lo) = ? AND bool_or(e.lo_open))
        """,
            [SCALE // 2, SCALE // 2],
        ).fetchone()
        if not added or added[0] == 0:
            break
    total = con.execute("SELECT count(*) FROM r").fetchone()
    return it, int(total[0]) if total else 0


def networkx_cascade(ents: Any, holds: Any, certain: np.ndarray[Any, Any]) -> int:
    import networkx as nx

    live = np.flatnonzero(holds.in_force(AS_OF) & (holds.kind == 0))
    g = nx.DiGraph()
    opn: dict[tuple[int, int], bool] = {}
    g.add_nodes_from(range(len(ents)))
    for e in live.tolist():
        u, v = int(holds.owner[e]), int(holds.owned[e])
        w = g.get_edge_data(u, v, {"w": 0})["w"]
        g.add_edge(u, v, w=w + int(holds.lo[e]))
        if holds.lo_open[e]:
            opn[(u, v)] = True
    restricted = set(np.flatnonzero(certain).tolist())
    acc: dict[int, int] = {}
    frontier = list(restricted)
    while frontier:
        nxt = []
        for u in frontier:
            for _, v, d in g.out_edges(u, data=True):
                acc[v] = acc.get(v, 0) + d["w"]
                if v not in restricted and (
                    acc[v] > SCALE // 2 or (acc[v] == SCALE // 2 and opn.get((u, v), False))
                ):
                    restricted.add(v)
                    nxt.append(v)
        frontier = nxt
    return len(restricted)


def scipy_one_pass(ents: Any, holds: Any, certain: np.ndarray[Any, Any]) -> float:
    """One sparse matrix-vector product over the shares holdings in force (float64, the
    matrix built beforehand): the unit of look-through's "within 5x of one sparse pass".
    Returns the best of 3 wall times; its CPU time goes to ``CPU['last']``."""
    from scipy.sparse import csr_matrix

    n = len(ents)
    live = holds.in_force(AS_OF) & (holds.kind == 0)
    a = csr_matrix(
        (holds.lo[live].astype(np.float64) / SCALE, (holds.owned[live], holds.owner[live])),
        shape=(n, n),
    )
    x = certain.astype(np.float64)
    t, _ = timed(lambda: a @ x, repeat=3)
    return t


def run_size(
    n: int, *, duckdb_max: int, networkx_max: int, changes: int, single_lt_max: int,
    targets: bool = False,
) -> dict[str, Any]:
    from ringfence.attribution import GraphOrder, attribute, origins, update
    from ringfence.attribution.engine import prepare
    from ringfence.attribution.graph import NO_DATE_MAX, NO_DATE_MIN, HoldingTable

    out: dict[str, Any] = {"n": n}
    # warm the JIT on a small graph so compile time is not counted in the compute figures;
    # reported on its own (numba's on-disk cache: a load, not a compile, after the first run)
    small_e, small_h = synthetic(2000, seed=1)
    t, c = time.perf_counter(), time.process_time()
    small_o = GraphOrder.for_holdings(2000, small_h)
    for prop in ("cascade", "control", "look_through"):
        for agg in (True, False):
            attribute(small_e, small_h, settings(prop, agg), AS_OF, order=small_o)
    out["jit_warmup_s"] = time.perf_counter() - t
    out["jit_warmup_cpu_s"] = time.process_time() - c
    t, (ents, holds) = timed(lambda: synthetic(n))
    out["generate_s"] = t
    out["holdings"] = len(holds)
    out["input_rss_gb"] = rss_gb()  # the synthetic snapshot itself
    t, order = timed(lambda: GraphOrder.for_holdings(n, holds), repeat=2)
    out["ordering_s"] = t
    out["ordering_cpu_s"] = CPU["last"]
    def prepare_all() -> Any:
        p = prepare(n, holds, AS_OF)
        p.shares_out, p.shares_in  # noqa: B018 - build both CSRs now, not in the first mode
        p.ranked(order)  # the in-CSR in topological order (look-through)
        p.votes_out(lower=True), p.votes_out(lower=False)  # control's vote channel
        return p

    t, prepared = timed(prepare_all)
    out["prepare_s"] = t  # holdings in force + shares CSR: once per snapshot and date
    out["prepare_cpu_s"] = CPU["last"]
    t, (certain, _) = timed(lambda: origins(ents, settings("cascade")))
    out["origins_s"] = t
    modes = [
        ("cascade", True),
        ("control", True),
        ("look_through", True),
    ]
    if not targets:
        modes += [("cascade", False), ("control", False)]
    if n <= single_lt_max and not targets:
        modes.append(("look_through", False))
    results: dict[str, Any] = {}
    for prop, agg in modes:
        key = prop + ("" if agg else "_no_aggregate")
        pol = settings(prop, agg)

        def run(pol: Any = pol) -> Any:
            return attribute(ents, holds, pol, AS_OF, order=order, prepared=prepared)

        t, res = timed(run, repeat=3 if agg else (2 if n <= 10**6 else 1))
        out[f"{key}_s"] = t
        out[f"{key}_cpu_s"] = CPU["last"]
        counts = np.bincount(res.verdict, minlength=3)
        out[f"{key}_verdicts"] = {
            "clear": int(counts[0]),
            "uncertain": int(counts[1]),
            "restricted": int(counts[2]),
        }
        if key == "cascade":
            cascade_low = res.low.restricted
        if changes and key in ("cascade", "look_through"):
            results[key] = res  # kept for the incremental runs (sizes <= 1M)
        del res
        out[f"{key}_peak_rss_gb"] = rss_gb()
    out["modes_peak_rss_gb"] = rss_gb()  # ringfence's peak, before any baseline runs
    out["scipy_one_pass_s"] = scipy_one_pass(ents, holds, certain)
    out["scipy_one_pass_cpu_s"] = CPU["last"]
    t, (it, r) = timed(lambda: jacobi_scipy(ents, holds, certain))
    out["scipy_jacobi_lower_s"] = t
    out["scipy_jacobi_lower_cpu_s"] = CPU["last"]
    out["scipy_jacobi_iterations"] = it
    assert (r == cascade_low).all(), "jacobi disagrees"
    if n <= duckdb_max:
        t, (it, cnt) = timed(lambda: jacobi_duckdb(ents, holds, certain))
        out["duckdb_jacobi_lower_s"] = t
        out["duckdb_jacobi_lower_cpu_s"] = CPU["last"]
        assert cnt == int(cascade_low.sum()), "duckdb disagrees"
    if n <= networkx_max:
        t, cnt = timed(lambda: networkx_cascade(ents, holds, certain))
        out["networkx_cascade_lower_s"] = t
        out["networkx_cascade_lower_cpu_s"] = CPU["last"]
        assert cnt == int(cascade_low.sum()), "networkx disagrees"
    if changes:
        rng = np.random.default_rng(7)
        for prop in ("cascade", "look_through"):
            res = results[prop]
            live = res.edges.base
            times, sizes, flips = [], [], 0
            for c in range(changes):
                e = int(rng.integers(len(live)))
                new_lo = int(rng.integers(0, 1000)) * 1_000_000
                added = HoldingTable(
                    owner=live.owner[e : e + 1],
                    owned=live.owned[e : e + 1],
                    kind=live.kind[e : e + 1],
                    lo=np.array([new_lo]),
                    hi=np.array([new_lo]),
                    lo_open=np.zeros(1, dtype=np.bool_),
                    hi_open=np.zeros(1, dtype=np.bool_),
                    valid_from=np.array([NO_DATE_MIN], dtype=np.int32),
                    valid_to=np.array([NO_DATE_MAX], dtype=np.int32),
                    row=np.array([10**12 + c]),
                )
                t0 = time.perf_counter()
                upd = update(res, added=added, removed=[int(live.row[e])])
                times.append(time.perf_counter() - t0)
                sizes.append(upd.recomputed)
                flips += len(upd.flips)
            out[f"incremental_{prop}_median_s"] = statistics.median(times)
            out[f"incremental_{prop}_p90_s"] = float(np.percentile(times, 90))
            out[f"incremental_{prop}_median_recomputed"] = statistics.median(sizes)
            out[f"incremental_{prop}_flips"] = flips
            full = out[f"{prop}_s"] + out["prepare_s"]  # a full run from the holdings
            out[f"incremental_{prop}_speedup"] = full / statistics.median(times)
    out["peak_rss_gb"] = rss_gb()
    out["loadavg_end"] = machine()["loadavg"]
    return out


TABLE = (
    ("JIT warm-up (numba cache load, not counted below)", "jit_warmup"),
    ("ordering (SCC + topological order; once per snapshot)", "ordering"),
    ("prepare (in force, shares and vote CSRs, relabel; once per snapshot and date)",
     "prepare"),
    ("cascade, both bounds", "cascade"),
    ("control, both bounds", "control"),
    ("look-through, both bounds (lower + upper)", "look_through"),
    ("SciPy: one sparse pass (CSR mat-vec, float64)", "scipy_one_pass"),
    ("SciPy Jacobi (cascade lower bound only)", "scipy_jacobi_lower"),
    ("DuckDB SQL Jacobi (cascade lower bound only)", "duckdb_jacobi_lower"),
)


def print_table(rows: list[dict[str, Any]], load_start: str, load_end: str) -> None:
    """The figures as a Markdown table: seconds, wall (CPU)."""

    def cell(r: dict[str, Any], key: str) -> str:
        if f"{key}_s" not in r:
            return "–"
        return f"{r[f'{key}_s']:.2f} ({r[f'{key}_cpu_s']:.2f})"

    print(f"\nload average at start {load_start}, at end {load_end}\n")
    print("| seconds, wall (CPU) | " + " | ".join(
        f"{r['n']:,} entities, {r['holdings']:,} holdings" for r in rows) + " |")
    print("|---|" + "---:|" * len(rows))
    for label, key in TABLE:
        print(f"| {label} | " + " | ".join(cell(r, key) for r in rows) + " |")
    print("| look-through / one sparse pass (wall; CPU) | " + " | ".join(
        f"{r['look_through_s'] / r['scipy_one_pass_s']:.1f}x; "
        f"{r['look_through_cpu_s'] / max(r['scipy_one_pass_cpu_s'], 1e-9):.1f}x"
        for r in rows) + " |")
    print("| peak RSS, GB, ringfence's modes (input alone) | " + " | ".join(
        f"{r['modes_peak_rss_gb']:.2f} ({r['input_rss_gb']:.2f})" for r in rows) + " |")
    for r in rows:
        v = r["cascade_verdicts"]
        print(f"\n{r['n']:,}: cascade {v['restricted']:,} restricted, {v['uncertain']:,} "
              f"uncertain, {v['clear']:,} clear; SciPy Jacobi rounds "
              f"{r['scipy_jacobi_iterations']}; load at end {r['loadavg_end']}")


def rss_gb() -> float:
    """Peak resident set of this process so far, in GB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def machine() -> dict[str, str]:
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    except OSError:
        pass
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return {
        "cpu": cpu,
        "nproc": nproc,
        "mem": mem[1] if len(mem) > 1 else "",
        "python": platform.python_version(),
        "loadavg": " ".join(open("/proc/loadavg").read().split()[:3]),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--duckdb-max", type=int, default=1_000_000)
    ap.add_argument("--networkx-max", type=int, default=100_000)
    ap.add_argument(
        "--single-lt-max",
        type=int,
        default=1_000_000,
        help="largest size for look-through without aggregation",
    )
    ap.add_argument(
        "--changes",
        type=int,
        default=100,
        help="incremental: random one-holding changes at each size <= 1M",
    )
    ap.add_argument(
        "--targets",
        action="store_true",
        help="issue 19's figures only (aggregated modes, baselines incl. DuckDB at every "
        "size, no incremental runs), printed as a table",
    )
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--json", help="write the figures here too")
    a = ap.parse_args()
    if a.targets:
        a.changes = 0
        a.duckdb_max = max(a.duckdb_max, *a.sizes)
    if a.one:
        res = run_size(
            a.one,
            duckdb_max=a.duckdb_max,
            networkx_max=a.networkx_max,
            changes=a.changes if a.one <= 1_000_000 else 0,
            single_lt_max=a.single_lt_max,
            targets=a.targets,
        )
        print(json.dumps(res))
        return
    rows = []
    start = machine()
    print(json.dumps(start))
    for n in a.sizes:
        cmd = [
            sys.executable,
            __file__,
            "--one",
            str(n),
            "--duckdb-max",
            str(a.duckdb_max),
            "--networkx-max",
            str(a.networkx_max),
            "--changes",
            str(a.changes),
            "--single-lt-max",
            str(a.single_lt_max),
        ] + (["--targets"] if a.targets else [])
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode:
            print(proc.stderr, file=sys.stderr)
            raise SystemExit(proc.returncode)
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append(res)
        print(json.dumps(res), flush=True)
    if a.targets:
        print_table(rows, start["loadavg"], machine()["loadavg"])
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"machine": start, "machine_end": machine(), "sizes": rows}, f, indent=1)


if __name__ == "__main__":
    main()
