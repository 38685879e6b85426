"""Look-through on the distributed path: level-synchronous over the SCC condensation.

:func:`lt_levels` numbers the strongly connected components of the shares graph in
topological order (the snapshot's :class:`~ringfence.attribution.GraphOrder`, the one the
local engine sweeps) and gives each its level, the longest path from a source SCC.
:func:`lookthrough_levels` then runs one Spark job per level: each task takes whole SCCs
of the level with the terms of their in-edges from lower levels (an owner's ``w`` at both
bounds, pushed there when its level was done and written as Parquet partitioned by
target level) and runs the local kernel :func:`~ringfence.attribution._lt_kernels.
lt_sweep` on them, lower levels' owners entering as constant sources placed first: every
float is added in the local engine's order, so the bounds are its bounds to the bit.
Iterations = levels (the depth of the condensed DAG), not sweeps until convergence.
Entities within ``NEAR`` of the threshold are re-decided exactly, as locally
(:func:`~ringfence.attribution.lookthrough._settle`), over their ancestors, found by a
frontier join upwards and collected to the driver.

Assumed bounds: the largest SCC fits one Python worker (cross-holdings of a few companies
in registries; the synthetic benchmark's shares graph at 100k has none); the driver holds every
shares holding's two ends once per snapshot (16 bytes a holding) for the ordering.
"""

from __future__ import annotations

import tempfile
import uuid
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ringfence.attribution._kernels import csr, jit
from ringfence.attribution._lt_kernels import lt_sweep
from ringfence.attribution.lookthrough import MAX_SWEEPS, NEAR, TOL, InEdges, _settle
from ringfence.attribution.ordering import GraphOrder
from ringfence.exc import InputError
from ringfence.model.share import SCALE
from ringfence.policy import PolicySettings

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["lookthrough_levels", "lt_levels", "remove_dir", "work_dir"]

I64 = npt.NDArray[np.int64]
LEVEL_SCHEMA = "pos long, w_lo double, w_hi double"


@jit
def _scc_levels(comp: Any, n_comp: int, ptr: Any, src: Any) -> Any:
    """Level of each SCC (0 for a source, else 1 + the highest level among the SCCs of
    its owners): ``ptr``/``src`` are the in-edges of each node, SCCs numbered in
    topological order, so one pass in that order settles every level."""
    level = np.zeros(n_comp, dtype=np.int32)
    n = len(comp)
    by = np.zeros(n_comp + 1, dtype=np.int64)
    for v in range(n):
        by[comp[v] + 1] += 1
    for c in range(n_comp):
        by[c + 1] += by[c]
    fill = by[:-1].copy()
    members = np.empty(n, dtype=np.int64)
    for v in range(n):
        members[fill[comp[v]]] = v
        fill[comp[v]] += 1
    for c in range(n_comp):
        best = 0
        for i in range(by[c], by[c + 1]):
            v = members[i]
            for e in range(ptr[v], ptr[v + 1]):
                cu = comp[src[e]]
                if cu != c and level[cu] + 1 > best:
                    best = level[cu] + 1
        level[c] = best
    return level


def lt_levels(n: int, owner: I64, owned: I64) -> pa.Table:
    """``pos, scc, lvl`` for each of ``n`` entities from every shares holding's ends (the
    snapshot's ordering, as the local engine builds it): the SCCs in topological order and
    the level of each."""
    order = GraphOrder.build(n, owner, owned)
    ptr, perm = csr(owned, n)
    level = _scc_levels(order.comp, len(order.comp_ptr) - 1, ptr, owner[perm])
    return pa.table({"pos": np.arange(n, dtype=np.int64), "scc": order.comp,
                     "lvl": level[order.comp].astype(np.int32)})


