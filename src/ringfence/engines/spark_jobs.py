"""The Spark side of the Spark engine: sessions, reading a snapshot's Parquet, connected
components, and the attribution of each group of components on the executors.

The plan of one batch run (:func:`attribute_frames`):

1. read ``entities.parquet`` and ``holdings.parquet`` where they are (a local folder or any
   Hadoop filesystem URL); every entity gets its row number (``pos``), every holding its
   row (provenance, what-if removals) and the ``pos`` of its two ends: a holding end that
   is not an entity fails the run, naming the holding's row and field;
2. weakly connected components of the holdings graph; an entity's verdict reads only
   its owners, all in its component, so components are independent. Up to
   ``driver_max`` holdings the (``o``, ``d``) pairs are collected (16 bytes a holding)
   and SciPy labels them on the driver (:func:`components_on_driver`: seconds at 15M);
   above, on the cluster (:func:`components`): min-label propagation with pointer
   jumping on integer ids, each round checkpointed (lineage stays one round deep);
3. components are hashed to buckets; entities and holdings are co-partitioned by bucket
   (one shuffle each) and every bucket is attributed by the in-process algorithm itself
   (:func:`ringfence.attribution.attribute`: exact parts-per-billion shares, open and
   closed range ends, both bounds, every propagation rule) on an executor, so both
   engines give the same verdicts and bounds by construction.

A bucket holds whole components: the largest weakly connected component must fit one
executor's memory (about 0.4 GB per million entities, as in-process).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from ringfence.attribution import attribute
from ringfence.attribution.ordering import GraphOrder
from ringfence.exc import IntegrityError
from ringfence.policy import PolicySettings, Propagation
from ringfence.snapshot.graphcache import GRAPH_ENTITY_COLUMNS, build_graph

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

    from ringfence.attribution import AttributionResult
    from ringfence.attribution.graph import EntityTable, HoldingTable

__all__ = ["HOLDING_COLUMNS", "VERDICT_SCHEMA", "attribute_frames", "attribute_tables",
           "components", "components_on_driver", "label_components", "read_frames",
           "spark_session"]

HOLDING_COLUMNS = ("kind", "lo", "hi", "lo_open", "hi_open", "valid_from", "valid_to")
VERDICT_SCHEMA = "id string, verdict string, lower double, upper double, comp long"
_VERDICTS = ("clear", "uncertain", "restricted")  # by the kernels' codes
MAX_ROUNDS = 200


def spark_session(master: str | None = None, conf: Mapping[str, str] | None = None
                  ) -> SparkSession:
    """The session a run uses: ``local[*]`` unless ``master`` names a cluster, or the
    master spark-submit gave when it launched this driver; ``conf`` passes Spark settings
    through (they win over the defaults set here). An existing session is reused (one
    per process)."""
    from pyspark.sql import SparkSession

    settings = {"spark.sql.execution.arrow.pyspark.enabled": "true",
                "spark.sql.adaptive.enabled": "true",
                "spark.ui.showConsoleProgress": "false"}
    submitted = master is None and "PYSPARK_GATEWAY_PORT" in os.environ  # spark-submit's
    if not submitted and (master is None or master.startswith("local")):
        settings |= {"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "8",
                     "spark.driver.memory": "4g"}
        # local workers run this interpreter (its packages), unless told otherwise
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    settings |= dict(conf or {})
    builder = SparkSession.builder.appName("ringfence")
    if not submitted:
        builder = builder.master(master or "local[*]")
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _join(location: str, name: str) -> str:
    return f"{location.rstrip('/')}/{name}"


def read_frames(spark: SparkSession, location: str) -> tuple[DataFrame, DataFrame]:
    """The snapshot's entities (``pos``: row number) and holdings (``row``; ``o``, ``d``:
    the ``pos`` of owner and owned, null when not an entity: :func:`label_components`
    fails on those), read from ``location``."""
    from pyspark.sql import functions as F

    ents = spark.read.parquet(_join(location, "entities.parquet")).select(
        *GRAPH_ENTITY_COLUMNS, F.col("_metadata.row_index").alias("pos"))
    raw = spark.read.parquet(_join(location, "holdings.parquet")).select(
        "owner", "owned", *HOLDING_COLUMNS, F.col("_metadata.row_index").alias("row"))
    return ents, resolve_ends(ents, raw)


def resolve_ends(ents: DataFrame, raw: DataFrame) -> DataFrame:
    """Holdings (``owner``, ``owned`` ids) with the ``pos`` of both ends as ``o``, ``d``
    (null where an end is not an entity)."""
    ids = ents.select("id", "pos")
    return (raw.join(ids.withColumnRenamed("id", "owner").withColumnRenamed("pos", "o"),
                     "owner", "left")
            .join(ids.withColumnRenamed("id", "owned").withColumnRenamed("pos", "d"),
                  "owned", "left"))


def _dangling(holds: DataFrame) -> IntegrityError | None:
    """The error naming the first holding (by row) whose end is not an entity."""
    from pyspark.sql import functions as F

    bad = holds.where(F.col("o").isNull() | F.col("d").isNull()).orderBy("row").limit(1)
    for r in bad.collect():
        field = "owner" if r["o"] is None else "owned"
        return IntegrityError(f"holding row {r['row']} [{field}]: {r[field]!r} is not an "
                              "entity of the snapshot")
    return None


def label_components(spark: SparkSession, holds: DataFrame, n: int, m: int, *,
                     driver_max: int) -> tuple[DataFrame, int]:
    """``(pos, comp)`` for each of the ``n`` entities (``comp``: the smallest ``pos`` of
    its weakly connected component) and the cluster rounds taken (0 on the driver), over
    ``m`` holdings; :class:`IntegrityError` naming the first holding whose end is not an
    entity."""
    from pyspark.sql import functions as F

    if m <= driver_max:
        ends = holds.select("o", "d").toArrow()
        if ends.column("o").null_count or ends.column("d").null_count:
            raise _dangling(holds) or IntegrityError("a holding end is not an entity")
        comp = components_on_driver(n, ends)
        table = pa.table({"pos": np.arange(n, dtype=np.int64), "comp": comp})
        return spark.createDataFrame(table), 0
    err = _dangling(holds)
    if err is not None:
        raise err
    lab, rounds = components(holds.select("o", "d"))
    ents = spark.range(n).withColumnRenamed("id", "pos")
    return (ents.join(lab.withColumnRenamed("node", "pos"), "pos", "left")
            .withColumn("comp", F.coalesce("comp", "pos"))), rounds


def components_on_driver(n: int, ends: pa.Table) -> np.ndarray:
    """The component label (smallest member) of each of ``n`` nodes, from the edges
    (``o``, ``d``) by SciPy."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    o = np.asarray(ends.column("o").to_numpy(), dtype=np.int64)
    d = np.asarray(ends.column("d").to_numpy(), dtype=np.int64)
    graph = coo_matrix((np.ones(len(o), dtype=np.int8), (o, d)), shape=(n, n)).tocsr()
    _, labels = connected_components(graph, directed=True, connection="weak")
    smallest = np.full(labels.max() + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(smallest, labels, np.arange(n, dtype=np.int64))
    out: np.ndarray = smallest[labels]
    return out


def components(edges: DataFrame, *, max_rounds: int = MAX_ROUNDS) -> tuple[DataFrame, int]:
    """``(node, comp)`` for every node on an edge (``o``, ``d``): the smallest node of its
    weakly connected component, and the rounds taken. Each round every node takes the
    smallest label among itself and its neighbours, then the label of its label (pointer
    jumping: a chain of length L settles in about log L rounds, not L); rounds stop when no
    label moves."""
    from pyspark.sql import functions as F

    pairs = edges.select(F.col("o").alias("a"), F.col("d").alias("b")).where("a != b")
    und = pairs.union(pairs.select(F.col("b").alias("a"), F.col("a").alias("b"))).distinct()
    und = und.repartition("a").localCheckpoint()
    nodes = edges.select(F.col("o").alias("node")).union(edges.select("d")).distinct()
    lab = nodes.withColumn("comp", F.col("node")).localCheckpoint()
    for rounds in range(1, max_rounds + 1):
        seen = (und.join(lab.select(F.col("node").alias("b"), F.col("comp").alias("c")), "b")
                .groupBy("a").agg(F.min("c").alias("c")))
        step = (lab.join(seen, lab["node"] == seen["a"], "left")
                .select("node", F.least("comp", F.coalesce("c", "comp")).alias("comp")))
        up = step.select(F.col("node").alias("n2"), F.col("comp").alias("c2"))
        jumped = (step.join(up, step["comp"] == up["n2"], "left")
                  .select("node", F.least("comp", F.coalesce("c2", "comp")).alias("comp"))
                  .localCheckpoint())
        moved = (jumped.join(lab.withColumnRenamed("comp", "old"), "node")
                 .where(F.col("comp") != F.col("old")).limit(1).count())
        lab = jumped
        if not moved:
            return lab, rounds
    raise IntegrityError(f"connected components did not settle in {max_rounds} rounds")


def _bucket(comp: Column, buckets: int) -> Column:
    from pyspark.sql import functions as F

    return F.pmod(F.xxhash64(comp), F.lit(buckets))


def attribute_frames(ents: DataFrame, holds: DataFrame, comp_of: DataFrame,
                     settings: PolicySettings, as_of: dt.date, *, buckets: int) -> DataFrame:
    """Every entity's verdict (:data:`VERDICT_SCHEMA`), given the component of every
    entity (``comp_of``: ``pos``, ``comp``), checkpointed (computed once)."""
    from pyspark.sql import functions as F

    e = ents.join(comp_of, "pos").withColumn("bucket", _bucket(F.col("comp"), buckets))
    h = (holds.join(comp_of.withColumnRenamed("pos", "o"), "o")
         .withColumn("bucket", _bucket(F.col("comp"), buckets))
         .select("o", "d", "row", *HOLDING_COLUMNS, "bucket"))
    doc = settings.model_dump(mode="json")
    day = as_of.isoformat()

    def run(left: pa.Table, right: pa.Table) -> pa.Table:
        return _verdict_table(left, right, PolicySettings.model_validate(doc),
                              dt.date.fromisoformat(day))

    return (e.groupBy("bucket").cogroup(h.groupBy("bucket"))
            .applyInArrow(run, schema=VERDICT_SCHEMA).localCheckpoint())


def attribute_tables(ents: pa.Table, holds: pa.Table, settings: PolicySettings,
                     as_of: dt.date) -> tuple[EntityTable, AttributionResult, np.ndarray]:
    """The in-process algorithm on one group of whole components: ``ents`` with
    :data:`GRAPH_ENTITY_COLUMNS` and ``pos``, ``holds`` with ``o``, ``d`` (entity
    ``pos``), ``row`` and :data:`HOLDING_COLUMNS`. Entities and holdings are taken in
    snapshot order, as the local engine reads them. Returns the arrays, the result and the
    entities' ``pos`` (the result's row order)."""
    etable, htable, pos = graph_arrays(ents, holds)
    order = (GraphOrder.for_holdings(len(etable), htable)
             if settings.ownership.propagation is Propagation.LOOK_THROUGH else None)
    return etable, attribute(etable, htable, settings, as_of, order=order), pos


def graph_arrays(ents: pa.Table, holds: pa.Table) -> tuple[EntityTable, HoldingTable,
                                                           np.ndarray]:
    """The arrays of one group (entities in ``pos`` order, holdings in ``row`` order, as
    the local engine reads them; ends renumbered within the group) and the entities'
    ``pos``. Every holding end must be an entity of the group."""
    ents = ents.sort_by("pos")
    holds = holds.sort_by("row")
    pos = np.asarray(ents.column("pos").to_numpy(), dtype=np.int64)
    ends = np.concatenate((np.asarray(holds.column("o").to_numpy(), dtype=np.int64),
                           np.asarray(holds.column("d").to_numpy(), dtype=np.int64)))
    at = np.searchsorted(pos, ends)
    if len(ends) and (at.max() >= len(pos) or (pos[at] != ends).any()):
        raise IntegrityError("a group of components holds a holding whose end is elsewhere")
    etable, htable = build_graph(ents.select(list(GRAPH_ENTITY_COLUMNS)),
                                 holds.select(list(HOLDING_COLUMNS)), pa.array(at))
    htable = replace(htable, row=np.asarray(holds.column("row").to_numpy(), dtype=np.int64))
    return etable, htable, pos


def _verdict_table(ents: pa.Table, holds: pa.Table, settings: PolicySettings,
                   as_of: dt.date) -> pa.Table:
    if not ents.num_rows:
        return pa.table({"id": pa.array([], pa.string()), "verdict": pa.array([], pa.string()),
                         "lower": pa.array([], pa.float64()),
                         "upper": pa.array([], pa.float64()),
                         "comp": pa.array([], pa.int64())})
    etable, result, _ = attribute_tables(ents, holds, settings, as_of)
    comp = ents.sort_by("pos").column("comp")
    names = np.array(_VERDICTS, dtype=object)[result.verdict.astype(np.int64)]
    return pa.table({"id": pa.array(list(etable.ids), pa.string()),
                     "verdict": pa.array(names.tolist(), pa.string()),
                     "lower": pa.array(result.lower, pa.float64()),
                     "upper": pa.array(result.upper, pa.float64()),
                     "comp": comp.combine_chunks().cast(pa.int64())})


def as_table(rows: Any) -> pa.Table:
    """A collected DataFrame as Arrow (``DataFrame.toArrow``)."""
    table: pa.Table = rows.toArrow()
    return table
