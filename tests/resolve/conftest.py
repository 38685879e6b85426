"""Fixtures for screening tests.

Strategy: no mocks. Names are real (public registry and sanctions-list spellings in each
script); the index fixtures are built from the public-groups CSVs in shared/data, read with
the standard library so these tests exercise only the resolve package. The snapshot used
by the CLI tests is produced by the real ``ringfence ingest csv`` path once per session.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

PUBLIC = Path(os.environ.get("RINGFENCE_SHARED", "/work/shared")) / "data" / "public-groups"


def read_csv(name: str) -> list[dict[str, str]]:
    with (PUBLIC / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def public_groups() -> dict[str, list[dict[str, str]]]:
    if not (PUBLIC / "entities.csv").is_file():
        pytest.skip(f"public-groups data not found under {PUBLIC}")
    return {n: read_csv(f"{n}.csv") for n in ("entities", "names", "identifiers", "holdings")}
