"""What only the Spark engine has: components labelled on the cluster (above
``driver_max`` holdings) rather than on the driver, ``--engine spark`` through the CLI
(JSON as the local engine prints it, Parquet written by the executors, a snapshot given
as a URL), and a holding whose end is not an entity failing the run by name. The shared
behaviour is in test_conformance.py, run against both engines."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from snapshots import AS_OF, as_policy, random_batch, write
from typer.testing import CliRunner

from ringfence.cli.main import app
from ringfence.engines.local import LocalEngine
from ringfence.exc import IntegrityError
from ringfence.model import Entity, EntityType, Holding, HoldingKind, Share, Verdict
from ringfence.policy import load_policy, parse_policy

pytestmark = [pytest.mark.spark, pytest.mark.slow]
runner = CliRunner()


def _cluster(spark_engine: Any, **kw: Any) -> Any:
    from ringfence.engines.spark import SparkEngine

    return SparkEngine(session=spark_engine.spark, driver_max=0, **kw)


@pytest.mark.parametrize("mode", ["cascade", "look_through"])
def test_components_on_the_cluster_give_the_local_verdicts(spark_engine: Any,
                                                           tmp_path: Path, mode: str) -> None:
    rng = random.Random(f"spark-cluster-{mode}")
    snap, settings, _ = random_batch(rng, tmp_path / "s", mode=mode, aggregate=True,
                                     inclusive=False, graphs=25)
    policy = as_policy(settings)
    book = _cluster(spark_engine, buckets=3).evaluate(snap, policy, AS_OF)
    assert book.rounds >= 1
    assert list(book.items()) == list(LocalEngine().evaluate(snap, policy, AS_OF).items())


def test_a_long_chain_is_one_component_in_few_rounds(spark_engine: Any, tmp_path: Path
                                                     ) -> None:
    """Pointer jumping: a chain of 64 settles in about log2(64) rounds, not 64."""
    ents = [Entity(id=f"c{i:02d}", type=EntityType.COMPANY,
                   hq_country="CN" if i == 63 else "US", jurisdiction="US")
            for i in range(64)]
    # owners point down the chain from the far end: the smallest id is reached last
    holds = [Holding(f"c{i + 1:02d}", f"c{i:02d}", HoldingKind.SHARES, Share.of(0.6))
             for i in range(63)]
    snap = write(tmp_path / "chain", ents, holds)
    policy = parse_policy({"name": "chain", "restricted_regions": ["CN"],
                           "ownership": {"propagation": "cascade", "threshold": 0.5}})
    book = _cluster(spark_engine).evaluate(snap, policy, AS_OF)
    assert book.comp_of.select("comp").distinct().count() == 1
    assert book.rounds <= 10
    assert {v.verdict for v in book.items()} == {Verdict.RESTRICTED}
    assert list(book.items()) == list(LocalEngine().evaluate(snap, policy, AS_OF).items())


def _dangling_snapshot(tmp_path: Path) -> Path:
    ents = [Entity(id=x, type=EntityType.COMPANY, hq_country="US", jurisdiction="US")
            for x in ("a", "b", "c")]
    holds = [Holding("a", "b", HoldingKind.SHARES, Share.of(0.6)),
             Holding("b", "c", HoldingKind.SHARES, Share.of(0.6))]
    snap = write(tmp_path / "snap", ents, holds)
    table = pq.read_table(snap.root / "holdings.parquet")
    owners = table.column("owner").to_pylist()
    owners[1] = "ghost"
    import pyarrow as pa

    table = table.set_column(0, "owner", pa.array(owners, pa.string()))
    pq.write_table(table, snap.root / "holdings.parquet")
    return snap.root


@pytest.mark.parametrize("driver_max", [0, 1000])
def test_a_holding_end_that_is_no_entity_fails_by_row_and_field(
        spark_engine: Any, tmp_path: Path, driver_max: int) -> None:
    from ringfence.engines.spark import SparkEngine

    root = _dangling_snapshot(tmp_path)
    engine = SparkEngine(session=spark_engine.spark, driver_max=driver_max)
    with pytest.raises(IntegrityError, match=r"holding row 1 \[owner\]: 'ghost'"):
        engine.evaluate(str(root), load_policy("provider-terms"), AS_OF)


def test_cli_spark_prints_the_local_json_and_writes_parquet(spark_engine: Any,
                                                            default_snapshot: Path,
                                                            tmp_path: Path) -> None:
    args = ["attribute", "--as-of", AS_OF.isoformat(), "--json"]
    local = runner.invoke(app, [*args, str(default_snapshot)])
    assert local.exit_code == 0, local.output
    out = tmp_path / "verdicts"
    url = "file://" + str(default_snapshot.resolve())
    spark = runner.invoke(app, [*args, url, "--engine", "spark", "--out", str(out),
                                "--conf", "spark.sql.shuffle.partitions=2"])
    assert spark.exit_code == 0, spark.output
    want = json.loads(local.stdout)
    assert json.loads(spark.stdout) == want
    written = pq.read_table(out).to_pylist()
    assert sorted((r["id"], r["verdict"], r["lower"], r["upper"]) for r in written) == \
        sorted((v["entity"], v["verdict"], v["lower"], v["upper"]) for v in want["verdicts"])


def _distributed(spark_engine: Any) -> Any:
    from ringfence.engines.spark import SparkEngine

    return SparkEngine(session=spark_engine.spark, giant=0)


@pytest.mark.parametrize("mode", ["cascade", "control", "look_through"])
def test_the_distributed_path_gives_the_local_verdicts_on_the_demo(
        spark_engine: Any, default_snapshot: Path, mode: str) -> None:
    """The demo's data (GLEIF reporting exceptions, ranges, unknown owners, votes and
    control rights) with unaccounted equity read as unknown: every verdict and bound is
    the local engine's, to the bit."""
    from ringfence.snapshot import open_snapshot

    snap = open_snapshot(default_snapshot)
    policy = parse_policy({"name": f"demo-{mode}", "restricted_regions": ["CN", "RU", "IR"],
                           "ownership": {"propagation": mode, "threshold": 0.5},
                           "unknown_ownership": "review", "unaccounted_equity": "unknown"})
    book = _distributed(spark_engine).evaluate(snap, policy, AS_OF)
    assert book.giant_stats  # the distributed path ran
    assert list(book.items()) == list(LocalEngine().evaluate(snap, policy, AS_OF).items())


