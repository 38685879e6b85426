"""Detection findings into the product: cases, review with four eyes, links, retention.

The detector posts findings (``POST /v1/findings``, role ``detector``): JSON lines, one
finding object per line in the shape of ``findings.jsonl`` (the contract in
reference/request-logs.md §2 plus the extra keys of DETECT-CONTRACT.md). A finding opens a
case in the review queue, or updates the case of its ``cluster_id``.

* **One transaction.** Every line is validated first; one bad line refuses the whole body
  (``bad_records``, naming each line and field) and nothing is written.
* **Idempotent.** A finding version is keyed by ``(cluster_id, sha256 of its canonical
  content)``: posting it again stores nothing and writes no audit record. A finding whose
  ``checkpoint`` is older than its case's is ``stale`` and ignored.
* **Review.** An analyst confirms a case with an action (``review``, ``throttle``,
  ``suspend``) or dismisses it, always with a reason. Confirming a ``suspend``, or changing
  a confirmed ``suspend`` (lifting it or dismissing the case), waits for a second, different
  analyst (four eyes, like overriding a denied organisation). The decision covers the
  accounts and organisations of the case at that moment; members a later version adds are
  shown as awaiting review (``needs_review``) until an analyst confirms again.
* **Links.** While a case is confirmed with ``throttle`` or ``suspend``, an account created
  or updated through the account API whose payment fingerprint or signup device is one of
  the case's (in its finding's ``fingerprints`` or on its member accounts in the book)
  inherits the action at once (a ``high`` link). A weaker tie opens a case for an analyst
  instead: an account's signup IP shared with a member, or a new finding sharing only
  template fingerprints (system prompt, tool schema, prompt skeleton) with the cluster.
* **Audit.** Every step is an audit record in the same transaction (``detect.*`` kinds).
  Audit payloads carry ids, digests, actions and reasons, never excerpts, so that purging
  excerpts under the retention period leaves the chain intact.
* **Retention.** A case keeps what an analyst needs: signals with their values and
  details, hashes and skeletons, at most 5 excerpts of at most 200 characters; never whole
  prompts. :func:`purge` deletes finding versions older than the retention period (each
  case keeps its latest) and clears the excerpts of cases dismissed before it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import Connection, delete, func, insert, select, update

from ringfence.audit import canonical, now_iso
from ringfence.exc import (
    ConflictError,
    IngestError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    Problem,
)
from ringfence.service.detections import ENFORCED, load_detections
from ringfence.store.tables import accounts, detect_cases, detect_findings, detect_links

if TYPE_CHECKING:
    from ringfence.service.runtime import Runtime

__all__ = [
    "ACTIONS",
    "HIGH_FIELDS",
    "TEMPLATE_FIELDS",
    "FindingIn",
    "approve_case",
    "case_view",
    "decide_case",
    "get_case",
    "get_version",
    "ingest_findings",
    "link_account",
    "list_cases",
    "parse_findings",
    "purge",
    "refresh_detections",
    "reject_case",
]

ACTIONS = ("none", "review", "throttle", "suspend")
_RANK = {a: i for i, a in enumerate(ACTIONS)}
Action = Literal["none", "review", "throttle", "suspend"]
HIGH_FIELDS = ("payment_fingerprint", "signup_device_fp")  # inherit at once
TEMPLATE_FIELDS = ("system_prompt_hash", "tools_hash", "skeleton")  # open a case
MAX_EXCERPTS, MAX_EXCERPT_CHARS = 5, 200
MAX_LINE_PROBLEMS = 1000


# ---------------------------------------------------------------------------- the format
class _Loose(BaseModel):
    """Unknown keys are accepted and dropped (the contract may grow)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, allow_inf_nan=False)


Scalar = (float, int, str, bool, type(None))
_Id = Field(min_length=1, max_length=200)


