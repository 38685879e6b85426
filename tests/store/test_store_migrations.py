"""Migrations build the schema the tables describe, on every backend."""

from __future__ import annotations

from sqlalchemy import Engine, insert, inspect, select

from ringfence.store import upgrade
from ringfence.store.tables import metadata


def test_migrated_schema_has_every_table_and_column(db_engine: Engine) -> None:
    insp = inspect(db_engine)
    names = set(insp.get_table_names())
    for table in metadata.sorted_tables:
        assert table.name in names
        cols = {c["name"] for c in insp.get_columns(table.name)}
        assert cols == {c.name for c in table.columns}, table.name


def _schema(engine: Engine) -> dict[str, list[tuple[str, str]]]:
    insp = inspect(engine)
    return {t: sorted((c["name"], str(c["type"])) for c in insp.get_columns(t))
            for t in sorted(insp.get_table_names())}


def test_upgrade_is_idempotent(db_engine: Engine) -> None:
    """Upgrading an up-to-date database changes nothing: same revision (the head), same
    schema, and the rows already there are kept."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from ringfence.store import migrations_config
    from ringfence.store.tables import kv

    head = ScriptDirectory.from_config(migrations_config()).get_current_head()
    before = _schema(db_engine)
    with db_engine.begin() as conn:
        conn.execute(insert(kv).values(key="idempotence-probe", value="kept"))
    upgrade(db_engine)
    upgrade(db_engine)
    with db_engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head
        assert conn.execute(select(kv.c.value).where(kv.c.key == "idempotence-probe")
                            ).scalar_one() == "kept"
    assert _schema(db_engine) == before