@pytest.mark.parametrize("mode", ["cascade", "look_through"])
def test_iterations_are_the_depth_and_a_cycle_is_solved_in_one_task(
        spark_engine: Any, tmp_path: Path, mode: str) -> None:
    """A chain of 6 below an origin, with a cross-holding between its 3rd and 4th links:
    cascade takes one wave per link (and one that finds nothing new), look-through one
    level per SCC on the chain (the cross-held pair is one level), and both give the local
    verdicts and bounds."""
    ents = [Entity(id=f"c{i}", type=EntityType.COMPANY, hq_country="CN" if i == 0 else "US",
                   jurisdiction="US") for i in range(7)]
    holds = [Holding(f"c{i}", f"c{i + 1}", HoldingKind.SHARES, Share.of(0.8))
             for i in range(6)]
    holds.append(Holding("c4", "c3", HoldingKind.SHARES, Share.of(0.1)))
    snap = write(tmp_path / "chain", ents, holds)
    policy = parse_policy({"name": "chain", "restricted_regions": ["CN"],
                           "ownership": {"propagation": mode, "threshold": 0.5}})
    book = _distributed(spark_engine).evaluate(snap, policy, AS_OF)
    if mode == "cascade":
        assert book.giant_stats == {"waves": 7}
    else:  # levels: c0, c1, c2, {c3, c4}, c5, c6
        assert book.giant_stats == {"levels": 6}
    assert list(book.items()) == list(LocalEngine().evaluate(snap, policy, AS_OF).items())
    assert book["c6"].verdict is (Verdict.RESTRICTED if mode == "cascade" else Verdict.CLEAR)


def test_without_aggregation_the_distributed_path_takes_each_origin_alone(
        spark_engine: Any, tmp_path: Path) -> None:
    """Two restricted owners of 30% each of ``t`` add up to a majority only with
    aggregation; ``u`` is 60% owned through a chain below one of them, so it is
    restricted either way. Aggregation off runs on the distributed path (waves over
    origin, entity pairs) and gives the local verdicts and bounds (control: the
    conformance oracle)."""
    ents = [Entity(id=i, type=EntityType.COMPANY, hq_country=c, jurisdiction=c)
            for i, c in (("a", "CN"), ("b", "RU"), ("t", "US"), ("m", "US"), ("u", "US"))]
    holds = [Holding("a", "t", HoldingKind.SHARES, Share.of(0.3)),
             Holding("b", "t", HoldingKind.SHARES, Share.of(0.3)),
             Holding("a", "m", HoldingKind.SHARES, Share.of(0.9)),
             Holding("m", "u", HoldingKind.SHARES, Share.of(0.6))]
    snap = write(tmp_path / "pairs", ents, holds)
    books = {}
    for aggregate in (True, False):
        policy = parse_policy({"name": f"pairs-{aggregate}", "restricted_regions": ["CN", "RU"],
                               "ownership": {"propagation": "cascade", "threshold": 0.5,
                                             "aggregate": aggregate}})
        book = _distributed(spark_engine).evaluate(snap, policy, AS_OF)
        assert "waves" in book.giant_stats  # the distributed path ran
        assert list(book.items()) == list(LocalEngine().evaluate(snap, policy, AS_OF).items())
        books[aggregate] = book
    assert books[True]["t"].verdict is Verdict.RESTRICTED
    assert books[False]["t"].verdict is Verdict.CLEAR
    assert books[False]["t"].lower == pytest.approx(0.3)
    assert books[False]["u"].verdict is Verdict.RESTRICTED
