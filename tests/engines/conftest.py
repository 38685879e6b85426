"""Fixture strategy: the ``engine`` fixture is parametrised over every engine, so each test
in this folder is one test body run against each engine (splink's per-backend tests are
the model): ``local``, ``spark`` and ``spark-distributed`` (Spark with every component
on the distributed path: ``giant=0``), the Spark ones marked ``spark`` and ``slow`` and
skipped, with the reason, when pyspark or Java 17+ is missing or the machine has too
little free memory.
One Spark session serves the whole test session. Engines are read through
``ringfence.engines.base`` alone. Snapshots are written with the real writer from small
random graphs (shared with tests/attribution: ``randgraph.py``, the brute-force
``oracle.py``, the worked cases).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "attribution"))

from ringfence.engines.base import Engine

ENGINES: dict[str, Callable[[], Engine]] = {}


def _local() -> Engine:
    from ringfence.engines.local import LocalEngine

    return LocalEngine()


SPARK_MEMORY_GB = 3  # free memory a local Spark session with small graphs wants


def _available_gb() -> float:
    """Memory a new process can have: the kernel's MemAvailable (free pages plus the page
    cache it can drop), not the free pages alone, which a busy page cache keeps low."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30


def spark_unfit() -> str | None:
    """Why this machine cannot run the Spark tests, or None when it can."""
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install -e '.[spark]')"
    java = shutil.which("java")
    if java is None:
        return "no java on PATH (Spark needs Java 17+: scripts/setup.sh installs it)"
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    major = out.split('"')[1].split(".")[0] if '"' in out else "0"
    if not major.isdigit() or int(major) < 17:
        return f"java {major} is too old for Spark 4 (needs 17+)"
    avail = _available_gb()
    if avail < SPARK_MEMORY_GB:
        return f"{avail:.1f} GB available memory, the Spark tests want {SPARK_MEMORY_GB} GB"
    return None


@functools.cache
def _spark() -> Engine:
    from ringfence.engines.spark import SparkEngine

    # small graphs: few partitions, two cores (one Spark session per test session)
    return SparkEngine(master="local[2]", conf={"spark.sql.shuffle.partitions": "2",
                                                 "spark.default.parallelism": "2",
                                                 "spark.driver.memory": "2g"})


@functools.cache
def _spark_distributed() -> Engine:
    from ringfence.engines.spark import SparkEngine

    # the same session; every component takes the distributed path (giant=0) where the
    # policy has one (aggregation on), so each test body checks it too
    return SparkEngine(session=_spark().spark, giant=0)  # type: ignore[attr-defined]


ENGINES["local"] = _local
ENGINES["spark"] = _spark
ENGINES["spark-distributed"] = _spark_distributed
_UNFIT = spark_unfit()
_SPARK_MARKS = [pytest.mark.spark, pytest.mark.slow,
                pytest.mark.skipif(_UNFIT is not None, reason=f"Spark: {_UNFIT}")]
PARAMS = [pytest.param("local"),
          pytest.param("spark", marks=_SPARK_MARKS),
          pytest.param("spark-distributed", marks=_SPARK_MARKS)]


# the test bodies that read verdicts and bounds (what the distributed path computes);
# proofs and causes re-run a component in-process on either Spark path, and the
# ``spark`` parameter covers them
DISTRIBUTED = {"test_matches_oracle", "test_regulators_cases", "test_input_order_irrelevant",
               "test_what_if_equals_a_full_recompute"}


@pytest.fixture(params=PARAMS)
def engine(request: pytest.FixtureRequest) -> Engine:
    if request.param == "spark-distributed":
        node = request.node
        if node.originalname not in DISTRIBUTED:
            pytest.skip("reads proofs, the same on both Spark paths (run with spark)")
        params = node.callspec.params
        if params.get("aggregate") is False and params.get("mode") == "look_through":
            pytest.skip("look-through without aggregation keeps the per-component path "
                        "(run with spark)")
    return ENGINES[request.param]()


@pytest.fixture(scope="session")
def default_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's bundled snapshot (what ``ringfence demo`` builds), once per session."""
    from ringfence.ingest.default import build_default_snapshot

    out = tmp_path_factory.mktemp("default") / "snap"
    build_default_snapshot(out)
    return out


@pytest.fixture(scope="session")
def spark_engine() -> Engine:
    """The test session's Spark engine (skipped, with the reason, when the machine does
    not fit Spark)."""
    if _UNFIT is not None:
        pytest.skip(f"Spark: {_UNFIT}")
    return _spark()
