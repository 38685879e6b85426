"""Publishing a snapshot: orchestration over pure rules.

1. open the snapshot and evaluate it under the policy (no lock; the old one serves);
   screen every organisation's declaration again against the snapshot's index
   (``rematch.py``, in bulk);
2. re-assess every organisation with :func:`ringfence.decide.review.reassess` (its new
   match's verdict through the onboarding table; an override stays in force and goes back
   to the queue when its entity or verdict changed; a dismissed candidate stays out while
   its data is unchanged);
3. in one transaction: the policy stored, the changed rows, one event per status change,
   the ``snapshots`` row, the live pointer and the ``publish`` audit record;
4. swap the in-memory verdicts and hot-path state (the runtime's ``activate``).

This module holds steps 2 and 3 (plus the stored policies every worker reads back);
:meth:`Runtime.publish` calls them in order under the write lock.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, select, update

from ringfence.audit import AuditLog, now_iso
from ringfence.decide import OrgFacts
from ringfence.decide.rematch import MatchChange, match_change
from ringfence.decide.review import reassess
from ringfence.policy import LoadedPolicy, parse_policy
from ringfence.service.live import Live, VerdictBookLike, name_disguise, stored_match
from ringfence.service.rematch import Rescreened, Rescreener, match_json
from ringfence.service.sync import POINTER_KEYS, Pointer
from ringfence.service.webhooks import emit_events
from ringfence.store.tables import kv, organizations, policies, snapshots

__all__ = ["BookUpdate", "plan_book", "policy_by_hash", "store_policy", "write_publish"]

_ORG_COLUMNS = (organizations.c.id, organizations.c.name, organizations.c.entity_id,
                organizations.c.match,
                organizations.c.country, organizations.c.billing_country,
                organizations.c.verdict, organizations.c.status,
                organizations.c.computed_status, organizations.c.computed_reasons,
                organizations.c.override, organizations.c.identifiers,
                organizations.c.review_due, organizations.c.dismissed)


# ---------------------------------------------------------------------- stored policies
def store_policy(conn: Connection, loaded: LoadedPolicy) -> None:
    if conn.execute(select(policies.c.hash).where(policies.c.hash == loaded.hash)).first():
        return
    conn.execute(insert(policies).values(
        hash=loaded.hash, name=loaded.name, version=loaded.document.version,
        origin=loaded.origin, stored_at=now_iso(),
        document=loaded.document.model_dump(mode="json", exclude_defaults=False)))


def policy_by_hash(engine: Engine, policy_hash: str) -> LoadedPolicy | None:
    with engine.connect() as conn:
        row = conn.execute(select(policies).where(policies.c.hash == policy_hash)).first()
    if row is None:
        return None
    loaded = parse_policy(row.document, where=f"stored policy {policy_hash[:12]}")
    # keep the original hash: the stored document is the parsed form of that file
    return LoadedPolicy(document=loaded.document, hash=policy_hash, origin=row.origin)


# ---------------------------------------------------------------------- the book, re-assessed
@dataclass
class BookUpdate:
    """What a publish changes in the book: rows to write, status changes to announce, and
    every organisation's facts for the new hot-path state; ``rematch``: the re-match's
    counts for the publish record."""

    organizations: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    facts: list[OrgFacts] = field(default_factory=list)
    rematch: dict[str, int] = field(default_factory=lambda: {
        "rescreened": 0, "new_matches": 0, "changed_matches": 0, "lost_matches": 0,
        "status_changes": 0, "requeued": 0, "dismissals_kept": 0, "dismissals_ended": 0})


def _match_key(m: Any) -> tuple[Any, ...] | None:
    return None if not m else (m["entity_id"], float(m["score"]), bool(m["confident"]))


def plan_book(org_rows: Sequence[Any], book: VerdictBookLike, *,
              rescreened: Mapping[str, Rescreened], snapshot_id: str, ts: str) -> BookUpdate:
    """Every organisation re-assessed on its new match (``rescreened``, by org id) and
    ``book``'s verdicts (no I/O)."""
    settings = book.policy.settings
    plan = BookUpdate(organizations=len(org_rows))
    counts = plan.rematch
    for r in org_rows:
        again = rescreened[r.id]
        match = again.match
        change = match_change(stored_match(r.match) if r.match else None, match)
        verdict = book.get(match.entity_id) if match else None
        vname = verdict.verdict if verdict else None
        out = reassess(match=match, verdict=vname,
                       bounds=(verdict.lower, verdict.upper) if verdict else None,
                       declared_countries=[c for c in (r.country, r.billing_country) if c],
                       override=r.override, restricted_regions=settings.restricted_regions,
                       policy_enabled=settings.enabled, name_disguise=name_disguise(r.name, match),
                       change=change, ended=again.ended)
        counts["rescreened"] += 1
        if change is not MatchChange.SAME:
            counts[{MatchChange.NEW: "new_matches", MatchChange.CHANGED: "changed_matches",
                    MatchChange.LOST: "lost_matches"}[change]] += 1
        counts["dismissals_kept"] += len(again.held)
        counts["dismissals_ended"] += len(again.ended)
        due = r.review_due
        if due is None and out.review_due is not None:
            counts["requeued"] += 1
            due = {"reason": str(out.review_due), "snapshot_id": snapshot_id, "at": ts,
                   "entity_from": r.entity_id, "entity_to": match.entity_id if match else None,
                   "verdict_from": r.verdict, "verdict_to": vname}
        dismissed = [dict(d) for d in again.held] or None
        reason_dicts = [x.as_dict() for x in out.reasons]
        entity_id = match.entity_id if match else None
        plan.facts.append(OrgFacts(org_id=r.id, status=out.status, entity_id=entity_id,
                                   verdict=vname, status_reasons=out.reason_codes))
        new_match = match_json(match)
        if (vname == r.verdict and str(out.computed_status) == r.computed_status
                and str(out.status) == r.status and reason_dicts == r.computed_reasons
                and _match_key(new_match) == _match_key(r.match) and due == r.review_due
                and dismissed == (r.dismissed or None)):
            continue
        plan.rows.append({
            "b_id": r.id, "verdict": vname, "entity_id": entity_id, "match": new_match,
            "lower": verdict.lower if verdict else None,
            "upper": verdict.upper if verdict else None,
            "computed_status": str(out.computed_status), "computed_reasons": reason_dicts,
            "status": str(out.status), "override": out.override, "review_due": due,
            "dismissed": dismissed, "snapshot_id": snapshot_id, "updated_at": ts})
        if str(out.status) != r.status:
            counts["status_changes"] += 1
            plan.changed.append({"org_id": r.id, "from": r.status, "to": str(out.status),
                                 "verdict_from": r.verdict, "verdict_to": vname,
                                 "entity_from": r.entity_id, "entity_to": entity_id,
                                 "match_change": str(change), "review_due": due,
                                 "reasons": reason_dicts})
    return plan


