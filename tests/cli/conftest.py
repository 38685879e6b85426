"""Fixtures for the CLI tests: one snapshot of the bundled public groups, built once per
session and only read by the tests (commands that write take their own tmp_path)."""

from pathlib import Path

import pytest

from ringfence.ingest.run import ingest_csv

PUBLIC = Path(__file__).resolve().parents[2] / "src" / "ringfence" / "data" / "public-groups"


@pytest.fixture(scope="session")
def public_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("public-groups") / "snap"
    ingest_csv(entities=PUBLIC / "entities.csv", holdings=PUBLIC / "holdings.csv",
               names=PUBLIC / "names.csv", identifiers=PUBLIC / "identifiers.csv", out=out)
    return out
