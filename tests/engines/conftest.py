"""Fixture strategy: the ``engine`` fixture is parametrised over every engine, so each test
in this folder is one test body run against each engine (splink's per-backend tests are
the model). Only ``local`` exists today; a Spark engine adds ``"spark"`` to ``ENGINES``
(skipped when pyspark is missing). Engines are read through ``ringfence.engines.base``
alone. Snapshots are written with the real writer from small random graphs (shared with
tests/attribution: ``randgraph.py``, the brute-force ``oracle.py``, the worked cases).
"""

from __future__ import annotations

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


ENGINES["local"] = _local


@pytest.fixture(params=sorted(ENGINES))
def engine(request: pytest.FixtureRequest) -> Engine:
    return ENGINES[request.param]()


@pytest.fixture(scope="session")
def default_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's bundled snapshot (what ``ringfence demo`` builds), once per session."""
    from ringfence.ingest.default import build_default_snapshot

    out = tmp_path_factory.mktemp("default") / "snap"
    build_default_snapshot(out)
    return out
