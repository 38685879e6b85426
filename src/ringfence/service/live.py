"""What one process serves: the live snapshot, policy, verdicts and resolver, and the
hot-path state built from them and the customer book.

:class:`Live` is replaced whole by a publish or a followed publish. The state is built
from the book's rows (:func:`read_state`) or brought up to date with the rows a change
touched (:func:`refresh_state`); both are plain functions over a database engine, so the
runtime only decides *when* to call them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from ringfence.decide import (
    AccountFacts,
    Channel,
    DecisionState,
    DetectionIndex,
    Match,
    OrgFacts,
    OrgStatus,
    PolicyRef,
    RateLimit,
    RuleSettings,
)
from ringfence.engines.base import VerdictBook
from ringfence.engines.screening import SnapshotResolver, declared_name_disguise
from ringfence.model import EntityVerdict
from ringfence.policy import LoadedPolicy, ResolvedPolicy
from ringfence.service.detections import load_detections
from ringfence.snapshot import Snapshot
from ringfence.store.tables import accounts, api_keys, organizations

__all__ = ["EntityVerdictLike", "Evaluator", "Live", "VerdictBookLike", "account_facts",
           "evaluate_book", "name_disguise", "org_facts", "read_state", "refresh_state",
           "sha256", "stored_match", "today"]


# the engine contract the service reads (engines/base.py), under the service's names
VerdictBookLike = VerdictBook
EntityVerdictLike = EntityVerdict


Evaluator = Callable[[Snapshot, LoadedPolicy, dt.date], VerdictBookLike]


def evaluate_book(snapshot: Snapshot, policy: LoadedPolicy, as_of: dt.date) -> VerdictBookLike:
    from ringfence.engines.local import evaluate

    return evaluate(snapshot, policy, as_of)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@dataclass(frozen=True)
class Live:
    snapshot: Snapshot
    loaded: LoadedPolicy
    book: VerdictBookLike
    resolver: SnapshotResolver

    @property
    def resolved(self) -> ResolvedPolicy:
        return self.book.policy

    @property
    def policy_ref(self) -> PolicyRef:
        r = self.resolved
        return PolicyRef(r.name, r.version, r.hash)

    @property
    def rules(self) -> RuleSettings:
        return RuleSettings.from_policy(self.resolved.settings)


def org_facts(row: Any) -> OrgFacts:
    reasons = [r["code"] for r in (row.computed_reasons or [])]
    if row.override:
        reasons.append("analyst_override")
    return OrgFacts(org_id=row.id, status=OrgStatus(row.status), entity_id=row.entity_id,
                    verdict=row.verdict, status_reasons=tuple(reasons))


def account_facts(row: Any, orgs: dict[str, OrgFacts],
                  detections: DetectionIndex | None = None) -> AccountFacts:
    ec = row.end_customer
    return AccountFacts(account_id=row.id, org=orgs[row.org_id], channel=Channel(row.channel),
                        active=bool(row.active),
                        end_customer=orgs.get(ec) if ec else None, end_customer_ref=ec,
                        detection=(detections.for_account(row.id, row.org_id)
                                   if detections else None))


def stored_match(m: dict[str, Any]) -> Match:
    """A match as the book stores it (``organizations.match``)."""
    return Match(m["entity_id"], float(m["score"]), bool(m["confident"]),
                 explanation=m.get("explanation") or {})


def name_disguise(name: str, match: Match | None) -> dict[str, Any] | None:
    """The ``name_disguised`` evidence for a declared name (see
    ``ringfence.engines.screening.declared_name_disguise``)."""
    features = match.explanation.get("features", []) if match is not None else []
    return declared_name_disguise(name, features if isinstance(features, list) else [])


def read_state(engine: Engine, live: Live, *, country_of: Callable[[str], str | None] | None,
               throttle: RateLimit) -> tuple[DecisionState, DetectionIndex]:
    """The hot-path state for ``live`` with every organisation, account and key read from
    the database, and the confirmed detection cases the accounts' facts carry."""
    with engine.connect() as conn:
        org_rows = conn.execute(select(organizations)).all()
        acc_rows = conn.execute(select(accounts)).all()
        key_rows = conn.execute(select(api_keys.c.id, api_keys.c.account_id, api_keys.c.hash)
                                .where(api_keys.c.revoked_at.is_(None))).all()
        detections = load_detections(conn, limit=throttle)
    orgs = {r.id: org_facts(r) for r in org_rows}
    return DecisionState.build(
        snapshot_id=live.snapshot.id, policy=live.policy_ref, rules=live.rules,
        orgs=orgs.values(), accounts=[account_facts(r, orgs, detections) for r in acc_rows],
        keys={r.id: r.account_id for r in key_rows},
        key_hashes={r.hash: r.account_id for r in key_rows}, country_of=country_of
    ), detections


def refresh_state(engine: Engine, state: DecisionState, *, detections: DetectionIndex | None,
                  orgs: Sequence[str] = (), accounts_: Sequence[str] = (),
                  keys: Sequence[str] = ()) -> DecisionState:
    """``state`` with the named organisations, accounts and keys read again."""
    with engine.connect() as conn:
        org_rows = (conn.execute(select(organizations).where(organizations.c.id.in_(orgs)))
                    .all() if orgs else [])
        acc_rows = (conn.execute(select(accounts).where(accounts.c.id.in_(accounts_))).all()
                    if accounts_ else [])
        key_rows = (conn.execute(select(api_keys).where(api_keys.c.id.in_(keys))).all()
                    if keys else [])
    new_orgs = {r.id: org_facts(r) for r in org_rows}
    lookup = {**state.orgs, **new_orgs}
    live_keys = [r for r in key_rows if r.revoked_at is None]
    dead = [(r.id, r.hash) for r in key_rows if r.revoked_at is not None]
    return state.updated(
        orgs=new_orgs.values(),
        accounts=[account_facts(r, lookup, detections) for r in acc_rows],
        keys={r.id: r.account_id for r in live_keys},
        key_hashes={r.hash: r.account_id for r in live_keys}, drop_keys=dead)