def _solve_level(rows: pa.Table) -> pa.Table:
    """One task of one level: whole SCCs of the level (``t`` 0 nodes with ``scc``,
    origins, ``base_hi``), their in-edges inside the level (``t`` 1: ``src``, ``dst``,
    ``row``, ``lo``, ``hi``) and the terms of their in-edges from lower levels (``t`` 2:
    ``src``, ``dst``, ``row``, ``lo``, ``hi``, ``w_lo``, ``w_hi``). Owners from lower
    levels become constant sources placed first, so :func:`lt_sweep` adds every term in
    the local engine's order."""
    nodes = rows.filter(pc.equal(rows.column("t"), 0)).sort_by([("scc", "ascending"),
                                                                        ("pos", "ascending")])
    edges = rows.filter(pc.not_equal(rows.column("t"), 0))
    pos = np.asarray(nodes.column("pos").to_numpy(), dtype=np.int64)
    ext_rows = edges.filter(pc.equal(edges.column("t"), 2))
    ext_src = np.asarray(ext_rows.column("src").to_numpy(), dtype=np.int64)
    ext, first = np.unique(ext_src, return_index=True)
    x = len(ext)
    k = x + len(pos)
    scc = np.asarray(nodes.column("scc").to_numpy(), dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, scc[1:] != scc[:-1]]) if len(scc) else np.zeros(0, int)
    comp_ptr = np.concatenate((np.arange(x, dtype=np.int64), x + starts,
                               np.array([k], dtype=np.int64)))
    src_all = np.asarray(edges.column("src").to_numpy(), dtype=np.int64)
    dst_all = np.asarray(edges.column("dst").to_numpy(), dtype=np.int64)
    is_ext = np.asarray(edges.column("t").to_numpy()) == 2
    # members are sorted by (scc, pos), not by pos: map ends through a pos-sorted index
    by_pos = np.argsort(pos, kind="stable")
    sorted_pos = pos[by_pos]

    def member(ids: I64) -> I64:
        at = np.minimum(np.searchsorted(sorted_pos, ids), len(pos) - 1)
        out: I64 = x + by_pos[at]
        return out

    local_src = np.where(is_ext, np.searchsorted(ext, src_all), member(src_all))
    local_dst = member(dst_all)
    row = np.asarray(edges.column("row").to_numpy(), dtype=np.int64)
    sort = np.lexsort((row, local_dst))
    ptr = np.zeros(k + 1, dtype=np.int64)
    np.cumsum(np.bincount(local_dst, minlength=k), out=ptr[1:])
    in_src = local_src[sort]
    out: dict[str, Any] = {"pos": pos}
    for tag, col in (("lo", "certain"), ("hi", "possible")):
        val = np.asarray(edges.column(tag).to_numpy(), dtype=np.int64)[sort]
        origin = np.concatenate((np.zeros(x, dtype=np.bool_),
                                 np.asarray(nodes.column(col).to_numpy(), dtype=np.bool_)))
        base = np.zeros(k)
        if x:
            base[:x] = np.asarray(ext_rows.column(f"w_{tag}").to_numpy(),
                                  dtype=np.float64)[first]
        if tag == "hi":
            base[x:] = np.asarray(nodes.column("base_hi").to_numpy(), dtype=np.float64)
        w, _ = lt_sweep(np.arange(k, dtype=np.int64), comp_ptr, ptr, in_src, val,
                        float(SCALE), origin, base, TOL, MAX_SWEEPS)
        out[f"w_{tag}"] = w[x:]
    return pa.table(out)


