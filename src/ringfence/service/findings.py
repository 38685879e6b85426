"""Detection findings into the product: cases opened and updated, links, what is enforced.

The detector posts findings (``POST /v1/findings``, role ``detector``): JSON lines in the
shape of ``findings.jsonl`` (:mod:`ringfence.service.finding_format` parses and checks
them). A finding opens a case in the review queue, or updates the case of its
``cluster_id``; analysts review cases in :mod:`ringfence.service.cases`.

* **One transaction.** One bad line refuses the whole body and nothing is written; the
  rest is one transaction with its audit records.
* **Idempotent.** A finding version is keyed by ``(cluster_id, sha256 of its canonical
  content)``: posting it again stores nothing and writes no audit record. A finding whose
  ``checkpoint`` is older than its case's is ``stale`` and ignored.
* **Later versions.** A version updates its case's content. A confirmed case keeps its
  decision for the members it covered; new members mark it ``needs_review``. A dismissed
  case reopens when a version proposes a more severe action.
* **Links.** While a case is confirmed with ``throttle`` or ``suspend``, an account created
  or updated through the account API whose payment fingerprint or signup device is one of
  the case's (in its finding's ``fingerprints`` or on its member accounts in the book)
  inherits the action at once (a ``high`` link). A weaker tie opens a case for an analyst
  instead: an account's signup IP shared with a member, or a new finding sharing only
  template fingerprints (system prompt, tool schema, prompt skeleton) with the cluster.
* **Audit.** Every step is an audit record in the same transaction (``detect.*`` kinds).
  Audit payloads carry ids, digests, actions and reasons, never excerpts, so that purging
  excerpts under the retention period leaves the chain intact.
* **Enforcement.** :func:`refresh_detections` re-reads what the gateway must enforce
  (:mod:`ringfence.service.detections`) and swaps in a state with the changed accounts
  re-evaluated.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, insert, select, update

from ringfence.audit import now_iso
from ringfence.exc import NotFoundError
from ringfence.service.detections import ENFORCED, load_detections
from ringfence.service.finding_format import HIGH_FIELDS, RANK, TEMPLATE_FIELDS, FindingIn
from ringfence.service.webhooks import emit_event
from ringfence.store.tables import accounts, detect_cases, detect_findings, detect_links

if TYPE_CHECKING:
    from ringfence.service.runtime import Runtime

__all__ = [
    "case_row",
    "case_values",
    "case_view",
    "chunks",
    "enforcing_cases",
    "ingest_findings",
    "inherit",
    "link_account",
    "refresh_detections",
]


def chunks(items: Sequence[str], size: int = 5000) -> Iterable[list[str]]:
    """Bound the parameters of one ``IN`` (SQLite allows 32,766 per statement)."""
    for k in range(0, len(items), size):
        yield list(items[k:k + size])


def _id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:20]}"


def case_view(row: Any, *, full: bool = True) -> dict[str, Any]:
    out = {
        "id": row.id, "cluster_id": row.cluster_id, "kind": row.kind, "status": row.status,
        "proposed_action": row.proposed_action, "decided_action": row.decided_action,
        "score": row.score, "first_flagged": row.first_flagged, "checkpoint": row.checkpoint,
        "version": row.version, "accounts": len(row.account_ids), "orgs": len(row.org_ids),
        "needs_review": bool(row.needs_review), "pending": row.pending,
        "parent_case_id": row.parent_case_id, "opened_by": row.opened_by,
        "created_at": row.created_at, "updated_at": row.updated_at,
        "decided_by": row.decided_by, "approved_by": row.approved_by,
        "decided_at": row.decided_at, "decision_reason": row.decision_reason,
    }
    if full:
        out.update({
            "account_ids": row.account_ids, "org_ids": row.org_ids, "evidence": row.evidence,
            "fingerprints": row.fingerprints, "excerpts": row.excerpts,
            "members": row.members, "links": row.links,
            "decided_accounts": row.decided_accounts, "decided_orgs": row.decided_orgs,
            "decided_fingerprints": row.decided_fingerprints,
        })
    return out


def case_row(conn: Connection, case_id: str) -> Any:
    row = conn.execute(select(detect_cases).where(detect_cases.c.id == case_id)).first()
    if row is None:
        raise NotFoundError(f"no case {case_id!r}", details={"case_id": case_id})
    return row


def enforcing_cases(conn: Connection) -> list[Any]:
    return list(conn.execute(select(detect_cases).where(
        detect_cases.c.status == "confirmed",
        detect_cases.c.decided_action.in_(ENFORCED))).all())


def case_values(conn: Connection, cases: Sequence[Any]) -> dict[str, dict[str, list[Any]]]:
    """field -> value -> enforcing cases holding it: the fingerprints of the finding version
    the decision was made on, plus the payment, device and signup IP of the member accounts
    it covered that are in the book. A later version's new values tie nobody until an
    analyst confirms again."""
    index: dict[str, dict[str, list[Any]]] = {}

    def add(field: str, value: str | None, case: Any) -> None:
        if value:
            bucket = index.setdefault(field, {}).setdefault(value, [])
            if case not in bucket:
                bucket.append(case)

    members: dict[str, list[Any]] = {}
    for c in cases:  # the fingerprints as the analysts saw them, not a later version's
        for f, values in (c.decided_fingerprints or {}).items():
            for v in values:
                add(f, v, c)
        for acc in c.decided_accounts or []:
            members.setdefault(acc, []).append(c)
    rows: list[Any] = []
    for chunk in chunks(list(members)):
        rows.extend(conn.execute(select(accounts.c.id, accounts.c.payment_fingerprint,
                                        accounts.c.signup_device_fp, accounts.c.signup_ip)
                                 .where(accounts.c.id.in_(chunk))).all())
    if rows:
        for r in rows:
            for c in members[r.id]:
                add("payment_fingerprint", r.payment_fingerprint, c)
                add("signup_device_fp", r.signup_device_fp, c)
                add("signup_ip", r.signup_ip, c)
    return index


def refresh_detections(rt: Runtime) -> int:
    """Re-read what detection enforces and fold it into the live state (call with
    ``rt.write_lock`` held). Returns how many accounts' decisions changed.

    Only the accounts whose detection may have changed are looked at: those whose own
    entry in the index changed, or, when an organisation's entry changed, the accounts of
    the state (one pass). The state's facts were made from ``rt.detections``, so the
    difference between the old and the new index is exactly what can have moved."""
    with rt.engine.connect() as conn:
        index = load_detections(conn, limit=rt.throttle)
    old, rt.detections = rt.detections, index
    state = rt.holder.state
    if state is None:
        return 0

    def moved(a: Mapping[str, Any], b: Mapping[str, Any]) -> set[str]:
        return {k for k in a.keys() | b.keys() if a.get(k) != b.get(k)}

    orgs = moved(old.by_org, index.by_org)
    if orgs:
        candidates: Iterable[str] = state.entries.keys()
    else:
        candidates = moved(old.by_account, index.by_account)
    changed = []
    for aid in candidates:
        entry = state.entries.get(aid)
        if entry is None:  # not in the book (yet): its facts pick it up when created
            continue
        f = entry.facts
        d = index.for_account(aid, f.org.org_id)
        if d != f.detection:
            changed.append(replace(f, detection=d))
    if changed:
        rt.holder.swap(state.updated(accounts=changed))
    return len(changed)


# ---------------------------------------------------------------------------- ingestion
def _links_of(finding: FindingIn, values: dict[str, dict[str, list[Any]]],
              own: str | None) -> list[dict[str, Any]]:
    """Ties between a finding's fingerprints and enforcing cases other than its own."""
    links: dict[tuple[str, str], dict[str, Any]] = {}
    fps = finding.fingerprints.model_dump()
    for field in (*HIGH_FIELDS, *TEMPLATE_FIELDS):
        for v in fps.get(field, []):
            for c in values.get(field, {}).get(v, []):
                if c.id == own:
                    continue
                key = (c.id, field)
                if key not in links:
                    links[key] = {"case_id": c.id, "cluster_id": c.cluster_id, "field": field,
                                  "value": v, "action": c.decided_action,
                                  "strength": "high" if field in HIGH_FIELDS else "weak"}
    return list(links.values())


