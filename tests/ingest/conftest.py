"""Fixture strategy: every test ingests real shipped sample files (or small synthetic
ones written into ``tmp_path``) into a fresh snapshot under ``tmp_path`` and asserts
facts by querying the snapshot's Parquet files with DuckDB. Nothing is shared between
tests except the read-only package data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ringfence.ingest.default import data_dir
from ringfence.ingest.pipeline import IngestReport, SourceSpec, ingest_sources

DATA = data_dir()


class Snap:
    def __init__(self, root: Path, report: IngestReport) -> None:
        self.root = root
        self.report = report

    def q(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        con = duckdb.connect()
        for t in ("entities", "holdings", "names", "identifiers", "evidence", "conflicts",
                  "cleaned_names"):
            p = self.root / f"{t}.parquet"
            if p.exists():
                con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{p}')")
        return con.execute(sql, list(params)).fetchall()

    def entity(self, eid: str) -> dict[str, Any]:
        rows = self.q("SELECT id, name, type, hq_country, jurisdiction FROM entities "
                      "WHERE id = ?", eid)
        assert len(rows) == 1, f"{eid}: {rows}"
        return dict(zip(("id", "name", "type", "hq_country", "jurisdiction"), rows[0],
                        strict=True))

    def holdings(self, owned: str) -> list[tuple[Any, ...]]:
        return self.q("SELECT owner, kind, lo, hi, lo_open, hi_open, valid_from, valid_to "
                      "FROM holdings WHERE owned = ? ORDER BY owner, kind", owned)


@pytest.fixture
def ingest(tmp_path: Path) -> Callable[..., Snap]:
    counter = iter(range(1000))

    def run(*sources: tuple[str, list[Path]], **kw: Any) -> Snap:
        out = tmp_path / f"snap{next(counter)}"
        report = ingest_sources([SourceSpec(f, p) for f, p in sources], out=out, **kw)
        return Snap(out, report)

    return run
