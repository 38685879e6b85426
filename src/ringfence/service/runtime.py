"""The service's runtime: database, audit log, live verdicts and the hot-path state.

The application layer between the routes (and the CLI) and the logic: routes parse and
call it or ``book.py``; the rules live in ``ringfence.decide`` (decisions, onboarding,
four eyes and re-assessment in ``decide/review.py``, re-matching in ``decide/rematch.py``);
``live.py`` builds the hot-path state, ``publish.py`` writes a publish (``rematch.py``
re-screens the book for it), ``snapshot/screening.py`` resolves names.
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
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import Connection, Engine, select

from ringfence.audit import AuditLog
from ringfence.decide import (
    DecisionIds,
    DetectionIndex,
    Match,
    OrgFacts,
    OrgStatus,
    RateLimit,
    StateHolder,
)
from ringfence.decide.onboarding import onboarding_status
from ringfence.decide.signals import NetOf
from ringfence.detect.fanout import FanOut, crosses
from ringfence.exc import NotFoundError
from ringfence.packaged import use_packaged_dictionaries
from ringfence.policy import LoadedPolicy, load_policy
from ringfence.service.anchoring import HeadAnchor
from ringfence.service.decisions import DecisionLog
from ringfence.service.errors import NotReadyError
from ringfence.service.live import (
    EntityVerdictLike,
    Evaluator,
    Live,
    SignalBook,
    VerdictBookLike,
    evaluate_book,
    name_disguise,
    read_state,
    refresh_signal_book,
    refresh_state,
    sha256,
    today,
)
from ringfence.service.metrics import Metrics
from ringfence.service.ownership import warm as warm_pictures
from ringfence.service.publish import policy_by_hash, read_book, write_publish
from ringfence.service.rematch import Rescreener
from ringfence.service.settings import ServiceSettings
from ringfence.service.sync import (
    Pointer,
    SnapshotMovedError,
    Syncer,
    audit_head_seq,
    open_recorded,
    read_changes,
    read_pointer,
)
from ringfence.service.tokens import TokenCache, TokenHit
from ringfence.service.webhooks import Deliverer
from ringfence.snapshot import Snapshot, open_snapshot
from ringfence.snapshot.screening import SnapshotResolver
from ringfence.store import make_engine, upgrade
from ringfence.store.tables import organizations
from ringfence.usecases.review import snapshot_review

__all__ = ["EntityVerdictLike", "Evaluator", "Runtime", "VerdictBookLike", "evaluate_book",
           "sha256"]

log = structlog.get_logger("ringfence.service")


class Runtime:
    """The process's services, wired once: what the routes and the CLI call."""

    def __init__(self, settings: ServiceSettings, *, engine: Engine | None = None,
                 country_of: Callable[[str], str | None] | None = None,
                 evaluator: Evaluator | None = None, deliverer: Deliverer | None = None,
                 net_of: NetOf | None = None) -> None:
        use_packaged_dictionaries()  # name screening's data, handed in at the entry point
        self.settings = settings
        self.engine = engine or make_engine(settings.database_url)
        self.audit = AuditLog(self.engine)
        self.holder = StateHolder()
        self.ids = DecisionIds()
        self.live: Live | None = None
        self.country_of = country_of
        self.net_of = net_of  # IP -> country, AS, network class (runtime signals)
        self.signal_book: SignalBook | None = None
        # per-worker fan-out counters (approximate past 64 values; docs/service.md)
        self.fanout = FanOut(window_seconds=settings.fanout_window_seconds)
        self._fanout_shared = -1e9
        self.evaluate = _warming(evaluator or evaluate_book)
        self.decisions = DecisionLog(self.engine, self.audit,
                                     batch_size=settings.allow_batch_size,
                                     flush_seconds=settings.allow_flush_seconds)
        self.deliverer = deliverer or Deliverer(self.engine,
                                                max_attempts=settings.webhook_max_attempts,
                                                interval=settings.webhook_interval)
        self.write_lock = threading.RLock()
        self.tokens = TokenCache(self.engine, max_age=settings.sync_seconds)
        self.syncer = Syncer(self.sync, interval=settings.sync_seconds / 2)
        self.anchor = HeadAnchor(self.engine, settings)  # the audit head, off the database
        self._sync_lock = threading.Lock()
        self._seen = 0  # the last audit record whose book change is in the state
        self._pointer: Pointer | None = None  # the live pointer the state was built from
        self._failed_pointer: Pointer | None = None  # a publish that could not be loaded
        self.metrics = Metrics(self.holder)
        self.started = False
        # confirmed detection cases, as the accounts' facts carry them (service/findings.py)
        self.detections = DetectionIndex()
        self.throttle = RateLimit(settings.throttle_requests, settings.throttle_window_seconds)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        upgrade(self.engine)
        if self.net_of is None and self.country_of is None and self.settings.geoip:
            from ringfence.service.geo import geoip_net_of

            self.net_of = geoip_net_of()
        self.reload_tokens()
        with self.engine.connect() as conn:  # before loading: later changes are followed
            self._seen = audit_head_seq(conn)
        try:
            self._load_live()
        except SnapshotMovedError:
            raise  # the database's live snapshot is gone: refuse to serve another
        except Exception:
            log.exception("could not load a snapshot; not ready")
        if self.settings.background:
            self.decisions.start()
            self.deliverer.start()
            self.syncer.start()
            self.anchor.start()
        self.started = True

    def stop(self) -> None:
        if self.settings.background:
            self.syncer.stop()
            self.deliverer.stop()
        self.decisions.stop()
        if self.settings.background:
            self.anchor.stop()  # after the last ALLOW batch is written
        self.started = False

    def _load_live(self) -> None:
        with self.engine.connect() as conn:
            pointer = read_pointer(conn)
        if pointer.path and Path(pointer.path).is_dir():
            self._follow(pointer, default_policy=True)
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

    def require_live(self) -> Live:
        """The live snapshot, or 503 ``not_ready`` (as ``/readyz``) when none is loaded."""
        if self.live is None:
            raise NotReadyError("not ready: no snapshot is loaded yet; publish one first")
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
                    self._failed_pointer = None
                except Exception:  # the book changes below still apply; retried next time
                    if pointer != self._failed_pointer:  # once per publish, not every tick
                        log.exception("could not load the published snapshot; retrying "
                                      "quietly at every sync until it loads",
                                      snapshot_id=pointer.snapshot_id, path=pointer.path)
                    self._failed_pointer = pointer
            if changes.book and not loaded:
                with self.write_lock:
                    self.refresh(orgs=changes.orgs, accounts_=changes.accounts,
                                 keys=changes.keys, channels=changes.channels)
            if changes.detections and not loaded:
                from ringfence.service.findings import refresh_detections

                with self.write_lock:
                    refresh_detections(self)
            self._seen = changes.head
            self.share_fanout()
            return {"snapshot_loaded": pointer.snapshot_id if loaded else None,
                    "organizations": len(changes.orgs), "accounts": len(changes.accounts),
                    "keys": len(changes.keys), "tokens_changed": changes.tokens}

    def _follow(self, pointer: Pointer, *, default_policy: bool = False) -> bool:
        """Load the snapshot ``pointer`` names; swap it in unless the pointer moved on
        meanwhile (then the next sync follows the newer one). ``default_policy``: at
        start, a pointer whose policy is not stored falls back to the configured one."""
        assert pointer.path is not None
        t0 = time.perf_counter()
        snapshot = open_recorded(pointer.path, pointer.snapshot_id)
        loaded = self.policy_by_hash(pointer.policy_hash or "")
        if loaded is None and default_policy:
            loaded = load_policy(self.settings.policy)
        if loaded is None:
            raise NotFoundError(f"the live policy {pointer.policy_hash!r} is not stored")
        book = self.evaluate(snapshot, loaded, today())
        with self.write_lock:
            with self.engine.connect() as conn:
                if read_pointer(conn) != pointer:  # another publish landed meanwhile
                    return False
            self.activate(snapshot, loaded, book)  # the state is read from the database
            self._pointer = pointer
        self.metrics.publish_seconds.set(time.perf_counter() - t0)
        log.info("followed a publish", snapshot_id=snapshot.id, publish=pointer.publish_seq)
        return True

    def policy_by_hash(self, policy_hash: str) -> LoadedPolicy | None:
        return policy_by_hash(self.engine, policy_hash)

    # ------------------------------------------------------------------ state
    def activate(self, snapshot: Snapshot, loaded: LoadedPolicy,
                 book: VerdictBookLike | None = None,
                 orgs: list[OrgFacts] | None = None) -> None:
        """Make ``snapshot`` live. With ``orgs`` (every organisation's new facts, as a
        publish computes them) and a live state, the new state is rebuilt in memory from
        the old one's accounts and keys; otherwise it is read from the database."""
        book = book or self.evaluate(snapshot, loaded, today())
        live = Live(snapshot, loaded, book, SnapshotResolver.for_snapshot(snapshot))
        self._swap(live, orgs)

    def _swap(self, live: Live, orgs: list[OrgFacts] | None) -> None:
        old = self.holder.state
        if orgs is not None and old is not None:
            state = old.rebuilt(snapshot_id=live.snapshot.id, policy=live.policy_ref,
                                rules=live.rules, orgs=orgs)
        else:
            state, self.detections, self.signal_book = read_state(
                self.engine, live, country_of=self.country_of, throttle=self.throttle,
                net_of=self.net_of)
        self.live = live
        self.holder.swap(state)

    def refresh(self, *, orgs: Sequence[str] = (), accounts_: Sequence[str] = (),
                keys: Sequence[str] = (), channels: Sequence[str] = ()) -> None:
        """Fold book changes into the live state (call with ``write_lock`` held).
        ``channels``: intermediaries whose agreement or end customers changed (their
        accounts and end-customer references are read again)."""
        state = self.holder.state
        if state is None:
            return
        book, ec_refs, orgs, accounts_ = refresh_signal_book(
            self.engine, self.signal_book, orgs=orgs, channels=channels, accounts_=accounts_)
        self.signal_book = book
        self.holder.swap(refresh_state(self.engine, state, orgs=orgs, accounts_=accounts_,
                                       keys=keys, detections=self.detections, book=book,
                                       ec_refs=ec_refs))

    def share_fanout(self, *, every: float = 5.0) -> None:
        """Publish this worker's busiest fan-out counters (``kv`` row ``fanout:<worker>``)
        and fold in the other workers' of the same window; at most every ``every``
        seconds (called from sync). Counts stay approximate and a sync interval stale."""
        import json as _json

        now = time.monotonic()
        if now - self._fanout_shared < every:
            return
        self._fanout_shared = now
        state = self.holder.state
        if state is None or state.rules.signals.resale is None:
            return
        from sqlalchemy import delete, insert

        from ringfence.store.tables import kv

        me = f"fanout:{self.ids.prefix}"
        mine = self.fanout.export(min_users=max(1, state.rules.signals.min_users // 3))
        with self.engine.begin() as conn:
            conn.execute(delete(kv).where(kv.c.key == me))
            conn.execute(insert(kv).values(key=me, value=_json.dumps(mine)))
            rows = conn.execute(select(kv.c.key, kv.c.value).where(
                kv.c.key.like("fanout:%"), kv.c.key != me)).all()
        self.fanout.absorb([_json.loads(r.value) for r in rows])

    def observe(self, account: str, user: str | None, country: str | None,
                network: str | None) -> tuple[int, int, int] | None:
        """The hot path's fan-out counter (``detect.fanout``, per worker): the account's
        (end users, countries, networks) once they cross the live policy's resale
        thresholds, else None."""
        state = self.holder.state
        if state is None:
            return None
        s = state.rules.signals
        if s.resale is None:
            return None
        counts = self.fanout.observe(account, now=time.time(), user=user, country=country,
                                     network=network)
        if crosses(counts, min_users=s.min_users, min_countries=s.min_countries,
                   min_networks=s.min_networks):
            return counts
        return None

    # ------------------------------------------------------------------ onboarding status
    def status_for(self, *, live: Live, match: Match | None, countries: list[str],
                   name: str | None = None
                   ) -> tuple[OrgStatus, list[dict[str, Any]], EntityVerdictLike | None]:
        verdict = live.book.get(match.entity_id) if match is not None else None
        settings = live.resolved.settings
        status, reasons = onboarding_status(
            match=match, verdict=verdict.verdict if verdict else None,
            verdict_bounds=(verdict.lower, verdict.upper) if verdict else None,
            declared_countries=countries, restricted_regions=settings.restricted_regions,
            policy_enabled=settings.enabled,
            name_disguise=name_disguise(name, match) if name else None)
        return status, [r.as_dict() for r in reasons], verdict

    # ------------------------------------------------------------------ publish
    def publish(self, path: str | Path, *, policy: str | Path | None = None,
                actor: str) -> dict[str, Any]:
        """Re-match and re-evaluate the whole book on a snapshot under a policy, then swap
        atomically (``publish.py`` has the steps). Every organisation's declaration is
        screened again (``rematch.py``: in bulk, off the lock; rows written meanwhile
        inside the transaction); those whose status changes get an event; an override
        whose entity or verdict changed stays in force and goes back to the queue."""
        t0 = time.perf_counter()
        snapshot = open_snapshot(path, verify=True)  # a damaged file is refused here
        if policy is not None:
            loaded = load_policy(policy)
        elif self.live is not None:
            loaded = self.live.loaded
        else:
            loaded = load_policy(self.settings.policy)
        book = self.evaluate(snapshot, loaded, today())
        live = Live(snapshot, loaded, book, SnapshotResolver.for_snapshot(snapshot))
        rescreener = Rescreener(live.resolver)
        with self.engine.connect() as conn:
            rescreener.book(read_book(conn))
        review = snapshot_review(snapshot, book).as_dict()  # the queue before it lands
        t_eval = time.perf_counter()
        with self.write_lock:
            previous = self.live.snapshot.id if self.live else None
            summary, event_ids, pointer, plan = write_publish(
                self.audit, live=live, path=path, actor=actor, previous=previous,
                rescreener=rescreener, review=review)
            t_db = time.perf_counter()
            self._swap(live, plan.facts)
            self._pointer = pointer
        t_end = time.perf_counter()
        try:
            self.anchor.export("publish")
        except Exception:  # committed and live; the next interval anchors it
            log.exception("could not anchor the audit head after a publish")
        self.metrics.publish_seconds.set(t_end - t0)
        timings = {"evaluate_and_rematch_s": round(t_eval - t0, 3),
                   "database_s": round(t_db - t_eval, 3),
                   "swap_s": round(t_end - t_db, 3), "total_s": round(t_end - t0, 3)}
        log.info("published", snapshot_id=snapshot.id, changed=len(plan.changed), **timings)
        return {**summary, "events": event_ids, "timings": timings}

    # ------------------------------------------------------------------ helpers
    def org_row(self, conn: Connection, org_id: str) -> Any:
        row = conn.execute(select(organizations).where(organizations.c.id == org_id)).first()
        if row is None:
            raise NotFoundError(f"no organization {org_id!r}", details={"org_id": org_id})
        return row

    def iter_orgs(self, *, status: str | None = None, review_due: bool | None = None,
                  limit: int = 100, offset: int = 0) -> Iterator[Any]:
        q = select(organizations).order_by(organizations.c.created_at, organizations.c.id)
        if status:
            q = q.where(organizations.c.status == status)
        if review_due is not None:  # stored as SQL NULL when not due (none_as_null)
            col = organizations.c.review_due
            q = q.where(col.is_not(None) if review_due else col.is_(None))
        with self.engine.connect() as conn:
            yield from conn.execute(q.limit(limit).offset(offset)).all()


def _warming(evaluate: Evaluator) -> Evaluator:
    """``evaluate``, then a read-ahead of what the first proof of the new book needs
    (``VerdictBook.warm``): a publish or a follow evaluates off the write lock, so the first
    organisation page after it does not pay for it (0.65 s at 1M entities)."""

    def run(snapshot: Snapshot, loaded: LoadedPolicy, as_of: dt.date) -> VerdictBookLike:
        book = evaluate(snapshot, loaded, as_of)
        try:
            book.warm()
            warm_pictures(snapshot)  # the console's ownership picture of this snapshot
        except Exception:  # a cache, never a reason to fail: the first proof reads it instead
            log.exception("could not read ahead for the first proof")
        return book

    return run
