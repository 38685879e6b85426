"""Migrations build the schema the tables describe, on every backend."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from ringfence.store import upgrade
from ringfence.store.tables import metadata


def test_migrated_schema_has_every_table_and_column(db_engine: Engine) -> None:
    insp = inspect(db_engine)
    names = set(insp.get_table_names())
    for table in metadata.sorted_tables:
        assert table.name in names
        cols = {c["name"] for c in insp.get_columns(table.name)}
        assert cols == {c.name for c in table.columns}, table.name


def test_upgrade_is_idempotent(db_engine: Engine) -> None:
    upgrade(db_engine)
    upgrade(db_engine)
