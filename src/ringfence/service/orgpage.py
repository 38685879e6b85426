"""What the console's organisation page shows, read in one place (the read side, as
``reads.py``; the actions are ``book.py``'s).

* the row (status in force and computed, reasons, override) and its accounts with keys;
* the screening candidates for its declaration, re-asked of the live resolver (the one
  onboarding used), each with its score and the features that made it;
* the matched entity's verdict under every shipped policy, side by side, on the live
  snapshot and date (:func:`policy_verdicts`: one book per policy, evaluated once per
  snapshot and kept);
* the ownership proof as an SVG picture (``render/proof.py``);
* the history: every audit record about it, and the status it had on a given date.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ringfence.exc import RingfenceError
from ringfence.policy import load_policy, shipped_policies
from ringfence.render import proof_svg
from ringfence.service import ownership, reads
from ringfence.service.live import Live, VerdictBookLike
from ringfence.service.runtime import Runtime
from ringfence.snapshot.screening import declared_record
from ringfence.store.tables import api_keys, audit_log, overrides

__all__ = ["OrgPage", "PolicyVerdict", "org_page", "policy_verdicts"]


@dataclass(frozen=True, slots=True)
class PolicyVerdict:
    policy: str
    version: str
    verdict: str | None
    lower: float | None
    upper: float | None
    live: bool


@dataclass(frozen=True, slots=True)
class OrgPage:
    row: Any
    accounts: list[dict[str, Any]]
    candidates: list[dict[str, Any]]
    verdicts: list[PolicyVerdict] | None  # None: not evaluated yet (the page asks later)
    svg: str | None
    proof_note: str | None
    history: list[dict[str, Any]]
    status_as_of: str | None
    overrides: list[dict[str, Any]]


_BOOKS: dict[tuple[int, str, str, str], VerdictBookLike] = {}
_BOOKS_LOCK = threading.Lock()  # the dict only: held for look-ups, never while evaluating
_EVALUATING = threading.Lock()  # one evaluation at a time (each takes a core)


def _book(rt: Runtime, live: Live, name: str) -> VerdictBookLike:
    as_of = live.resolved.as_of
    key = (id(rt), live.snapshot.id, name, as_of.isoformat())
    with _BOOKS_LOCK:
        book = _BOOKS.get(key)
    if book is not None:
        return book
    with _EVALUATING:
        with _BOOKS_LOCK:
            book = _BOOKS.get(key)
        if book is None:
            book = rt.evaluate(live.snapshot, load_policy(name), as_of)
            with _BOOKS_LOCK:
                for old in [k for k in _BOOKS if k[0] == id(rt) and k[1] != live.snapshot.id]:
                    del _BOOKS[old]  # books of a snapshot no longer live
                _BOOKS[key] = book
    return book


def policy_verdicts(rt: Runtime, entity_id: str, *, compute: bool = True
                    ) -> list[PolicyVerdict] | None:
    """The entity's verdict under every shipped policy on the live snapshot and date.
    Each other policy's book is evaluated once per snapshot (seconds on a large snapshot);
    with ``compute=False`` the answer is None until all of them are kept."""
    live = rt.require_live()
    if not compute:
        as_of = live.resolved.as_of.isoformat()
        with _BOOKS_LOCK:
            if any((id(rt), live.snapshot.id, name, as_of) not in _BOOKS
                   for name in shipped_policies() if name != live.resolved.name):
                return None
    out = [PolicyVerdict(live.resolved.name, live.resolved.version, None, None, None, True)]
    v = live.book.get(entity_id)
    if v is not None:
        out[0] = PolicyVerdict(live.resolved.name, live.resolved.version, v.verdict.value,
                               v.lower, v.upper, True)
    for name in shipped_policies():
        if name == live.resolved.name:
            continue
        book = _book(rt, live, name)
        w = book.get(entity_id)
        out.append(PolicyVerdict(book.policy.name, book.policy.version,
                                 w.verdict.value if w else None, w.lower if w else None,
                                 w.upper if w else None, False))
    return out


def _candidates(live: Live, row: Any) -> list[dict[str, Any]]:
    ids = [(i["scheme"], i["value"]) for i in row.identifiers or []]
    query = declared_record(row.name, country=row.country, identifiers=ids)
    dismissed = {str(d.get("entity_id")) for d in getattr(row, "dismissed", None) or []}
    return [{"entity_id": c.entity_id, "name": c.name, "score": c.score, "match": c.match,
             "chosen": c.entity_id == row.entity_id, "dismissed": c.entity_id in dismissed,
             "why": [f.as_dict() for f in c.explanation]}
            for c in live.resolver.search(query, limit=5)]


def _proof(live: Live, entity_id: str | None) -> tuple[str | None, str | None]:
    if not entity_id:
        return None, "no matched entity: nothing to draw"
    try:
        ex = live.book.explain(entity_id)
        return proof_svg(ex, context=ownership.context(live, ex)), None
    except RingfenceError as err:
        return None, f"no proof: {err.message}"


def _history(rt: Runtime, org_id: str, as_of: dt.date | None
             ) -> tuple[list[dict[str, Any]], str | None]:
    q = select(audit_log).where(audit_log.c.subject == org_id).order_by(audit_log.c.seq)
    if as_of is not None:
        q = q.where(audit_log.c.ts < (as_of + dt.timedelta(days=1)).isoformat())
    with rt.engine.connect() as conn:
        rows = conn.execute(q).all()
    out, status = [], None
    for r in rows:
        payload = json.loads(r.payload)
        out.append({"seq": r.seq, "ts": r.ts, "kind": r.kind, "actor": r.actor,
                    "payload": payload})
        if r.kind == "onboard":
            status = payload.get("status")
        elif r.kind in ("analyst.override", "analyst.override_approved"):
            status = payload.get("to", status)
    return out, status


def org_page(rt: Runtime, org_id: str, *, as_of: dt.date | None = None) -> OrgPage:
    """Everything the organisation page shows (NotFoundError for an unknown id)."""
    row, accs = reads.accounts_of(rt, org_id)
    with rt.engine.connect() as conn:
        keys = conn.execute(select(api_keys.c.id, api_keys.c.account_id, api_keys.c.created_at,
                                   api_keys.c.revoked_at).where(
            api_keys.c.account_id.in_([a["id"] for a in accs]))).all()
        ovs = [dict(o._mapping) for o in conn.execute(
            select(overrides).where(overrides.c.org_id == org_id)
            .order_by(overrides.c.created_at)).all()]
    for a in accs:
        a["keys"] = [dict(k._mapping) for k in keys if k.account_id == a["id"]]
    live = rt.live
    candidates = _candidates(live, row) if live is not None else []
    verdicts = policy_verdicts(rt, row.entity_id, compute=False) \
        if live is not None and row.entity_id else []
    svg, note = _proof(live, row.entity_id) if live is not None else (None, "no snapshot")
    history, status = _history(rt, org_id, as_of)
    return OrgPage(row, accs, candidates, verdicts, svg, note, history,
                   status if as_of is not None else row.status, ovs)
