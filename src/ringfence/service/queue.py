"""The review queue: every item that needs a person, in one list (the console's front page).

Kinds (:data:`KINDS`): organisations whose status in force is ``review``, or that a publish
put back in the queue (``review_due``: an override whose entity or verdict changed, a
dismissed candidate back with new data) (``org``), those
of them an intermediary attested (``end_customer``), overrides waiting for a second
analyst (``override``), open detection cases (``case``) and open channel-scorecard cases
(``channel``). Each item has its age, its reason and its assignee (``console_assignments``);
:func:`assign` sets one, with an audit record. Reads only: the decisions on the items are
``book.py`` and ``cases.py``, as for the API.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, or_, select

from ringfence.audit import now_iso
from ringfence.exc import InputError, NotFoundError
from ringfence.service.runtime import Runtime
from ringfence.store.tables import (
    console_assignments,
    detect_cases,
    end_customers,
    organizations,
    overrides,
    tokens,
)

__all__ = ["KINDS", "QueueItem", "QueueView", "assign", "assignees", "queue"]

KINDS = {"org": "Organisations in review", "end_customer": "End customers in review",
         "override": "Overrides awaiting a second analyst", "case": "Detection cases",
         "channel": "Channel scorecard cases"}
SORTS = ("age", "-age", "kind", "title")


@dataclass(frozen=True, slots=True)
class QueueItem:
    kind: str
    id: str
    title: str
    reason: str
    since: str
    href: str
    assignee: str | None = None

    @property
    def age(self) -> str:
        try:
            then = dt.datetime.fromisoformat(self.since.replace("Z", "+00:00"))
        except ValueError:
            return "?"
        secs = max(0, int((dt.datetime.now(dt.UTC) - then).total_seconds()))
        if secs < 3600:
            return f"{secs // 60} min"
        if secs < 86400 * 2:
            return f"{secs // 3600} h"
        return f"{secs // 86400} d"


@dataclass(frozen=True, slots=True)
class QueueView:
    items: list[QueueItem]
    counts: dict[str, int]


def _codes(reasons: Any) -> str:
    return ", ".join(str(r.get("code")) for r in reasons or [] if isinstance(r, dict))


def _in_review() -> Any:
    return or_(organizations.c.status == "review", organizations.c.review_due.is_not(None))


def _org_reason(r: Any) -> str:
    codes = _codes(r.computed_reasons)
    due = r.review_due.get("reason") if isinstance(r.review_due, dict) else None
    return f"{due}; {codes}" if due else codes


def _orgs(conn: Any, attested: bool, limit: int) -> list[QueueItem]:
    ec = select(end_customers.c.org_id)
    q = select(organizations.c.id, organizations.c.name, organizations.c.updated_at,
               organizations.c.computed_reasons, organizations.c.review_due
               ).where(_in_review())
    q = q.where(organizations.c.id.in_(ec) if attested else organizations.c.id.not_in(ec))
    rows = conn.execute(q.order_by(organizations.c.updated_at).limit(limit)).all()
    kind = "end_customer" if attested else "org"
    return [QueueItem(kind, r.id, r.name, _org_reason(r), r.updated_at,
                      f"/console/organizations/{r.id}") for r in rows]


def _overrides(conn: Any, limit: int) -> list[QueueItem]:
    rows = conn.execute(
        select(overrides, organizations.c.name)
        .join(organizations, organizations.c.id == overrides.c.org_id)
        .where(overrides.c.state == "pending").order_by(overrides.c.created_at).limit(limit)
    ).all()
    return [QueueItem("override", r.id, f"{r.name}: {r.from_status} → {r.to_status}",
                      f"{r.reason} (asked by {r.requested_by})", r.created_at,
                      f"/console/organizations/{r.org_id}#overrides") for r in rows]


def _cases(conn: Any, channel: bool, limit: int) -> list[QueueItem]:
    q = select(detect_cases).where(detect_cases.c.status == "open")
    q = q.where(detect_cases.c.kind == "channel" if channel else detect_cases.c.kind != "channel")
    rows = conn.execute(q.order_by(detect_cases.c.created_at).limit(limit)).all()
    out = []
    for r in rows:
        href = f"/console/cases/{r.id}"
        title = (f"{r.kind} case, proposed {r.proposed_action}, score {r.score:.2f}, "
                 f"{len(r.account_ids)} accounts, {len(r.org_ids)} organisations")
        reason = _codes([e for e in r.evidence if isinstance(e, dict) and "code" in e]) or \
            ", ".join(str(e.get("measure")) for e in r.evidence
                      if isinstance(e, dict) and "measure" in e)
        out.append(QueueItem("channel" if channel else "case", r.id, title, reason,
                             r.created_at, href))
    return out


def _counts(conn: Any) -> dict[str, int]:
    ec = select(end_customers.c.org_id)
    review = _in_review()

    def n(q: Any) -> int:
        return int(conn.execute(q).scalar_one())

    return {
        "org": n(select(func.count()).where(review, organizations.c.id.not_in(ec))),
        "end_customer": n(select(func.count()).where(review, organizations.c.id.in_(ec))),
        "override": n(select(func.count()).where(overrides.c.state == "pending")),
        "case": n(select(func.count()).where(detect_cases.c.status == "open",
                                             detect_cases.c.kind != "channel")),
        "channel": n(select(func.count()).where(detect_cases.c.status == "open",
                                                detect_cases.c.kind == "channel")),
    }


def queue(rt: Runtime, *, kind: str | None = None, assignee: str | None = None,
          text: str | None = None, sort: str = "age", limit: int = 500) -> QueueView:
    """The queue, oldest first by default; ``assignee`` is a token id or ``"none"``."""
    if kind and kind not in KINDS:
        raise InputError(f"kind must be one of {', '.join(KINDS)}", details={"field": "kind"})
    if sort not in SORTS:
        raise InputError(f"sort must be one of {', '.join(SORTS)}", details={"field": "sort"})
    with rt.engine.connect() as conn:
        items: list[QueueItem] = []
        if kind in (None, "org"):
            items += _orgs(conn, False, limit)
        if kind in (None, "end_customer"):
            items += _orgs(conn, True, limit)
        if kind in (None, "override"):
            items += _overrides(conn, limit)
        if kind in (None, "case"):
            items += _cases(conn, False, limit)
        if kind in (None, "channel"):
            items += _cases(conn, True, limit)
        owners = {(r.kind, r.item_id): r.assignee
                  for r in conn.execute(select(console_assignments)).all()}
        counts = _counts(conn)
    items = [QueueItem(i.kind, i.id, i.title, i.reason, i.since, i.href,
                       owners.get((i.kind, i.id))) for i in items]
    if assignee:
        items = [i for i in items if (i.assignee or "none") == assignee]
    if text:
        needle = text.casefold()
        items = [i for i in items if needle in i.title.casefold()
                 or needle in i.reason.casefold() or needle in i.id.casefold()]
    order = list(KINDS)
    if sort == "kind":
        items.sort(key=lambda i: (order.index(i.kind), i.since))
    elif sort == "title":
        items.sort(key=lambda i: i.title.casefold())
    else:
        items.sort(key=lambda i: i.since, reverse=sort == "-age")
    return QueueView(items[:limit], counts)


def assignees(rt: Runtime) -> list[dict[str, str]]:
    """Who an item can be given to: the analysts' tokens that are not revoked."""
    with rt.engine.connect() as conn:
        rows = conn.execute(select(tokens.c.id, tokens.c.label).where(
            tokens.c.role == "analyst", tokens.c.revoked_at.is_(None))
            .order_by(tokens.c.label, tokens.c.id)).all()
    return [{"id": r.id, "label": r.label or r.id} for r in rows]


def assign(rt: Runtime, *, kind: str, item_id: str, assignee: str | None,
           actor: str) -> None:
    """Give an item to an analyst (``assignee`` a token id), or take it back (None)."""
    if kind not in KINDS:
        raise InputError(f"kind must be one of {', '.join(KINDS)}", details={"field": "kind"})
    if assignee and assignee not in {a["id"] for a in assignees(rt)}:
        raise InputError(f"no analyst {assignee!r}", details={"field": "assignee"})
    view = queue(rt, kind=kind, limit=100_000)
    if item_id not in {i.id for i in view.items}:
        raise NotFoundError(f"no {kind} item {item_id!r} in the queue",
                            details={"kind": kind, "item_id": item_id})
    with rt.audit.transaction() as conn:
        conn.execute(delete(console_assignments).where(
            console_assignments.c.kind == kind, console_assignments.c.item_id == item_id))
        if assignee:
            conn.execute(insert(console_assignments).values(
                kind=kind, item_id=item_id, assignee=assignee, assigned_by=actor,
                assigned_at=now_iso()))
        rt.audit.append(conn, kind="console.assign", actor=actor, subject=item_id,
                        payload={"kind": kind, "assignee": assignee})