def lookthrough_levels(edges: DataFrame, left: DataFrame, flags: DataFrame,
                       levels: DataFrame, settings: PolicySettings, *, buckets: int,
                       work: str) -> tuple[DataFrame, int]:
    """``pos, r_lo, r_hi, lower, upper`` for every entity of ``flags`` (``pos, certain,
    possible``) by levels, and the levels run. ``edges``: the shares holdings in force
    (``src, dst, row, lo, hi, lo_open, hi_open``); ``left``: the unaccounted equity
    of an entity at the upper bound (``pos, lo, lo_open``; empty unless the policy reads
    it as unknown); ``levels``: :func:`lt_levels`; ``work``: a folder for the terms."""
    from pyspark.sql import functions as F

    spark = edges.sparkSession
    base = left.select("pos",
                       (F.col("lo").cast("double") / F.lit(float(SCALE))).alias("base_hi"))
    nodes = (flags.join(levels, "pos").join(base, "pos", "left")
             .withColumn("base_hi", F.coalesce("base_hi", F.lit(0.0)))
             .withColumn("bucket", F.pmod(F.xxhash64("scc"), F.lit(buckets))).persist())
    lv = levels.select(F.col("pos").alias("src"), F.col("scc").alias("s_scc"),
                       F.col("lvl").alias("s_lvl"))
    placed = (edges.select("src", "dst", "row", "lo", "hi").join(lv, "src")
              .join(levels.select(F.col("pos").alias("dst"), "scc", "lvl"), "dst"))
    inner = placed.where(F.col("s_scc") == F.col("scc")).persist()
    outer = placed.where(F.col("s_scc") != F.col("scc")).persist()
    depth = int(nodes.agg(F.max("lvl")).collect()[0][0] or 0)
    terms_dir = f"{work.rstrip('/')}/terms"
    # which levels receive terms from lower ones: one job, not one per level
    written = {int(r[0]) for r in outer.select("lvl").distinct().collect()}
    done: list[DataFrame] = []
    out_schema = "t byte, pos long, scc long, certain boolean, possible boolean, " \
        "base_hi double, src long, dst long, row long, lo long, hi long, w_lo double, " \
        "w_hi double, bucket long"
    empty = spark.createDataFrame([], out_schema)
    for level in range(depth + 1):
        here = nodes.where(F.col("lvl") == level)
        parts = [here.select(F.lit(0).cast("byte").alias("t"), "pos", "scc", "certain",
                             "possible", "base_hi", "bucket")]
        b = here.select(F.col("pos").alias("dst"), "bucket")
        parts.append(inner.where(F.col("lvl") == level).join(b, "dst").select(
            F.lit(1).cast("byte").alias("t"), "src", "dst", "row", "lo", "hi", "bucket"))
        if level in written:
            parts.append(spark.read.parquet(terms_dir).where(F.col("lvl") == level)
                         .join(b, "dst").select(F.lit(2).cast("byte").alias("t"), "src",
                                                "dst", "row", "lo", "hi", "w_lo", "w_hi",
                                                "bucket"))
        rows = empty
        for p in parts:
            rows = rows.unionByName(p, allowMissingColumns=True)

        def run(table: pa.Table) -> pa.Table:
            if not table.num_rows:
                return pa.table({"pos": pa.array([], pa.int64()),
                                 "w_lo": pa.array([], pa.float64()),
                                 "w_hi": pa.array([], pa.float64())})
            return _solve_level(table)

        w = rows.groupBy("bucket").applyInArrow(run, schema=LEVEL_SCHEMA).localCheckpoint()
        done.append(w)
        push = (outer.where(F.col("s_lvl") == level)
                .join(w.withColumnRenamed("pos", "src"), "src")
                .select("dst", "row", "src", "lo", "hi", "w_lo", "w_hi", "lvl"))
        if any(lvl > level for lvl in written):
            push.write.mode("append").partitionBy("lvl").parquet(terms_dir)
    nodes.unpersist()
    inner.unpersist()
    outer.unpersist()
    w_all = done[0]
    for w in done[1:]:
        w_all = w_all.unionByName(w)
    w_all = w_all.join(flags, "pos").localCheckpoint()
    t = settings.threshold_ppb / SCALE
    res = w_all.select(
        "pos", (F.col("certain") | (F.col("w_lo") > t)).alias("r_lo"),
        (F.col("possible") | (F.col("w_hi") > t)).alias("r_hi"),
        F.col("w_lo").alias("lower"), F.col("w_hi").alias("upper"))
    near = w_all.where(((F.abs(F.col("w_lo") - t) <= NEAR) & ~F.col("certain"))
                       | ((F.abs(F.col("w_hi") - t) <= NEAR) & ~F.col("possible")))
    if near.isEmpty():
        return res, depth + 1
    fixed = _recheck_near(edges, left, w_all, near.select("pos"), settings)
    res = (res.join(fixed, "pos", "left")
           .select("pos", F.coalesce("x_lo", "r_lo").alias("r_lo"),
                   F.coalesce("x_hi", "r_hi").alias("r_hi"), "lower", "upper"))
    return res, depth + 1


