"""Migration 0007 (re-match on publish: ``organizations.review_due`` and ``dismissed``)
upgrades a database that holds a book, and downgrades again, on every backend."""

from __future__ import annotations

from rf_backends import columns, downgrade
from sqlalchemy import Engine, select, text, update

from ringfence.store import upgrade
from ringfence.store.tables import organizations

_NEW = {"review_due", "dismissed"}




def test_0007_up_and_down_keeps_the_book(db_engine: Engine) -> None:
    downgrade(db_engine, "0006")
    assert _NEW.isdisjoint(columns(db_engine, "organizations"))
    with db_engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO organizations (id, name, identifiers, domains, computed_status, "
            "computed_reasons, status, created_at, updated_at) VALUES ('org_1', 'Acme', '[]', "
            "'[]', 'allowed', '[]', 'allowed', '2026-01-01T00:00:00Z', "
            "'2026-01-01T00:00:00Z')"))

    upgrade(db_engine)
    assert columns(db_engine, "organizations") >= _NEW
    with db_engine.begin() as conn:
        row = conn.execute(select(organizations)).one()
        assert row.review_due is None and row.dismissed is None  # an old row: not due
        conn.execute(update(organizations).values(
            review_due={"reason": "override_verdict_changed"},
            dismissed=[{"entity_id": "e1", "fingerprint": "f"}]))
        due = conn.execute(select(organizations.c.id).where(
            organizations.c.review_due.is_not(None))).all()
        assert [r.id for r in due] == ["org_1"]
        conn.execute(update(organizations).values(review_due=None))
        assert conn.execute(select(organizations.c.id).where(  # None is SQL NULL
            organizations.c.review_due.is_not(None))).all() == []

    downgrade(db_engine, "0006")
    assert _NEW.isdisjoint(columns(db_engine, "organizations"))
    with db_engine.begin() as conn:
        assert conn.execute(text("SELECT id FROM organizations")).scalar() == "org_1"
    upgrade(db_engine)
