"""Events and their webhook delivery: signed, retried with backoff, de-duplicable.

Each event has an ``id``; every delivery carries it in ``x-ringfence-event-id`` (and the
body), so a receiver that sees an id twice drops the repeat. The signature is
``x-ringfence-signature: sha256=HEX(HMAC-SHA256(secret, timestamp + "." + body))`` with
``x-ringfence-timestamp`` the Unix time of that attempt. A failed attempt is retried after
``min(2**attempts, 300)`` seconds, up to ``max_attempts``; then the delivery is ``failed``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import structlog
from sqlalchemy import Connection, Engine, and_, insert, select, update

from ringfence.audit import now_iso
from ringfence.store.tables import deliveries, events, webhooks

__all__ = ["Deliverer", "emit_event", "emit_events", "sign", "verify_signature"]

log = structlog.get_logger("ringfence.webhooks")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def emit_event(conn: Connection, *, type: str, org_id: str | None,
               payload: dict[str, Any]) -> str:
    """Insert an event and a pending delivery per active webhook (caller's transaction)."""
    event_id = uuid.uuid4().hex
    ts = now_iso()
    conn.execute(insert(events).values(id=event_id, ts=ts, type=type, org_id=org_id,
                                       payload=payload))
    hooks = conn.execute(select(webhooks.c.id).where(webhooks.c.active.is_(True))).all()
    if hooks:
        conn.execute(insert(deliveries), [
            {"event_id": event_id, "webhook_id": h.id, "state": "pending", "attempts": 0,
             "next_at": ts} for h in hooks])
    return event_id


def emit_events(conn: Connection, items: list[tuple[str, str | None, dict[str, Any]]]
                ) -> list[str]:
    """Many events at once (``(type, org_id, payload)`` each): two bulk inserts."""
    if not items:
        return []
    ts = now_iso()
    rows = [{"id": uuid.uuid4().hex, "ts": ts, "type": t, "org_id": o, "payload": p}
            for t, o, p in items]
    conn.execute(insert(events), rows)
    hooks = conn.execute(select(webhooks.c.id).where(webhooks.c.active.is_(True))).all()
    if hooks:
        conn.execute(insert(deliveries), [
            {"event_id": r["id"], "webhook_id": h.id, "state": "pending", "attempts": 0,
             "next_at": ts} for r in rows for h in hooks])
    return [str(r["id"]) for r in rows]


def _later(seconds: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")


class Deliverer:
    """Delivers pending events; :meth:`run_once` is what the background thread repeats."""

    def __init__(self, engine: Engine, *, max_attempts: int = 8, interval: float = 1.0,
                 client: Callable[[], httpx.Client] | None = None) -> None:
        self.engine = engine
        self.max_attempts = max_attempts
        self.interval = interval
        self._client = client or (lambda: httpx.Client(timeout=5.0))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self, *, limit: int = 100) -> int:
        now = now_iso()
        q = (select(deliveries, events.c.ts, events.c.type, events.c.org_id, events.c.payload,
                    webhooks.c.url, webhooks.c.secret)
             .join(events, events.c.id == deliveries.c.event_id)
             .join(webhooks, webhooks.c.id == deliveries.c.webhook_id)
             .where(and_(deliveries.c.state == "pending", deliveries.c.next_at <= now))
             .order_by(events.c.seq).limit(limit))
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        if not rows:
            return 0
        done = 0
        with self._client() as client:
            for r in rows:
                body = json.dumps({"id": r.event_id, "ts": r.ts, "type": r.type,
                                   "org_id": r.org_id, "payload": r.payload},
                                  sort_keys=True).encode()
                stamp = str(int(time.time()))
                headers = {"content-type": "application/json",
                           "x-ringfence-event-id": r.event_id,
                           "x-ringfence-timestamp": stamp,
                           "x-ringfence-signature": sign(r.secret, stamp, body)}
                error = None
                try:
                    resp = client.post(r.url, content=body, headers=headers)
                    if resp.status_code >= 300:
                        error = f"HTTP {resp.status_code}"
                except httpx.HTTPError as err:
                    error = f"{type(err).__name__}: {err}"
                attempts = int(r.attempts) + 1
                if error is None:
                    values: dict[str, Any] = {"state": "delivered", "attempts": attempts,
                                              "delivered_at": now_iso(), "last_error": None}
                    done += 1
                elif attempts >= self.max_attempts:
                    values = {"state": "failed", "attempts": attempts, "last_error": error}
                else:
                    values = {"attempts": attempts, "last_error": error,
                              "next_at": _later(min(2.0 ** attempts, 300.0))}
                with self.engine.begin() as conn:
                    conn.execute(update(deliveries).where(and_(
                        deliveries.c.event_id == r.event_id,
                        deliveries.c.webhook_id == r.webhook_id)).values(**values))
                if error:
                    log.warning("webhook delivery failed", event_id=r.event_id, url=r.url,
                                attempts=attempts, error=error)
        return done

    def start(self) -> None:
        def loop() -> None:
            while not self._stop.wait(self.interval):
                try:
                    self.run_once()
                except Exception:  # keep delivering after a database hiccup
                    log.exception("webhook deliverer error")

        self._thread = threading.Thread(target=loop, name="ringfence-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
