"""What the routes and console pages read: one function per view, over the runtime.

The write side is ``book.py`` (and ``publish.py``); this is the read side, so a route or a
console page parses its input, calls one of these and renders, nothing more. Every
missing record is a :class:`~ringfence.exc.NotFoundError` naming it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ringfence.exc import NotFoundError
from ringfence.service.runtime import Runtime
from ringfence.snapshot.screening import declared_record
from ringfence.store.tables import (
    accounts,
    audit_log,
    events,
    organizations,
    overrides,
    snapshots,
)

__all__ = ["accounts_of", "audit_records", "decision", "event_page", "live_snapshot", "org_proof",
           "override_list", "search", "snapshot_list"]


def accounts_of(rt: Runtime, org_id: str) -> tuple[Any, list[dict[str, Any]]]:
    """An organisation's row and its accounts (NotFoundError when there is no such org)."""
    with rt.engine.connect() as conn:
        row = rt.org_row(conn, org_id)
        accs = conn.execute(select(accounts).where(accounts.c.org_id == org_id)
                            .order_by(accounts.c.created_at, accounts.c.id)).all()
    return row, [dict(a._mapping) for a in accs]


def org_proof(rt: Runtime, org_id: str) -> dict[str, Any]:
    """Why the organisation's matched entity has its verdict, from the live snapshot."""
    live = rt.require_live()
    with rt.engine.connect() as conn:
        row = rt.org_row(conn, org_id)
    if not row.entity_id:
        raise NotFoundError(f"organization {org_id} matched no entity",
                            details={"org_id": org_id})
    return {"org_id": org_id, "entity_id": row.entity_id,
            "proof": live.book.explain(row.entity_id).as_dict()}


def override_list(rt: Runtime, *, state: str | None = None,
                  limit: int = 1000) -> list[dict[str, Any]]:
    q = select(overrides).order_by(overrides.c.created_at)
    if state:
        q = q.where(overrides.c.state == state)
    with rt.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q.limit(limit))]


def decision(rt: Runtime, decision_id: str) -> dict[str, Any]:
    """A logged decision; an ALLOW still in the unwritten batch is flushed first."""
    rec = rt.decisions.get(decision_id)
    if rec is None:
        rt.decisions.flush()
        rec = rt.decisions.get(decision_id)
    if rec is None:
        raise NotFoundError(f"no decision {decision_id!r}", details={"decision_id": decision_id})
    return rec


def event_page(rt: Runtime, *, after: int, limit: int) -> dict[str, Any]:
    with rt.engine.connect() as conn:
        rows = conn.execute(select(events).where(events.c.seq > after)
                            .order_by(events.c.seq).limit(limit)).all()
    return {"items": [dict(r._mapping) for r in rows],
            "next_after": rows[-1].seq if rows else after}


def live_snapshot(rt: Runtime) -> dict[str, Any] | None:
    live = rt.live
    if live is None:
        return None
    return {"snapshot_id": live.snapshot.id, "policy": live.resolved.as_dict(),
            "as_of": live.resolved.as_of.isoformat()}


def snapshot_list(rt: Runtime, *, limit: int = 100) -> dict[str, Any]:
    with rt.engine.connect() as conn:
        rows = conn.execute(select(snapshots).order_by(snapshots.c.seq.desc())
                            .limit(limit)).all()
    return {"live": live_snapshot(rt), "items": [dict(r._mapping) for r in rows]}


def search(rt: Runtime, *, name: str, country: str | None = None,
           identifiers: list[tuple[str, str]] | None = None,
           limit: int = 20) -> list[dict[str, Any]]:
    """Entities of the live snapshot a declaration could be (the onboarding resolver: a
    name in any script, identifiers, country), best first, each with its verdict under
    the live policy and the organisations of the book already matched to it."""
    live = rt.require_live()
    query = declared_record(name, country=country, identifiers=identifiers or [])
    found = live.resolver.search(query, limit=limit, threshold=0.0)
    ids = [c.entity_id for c in found]
    with rt.engine.connect() as conn:
        rows = conn.execute(select(organizations.c.id, organizations.c.name,
                                   organizations.c.entity_id, organizations.c.status)
                            .where(organizations.c.entity_id.in_(ids))).all()
    out = []
    for c in found:
        v = live.book.get(c.entity_id)
        out.append({"entity_id": c.entity_id, "name": c.name, "score": c.score,
                    "match": c.match, "verdict": v.verdict.value if v else None,
                    "lower": v.lower if v else None, "upper": v.upper if v else None,
                    "why": [f.as_dict() for f in c.explanation],
                    "in_book": [dict(r._mapping) for r in rows if r.entity_id == c.entity_id]})
    return out


def audit_records(rt: Runtime, *, kind: str | None = None, actor: str | None = None,
                  subject: str | None = None, before: int | None = None,
                  limit: int = 100) -> list[dict[str, Any]]:
    """Audit records, newest first, filtered by kind (a prefix such as ``console.``
    works), actor and subject; ``before`` pages back from a sequence number."""
    q = select(audit_log).order_by(audit_log.c.seq.desc()).limit(limit)
    if kind:
        q = q.where(audit_log.c.kind.startswith(kind, autoescape=True))
    if actor:
        q = q.where(audit_log.c.actor == actor)
    if subject:
        q = q.where(audit_log.c.subject == subject)
    if before:
        q = q.where(audit_log.c.seq < before)
    with rt.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q).all()]
