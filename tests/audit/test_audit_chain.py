"""The hash chain: appends verify; any edit, deletion or reordering is named."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, delete, select, update

from ringfence.audit import AuditLog
from ringfence.store.tables import audit_head, audit_log


@pytest.fixture
def db_engine(db_engine_shared: Engine) -> Engine:
    """The module's database with an empty audit log (creating a PostgreSQL schema and
    migrating it per test would cost more than every test here together)."""
    with db_engine_shared.begin() as conn:
        conn.execute(delete(audit_log))
        conn.execute(delete(audit_head))
    return db_engine_shared


def _fill(engine: Engine, n: int = 6) -> AuditLog:
    log = AuditLog(engine)
    for i in range(n):
        log.record(kind="decision", actor="gw", subject=f"d{i}", payload={"i": i, "x": "é"})
    return log


def test_clean_chain_verifies(db_engine: Engine) -> None:
    log = _fill(db_engine)
    v = log.verify()
    assert v.ok and v.checked == 6 and v.head_seq == 6


def test_empty_chain_verifies(db_engine: Engine) -> None:
    assert AuditLog(db_engine).verify().ok


@pytest.mark.parametrize("seq", range(1, 7))
def test_edit_is_named(db_engine: Engine, seq: int) -> None:
    log = _fill(db_engine)
    with db_engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == seq)
                     .values(payload='{"i":99}'))
    v = log.verify()
    assert not v.ok and v.first_bad == seq and "edited" in v.problem


def test_edit_and_rehash_is_caught_at_the_next_link(db_engine: Engine) -> None:
    from ringfence.audit import record_hash

    log = _fill(db_engine)
    with db_engine.begin() as conn:
        r = conn.execute(select(audit_log).where(audit_log.c.seq == 2)).one()
        h = record_hash(r.prev_hash, 2, r.ts, r.kind, "mallory", r.subject, r.payload)
        conn.execute(update(audit_log).where(audit_log.c.seq == 2)
                     .values(actor="mallory", hash=h))
    v = log.verify()
    assert not v.ok and v.first_bad == 3 and "record 2 was edited" in v.problem


@pytest.mark.parametrize("seq", range(1, 6))
def test_deletion_is_named(db_engine: Engine, seq: int) -> None:
    log = _fill(db_engine)
    with db_engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq == seq))
    v = log.verify()
    assert not v.ok and v.first_bad == seq and "missing" in v.problem


def test_deleting_the_tail_is_detected(db_engine: Engine) -> None:
    log = _fill(db_engine)
    with db_engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq >= 5))
    v = log.verify()
    assert not v.ok and v.first_bad == 5


@pytest.mark.parametrize("seq", range(1, 6))
def test_reordering_is_named(db_engine: Engine, seq: int) -> None:
    log = _fill(db_engine)
    with db_engine.begin() as conn:  # swap records seq and seq + 1
        conn.execute(update(audit_log).where(audit_log.c.seq == seq).values(seq=-1))
        conn.execute(update(audit_log).where(audit_log.c.seq == seq + 1).values(seq=seq))
        conn.execute(update(audit_log).where(audit_log.c.seq == -1).values(seq=seq + 1))
    v = log.verify()
    assert not v.ok and v.first_bad == seq


def test_reordering_contents_with_their_numbers_is_named(db_engine: Engine) -> None:
    """Swap two records' contents but keep the numbering: the links break."""
    log = _fill(db_engine)
    with db_engine.begin() as conn:
        a = conn.execute(select(audit_log).where(audit_log.c.seq == 2)).one()
        b = conn.execute(select(audit_log).where(audit_log.c.seq == 3)).one()
        for row, target in ((a, 3), (b, 2)):
            conn.execute(update(audit_log).where(audit_log.c.seq == target).values(
                ts=row.ts, kind=row.kind, actor=row.actor, subject=row.subject,
                payload=row.payload, prev_hash=row.prev_hash, hash=row.hash))
    v = log.verify()
    assert not v.ok and v.first_bad == 2


def test_appends_continue_the_chain_after_reopen(db_engine: Engine) -> None:
    _fill(db_engine, 3)
    log = AuditLog(db_engine)
    rec = log.record(kind="publish", actor="admin", subject="s", payload={})
    assert rec.seq == 4 and log.verify().ok
