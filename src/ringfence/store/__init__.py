"""Operational state: SQLAlchemy Core tables, engines and Alembic migrations."""

from ringfence.store.db import DEFAULT_URL, make_engine, migrations_config, upgrade

__all__ = ["DEFAULT_URL", "make_engine", "migrations_config", "upgrade"]
