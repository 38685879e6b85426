"""Migration 0003 (who revoked a token and why) upgrades a database that already holds
tokens, and downgrades again, on every backend."""

from __future__ import annotations

from rf_backends import columns, downgrade
from sqlalchemy import Engine, text

from ringfence.store import upgrade


def test_0003_adds_who_and_why_and_keeps_existing_tokens(db_engine: Engine) -> None:
    downgrade(db_engine, "0002")
    assert {"revoked_by", "revoke_reason"}.isdisjoint(columns(db_engine, "tokens"))
    with db_engine.begin() as conn:
        conn.execute(text("INSERT INTO tokens (id, hash, role, label, created_at, revoked_at) "
                          "VALUES ('tok_old', :h, 'gateway', 'envoy', '2026-01-01T00:00:00Z', "
                          "NULL)"), {"h": "a" * 64})

    upgrade(db_engine)
    assert {"revoked_at", "revoked_by", "revoke_reason"} <= columns(db_engine, "tokens")
    with db_engine.connect() as conn:
        row = conn.execute(text("SELECT id, hash, role, label, revoked_at, revoked_by, "
                                "revoke_reason FROM tokens")).one()
    assert tuple(row) == ("tok_old", "a" * 64, "gateway", "envoy", None, None, None)

    downgrade(db_engine, "0002")  # reversible, and the token survives both ways
    assert "revoked_by" not in columns(db_engine, "tokens")
    upgrade(db_engine)
    with db_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM tokens")).scalar() == 1
