"""The service's runtime: database, audit log, live verdicts and the hot-path state.

One :class:`Runtime` per process. It owns

* the live snapshot, policy and :class:`VerdictBook` (replaced whole by :meth:`publish`);
* the :class:`~ringfence.decide.StateHolder` the hot path reads (swapped atomically);
* the decision log, the webhook deliverer and the token list;
* the sync thread (:meth:`Runtime.sync`), which follows what other processes commit: a
  token list re-read every ``sync_seconds / 2``, a publish or a book change made by another
  worker or the CLI applied here within ``sync_seconds`` (plus, for a publish, the time to
  evaluate the snapshot; the old one serves until then).

Writers (onboarding, overrides, keys, publish, sync) take ``write_lock`` so two of them
never build new states from the same old one; readers never lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import Connection, Engine, bindparam, insert, select, update

from ringfence.audit import AuditLog, now_iso
from ringfence.decide import (
    AccountFacts,
    Channel,
    DecisionIds,
    DecisionState,
    DetectionIndex,
    Match,
    OrgFacts,
    OrgStatus,
    PolicyRef,
    RateLimit,
    RuleSettings,
    StateHolder,
    onboarding_status,
)
from ringfence.engines.base import VerdictBook as VerdictBookLike
from ringfence.exc import ConflictError, NotFoundError
from ringfence.model import EntityVerdict as EntityVerdictLike
from ringfence.policy import LoadedPolicy, ResolvedPolicy, load_policy, parse_policy
from ringfence.service.decisions import DecisionLog
from ringfence.service.detections import load_detections
from ringfence.service.resolution import Resolver, make_resolver
from ringfence.service.settings import ServiceSettings
from ringfence.service.sync import (
    POINTER_KEYS,
    Pointer,
    Syncer,
    audit_head_seq,
    read_changes,
    read_pointer,
)
from ringfence.service.tokens import TokenCache, TokenHit
from ringfence.service.webhooks import Deliverer, emit_events
from ringfence.snapshot import Snapshot, open_snapshot
from ringfence.store import make_engine, upgrade
from ringfence.store.tables import (
    accounts,
    api_keys,
    kv,
    organizations,
    policies,
    snapshots,
)

__all__ = ["EntityVerdictLike", "Runtime", "VerdictBookLike", "evaluate_book", "sha256"]

log = structlog.get_logger("ringfence.service")


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
    resolver: Resolver

    @property
    def resolved(self) -> ResolvedPolicy:
        return self.book.policy


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


class Runtime:
    def __init__(self, settings: ServiceSettings, *, engine: Engine | None = None,
                 country_of: Callable[[str], str | None] | None = None,
                 evaluator: Evaluator | None = None, deliverer: Deliverer | None = None) -> None:
        self.settings = settings
        self.engine = engine or make_engine(settings.database_url)
        self.audit = AuditLog(self.engine)
        self.holder = StateHolder()
        self.ids = DecisionIds()
        self.live: Live | None = None
        self.country_of = country_of
        self.evaluate = evaluator or evaluate_book
        self.decisions = DecisionLog(self.engine, self.audit,
                                     batch_size=settings.allow_batch_size,
                                     flush_seconds=settings.allow_flush_seconds)
        self.deliverer = deliverer or Deliverer(self.engine,
                                                max_attempts=settings.webhook_max_attempts,
                                                interval=settings.webhook_interval)
        self.write_lock = threading.RLock()
        self.tokens = TokenCache(self.engine, max_age=settings.sync_seconds)
        self.syncer = Syncer(self.sync, interval=settings.sync_seconds / 2)
        self._sync_lock = threading.Lock()
        self._seen = 0  # the last audit record whose book change is in the state
        self._pointer: Pointer | None = None  # the live pointer the state was built from
        from ringfence.service.metrics import Metrics

        self.metrics = Metrics()
        self.started = False
        # confirmed detection cases, as the accounts' facts carry them (service/findings.py)
        self.detections = DetectionIndex()
        self.throttle = RateLimit(settings.throttle_requests, settings.throttle_window_seconds)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        upgrade(self.engine)
        if self.country_of is None and self.settings.geoip:
            from ringfence.service.geo import geoip_country_of

            self.country_of = geoip_country_of()
        self.reload_tokens()
        with self.engine.connect() as conn:  # before loading: later changes are followed
            self._seen = audit_head_seq(conn)
        try:
            self._load_live()
        except Exception:
            log.exception("could not load a snapshot; not ready")
        if self.settings.background:
            self.decisions.start()
            self.deliverer.start()
            self.syncer.start()
        self.started = True

    def stop(self) -> None:
        if self.settings.background:
            self.syncer.stop()
            self.deliverer.stop()
        self.decisions.stop()
        self.started = False

    def _load_live(self) -> None:
        with self.engine.connect() as conn:
            pointer = read_pointer(conn)
        path = pointer.path
        if path and Path(path).is_dir():
            loaded = (self.policy_by_hash(pointer.policy_hash or "")
                      or load_policy(self.settings.policy))
            with self.write_lock:
                self._activate(open_snapshot(path), loaded)
                self._pointer = pointer
            return
        initial = self.settings.snapshot or self._embedded_default()
        if initial is not None:
            self.publish(initial, policy=self.settings.policy, actor="system")

    def _embedded_default(self) -> Path | None:
        if not self.settings.embedded_default:
            return None
        out = self.settings.data_dir / "snapshots" / "default"
        if (out / "manifest.json").is_file():
            return out
        try:
            from ringfence.ingest.default import build_default_snapshot
        except ImportError:
            log.warning("no embedded default snapshot builder; set RINGFENCE_SNAPSHOT")
            return None
        build_default_snapshot(out)
        return out

    @property
    def ready(self) -> bool:
        return self.holder.state is not None

    def require_live(self) -> Live:
        if self.live is None:
            raise ConflictError("no snapshot is loaded yet; publish one first")
        return self.live

    # ------------------------------------------------------------------ tokens
    def reload_tokens(self) -> None:
        self.tokens.reload()

    def token_cached(self, secret: str) -> TokenHit | None:
        """From memory, when the token list is within its bound (no I/O)."""
        return self.tokens.cached(secret)

    def token_identity(self, secret: str) -> TokenHit | None:
        """Re-reads an out-of-date list, or asks the database for an unknown token;
        raises ``ServiceUnavailableError`` when it cannot (fail closed)."""
        return self.tokens.identity(secret)

    # ------------------------------------------------------------------ sync
    def sync(self) -> dict[str, Any]:
        """Catch up with what other processes committed (the sync thread calls this every
        ``sync_seconds / 2``): re-read the token list; load the snapshot another process
        published (evaluated off the lock; the old one serves until the swap); fold in
        book changes (organisations, accounts, keys) recorded in the audit log since the
        last call. Returns what it did."""
        with self._sync_lock:
            self.tokens.reload()
            with self.engine.connect() as conn:
                changes = read_changes(conn, after=self._seen)
                pointer = read_pointer(conn)
            loaded = False
            if pointer.path and pointer != self._pointer:
                try:
                    loaded = self._follow(pointer)
                except Exception:  # the book changes below still apply; retried next time
                    log.exception("could not load the published snapshot",
                                  snapshot_id=pointer.snapshot_id, path=pointer.path)
            if changes.book and not loaded:
                with self.write_lock:
                    self.refresh(orgs=changes.orgs, accounts_=changes.accounts,
                                 keys=changes.keys)
            if changes.detections and not loaded:
                from ringfence.service.findings import refresh_detections

                with self.write_lock:
                    refresh_detections(self)
            self._seen = changes.head
            return {"snapshot_loaded": pointer.snapshot_id if loaded else None,
                    "organizations": len(changes.orgs), "accounts": len(changes.accounts),
                    "keys": len(changes.keys), "tokens_changed": changes.tokens}

    def _follow(self, pointer: Pointer) -> bool:
        """Load the snapshot ``pointer`` names; swap it in unless the pointer moved on
        meanwhile (then the next sync follows the newer one)."""
        assert pointer.path is not None
        snapshot = open_snapshot(pointer.path)
        loaded = self.policy_by_hash(pointer.policy_hash or "")
        if loaded is None:
            raise NotFoundError(f"the live policy {pointer.policy_hash!r} is not stored")
        book = self.evaluate(snapshot, loaded, today())
        with self.write_lock:
            with self.engine.connect() as conn:
                if read_pointer(conn) != pointer:  # another publish landed meanwhile
                    return False
            self._activate(snapshot, loaded, book)  # the state is read from the database
            self._pointer = pointer
        self.metrics.accounts.set(len(self.holder.state.entries) if self.holder.state else 0)
        log.info("followed a publish", snapshot_id=snapshot.id, publish=pointer.publish_seq)
        return True

    # ------------------------------------------------------------------ policies
    def store_policy(self, conn: Connection, loaded: LoadedPolicy) -> None:
        if conn.execute(select(policies.c.hash).where(policies.c.hash == loaded.hash)).first():
            return
        conn.execute(insert(policies).values(
            hash=loaded.hash, name=loaded.name, version=loaded.document.version,
            origin=loaded.origin, stored_at=now_iso(),
            document=loaded.document.model_dump(mode="json", exclude_defaults=False)))

    def policy_by_hash(self, policy_hash: str) -> LoadedPolicy | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(policies).where(policies.c.hash == policy_hash)).first()
        if row is None:
            return None
        loaded = parse_policy(row.document, where=f"stored policy {policy_hash[:12]}")
        # keep the original hash: the stored document is the parsed form of that file
        return LoadedPolicy(document=loaded.document, hash=policy_hash, origin=row.origin)

    # ------------------------------------------------------------------ state
    def _build_state(self, live: Live) -> DecisionState:
        with self.engine.connect() as conn:
            org_rows = conn.execute(select(organizations)).all()
            acc_rows = conn.execute(select(accounts)).all()
            key_rows = conn.execute(select(api_keys.c.id, api_keys.c.account_id,
                                           api_keys.c.hash)
                                    .where(api_keys.c.revoked_at.is_(None))).all()
            self.detections = load_detections(conn, limit=self.throttle)
        orgs = {r.id: org_facts(r) for r in org_rows}
        resolved = live.resolved
        return DecisionState.build(
            snapshot_id=live.snapshot.id,
            policy=PolicyRef(resolved.name, resolved.version, resolved.hash),
            rules=RuleSettings.from_policy(resolved.settings),
            orgs=orgs.values(),
            accounts=[account_facts(r, orgs, self.detections) for r in acc_rows],
            keys={r.id: r.account_id for r in key_rows},
            key_hashes={r.hash: r.account_id for r in key_rows},
            country_of=self.country_of)

    def _activate(self, snapshot: Snapshot, loaded: LoadedPolicy,
                  book: VerdictBookLike | None = None,
                  orgs: list[OrgFacts] | None = None) -> None:
        """Make ``snapshot`` live. With ``orgs`` (every organisation's new facts, as a
        publish computes them) and a live state, the new state is rebuilt in memory from
        the old one's accounts and keys; otherwise it is read from the database."""
        book = book or self.evaluate(snapshot, loaded, today())
        live = Live(snapshot, loaded, book, make_resolver(snapshot))
        old = self.holder.state
        if orgs is not None and old is not None:
            resolved = live.resolved
            state = old.rebuilt(
                snapshot_id=snapshot.id,
                policy=PolicyRef(resolved.name, resolved.version, resolved.hash),
                rules=RuleSettings.from_policy(resolved.settings), orgs=orgs)
        else:
            state = self._build_state(live)
        self.live = live
        self.holder.swap(state)

    def refresh(self, *, orgs: Sequence[str] = (), accounts_: Sequence[str] = (),
                keys: Sequence[str] = ()) -> None:
        """Fold book changes into the live state (call with ``write_lock`` held)."""
        state = self.holder.state
        if state is None:
            return
        with self.engine.connect() as conn:
            org_rows = (conn.execute(select(organizations)
                                     .where(organizations.c.id.in_(orgs))).all()
                        if orgs else [])
            acc_rows = (conn.execute(select(accounts).where(accounts.c.id.in_(accounts_))).all()
                        if accounts_ else [])
            key_rows = (conn.execute(select(api_keys).where(api_keys.c.id.in_(keys))).all()
                        if keys else [])
        new_orgs = {r.id: org_facts(r) for r in org_rows}
        lookup = {**state.orgs, **new_orgs}
        live_keys = [r for r in key_rows if r.revoked_at is None]
        dead = [(r.id, r.hash) for r in key_rows if r.revoked_at is not None]
        self.holder.swap(state.updated(
            orgs=new_orgs.values(),
            accounts=[account_facts(r, lookup, self.detections) for r in acc_rows],
            keys={r.id: r.account_id for r in live_keys},
            key_hashes={r.hash: r.account_id for r in live_keys}, drop_keys=dead))

    # ------------------------------------------------------------------ onboarding status
    def status_for(self, *, live: Live, match: Match | None, countries: list[str],
                   name: str | None = None) -> tuple[OrgStatus, list[dict[str, Any]], Any]:
        verdict = live.book.get(match.entity_id) if match is not None else None
        settings = live.resolved.settings
        status, reasons = onboarding_status(
            match=match, verdict=verdict.verdict if verdict else None,
            verdict_bounds=(verdict.lower, verdict.upper) if verdict else None,
            declared_countries=countries, restricted_regions=settings.restricted_regions,
            policy_enabled=settings.enabled,
            name_disguise=_name_disguise(name, match) if name else None)
        return status, [r.as_dict() for r in reasons], verdict

    # ------------------------------------------------------------------ publish
    def publish(self, path: str | Path, *, policy: str | Path | None = None,
                actor: str) -> dict[str, Any]:
        """Re-evaluate the whole book on a snapshot under a policy, then swap atomically.

        Organisations keep their resolved entity; those whose status changes get an event.
        An override made against a verdict that has since changed lapses (with an event).
        """
        t0 = time.perf_counter()
        snapshot = open_snapshot(path)
        if policy is not None:
            loaded = load_policy(policy)
        elif self.live is not None:
            loaded = self.live.loaded
        else:
            loaded = load_policy(self.settings.policy)
        book = self.evaluate(snapshot, loaded, today())
        live = Live(snapshot, loaded, book, make_resolver(snapshot))
        settings = live.resolved.settings
        t_eval = time.perf_counter()
        with self.write_lock:
            changed: list[dict[str, Any]] = []
            with self.audit.transaction() as conn:
                self.store_policy(conn, loaded)
                rows = conn.execute(select(
                    organizations.c.id, organizations.c.name, organizations.c.entity_id,
                    organizations.c.match,
                    organizations.c.country, organizations.c.billing_country,
                    organizations.c.verdict, organizations.c.status,
                    organizations.c.computed_status, organizations.c.computed_reasons,
                    organizations.c.override)).all()
                updates: list[dict[str, Any]] = []
                facts: list[OrgFacts] = []
                ts = now_iso()
                for r in rows:
                    m = r.match
                    match = (Match(m["entity_id"], float(m["score"]), bool(m["confident"]))
                             if m else None)
                    verdict = book.get(match.entity_id) if match else None
                    vname = verdict.verdict if verdict else None
                    status, reasons = onboarding_status(
                        match=match, verdict=vname,
                        verdict_bounds=(verdict.lower, verdict.upper) if verdict else None,
                        declared_countries=[c for c in (r.country, r.billing_country) if c],
                        restricted_regions=settings.restricted_regions,
                        policy_enabled=settings.enabled,
                        name_disguise=_name_disguise(r.name, m and _stored_match(m)))
                    reason_dicts = [x.as_dict() for x in reasons]
                    override = r.override
                    lapsed = bool(override) and override.get("verdict") != vname
                    if lapsed:
                        override = None
                    effective = override["status"] if override else str(status)
                    codes = [x.code.value for x in reasons]
                    if override:
                        codes.append("analyst_override")
                    facts.append(OrgFacts(org_id=r.id, status=OrgStatus(effective),
                                          entity_id=r.entity_id, verdict=vname,
                                          status_reasons=tuple(codes)))
                    if (vname == r.verdict and str(status) == r.computed_status
                            and effective == r.status and not lapsed
                            and reason_dicts == r.computed_reasons):
                        continue
                    updates.append({
                        "b_id": r.id, "verdict": vname,
                        "lower": verdict.lower if verdict else None,
                        "upper": verdict.upper if verdict else None,
                        "computed_status": str(status), "computed_reasons": reason_dicts,
                        "status": effective, "override": override,
                        "snapshot_id": snapshot.id, "updated_at": ts})
                    if effective != r.status or lapsed:
                        changed.append({"org_id": r.id, "from": r.status, "to": effective,
                                        "verdict_from": r.verdict, "verdict_to": vname,
                                        "override_lapsed": lapsed, "reasons": reason_dicts})
                if updates:
                    stmt = (update(organizations)
                            .where(organizations.c.id == bindparam("b_id"))
                            .values(verdict=bindparam("verdict"), lower=bindparam("lower"),
                                    upper=bindparam("upper"),
                                    computed_status=bindparam("computed_status"),
                                    computed_reasons=bindparam("computed_reasons"),
                                    status=bindparam("status"), override=bindparam("override"),
                                    snapshot_id=bindparam("snapshot_id"),
                                    updated_at=bindparam("updated_at")))
                    conn.execute(stmt, updates)
                header = {"snapshot_id": snapshot.id, "policy": live.resolved.as_dict()}
                event_ids = emit_events(conn, [("organization.status_changed", c["org_id"],
                                                {**c, **header}) for c in changed])
                summary = {
                    "snapshot_id": snapshot.id, "path": str(Path(path).resolve()),
                    "policy": live.resolved.as_dict(), "as_of": live.resolved.as_of.isoformat(),
                    "organizations": len(rows), "updated": len(updates),
                    "status_changed": len(changed), "events": event_ids[:1000],
                    "previous_snapshot": self.live.snapshot.id if self.live else None,
                }
                key = conn.execute(insert(snapshots).values(
                    id=snapshot.id, path=str(Path(path).resolve()), policy_hash=loaded.hash,
                    published_by=actor, published_at=ts, summary=summary)
                ).inserted_primary_key
                assert key is not None  # an INSERT always has one
                pointer = Pointer(str(Path(path).resolve()), snapshot.id, loaded.hash,
                                  str(key[0]))  # the publish's seq: each publish is new
                for key, value in zip(POINTER_KEYS, pointer, strict=True):
                    if conn.execute(select(kv.c.key).where(kv.c.key == key)).first():
                        conn.execute(update(kv).where(kv.c.key == key).values(value=value))
                    else:
                        conn.execute(insert(kv).values(key=key, value=value))
                self.audit.append(conn, kind="publish", actor=actor, subject=snapshot.id,
                                  payload=summary)
            t_db = time.perf_counter()
            self._activate(snapshot, loaded, book, orgs=facts)
            self._pointer = pointer
        t_end = time.perf_counter()
        timings = {"evaluate_s": round(t_eval - t0, 3), "database_s": round(t_db - t_eval, 3),
                   "swap_s": round(t_end - t_db, 3), "total_s": round(t_end - t0, 3)}
        log.info("published", snapshot_id=snapshot.id, changed=len(changed), **timings)
        return {**summary, "events": event_ids, "timings": timings}

    # ------------------------------------------------------------------ helpers
    def org_row(self, conn: Connection, org_id: str) -> Any:
        row = conn.execute(select(organizations).where(organizations.c.id == org_id)).first()
        if row is None:
            raise NotFoundError(f"no organization {org_id!r}", details={"org_id": org_id})
        return row

    def iter_orgs(self, *, status: str | None = None, limit: int = 100,
                  offset: int = 0) -> Iterator[Any]:
        q = select(organizations).order_by(organizations.c.created_at, organizations.c.id)
        if status:
            q = q.where(organizations.c.status == status)
        with self.engine.connect() as conn:
            yield from conn.execute(q.limit(limit).offset(offset)).all()


def _stored_match(m: dict[str, Any]) -> Match:
    return Match(m["entity_id"], float(m["score"]), bool(m["confident"]),
                 explanation=m.get("explanation") or {})


def _name_disguise(name: str, match: Match | None) -> dict[str, Any] | None:
    """The ``name_disguised`` evidence for a declared name (see
    ``ringfence.engines.screening.declared_name_disguise``)."""
    from ringfence.engines.screening import declared_name_disguise

    features = match.explanation.get("features", []) if match is not None else []
    return declared_name_disguise(name, features if isinstance(features, list) else [])