class EvidenceIn(_Loose):
    signal: str = Field(min_length=1, max_length=100)
    value: Any = None
    weight: float
    detail: str = Field(max_length=2000)

    @field_validator("value")
    @classmethod
    def _value(cls, v: Any) -> Any:
        items = v if isinstance(v, list) else [v]
        if len(items) > 100:
            raise ValueError("at most 100 values")
        for x in items:
            if not isinstance(x, Scalar):
                raise ValueError("a number, string, boolean, null or a list of them")
            if isinstance(x, float) and not math.isfinite(x):
                raise ValueError("must be a finite number")
            if isinstance(x, str) and len(x) > 500:
                raise ValueError("a string value has at most 500 characters")
        return v


class MemberIn(_Loose):
    account_id: str = _Id
    org_id: str | None = Field(None, max_length=200)
    score: float | None = Field(None, ge=0, le=1)
    action: Action | None = None


class FingerprintsIn(_Loose):
    payment_fingerprint: list[str] = Field(default_factory=list, max_length=10_000)
    signup_device_fp: list[str] = Field(default_factory=list, max_length=10_000)
    system_prompt_hash: list[str] = Field(default_factory=list, max_length=10_000)
    tools_hash: list[str] = Field(default_factory=list, max_length=10_000)
    skeleton: list[str] = Field(default_factory=list, max_length=10_000)

    @field_validator("*")
    @classmethod
    def _short(cls, v: list[str]) -> list[str]:
        for item in v:
            if not 0 < len(item) <= 500:
                raise ValueError("each value is a hash or skeleton of 1 to 500 characters")
        return v


class FindingIn(_Loose):
    """One line of ``findings.jsonl`` (request-logs.md §2 and DETECT-CONTRACT.md)."""

    cluster_id: str = _Id
    account_ids: list[str] = Field(min_length=1, max_length=100_000)
    org_ids: list[str] = Field(max_length=100_000)
    action: Action
    score: float = Field(ge=0, le=1)
    first_flagged: str = Field(min_length=1, max_length=40)
    evidence: list[EvidenceIn] = Field(min_length=1, max_length=200)
    checkpoint: str | None = Field(None, max_length=40)
    fingerprints: FingerprintsIn = Field(default_factory=FingerprintsIn)
    excerpts: list[str] = Field(default_factory=list, max_length=MAX_EXCERPTS)
    members: list[MemberIn] = Field(default_factory=list, max_length=100_000)

    @field_validator("account_ids", "org_ids")
    @classmethod
    def _ids(cls, v: list[str]) -> list[str]:
        for item in v:
            if not 0 < len(item) <= 200:
                raise ValueError("each id has 1 to 200 characters")
        return list(dict.fromkeys(v))

    @field_validator("excerpts")
    @classmethod
    def _excerpts(cls, v: list[str]) -> list[str]:
        for item in v:
            if len(item) > MAX_EXCERPT_CHARS:
                raise ValueError(f"an excerpt has at most {MAX_EXCERPT_CHARS} characters "
                                 "(findings never carry whole prompts)")
        return v

    @field_validator("first_flagged", "checkpoint")
    @classmethod
    def _iso(cls, v: str | None) -> str | None:
        """Normalised to UTC with a ``Z`` (an offset is converted, a time without one is
        read as UTC), so checkpoints compare as strings and a version's digest does not
        depend on how its times were spelled."""
        if v is None:
            return v
        try:
            t = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError("must be an ISO-8601 time, e.g. 2026-03-02T05:00:00Z") from None
        t = t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t.astimezone(dt.UTC)
        return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def digest(self) -> str:
        return hashlib.sha256(canonical(self.model_dump(mode="json")).encode()).hexdigest()


