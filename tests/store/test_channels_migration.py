"""Migration 0005 (channels, end customers, channel-scoped tokens and webhooks, phone and
e-mail on accounts) upgrades a database that holds a book, and downgrades again, on every
backend."""

from __future__ import annotations

from rf_backends import columns, downgrade
from sqlalchemy import Engine, inspect, text

from ringfence.store import upgrade

_NEW_TABLES = {"channels", "end_customers"}




def test_0005_up_and_down_keeps_the_book(db_engine: Engine) -> None:
    downgrade(db_engine, "0004")
    assert _NEW_TABLES.isdisjoint(inspect(db_engine).get_table_names())
    assert "channel_id" not in columns(db_engine, "tokens")
    with db_engine.begin() as conn:
        for org in ("org_1", "org_2"):
            conn.execute(text(
                "INSERT INTO organizations (id, name, identifiers, domains, computed_status, "
                "computed_reasons, status, created_at, updated_at) VALUES (:id, 'Acme', '[]', "
                "'[]', 'allowed', '[]', 'allowed', '2026-01-01T00:00:00Z', "
                "'2026-01-01T00:00:00Z')"), {"id": org})
        conn.execute(text("INSERT INTO accounts (id, org_id, channel, active, created_at) "
                          "VALUES ('acc_1', 'org_1', 'cloud', true, '2026-01-01T00:00:00Z')"))
        conn.execute(text("INSERT INTO tokens (id, hash, role, label, created_at) VALUES "
                          "('tok_1', :h, 'gateway', '', '2026-01-01T00:00:00Z')"),
                     {"h": "c" * 64})

    upgrade(db_engine)
    assert set(inspect(db_engine).get_table_names()) >= _NEW_TABLES
    assert "channel_id" in columns(db_engine, "tokens")
    assert "channel_id" in columns(db_engine, "webhooks")
    assert {"phone", "email"} <= columns(db_engine, "accounts")
    with db_engine.begin() as conn:
        assert tuple(conn.execute(text("SELECT id, channel_id FROM tokens")).one()) == \
            ("tok_1", None)
        conn.execute(text(
            "INSERT INTO channels (org_id, kind, attestation, regions, created_at, created_by, "
            "updated_at) VALUES ('org_1', 'reseller', 'both', '[]', 'x', 'test', 'x')"))
        conn.execute(text(
            "INSERT INTO end_customers (channel_id, ref, org_id, digest, created_at, "
            "updated_at) VALUES ('org_1', 'c-1', 'org_2', 'd', 'x', 'x')"))
        conn.execute(text("UPDATE accounts SET phone = '+4930123456', email = 'a@b.example'"))
        idx = {i["name"] for i in inspect(conn).get_indexes("end_customers")}
        assert "ix_end_customers_org_id" in idx

    downgrade(db_engine, "0004")  # reversible; the book survives both ways
    assert _NEW_TABLES.isdisjoint(inspect(db_engine).get_table_names())
    assert "phone" not in columns(db_engine, "accounts")
    assert "channel_id" not in columns(db_engine, "tokens")
    with db_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM organizations")).scalar() == 2
        assert conn.execute(text("SELECT id FROM accounts")).scalar() == "acc_1"
        assert conn.execute(text("SELECT id FROM tokens")).scalar() == "tok_1"
    upgrade(db_engine)
    assert set(inspect(db_engine).get_table_names()) >= _NEW_TABLES
