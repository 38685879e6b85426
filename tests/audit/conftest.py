"""Fixture strategy: every store-backed test body runs against SQLite (a file in tmp_path)
and PostgreSQL (a fresh schema per test in the server named by RINGFENCE_TEST_POSTGRES_URL,
default postgres@127.0.0.1:5432/test). PostgreSQL cases are marked ``postgres`` and skip
with the reason when the server cannot be reached. The fixture lives in
tests/store/rf_backends.py."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "store"))

from rf_backends import db_engine, db_engine_shared  # noqa: F401  (fixture re-export)
