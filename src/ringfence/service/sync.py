"""Following the database: what other processes committed, found cheaply.

Several processes serve one database (``uvicorn --workers N``, the CLI). Each keeps the
hot-path state in memory, so each must notice what the others wrote. Two reads, both small:

* **the live pointer** (:func:`read_pointer`): the ``kv`` rows a publish writes in its
  transaction (snapshot path and id, policy hash, the publish's ``snapshots.seq``). A
  process whose pointer differs loads that snapshot and swaps it in whole.
* **the book feed** (:func:`read_changes`): every book write appends an audit record in
  the same transaction, so the audit records after the last one seen name the
  organisations, accounts, keys and tokens that changed. Records are read up to the head
  read first: the head row is updated under a lock in the writer's transaction, so every
  record up to it is committed and none is skipped.

:class:`Syncer` runs the runtime's ``sync`` on a daemon thread every ``interval`` seconds.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import structlog
from sqlalchemy import Connection, select

from ringfence.exc import RingfenceError, SnapshotMovedError
from ringfence.snapshot import Snapshot, open_snapshot
from ringfence.snapshot.publish import kept_versions
from ringfence.store.tables import audit_head, audit_log, kv

__all__ = ["POINTER_KEYS", "BookChanges", "Pointer", "SnapshotMovedError", "Syncer",
           "open_recorded", "read_changes", "read_pointer"]

log = structlog.get_logger("ringfence.service")

POINTER_KEYS = ("live_snapshot_path", "live_snapshot_id", "live_policy_hash",
                "live_publish_seq")

# audit kind -> what its subject is
_ORG_KINDS = ("onboard", "analyst.override", "analyst.override_approved",
              "analyst.dismiss_candidate")
_ACCOUNT_KINDS = ("account.create", "account.update", "account.disable", "account.enable")
_KEY_KINDS = ("key.create", "key.revoke")
_TOKEN_KINDS = ("token.create", "token.revoke")
# an intermediary's agreement or end customers (service/channels.py): subject = its org id
_CHANNEL_KINDS = ("channel.create", "channel.end_customers")
# detection records that can change what the gateway enforces (service/findings.py)
DETECTION_KINDS = ("detect.case_confirmed", "detect.case_dismissed", "detect.case_approved",
                   "detect.inherit", "detect.case_updated")
FEED_KINDS = (*_ORG_KINDS, *_ACCOUNT_KINDS, *_KEY_KINDS, *_TOKEN_KINDS, *DETECTION_KINDS,
              *_CHANNEL_KINDS)


class Pointer(NamedTuple):
    """The live snapshot as the database records it; ``publish_seq`` is None for a
    database published before it was recorded."""

    path: str | None
    snapshot_id: str | None
    policy_hash: str | None
    publish_seq: str | None


def open_recorded(path: str, snapshot_id: str | None) -> Snapshot:
    """The snapshot a publish recorded: ``path`` is the folder as published (a pointer, see
    :mod:`ringfence.snapshot.publish`), and a later ingest into that folder moves it on
    without a publish. Then the recorded version is served while it is still kept (the one
    a later ingest replaced stays until the next one), and past that this fails closed with
    :class:`SnapshotMovedError` naming both snapshots."""
    snapshot = open_snapshot(path)
    if snapshot_id is None or snapshot.id == snapshot_id:
        return open_snapshot(snapshot.root, verify=True)  # a damaged file is refused here
    for version in kept_versions(path):
        try:
            kept = open_snapshot(version)
        except (OSError, ValueError, RingfenceError):
            continue
        if kept.id == snapshot_id:
            kept = open_snapshot(version, verify=True)
            log.warning("the published folder moved on; serving the recorded snapshot",
                        path=path, recorded=snapshot_id, current=snapshot.id)
            return kept
    raise SnapshotMovedError(
        f"the live snapshot {snapshot_id} is no longer at {path}: that folder now holds "
        f"snapshot {snapshot.id} (re-ingested since the publish) and {snapshot_id} was "
        f"removed; publish {path} to serve {snapshot.id}",
        details={"path": path, "recorded": snapshot_id, "current": snapshot.id})


def read_pointer(conn: Connection) -> Pointer:
    rows = conn.execute(select(kv.c.key, kv.c.value).where(kv.c.key.in_(POINTER_KEYS))).all()
    values = {r.key: r.value for r in rows}
    return Pointer(*(values.get(k) for k in POINTER_KEYS))


def audit_head_seq(conn: Connection) -> int:
    seq = conn.execute(select(audit_head.c.seq).where(audit_head.c.id == 1)).scalar()
    return int(seq or 0)


@dataclass(frozen=True)
class BookChanges:
    head: int  # the audit head read; the next read starts after it
    orgs: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    tokens: bool = False
    detections: bool = False  # a detection decision or link: re-read what is enforced
    records: int = 0
    channels: tuple[str, ...] = ()

    @property
    def book(self) -> bool:
        return bool(self.orgs or self.accounts or self.keys or self.channels)


def read_changes(conn: Connection, *, after: int) -> BookChanges:
    """The book changes recorded after audit record ``after``."""
    head = audit_head_seq(conn)
    if head <= after:
        return BookChanges(head=max(head, after))
    rows = conn.execute(select(audit_log.c.kind, audit_log.c.subject)
                        .where(audit_log.c.seq > after, audit_log.c.seq <= head,
                               audit_log.c.kind.in_(FEED_KINDS))
                        .order_by(audit_log.c.seq)).all()

    def subjects(kinds: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.subject for r in rows if r.kind in kinds))

    orgs = subjects(_ORG_KINDS)
    if any(r.kind == "channel.end_customers" for r in rows):
        # the end customers an attestation created or re-screened are in its payload
        extra: list[str] = []
        for (payload,) in conn.execute(select(audit_log.c.payload).where(
                audit_log.c.seq > after, audit_log.c.seq <= head,
                audit_log.c.kind == "channel.end_customers")).all():
            extra.extend(json.loads(payload).get("org_ids", []))
        orgs = tuple(dict.fromkeys([*orgs, *extra]))

    return BookChanges(head=head, orgs=orgs,
                       accounts=subjects(_ACCOUNT_KINDS), keys=subjects(_KEY_KINDS),
                       tokens=any(r.kind in _TOKEN_KINDS for r in rows),
                       detections=any(r.kind in DETECTION_KINDS for r in rows),
                       records=len(rows), channels=subjects(_CHANNEL_KINDS))


class Syncer:
    """Calls ``sync`` every ``interval`` seconds on a daemon thread; a failing call is
    logged and retried at the next tick (the request path enforces its own bounds)."""

    def __init__(self, sync: Callable[[], object], *, interval: float) -> None:
        self.sync = sync
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        def loop() -> None:
            while not self._stop.wait(self.interval):
                try:
                    self.sync()
                except Exception:
                    log.exception("sync with the database failed; retrying")

        self._stop.clear()
        self._thread = threading.Thread(target=loop, name="ringfence-sync", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