def inherit(conn: Connection, rt: Runtime, *, account_id: str, case: Any, field: str,
             value: str, source: str, actor: str) -> bool:
    """Record a high link (the account inherits ``case``'s action); False if it exists."""
    exists = conn.execute(select(detect_links.c.id).where(
        detect_links.c.account_id == account_id, detect_links.c.case_id == case.id,
        detect_links.c.field == field)).first()
    if exists is not None:
        return False
    conn.execute(insert(detect_links).values(
        account_id=account_id, case_id=case.id, field=field, value=value, strength="high",
        opened_case_id=None, source=source, created_at=now_iso(), created_by=actor))
    rt.audit.append(conn, kind="detect.inherit", actor=actor, subject=account_id, payload={
        "case_id": case.id, "cluster_id": case.cluster_id, "field": field, "value": value,
        "action": case.decided_action, "source": source})
    emit_event(conn, type="detection.inherited", org_id=None, payload={
        "account_id": account_id, "case_id": case.id, "cluster_id": case.cluster_id,
        "field": field, "value": value, "action": case.decided_action, "source": source})
    return True


def ingest_findings(rt: Runtime, findings: Sequence[tuple[int, FindingIn]], *,
                    actor: str) -> dict[str, Any]:
    """Open or update one case per finding, in one transaction with its audit records.

    The cases and digests the body names are read once; new cases, updates and versions
    are written as three batched statements after the loop (a finding seen twice in one
    body updates the case the first one opened)."""
    results: list[dict[str, Any]] = []
    enforcement_changed = False
    with rt.write_lock:
        with rt.audit.transaction() as conn:
            batch = _Batch.read(conn, [f.cluster_id for _, f in findings])
            values = case_values(conn, enforcing_cases(conn))
            for line, f in findings:
                res = _ingest_one(rt, conn, batch, line, f, values, actor)
                enforcement_changed |= res.pop("_enforcement", False)
                results.append(res)
            batch.write(conn)
        if enforcement_changed:
            refresh_detections(rt)
    counts: dict[str, int] = {}
    for r in results:
        counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
    return {"received": len(findings), "counts": counts, "results": results}


