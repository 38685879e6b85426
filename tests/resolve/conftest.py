"""Fixtures for screening tests.

Strategy: no mocks. Names are real (public registry and sanctions-list spellings in each
script); the index fixtures are built from the public-groups CSVs bundled with the package
(``ringfence/data/public-groups``, found through importlib.resources so the tests run from
any checkout), read with the standard library so these tests exercise only the resolve
package. The snapshot used by the CLI tests is produced by the real ``ringfence ingest
csv`` path once per session.
"""

from __future__ import annotations

import csv
from importlib.resources import as_file, files
from pathlib import Path

import pytest

with as_file(files("ringfence") / "data" / "public-groups") as _public:
    PUBLIC = Path(_public)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def read_csv(name: str) -> list[dict[str, str]]:
    with (PUBLIC / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def public_groups() -> dict[str, list[dict[str, str]]]:
    assert (PUBLIC / "entities.csv").is_file(), f"bundled public-groups data missing: {PUBLIC}"
    return {n: read_csv(f"{n}.csv") for n in ("entities", "names", "identifiers", "holdings")}
