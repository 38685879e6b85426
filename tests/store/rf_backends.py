"""The parametrised ``db_engine`` fixture shared by store, audit and service tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from ringfence.store import make_engine, upgrade

PG_URL = os.environ.get("RINGFENCE_TEST_POSTGRES_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_reachable() -> str | None:
    try:
        eng = make_engine(PG_URL)
        with eng.connect() as conn:
            conn.execute(text("select 1"))
        eng.dispose()
        return None
    except Exception as err:  # any failure to connect means: skip, saying why
        return f"PostgreSQL not reachable at {PG_URL}: {type(err).__name__}"


def _engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'rf.db'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    why = _pg_reachable()
    if why:
        pytest.skip(why)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


_PARAMS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=_PARAMS)
def db_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database on each backend."""
    yield from _engine(request, tmp_path)


@pytest.fixture(scope="module", params=_PARAMS)
def db_engine_shared(request: pytest.FixtureRequest,
                     tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One migrated database per backend for a whole module (tests clean up themselves)."""
    yield from _engine(request, tmp_path_factory.mktemp("db"))


def subprocess_url(engine: Engine) -> str:
    """``engine``'s URL for another process: the PostgreSQL fixture's schema travels as a
    connect argument, so it goes into the URL (``?options=-csearch_path=...``)."""
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name != "postgresql":
        return url
    with engine.connect() as conn:
        schema = conn.exec_driver_sql("show search_path").scalar()
    return f"{url}?options=-csearch_path%3D{schema}"


def downgrade(engine: Engine, revision: str) -> None:
    """Alembic downgrade of ``engine``'s database to ``revision`` (the migration tests)."""
    from alembic import command

    from ringfence.store import migrations_config

    cfg = migrations_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def columns(engine: Engine, table: str) -> set[str]:
    """The column names ``table`` has now."""
    from sqlalchemy import inspect

    return {c["name"] for c in inspect(engine).get_columns(table)}
