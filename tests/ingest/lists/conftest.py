"""Designation-list tests ingest the bundled samples (``data/sanctions``), the UN and
older CSL samples from the brief's data folder (not bundled: skipped when absent), and
small made-up files written into ``tmp_path``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ringfence.ingest.default import data_dir
from ringfence.ingest.pipeline import IngestReport, SourceSpec, ingest_sources

LISTS = data_dir() / "sanctions"
SHARED = Path(__file__).resolve().parents[4] / ".." / "shared" / "data" / "sanctions"
if not SHARED.exists():
    SHARED = Path("/work/shared/data/sanctions")


def shared(rel: str) -> Path:
    p = SHARED / rel
    if not p.exists():
        pytest.skip(f"sample {rel} not present (brief's data folder)")
    return p


class Snap:
    def __init__(self, root: Path, report: IngestReport) -> None:
        self.root = root
        self.report = report

    def q(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        con = duckdb.connect()
        for t in ("entities", "holdings", "names", "identifiers", "evidence", "conflicts"):
            p = self.root / f"{t}.parquet"
            if p.exists():
                con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{p}')")
        return con.execute(sql, list(params)).fetchall()

    def one(self, sql: str, *params: Any) -> Any:
        rows = self.q(sql, *params)
        assert len(rows) == 1, rows
        return rows[0][0]


@pytest.fixture
def ingest_lists(tmp_path: Path) -> Callable[..., Snap]:
    counter = iter(range(1000))

    def run(*specs: SourceSpec, **kw: Any) -> Snap:
        out = tmp_path / f"snap{next(counter)}"
        return Snap(out, ingest_sources(list(specs), out=out, **kw))

    return run