_CASE_STATE = ("id", "version", "checkpoint", "status", "proposed_action", "decided_action",
               "decided_accounts", "decided_orgs", "decided_fingerprints")
_UPDATE_CASE = (update(detect_cases).where(detect_cases.c.id == bindparam("b_id"))
                .values({c: bindparam("p_" + c) for c in (
                    "version", "proposed_action", "score", "first_flagged", "checkpoint",
                    "account_ids", "org_ids", "evidence", "fingerprints", "excerpts",
                    "members", "links", "updated_at", "status", "needs_review",
                    "decided_action", "decided_by", "approved_by", "decided_at",
                    "decision_reason")}))


class _Batch:
    """The cases one POST touches, and the rows it will write."""

    def __init__(self, cases: dict[str, dict[str, Any]], seen: set[tuple[str, str]]) -> None:
        self.cases = cases  # cluster_id -> the case's current state (as far as we know)
        self.seen = seen  # (cluster_id, digest) of every version already stored
        self.new: dict[str, dict[str, Any]] = {}  # case id -> row to insert
        self.updates: dict[str, dict[str, Any]] = {}  # case id -> row to update
        self.versions: list[dict[str, Any]] = []

    @classmethod
    def read(cls, conn: Connection, cluster_ids: Sequence[str]) -> _Batch:
        wanted = list(dict.fromkeys(cluster_ids))
        cases: dict[str, dict[str, Any]] = {}
        seen: set[tuple[str, str]] = set()
        for chunk in chunks(wanted):
            for r in conn.execute(select(detect_cases).where(
                    detect_cases.c.cluster_id.in_(chunk))).all():
                cases[r.cluster_id] = {**r._mapping, "new": False}
            seen.update((r.cluster_id, r.digest) for r in conn.execute(
                select(detect_findings.c.cluster_id, detect_findings.c.digest)
                .where(detect_findings.c.cluster_id.in_(chunk))).all())
        return cls(cases, seen)

    def write(self, conn: Connection) -> None:
        if self.new:
            conn.execute(insert(detect_cases), list(self.new.values()))
        if self.updates:
            conn.execute(_UPDATE_CASE, list(self.updates.values()))
        if self.versions:
            conn.execute(insert(detect_findings), self.versions)