def _recheck_near(edges: DataFrame, left_all: DataFrame, w_all: DataFrame,
                  near: DataFrame, settings: PolicySettings) -> DataFrame:
    """``pos, x_lo, x_hi``: the entities within ``NEAR`` of the threshold decided exactly
    (:func:`~ringfence.attribution.lookthrough._settle`) over their ancestors, collected
    to the driver by a frontier join upwards (origins of either bound end a climb only
    when they are origins of both; the extra ancestors cost nothing but size)."""
    from pyspark.sql import functions as F

    edges = edges.select("src", "dst", "lo", "hi", "lo_open", "hi_open").persist()
    stop = w_all.where(F.col("certain") & F.col("possible")).select("pos")
    seen = near.distinct().localCheckpoint()
    frontier = seen
    while True:
        up = (edges.join(frontier.join(stop, "pos", "left_anti")
                         .withColumnRenamed("pos", "dst"), "dst")
              .select(F.col("src").alias("pos")).distinct()
              .join(seen, "pos", "left_anti").localCheckpoint())
        if up.isEmpty():
            break
        seen = seen.unionByName(up).localCheckpoint()
        frontier = up
    nodes = seen.join(w_all, "pos").toArrow().sort_by("pos")
    sub = edges.join(seen.withColumnRenamed("pos", "dst"), "dst").toArrow()
    left = left_all.join(seen, "pos").select("pos", "lo", "lo_open").toArrow().sort_by("pos")
    edges.unpersist()
    pos = np.asarray(nodes.column("pos").to_numpy(), dtype=np.int64)
    k = len(pos)
    src = np.searchsorted(pos, np.asarray(sub.column("src").to_numpy(), dtype=np.int64))
    dst = np.searchsorted(pos, np.asarray(sub.column("dst").to_numpy(), dtype=np.int64))
    keep = (src < k) & (pos[np.minimum(src, k - 1)] ==
                        np.asarray(sub.column("src").to_numpy(), dtype=np.int64))
    ptr, perm = csr(dst[keep], k)
    own = settings.ownership
    near_ids = set(near.toArrow().column("pos").to_pylist())
    out: dict[str, Any] = {"pos": pos}
    for tag, col, lower in (("lo", "certain", True), ("hi", "possible", False)):
        val = np.asarray(sub.column(tag).to_numpy(), dtype=np.int64)[keep][perm]
        opn = np.asarray(sub.column(f"{tag}_open").to_numpy(), dtype=np.bool_)[keep][perm]
        ins = InEdges(ptr, src[keep][perm], val, opn)
        origin = np.asarray(nodes.column(col).to_numpy(), dtype=np.bool_)
        w = np.asarray(nodes.column(f"w_{tag}").to_numpy(), dtype=np.float64)
        if not lower and settings.unaccounted_equity == "unknown" and left.num_rows:
            ins.ent = np.searchsorted(pos, np.asarray(left.column("pos").to_numpy(),
                                                      dtype=np.int64))
            ins.left = np.asarray(left.column("lo").to_numpy(), dtype=np.int64)
            ins.lopen = np.asarray(left.column("lo_open").to_numpy(), dtype=np.bool_)
            origin = np.concatenate((origin, np.ones(len(ins.ent), dtype=np.bool_)))
            w = np.concatenate((w, np.ones(len(ins.ent))))
        t = settings.threshold_ppb / SCALE
        hit = (w > t) | origin
        _settle(ins, origin, np.flatnonzero((np.abs(w - t) <= NEAR) & ~origin), hit,
                settings.threshold_ppb, inclusive=own.inclusive, lower=lower)
        hit = hit[:k]
        out[f"x_{tag}"] = hit
    table = pa.table(out)
    mask = pa.array([p in near_ids for p in pos.tolist()])
    return edges.sparkSession.createDataFrame(table.filter(mask))


# ------------------------------------------------------------------------ the plan

def work_dir(spark: SparkSession) -> str:
    """Where the look-through levels write their terms: ``spark.ringfence.workDir`` (any
    Hadoop filesystem URL every executor reaches), else the checkpoint directory, else
    (local mode) a temporary folder."""
    conf = spark.conf.get("spark.ringfence.workDir", None)
    base = conf or spark.sparkContext.getCheckpointDir()
    if base:
        return f"{base.rstrip('/')}/ringfence-{uuid.uuid4().hex}"
    if not (spark.sparkContext.master or "").startswith("local"):
        raise InputError("the distributed path needs a folder every executor reaches: "
                         "--conf spark.ringfence.workDir=URL (or a checkpoint directory)")
    return tempfile.mkdtemp(prefix="ringfence-spark-")


def remove_dir(spark: SparkSession, url: str) -> None:
    """Delete ``url`` recursively through Hadoop's filesystem (any scheme)."""
    jvm: Any = spark._jvm
    path = jvm.org.apache.hadoop.fs.Path(url)
    path.getFileSystem(spark._jsc.hadoopConfiguration()).delete(path, True)