def parse_findings(raw: bytes) -> list[tuple[int, FindingIn]]:
    """JSON lines to findings, with their line numbers (blank lines skipped). Every line is
    checked; any problem refuses the whole body, each problem naming line and field."""
    problems: list[Problem] = []
    out: list[tuple[int, FindingIn]] = []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise IngestError("the body is not UTF-8", problems=[Problem(
            "body", f"not UTF-8 at byte {err.start}", field="body")]) from None
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if len(problems) >= MAX_LINE_PROBLEMS:
            break
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            problems.append(Problem("body", f"not JSON: {err.msg} at column {err.colno}",
                                    line=n, field="body"))
            continue
        if not isinstance(obj, dict):
            problems.append(Problem("body", "a finding is a JSON object", line=n,
                                    field="body"))
            continue
        try:
            out.append((n, FindingIn.model_validate(obj)))
        except ValidationError as err:
            rec = obj.get("cluster_id") if isinstance(obj.get("cluster_id"), str) else None
            for e in err.errors(include_url=False):
                problems.append(Problem("body", str(e["msg"]), line=n,
                                        field=".".join(str(p) for p in e["loc"]),
                                        record=rec))
    if problems:
        first = problems[0]
        raise IngestError(f"{len(problems)} problem(s) in the findings; nothing was stored "
                          f"(first: line {first.line}, {first.field or 'line'}: "
                          f"{first.reason})", problems=problems)
    if not out:
        raise IngestError("no findings in the body",
                          problems=[Problem("body", "empty", field="body")])
    return out


# ---------------------------------------------------------------------------- helpers
def _chunks(items: Sequence[str], size: int = 5000) -> Iterable[list[str]]:
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
        })
    return out


def _case(conn: Connection, case_id: str) -> Any:
    row = conn.execute(select(detect_cases).where(detect_cases.c.id == case_id)).first()
    if row is None:
        raise NotFoundError(f"no case {case_id!r}", details={"case_id": case_id})
    return row


def _enforcing(conn: Connection) -> list[Any]:
    return list(conn.execute(select(detect_cases).where(
        detect_cases.c.status == "confirmed",
        detect_cases.c.decided_action.in_(ENFORCED))).all())


def _case_values(conn: Connection, cases: Sequence[Any]) -> dict[str, dict[str, list[Any]]]:
    """field -> value -> enforcing cases holding it: the finding's fingerprints, plus the
    payment, device and signup IP of the member accounts that are in the book."""
    index: dict[str, dict[str, list[Any]]] = {}

    def add(field: str, value: str | None, case: Any) -> None:
        if value:
            bucket = index.setdefault(field, {}).setdefault(value, [])
            if case not in bucket:
                bucket.append(case)

    members: dict[str, list[Any]] = {}
    for c in cases:
        for f, values in (c.fingerprints or {}).items():
            for v in values:
                add(f, v, c)
        for acc in c.decided_accounts or []:
            members.setdefault(acc, []).append(c)
    rows: list[Any] = []
    for chunk in _chunks(list(members)):
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
    ``rt.write_lock`` held). Returns how many accounts' decisions changed."""
    with rt.engine.connect() as conn:
        index = load_detections(conn, limit=rt.throttle)
    rt.detections = index
    state = rt.holder.state
    if state is None:
        return 0
    changed = []
    for aid, entry in state.entries.items():
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


