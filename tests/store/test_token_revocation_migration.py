"""Migration 0003 (who revoked a token and why) upgrades a database that already holds
tokens, and downgrades again, on every backend."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, inspect, text

from ringfence.store import migrations_config, upgrade


def _downgrade(engine: Engine, revision: str) -> None:
    cfg = migrations_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def _columns(engine: Engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("tokens")}


def test_0003_adds_who_and_why_and_keeps_existing_tokens(db_engine: Engine) -> None:
    _downgrade(db_engine, "0002")
    assert {"revoked_by", "revoke_reason"}.isdisjoint(_columns(db_engine))
    with db_engine.begin() as conn:
        conn.execute(text("INSERT INTO tokens (id, hash, role, label, created_at, revoked_at) "
                          "VALUES ('tok_old', :h, 'gateway', 'envoy', '2026-01-01T00:00:00Z', "
                          "NULL)"), {"h": "a" * 64})

    upgrade(db_engine)
    assert {"revoked_at", "revoked_by", "revoke_reason"} <= _columns(db_engine)
    with db_engine.connect() as conn:
        row = conn.execute(text("SELECT id, hash, role, label, revoked_at, revoked_by, "
                                "revoke_reason FROM tokens")).one()
    assert tuple(row) == ("tok_old", "a" * 64, "gateway", "envoy", None, None, None)

    _downgrade(db_engine, "0002")  # reversible, and the token survives both ways
    assert "revoked_by" not in _columns(db_engine)
    upgrade(db_engine)
    with db_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM tokens")).scalar() == 1
