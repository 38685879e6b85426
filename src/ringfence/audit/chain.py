"""An append-only, hash-chained audit log in the operational database.

Record ``n`` stores ``hash = sha256(canonical [prev_hash, seq, ts, kind, actor, subject,
payload])`` with ``prev_hash`` the hash of record ``n - 1`` (64 zeros for the first). A
separate head row holds the last ``(seq, hash)`` and is updated in the same transaction, so
deleting records from the end is detected too. :func:`verify` walks the chain in ``seq``
order and names the first record that was edited, deleted or reordered.

Appends happen inside :meth:`AuditLog.transaction`, which serialises writers and commits
the caller's own writes in the same transaction: the record is durable before the caller
answers. Writers are serialised across threads (a lock) and across processes (several
server workers, the CLI): on SQLite the transaction takes the database's write lock at its
start (``BEGIN IMMEDIATE``), so the head it reads is the latest and stays so until it
commits; on PostgreSQL :meth:`AuditLog.append` takes a transaction-scoped advisory lock
before it reads the head (a row lock could not cover the first record, when there is no
head row yet). Without either, two processes read the same head and the second insert
fails (tests/audit/test_audit_processes.py).

The chain proves integrity against edits inside the database; someone able to rewrite
every record *and* the head, or to put back an older copy of the database, is caught only
by comparing with heads kept elsewhere (:mod:`ringfence.audit.anchor`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, select, text, update

from ringfence.store.tables import audit_head, audit_log

__all__ = ["GENESIS", "AuditLog", "AuditRecord", "Verification", "canonical", "now_iso",
           "record_hash"]

GENESIS = "0" * 64


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def record_hash(prev_hash: str, seq: int, ts: str, kind: str, actor: str, subject: str,
                payload: str) -> str:
    body = canonical([prev_hash, seq, ts, kind, actor, subject, payload])
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    ts: str
    kind: str
    actor: str
    subject: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "ts": self.ts, "kind": self.kind, "actor": self.actor,
                "subject": self.subject, "payload": self.payload, "prev_hash": self.prev_hash,
                "hash": self.hash}


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    first_bad: int | None = None
    problem: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked, "head_seq": self.head_seq,
                "head_hash": self.head_hash, "first_bad": self.first_bad,
                "problem": self.problem}


_HEAD = select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
# PostgreSQL: one lock id for "the audit head", held until the transaction ends
_PG_HEAD_LOCK = text("SELECT pg_advisory_xact_lock(7380896906433327921)")
_INSERT_RECORD = insert(audit_log)
_INSERT_HEAD = insert(audit_head)
_UPDATE_HEAD = (update(audit_head).where(audit_head.c.id == 1)
                .values(seq=bindparam("p_seq"), hash=bindparam("p_hash")))


class AuditLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction for the caller's writes and its audit records; on SQLite it
        holds the write lock from its first statement (waiting up to the engine's busy
        timeout for another process's writer)."""
        with self._lock, self.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                # pysqlite begins a transaction only before a write, and SQLAlchemy's
                # begin() sends nothing: this is the transaction's first statement
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn

    def append(self, conn: Connection, *, kind: str, actor: str, subject: str,
               payload: dict[str, Any]) -> AuditRecord:
        """Append inside a :meth:`transaction` (the caller's connection)."""
        # Statements built once with bound parameters: SQLAlchemy compiles each once, where
        # literal ``.values(...)`` made it rebuild a cache key per record (most of an
        # append's time in a batch of appends).
        if conn.dialect.name == "postgresql":
            conn.execute(_PG_HEAD_LOCK)
        head = conn.execute(_HEAD).first()
        seq, prev = (int(head.seq), str(head.hash)) if head else (0, GENESIS)
        seq += 1
        ts = now_iso()
        text = canonical(payload)
        digest = record_hash(prev, seq, ts, kind, actor, subject, text)
        conn.execute(_INSERT_RECORD, {"seq": seq, "ts": ts, "kind": kind, "actor": actor,
                                      "subject": subject, "payload": text, "prev_hash": prev,
                                      "hash": digest})
        if head is None:
            conn.execute(_INSERT_HEAD, {"id": 1, "seq": seq, "hash": digest})
        else:
            conn.execute(_UPDATE_HEAD, {"p_seq": seq, "p_hash": digest})
        return AuditRecord(seq, ts, kind, actor, subject, payload, prev, digest)

    def record(self, *, kind: str, actor: str, subject: str,
               payload: dict[str, Any]) -> AuditRecord:
        with self.transaction() as conn:
            return self.append(conn, kind=kind, actor=actor, subject=subject, payload=payload)

    def get(self, seq: int) -> AuditRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(audit_log).where(audit_log.c.seq == seq)).first()
        if row is None:
            return None
        return AuditRecord(int(row.seq), row.ts, row.kind, row.actor, row.subject,
                           json.loads(row.payload), row.prev_hash, row.hash)

    def tail(self, limit: int = 50, *, kind: str | None = None) -> list[AuditRecord]:
        q = select(audit_log).order_by(audit_log.c.seq.desc()).limit(limit)
        if kind is not None:
            q = q.where(audit_log.c.kind == kind)
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return [AuditRecord(int(r.seq), r.ts, r.kind, r.actor, r.subject,
                            json.loads(r.payload), r.prev_hash, r.hash) for r in rows]

    def verify(self, *, batch: int = 5000) -> Verification:
        """Walk the whole chain; stop at the first record that fails."""
        prev, expected, checked = GENESIS, 1, 0
        with self.engine.connect() as conn:
            head = conn.execute(select(audit_head).where(audit_head.c.id == 1)).first()
            head_seq = int(head.seq) if head else 0
            head_hash = str(head.hash) if head else GENESIS
            last = 0
            while True:
                rows = conn.execute(select(audit_log).where(audit_log.c.seq > last)
                                    .order_by(audit_log.c.seq).limit(batch)).all()
                if not rows:
                    break
                for r in rows:
                    seq = int(r.seq)
                    bad = self._check(r, seq, expected, prev)
                    if bad:
                        return Verification(False, checked, head_seq, head_hash, bad[0], bad[1])
                    prev, expected, last = r.hash, seq + 1, seq
                    checked += 1
        if head_seq != last or head_hash != prev:
            if head_seq > last:
                problem = (f"records {last + 1}..{head_seq} are missing: the head says the "
                           f"chain ends at {head_seq}, the log ends at {last}")
                return Verification(False, checked, head_seq, head_hash, last + 1, problem)
            problem = (f"the head (record {head_seq}) does not match the last record "
                       f"{last}: the head or the end of the log was altered")
            return Verification(False, checked, head_seq, head_hash, min(head_seq, last) or 1,
                                problem)
        return Verification(True, checked, head_seq, head_hash)

    @staticmethod
    def _check(r: Any, seq: int, expected: int, prev: str) -> tuple[int, str] | None:
        if seq != expected:
            return expected, (f"record {expected} is missing (deleted): the log goes from "
                              f"{expected - 1} to {seq}")
        own = record_hash(r.prev_hash, seq, r.ts, r.kind, r.actor, r.subject, r.payload)
        if own != r.hash:
            return seq, f"record {seq} was edited: its content does not match its hash"
        if r.prev_hash != prev:
            return seq, (f"record {seq} does not follow record {seq - 1}: records were "
                         f"reordered, or record {seq - 1} was edited and re-hashed")
        return None