def _ingest_one(rt: Runtime, conn: Connection, batch: _Batch, line: int, f: FindingIn,
                values: dict[str, dict[str, list[Any]]], actor: str) -> dict[str, Any]:
    digest = f.digest()
    row = batch.cases.get(f.cluster_id)
    base = {"line": line, "cluster_id": f.cluster_id, "digest": digest}
    if row is not None:
        if (f.cluster_id, digest) in batch.seen:
            return {**base, "case_id": row["id"], "outcome": "unchanged"}
        if f.checkpoint and row["checkpoint"] and f.checkpoint < row["checkpoint"]:
            return {**base, "case_id": row["id"], "outcome": "stale"}
    links = _links_of(f, values, row["id"] if row is not None else None)
    ts = now_iso()
    content = {
        "proposed_action": f.action, "score": f.score, "first_flagged": f.first_flagged,
        "checkpoint": f.checkpoint, "account_ids": f.account_ids, "org_ids": f.org_ids,
        "evidence": [e.model_dump(mode="json") for e in f.evidence],
        "fingerprints": f.fingerprints.model_dump(mode="json"), "excerpts": f.excerpts,
        "members": [m.model_dump(mode="json") for m in f.members], "links": links,
        "updated_at": ts}
    summary = {"cluster_id": f.cluster_id, "digest": digest, "action": f.action,
               "score": f.score, "checkpoint": f.checkpoint, "account_ids": f.account_ids,
               "org_ids": f.org_ids, "signals": [e.signal for e in f.evidence],
               "links": [{k: ln[k] for k in ("case_id", "field", "strength")}
                         for ln in links]}
    if row is None:
        case_id, version, outcome = _id("case"), 1, "opened"
        new = {"id": case_id, "cluster_id": f.cluster_id, "kind": "finding",
               "status": "open", "version": 1, "decided_action": None,
               "decided_accounts": None, "decided_orgs": None,
               "decided_fingerprints": None, "needs_review": False,
               "pending": None, "parent_case_id": None, "opened_by": actor,
               "created_at": ts, "decided_by": None, "approved_by": None,
               "decided_at": None, "decision_reason": None, **content}
        batch.new[case_id] = new
        batch.cases[f.cluster_id] = {**{k: new[k] for k in _CASE_STATE}, "new": True}
        rt.audit.append(conn, kind="detect.case_opened", actor=actor, subject=case_id,
                        payload={**summary, "version": 1})
    else:
        case_id, version, outcome = row["id"], row["version"] + 1, "updated"
        decided = {k: row.get(k) for k in ("status", "decided_action", "decided_by",
                                              "approved_by", "decided_at", "decision_reason")}
        needs_review = bool(row.get("needs_review"))
        if row["status"] == "confirmed":
            new_members = ((set(f.account_ids) - set(row["decided_accounts"] or []))
                           | (set(f.org_ids) - set(row["decided_orgs"] or [])))
            seen_fps = row.get("decided_fingerprints") or {}
            fps = f.fingerprints.model_dump()
            new_fps = any(set(fps[k]) - set(seen_fps.get(k) or []) for k in HIGH_FIELDS)
            needs_review = bool(new_members) or new_fps or RANK[f.action] > RANK[
                row["decided_action"] or "none"]
        elif row["status"] == "dismissed" and RANK[f.action] > RANK[row["proposed_action"]]:
            decided = {"status": "open", "decided_action": None, "decided_by": None,
                       "approved_by": None, "decided_at": None, "decision_reason": None}
            outcome = "reopened"
        values_ = {"version": version, **content, **decided, "needs_review": needs_review}
        if row["new"]:  # opened earlier in this same body: amend the row to insert
            batch.new[case_id].update(values_)
        else:
            batch.updates[case_id] = {"b_id": case_id,
                                      **{"p_" + k: v for k, v in values_.items()}}
        row.update({k: values_[k] for k in values_ if k in _CASE_STATE},
                   needs_review=needs_review)
        rt.audit.append(conn, kind="detect.case_updated", actor=actor, subject=case_id,
                        payload={**summary, "version": version, "status": decided["status"],
                                 "needs_review": needs_review})
    batch.seen.add((f.cluster_id, digest))
    batch.versions.append({
        "case_id": case_id, "cluster_id": f.cluster_id, "version": version,
        "checkpoint": f.checkpoint, "digest": digest, "received_at": ts,
        "received_by": actor, "body": f.model_dump(mode="json")})
    inherited = _inherit_members(rt, conn, f, links, values, case_id, actor)
    return {**base, "case_id": case_id, "outcome": outcome, "version": version,
            "links": len(links), "inherited": inherited, "_enforcement": bool(inherited)}


