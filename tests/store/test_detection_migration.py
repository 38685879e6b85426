"""Migration 0004 (detection cases, the accounts.jsonl profile on accounts, the provider's
organisation id) upgrades a database that already holds organisations, accounts and keys,
and downgrades again, on every backend."""

from __future__ import annotations

from rf_backends import columns, downgrade
from sqlalchemy import Engine, inspect, text

from ringfence.store import upgrade

_NEW_TABLES = {"detect_cases", "detect_findings", "detect_links"}




def test_0004_up_and_down_keeps_the_book(db_engine: Engine) -> None:
    downgrade(db_engine, "0003")
    assert _NEW_TABLES.isdisjoint(inspect(db_engine).get_table_names())
    assert "payment_fingerprint" not in columns(db_engine, "accounts")
    with db_engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO organizations (id, name, identifiers, domains, computed_status, "
            "computed_reasons, status, created_at, updated_at) VALUES ('org_1', 'Acme', '[]', "
            "'[]', 'allowed', '[]', 'allowed', '2026-01-01T00:00:00Z', "
            "'2026-01-01T00:00:00Z')"))
        conn.execute(text("INSERT INTO accounts (id, org_id, channel, active, created_at) "
                          "VALUES ('acc_1', 'org_1', 'direct', true, '2026-01-01T00:00:00Z')"))
        conn.execute(text("INSERT INTO api_keys (id, account_id, hash, created_at) VALUES "
                          "('key_1', 'acc_1', :h, '2026-01-01T00:00:00Z')"), {"h": "b" * 64})

    upgrade(db_engine)
    assert set(inspect(db_engine).get_table_names()) >= _NEW_TABLES
    assert {"payment_fingerprint", "payment_bin", "payment_country", "signup_device_fp",
            "signup_ip"} <= columns(db_engine, "accounts")
    assert "provider_org_id" in columns(db_engine, "organizations")
    with db_engine.begin() as conn:
        row = conn.execute(text("SELECT id, org_id, payment_fingerprint, signup_ip "
                                "FROM accounts")).one()
        assert tuple(row) == ("acc_1", "org_1", None, None)
        conn.execute(text("UPDATE accounts SET payment_fingerprint = 'pf_1'"))
        conn.execute(text(
            "INSERT INTO detect_cases (id, cluster_id, kind, status, proposed_action, score, "
            "version, account_ids, org_ids, evidence, fingerprints, excerpts, members, links, "
            "needs_review, opened_by, created_at, updated_at) VALUES ('case_1', 'c-1', "
            "'finding', 'open', 'suspend', 0.9, 1, '[\"acc_1\"]', '[]', '[]', '{}', '[]', "
            "'[]', '[]', false, 'tok', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"))
        idx = {i["name"] for i in inspect(conn).get_indexes("organizations")}
        assert "ix_organizations_provider_org_id" in idx

    downgrade(db_engine, "0003")  # reversible; the book survives both ways
    assert _NEW_TABLES.isdisjoint(inspect(db_engine).get_table_names())
    assert "signup_device_fp" not in columns(db_engine, "accounts")
    assert "provider_org_id" not in columns(db_engine, "organizations")
    with db_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM api_keys")).scalar() == 1
        assert conn.execute(text("SELECT id FROM accounts")).scalar() == "acc_1"
    upgrade(db_engine)
    assert set(inspect(db_engine).get_table_names()) >= _NEW_TABLES