def read_book(conn: Connection) -> Sequence[Any]:
    return conn.execute(select(*_ORG_COLUMNS)).all()


_UPDATE_ORG = (update(organizations).where(organizations.c.id == bindparam("b_id"))
               .values(**{k: bindparam(k) for k in (
                   "verdict", "entity_id", "match", "lower", "upper", "computed_status",
                   "computed_reasons", "status", "override", "review_due", "dismissed",
                   "snapshot_id", "updated_at")}))


def _set_pointer(conn: Connection, pointer: Pointer) -> None:
    for key, value in zip(POINTER_KEYS, pointer, strict=True):
        if conn.execute(select(kv.c.key).where(kv.c.key == key)).first():
            conn.execute(update(kv).where(kv.c.key == key).values(value=value))
        else:
            conn.execute(insert(kv).values(key=key, value=value))


def write_publish(audit: AuditLog, *, live: Live, path: str | Path, actor: str,
                  previous: str | None, rescreener: Rescreener | None = None,
                  review: dict[str, Any] | None = None
                  ) -> tuple[dict[str, Any], list[str], Pointer, BookUpdate]:
    """Step 3: one transaction. Returns the summary, the event ids, the new live pointer
    and the book's update (for the in-memory swap). ``rescreener``: the bulk pass the
    caller already ran over the book off the lock (only declarations it has not seen are
    screened here). ``review``: the snapshot's review load (verdict counts and the causes
    of every uncertain verdict, ``ringfence.usecases.review``), kept in the summary."""
    rescreener = rescreener or Rescreener(live.resolver)
    snapshot, loaded = live.snapshot, live.loaded
    # the pointer as given (absolute, links not followed): a later ingest into the same
    # folder moves it on, and the version behind it today is removed two publishes later
    where = os.path.abspath(path)
    with audit.transaction() as conn:
        store_policy(conn, loaded)
        ts = now_iso()
        rows = read_book(conn)
        plan = plan_book(rows, live.book, rescreened=rescreener.book(rows),
                         snapshot_id=snapshot.id, ts=ts)
        if plan.rows:
            conn.execute(_UPDATE_ORG, plan.rows)
        header = {"snapshot_id": snapshot.id, "policy": live.resolved.as_dict()}
        event_ids = emit_events(conn, [("organization.status_changed", c["org_id"],
                                        {**c, **header}) for c in plan.changed])
        summary = {
            "snapshot_id": snapshot.id, "path": where, "policy": live.resolved.as_dict(),
            "as_of": live.resolved.as_of.isoformat(), "organizations": plan.organizations,
            "updated": len(plan.rows), "status_changed": len(plan.changed),
            "rematch": {**plan.rematch, "queries": rescreener.queries},
            "events": event_ids[:1000], "previous_snapshot": previous,
            "review": review,
        }
        key = conn.execute(insert(snapshots).values(
            id=snapshot.id, path=where, policy_hash=loaded.hash, published_by=actor,
            published_at=ts, summary=summary)).inserted_primary_key
        assert key is not None  # an INSERT always has one
        # the publish's seq makes every publish a new pointer, even of the same snapshot
        pointer = Pointer(where, snapshot.id, loaded.hash, str(key[0]))
        _set_pointer(conn, pointer)
        audit.append(conn, kind="publish", actor=actor, subject=snapshot.id, payload=summary)
    return summary, event_ids, pointer, plan