def _inherit_members(rt: Runtime, conn: Connection, f: FindingIn, links: list[dict[str, Any]],
                     values: dict[str, dict[str, list[Any]]], case_id: str,
                     actor: str) -> list[str]:
    """Members in the book tied to an enforcing case by their own card or device."""
    high = {(ln["field"], ln["value"]) for ln in links if ln["strength"] == "high"}
    if not high:
        return []
    rows: list[Any] = []
    for chunk in chunks(f.account_ids):
        rows.extend(conn.execute(select(accounts.c.id, accounts.c.payment_fingerprint,
                                        accounts.c.signup_device_fp)
                                 .where(accounts.c.id.in_(chunk))).all())
    inherited: set[str] = set()
    for r in rows:
        for field in HIGH_FIELDS:
            v = getattr(r, field)
            if (field, v) not in high:
                continue
            for c in values[field][v]:
                if c.id != case_id and inherit(conn, rt, account_id=r.id, case=c,
                                                field=field, value=v, source="finding",
                                                actor=actor):
                    inherited.add(r.id)
    return sorted(inherited)


# ---------------------------------------------------------------------------- accounts
def link_account(rt: Runtime, conn: Connection, *, account_id: str, profile: dict[str, Any],
                 actor: str) -> bool:
    """Tie a created or updated account to enforcing cases (inside the caller's
    transaction). A shared payment fingerprint or signup device inherits the case's
    action; failing that, a signup IP shared with a member opens a link case. Returns True
    when what the gateway enforces changed."""
    if not any(profile.get(k) for k in (*HIGH_FIELDS, "signup_ip")):
        return False
    enforcing = enforcing_cases(conn)
    if not enforcing:
        return False
    values = case_values(conn, enforcing)
    changed = False
    for field in HIGH_FIELDS:
        v = profile.get(field)
        for c in values.get(field, {}).get(v, []) if v else []:
            if account_id in (c.decided_accounts or []):
                continue
            changed |= inherit(conn, rt, account_id=account_id, case=c, field=field,
                                value=str(v), source="account", actor=actor)
    if changed:
        return True
    ip = profile.get("signup_ip")
    for c in values.get("signup_ip", {}).get(str(ip), []) if ip else []:
        if account_id in (c.decided_accounts or []):
            continue
        _open_link_case(rt, conn, account_id=account_id, parent=c, field="signup_ip",
                        value=str(ip), actor=actor)
    return False


def _open_link_case(rt: Runtime, conn: Connection, *, account_id: str, parent: Any,
                    field: str, value: str, actor: str) -> str | None:
    if conn.execute(select(detect_links.c.id).where(
            detect_links.c.account_id == account_id, detect_links.c.case_id == parent.id,
            detect_links.c.field == field)).first() is not None:
        return None
    case_id, ts = _id("case"), now_iso()
    evidence = [{"signal": f"shared_{field}", "value": value, "weight": 1.0,
                 "detail": f"shares {field} {value} with a member of confirmed case "
                           f"{parent.id} (cluster {parent.cluster_id}, "
                           f"{parent.decided_action}); a weak link: review, not inherited"}]
    conn.execute(insert(detect_cases).values(
        id=case_id, cluster_id=None, kind="link", status="open", proposed_action="review",
        decided_action=None, score=0.0, first_flagged=ts, checkpoint=None, version=1,
        account_ids=[account_id], org_ids=[], evidence=evidence, fingerprints={},
        excerpts=[], members=[], links=[{"case_id": parent.id, "cluster_id":
                                         parent.cluster_id, "field": field, "value": value,
                                         "action": parent.decided_action,
                                         "strength": "weak"}],
        decided_accounts=None, decided_orgs=None, needs_review=False, pending=None,
        parent_case_id=parent.id, opened_by=actor, created_at=ts, updated_at=ts))
    conn.execute(insert(detect_links).values(
        account_id=account_id, case_id=parent.id, field=field, value=value, strength="weak",
        opened_case_id=case_id, source="account", created_at=ts, created_by=actor))
    rt.audit.append(conn, kind="detect.link_case", actor=actor, subject=case_id, payload={
        "account_id": account_id, "parent_case_id": parent.id, "field": field,
        "value": value})
    return case_id