def _inherit(conn: Connection, rt: Runtime, *, account_id: str, case: Any, field: str,
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
    return True


def ingest_findings(rt: Runtime, findings: Sequence[tuple[int, FindingIn]], *,
                    actor: str) -> dict[str, Any]:
    """Open or update one case per finding, in one transaction with its audit records."""
    results: list[dict[str, Any]] = []
    enforcement_changed = False
    with rt.write_lock:
        with rt.audit.transaction() as conn:
            enforcing = _enforcing(conn)
            values = _case_values(conn, enforcing)
            for line, f in findings:
                results.append(_ingest_one(rt, conn, line, f, values, actor))
                enforcement_changed |= results[-1].pop("_enforcement", False)
        if enforcement_changed:
            refresh_detections(rt)
    counts: dict[str, int] = {}
    for r in results:
        counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
    return {"received": len(findings), "counts": counts, "results": results}


def _ingest_one(rt: Runtime, conn: Connection, line: int, f: FindingIn,
                values: dict[str, dict[str, list[Any]]], actor: str) -> dict[str, Any]:
    digest = f.digest()
    row = conn.execute(select(detect_cases).where(
        detect_cases.c.cluster_id == f.cluster_id)).first()
    base = {"line": line, "cluster_id": f.cluster_id, "digest": digest}
    if row is not None:
        seen = conn.execute(select(detect_findings.c.seq).where(
            detect_findings.c.cluster_id == f.cluster_id,
            detect_findings.c.digest == digest)).first()
        if seen is not None:
            return {**base, "case_id": row.id, "outcome": "unchanged"}
        if f.checkpoint and row.checkpoint and f.checkpoint < row.checkpoint:
            return {**base, "case_id": row.id, "outcome": "stale"}
    links = _links_of(f, values, row.id if row is not None else None)
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
    enforcement = False
    if row is None:
        case_id, version, outcome = _id("case"), 1, "opened"
        conn.execute(insert(detect_cases).values(
            id=case_id, cluster_id=f.cluster_id, kind="finding", status="open", version=1,
            decided_action=None, decided_accounts=None, decided_orgs=None,
            needs_review=False, pending=None, parent_case_id=None, opened_by=actor,
            created_at=ts, **content))
        rt.audit.append(conn, kind="detect.case_opened", actor=actor, subject=case_id,
                        payload={**summary, "version": 1})
    else:
        case_id, version, outcome = row.id, row.version + 1, "updated"
        extra: dict[str, Any] = {}
        if row.status == "confirmed":
            covered = set(row.decided_accounts or []), set(row.decided_orgs or [])
            new = (set(f.account_ids) - covered[0]) | (set(f.org_ids) - covered[1])
            extra["needs_review"] = bool(new) or _RANK[f.action] > _RANK[
                row.decided_action or "none"]
        elif row.status == "dismissed" and _RANK[f.action] > _RANK[row.proposed_action]:
            extra.update(status="open", decided_action=None, decided_by=None,
                         approved_by=None, decided_at=None, decision_reason=None)
            outcome = "reopened"
        conn.execute(update(detect_cases).where(detect_cases.c.id == case_id)
                     .values(version=version, **content, **extra))
        rt.audit.append(conn, kind="detect.case_updated", actor=actor, subject=case_id,
                        payload={**summary, "version": version, "status": extra.get(
                            "status", row.status), "needs_review": extra.get("needs_review")})
    conn.execute(insert(detect_findings).values(
        case_id=case_id, cluster_id=f.cluster_id, version=version, checkpoint=f.checkpoint,
        digest=digest, received_at=ts, received_by=actor, body=f.model_dump(mode="json")))
    # members in the book tied to an enforcing case by their own card or device inherit
    high = {(ln["field"], ln["value"]) for ln in links if ln["strength"] == "high"}
    inherited: list[str] = []
    if high:
        rows: list[Any] = []
        for chunk in _chunks(f.account_ids):
            rows.extend(conn.execute(select(accounts.c.id, accounts.c.payment_fingerprint,
                                            accounts.c.signup_device_fp)
                                     .where(accounts.c.id.in_(chunk))).all())
        for r in rows:
            for field in HIGH_FIELDS:
                v = getattr(r, field)
                if (field, v) in high:
                    for c in values[field][v]:
                        if c.id != case_id and _inherit(conn, rt, account_id=r.id, case=c,
                                                        field=field, value=v,
                                                        source="finding", actor=actor):
                            inherited.append(r.id)
                            enforcement = True
    return {**base, "case_id": case_id, "outcome": outcome, "version": version,
            "links": len(links), "inherited": sorted(set(inherited)),
            "_enforcement": enforcement}


# ---------------------------------------------------------------------------- accounts
def link_account(rt: Runtime, conn: Connection, *, account_id: str, profile: dict[str, Any],
                 actor: str) -> bool:
    """Tie a created or updated account to enforcing cases (inside the caller's
    transaction). A shared payment fingerprint or signup device inherits the case's
    action; failing that, a signup IP shared with a member opens a link case. Returns True
    when what the gateway enforces changed."""
    if not any(profile.get(k) for k in (*HIGH_FIELDS, "signup_ip")):
        return False
    enforcing = _enforcing(conn)
    if not enforcing:
        return False
    values = _case_values(conn, enforcing)
    changed = False
    for field in HIGH_FIELDS:
        v = profile.get(field)
        for c in values.get(field, {}).get(v, []) if v else []:
            if account_id in (c.decided_accounts or []):
                continue
            changed |= _inherit(conn, rt, account_id=account_id, case=c, field=field,
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


# ---------------------------------------------------------------------------- review
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
        row = _case(conn, case_id)
        versions = conn.execute(select(
            detect_findings.c.seq, detect_findings.c.version, detect_findings.c.checkpoint,
            detect_findings.c.digest, detect_findings.c.received_at,
            detect_findings.c.received_by).where(detect_findings.c.case_id == case_id)
            .order_by(detect_findings.c.seq)).all()
        links = conn.execute(select(detect_links).where(
            (detect_links.c.case_id == case_id) | (detect_links.c.opened_case_id == case_id))
            .order_by(detect_links.c.id)).all()
        ids = list(row.account_ids)[:10_000]
        book = conn.execute(select(accounts.c.id, accounts.c.org_id, accounts.c.active,
                                   accounts.c.payment_fingerprint,
                                   accounts.c.signup_device_fp)
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
        _case(conn, case_id)
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
            row = _case(conn, case_id)
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
            out = case_view(_case(conn, case_id))
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
        needs_review=False, pending=None, decided_by=by, approved_by=approved_by,
        decided_at=ts, decision_reason=reason, updated_at=ts))
    kind = "detect.case_confirmed" if to == "confirmed" else "detect.case_dismissed"
    rt.audit.append(conn, kind=kind, actor=approved_by or by, subject=row.id, payload={
        "cluster_id": row.cluster_id, "from": row.status, "to": to, "action": action,
        "previous_action": row.decided_action, "reason": reason, "requested_by": by,
        "approved_by": approved_by, "version": row.version,
        "accounts": list(row.account_ids) if to == "confirmed" else [],
        "orgs": list(row.org_ids) if to == "confirmed" else []})
    if to == "confirmed" and action in ENFORCED:
        # accounts already in the book that share the case's card or device inherit too
        confirmed = _case(conn, row.id)
        values = _case_values(conn, [confirmed])
        members = set(row.account_ids)
        for field in HIGH_FIELDS:
            vals = list(values.get(field, {}))
            if not vals:
                continue
            col = accounts.c[field]
            found: list[Any] = []
            for chunk in _chunks(vals):
                found.extend(conn.execute(select(accounts.c.id, col)
                                          .where(col.in_(chunk))).all())
            for r in found:
                if r.id not in members:
                    _inherit(conn, rt, account_id=r.id, case=confirmed, field=field,
                             value=getattr(r, field), source="confirmation",
                             actor=approved_by or by)


def approve_case(rt: Runtime, *, case_id: str, reason: str, actor: str) -> dict[str, Any]:
    """The second analyst's approval of a pending decision (never the requester's)."""
    with rt.write_lock:
        with rt.audit.transaction() as conn:
            row = _case(conn, case_id)
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
            out = case_view(_case(conn, case_id))
        refresh_detections(rt)
    return out


def reject_case(rt: Runtime, *, case_id: str, reason: str, actor: str) -> dict[str, Any]:
    """Reject (or, by its requester, withdraw) a pending decision; the case is unchanged."""
    with rt.write_lock, rt.audit.transaction() as conn:
        row = _case(conn, case_id)
        if not row.pending:
            raise ConflictError(f"case {case_id} has no decision awaiting approval")
        conn.execute(update(detect_cases).where(detect_cases.c.id == case_id)
                     .values(pending=None, updated_at=now_iso()))
        rt.audit.append(conn, kind="detect.case_rejected", actor=actor, subject=case_id,
                        payload={"pending": {k: row.pending.get(k)
                                             for k in ("to", "action", "by", "version")},
                                 "reason": reason})
        return case_view(_case(conn, case_id))


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
        for chunk in _chunks(ids):
            conn.execute(update(detect_cases).where(detect_cases.c.id.in_(chunk))
                         .values(excerpts=[]))
        cleared = len(ids)
        summary = {"retention_days": days, "cutoff": cutoff, "versions_deleted": versions,
                   "cases_excerpts_cleared": cleared}
        rt.audit.append(conn, kind="detect.purge", actor=actor, subject="findings",
                        payload=summary)
    return summary
