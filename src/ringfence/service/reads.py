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
from ringfence.store.tables import accounts, events, overrides, snapshots

__all__ = ["accounts_of", "decision", "event_page", "live_snapshot", "org_proof",
           "override_list", "snapshot_list"]


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
