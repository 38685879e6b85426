"""Reviewing detection cases: the queue, one case, four-eyes decisions, retention.

An analyst confirms a case with an action (``review``, ``throttle``, ``suspend``) or
dismisses it, always with a reason. Confirming a ``suspend``, or changing a confirmed
``suspend``, waits as ``pending`` for a second, different analyst (four eyes, as for
overriding a denied organisation). A decision covers the case's accounts and organisations
as they were when it was made. Each step is an audit record in the same transaction; a
change to what the gateway enforces is folded into the live state before the answer
(:func:`ringfence.service.findings.refresh_detections`). :func:`purge` applies the
retention period. docs/service.md, "Detection findings and cases".
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Connection, delete, func, select, update

from ringfence.audit import now_iso
from ringfence.exc import ConflictError, InputError, NotFoundError, PermissionDeniedError
from ringfence.service.detections import ENFORCED
from ringfence.service.finding_format import HIGH_FIELDS
from ringfence.service.findings import (
    case_row,
    case_values,
    case_view,
    chunks,
    inherit,
    refresh_detections,
)
from ringfence.service.webhooks import emit_event
from ringfence.store.tables import (
    accounts,
    detect_cases,
    detect_findings,
    detect_links,
    organizations,
)

if TYPE_CHECKING:
    from ringfence.service.runtime import Runtime

__all__ = ["approve_case", "decide_case", "get_case", "get_version", "list_cases", "purge",
           "reject_case"]


def list_cases(rt: Runtime, *, status: str | None = None, kind: str | None = None,
               needs_review: bool | None = None, limit: int = 100,
               offset: int = 0) -> dict[str, Any]:
    q = select(detect_cases).order_by(detect_cases.c.updated_at.desc(), detect_cases.c.id)
    if status:
        q = q.where(detect_cases.c.status == status)
    if kind:
        q = q.where(detect_cases.c.kind == kind)
    if needs_review is not None:
        q = q.where(detect_cases.c.needs_review == needs_review)
    with rt.engine.connect() as conn:
        rows = conn.execute(q.limit(limit).offset(offset)).all()
    return {"items": [case_view(r, full=False) for r in rows], "limit": limit,
            "offset": offset}


def get_case(rt: Runtime, case_id: str) -> dict[str, Any]:
    """A case with its evidence, its finding versions, its links and the book's view of
    its accounts (which are in the book, and what the gateway enforces on them)."""
    with rt.engine.connect() as conn:
        row = case_row(conn, case_id)
        versions = conn.execute(select(
            detect_findings.c.seq, detect_findings.c.version, detect_findings.c.checkpoint,
            detect_findings.c.digest, detect_findings.c.received_at,
            detect_findings.c.received_by).where(detect_findings.c.case_id == case_id)
            .order_by(detect_findings.c.seq)).all()
        links = conn.execute(select(detect_links).where(
            (detect_links.c.case_id == case_id) | (detect_links.c.opened_case_id == case_id))
            .order_by(detect_links.c.id)).all()
        ids = list(row.account_ids)[:10_000]
        book = conn.execute(select(accounts.c.id, accounts.c.org_id,
                                   organizations.c.provider_org_id, accounts.c.active,
                                   accounts.c.payment_fingerprint,
                                   accounts.c.signup_device_fp)
                            .join(organizations, organizations.c.id == accounts.c.org_id)
                            .where(accounts.c.id.in_(ids))).all() if ids else []
    out = case_view(row)
    out["versions"] = [dict(v._mapping) for v in versions]
    out["linked_accounts"] = [dict(ln._mapping) for ln in links]
    state = rt.holder.state
    in_book = []
    for b in book:
        facts = state.facts(b.id) if state is not None else None
        det = facts.detection if facts is not None else None
        in_book.append({**dict(b._mapping), "enforced": det.evidence() if det else None})
    out["book_accounts"] = in_book
    return out


def get_version(rt: Runtime, case_id: str, version: int) -> dict[str, Any]:
    """One finding version of a case as it was received (until the retention purge)."""
    with rt.engine.connect() as conn:
        case_row(conn, case_id)
        row = conn.execute(select(detect_findings).where(
            detect_findings.c.case_id == case_id,
            detect_findings.c.version == version)).first()
    if row is None:
        raise NotFoundError(f"case {case_id} has no version {version} (never received, or "
                            "purged under the retention period)",
                            details={"case_id": case_id, "version": version})
    return dict(row._mapping)


def _needs_four_eyes(row: Any, to: str, action: str | None) -> bool:
    return ((to == "confirmed" and action == "suspend")
            or (row.status == "confirmed" and row.decided_action == "suspend"))


def decide_case(rt: Runtime, *, case_id: str, to: Literal["confirmed", "dismissed"],
                action: str | None, reason: str, actor: str) -> dict[str, Any]:
    """Confirm (with an action) or dismiss a case. Applies at once, or waits as
    ``pending`` for a second analyst when a suspend is confirmed or changed."""
    if not reason.strip():
        raise InputError("a decision needs a written reason", details={"field": "reason"})
    with rt.write_lock:
        with rt.audit.transaction() as conn:
            row = case_row(conn, case_id)
            if row.pending:
                raise ConflictError(
                    f"case {case_id} has a decision awaiting a second analyst; approve or "
                    "reject it first", details={"pending": row.pending})
            if to == "confirmed":
                action = action or row.proposed_action
                if action not in ("review", "throttle", "suspend"):
                    raise InputError("confirm with an action: review, throttle or suspend",
                                     details={"field": "action"})
            else:
                action = None
                if row.status == "dismissed":
                    raise ConflictError(f"case {case_id} is already dismissed")
            ts = now_iso()
            if _needs_four_eyes(row, to, action):
                pending = {"to": to, "action": action, "reason": reason, "by": actor,
                           "at": ts, "version": row.version}
                conn.execute(update(detect_cases).where(detect_cases.c.id == case_id)
                             .values(pending=pending, updated_at=ts))
                rt.audit.append(conn, kind="detect.case_requested", actor=actor,
                                subject=case_id, payload={
                                    "to": to, "action": action, "reason": reason,
                                    "from": row.status, "decided_action": row.decided_action,
                                    "version": row.version, "needs_approval": True})
                applied = False
            else:
                _apply(rt, conn, row, to=to, action=action, reason=reason, by=actor,
                       approved_by=None)
                applied = True
            out = case_view(case_row(conn, case_id))
        if applied:
            refresh_detections(rt)
    return {**out, "needs_approval": not applied}


def _apply(rt: Runtime, conn: Connection, row: Any, *, to: str, action: str | None,
           reason: str, by: str, approved_by: str | None) -> None:
    ts = now_iso()
    conn.execute(update(detect_cases).where(detect_cases.c.id == row.id).values(
        status=to, decided_action=action,
        decided_accounts=list(row.account_ids) if to == "confirmed" else None,
        decided_orgs=list(row.org_ids) if to == "confirmed" else None,
        decided_fingerprints=row.fingerprints if to == "confirmed" else None,
        needs_review=False, pending=None, decided_by=by, approved_by=approved_by,
        decided_at=ts, decision_reason=reason, updated_at=ts))
    kind = "detect.case_confirmed" if to == "confirmed" else "detect.case_dismissed"
    rt.audit.append(conn, kind=kind, actor=approved_by or by, subject=row.id, payload={
        "cluster_id": row.cluster_id, "from": row.status, "to": to, "action": action,
        "previous_action": row.decided_action, "reason": reason, "requested_by": by,
        "approved_by": approved_by, "version": row.version,
        "accounts": list(row.account_ids) if to == "confirmed" else [],
        "orgs": list(row.org_ids) if to == "confirmed" else []})
    emit_event(conn, type="detection.case_decided", org_id=None, payload={
        "case_id": row.id, "cluster_id": row.cluster_id, "status": to, "action": action,
        "previous_status": row.status, "previous_action": row.decided_action,
        "accounts": list(row.account_ids) if to == "confirmed" else [],
        "orgs": list(row.org_ids) if to == "confirmed" else [], "reason": reason,
        "decided_by": by, "approved_by": approved_by})
    if to == "confirmed" and action in ENFORCED:
        # accounts already in the book that share the case's card or device inherit too
        confirmed = case_row(conn, row.id)
        values = case_values(conn, [confirmed])
        members = set(row.account_ids)
        for field in HIGH_FIELDS:
            vals = list(values.get(field, {}))
            if not vals:
                continue
            col = accounts.c[field]
            found: list[Any] = []
            for chunk in chunks(vals):
                found.extend(conn.execute(select(accounts.c.id, col)
                                          .where(col.in_(chunk))).all())
            for r in found:
                if r.id not in members:
                    inherit(conn, rt, account_id=r.id, case=confirmed, field=field,
                             value=getattr(r, field), source="confirmation",
                             actor=approved_by or by)


def approve_case(rt: Runtime, *, case_id: str, reason: str, actor: str) -> dict[str, Any]:
    """The second analyst's approval of a pending decision (never the requester's)."""
    with rt.write_lock:
        with rt.audit.transaction() as conn:
            row = case_row(conn, case_id)
            p = row.pending
            if not p:
                raise ConflictError(f"case {case_id} has no decision awaiting approval")
            if p["by"] == actor:
                raise PermissionDeniedError(
                    "four eyes: the analyst who requested a decision cannot approve it",
                    details={"case_id": case_id, "requested_by": p["by"]})
            if p.get("version") != row.version:
                raise ConflictError("a newer finding changed the case since the decision "
                                    "was requested; request it again",
                                    details={"requested_on": p.get("version"),
                                             "version": row.version})
            rt.audit.append(conn, kind="detect.case_approved", actor=actor, subject=case_id,
                            payload={"to": p["to"], "action": p["action"],
                                     "requested_by": p["by"], "approval_reason": reason})
            _apply(rt, conn, row, to=p["to"], action=p["action"], reason=p["reason"],
                   by=p["by"], approved_by=actor)
            out = case_view(case_row(conn, case_id))
        refresh_detections(rt)
    return out


def reject_case(rt: Runtime, *, case_id: str, reason: str, actor: str) -> dict[str, Any]:
    """Reject (or, by its requester, withdraw) a pending decision; the case is unchanged."""
    with rt.write_lock, rt.audit.transaction() as conn:
        row = case_row(conn, case_id)
        if not row.pending:
            raise ConflictError(f"case {case_id} has no decision awaiting approval")
        conn.execute(update(detect_cases).where(detect_cases.c.id == case_id)
                     .values(pending=None, updated_at=now_iso()))
        rt.audit.append(conn, kind="detect.case_rejected", actor=actor, subject=case_id,
                        payload={"pending": {k: row.pending.get(k)
                                             for k in ("to", "action", "by", "version")},
                                 "reason": reason})
        return case_view(case_row(conn, case_id))


# ---------------------------------------------------------------------------- retention
def purge(rt: Runtime, *, days: int, now: dt.datetime | None = None,
          actor: str) -> dict[str, Any]:
    """Apply the retention period: delete finding versions received before it (each case
    keeps its latest version) and clear the excerpts of cases dismissed before it. Cases,
    their hashes, signals and decisions stay (the audit log refers to them)."""
    if days < 1:
        raise InputError("the retention period is at least one day", details={"field": "days"})
    now = now or dt.datetime.now(dt.UTC)
    cutoff = (now - dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with rt.audit.transaction() as conn:
        latest = (select(func.max(detect_findings.c.seq))
                  .group_by(detect_findings.c.case_id).scalar_subquery())
        versions = conn.execute(delete(detect_findings).where(
            detect_findings.c.received_at < cutoff,
            detect_findings.c.seq.not_in(latest))).rowcount
        dismissed = conn.execute(select(detect_cases.c.id, detect_cases.c.excerpts).where(
            detect_cases.c.status == "dismissed", detect_cases.c.decided_at < cutoff)).all()
        ids = [r.id for r in dismissed if r.excerpts]
        for chunk in chunks(ids):
            conn.execute(update(detect_cases).where(detect_cases.c.id.in_(chunk))
                         .values(excerpts=[]))
        cleared = len(ids)
        summary = {"retention_days": days, "cutoff": cutoff, "versions_deleted": versions,
                   "cases_excerpts_cleared": cleared}
        rt.audit.append(conn, kind="detect.purge", actor=actor, subject="findings",
                        payload=summary)
    return summary
