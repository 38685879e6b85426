"""Engines and migrations: SQLite by default, PostgreSQL through ``RINGFENCE_DATABASE_URL``.

Only entry points read the environment; they pass the URL here.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event

__all__ = ["DEFAULT_URL", "make_engine", "migrations_config", "upgrade"]

DEFAULT_URL = "sqlite:///./var/ringfence.db"


def make_engine(url: str = DEFAULT_URL, **kwargs: Any) -> Engine:
    """An engine for ``url``; for SQLite the folder is created and WAL switched on."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def migrations_config() -> Config:
    cfg = Config()
    folder = resources.files("ringfence.store") / "migrations"
    cfg.set_main_option("script_location", str(folder))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (idempotent)."""
    cfg = migrations_config()
    url = engine.url.render_as_string(hide_password=False)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser escapes
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
