"""Events and their webhook delivery: signed, retried with backoff, de-duplicable.

Each event has an ``id``; every delivery carries it in ``x-ringfence-event-id`` (and the
body), so a receiver that sees an id twice drops the repeat. The signature is
``x-ringfence-signature: sha256=HEX(HMAC-SHA256(secret, timestamp + "." + body))`` with
``x-ringfence-timestamp`` the Unix time of that attempt. A failed attempt is retried after
``min(2**attempts, 300)`` seconds, up to ``max_attempts``; then the delivery is ``failed``.

A webhook registered for a channel (an intermediary's URL) gets only the events of its own
end customers, reduced to ``{id, ts, type: end_customer.status_changed, channel, ref,
status}``; its URL must be https and its host must resolve only to public addresses,
checked when it is registered and again at every send (:func:`check_public_url`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import structlog
from sqlalchemy import Connection, Engine, and_, insert, select, update

from ringfence.audit import now_iso
from ringfence.exc import InputError
from ringfence.store.tables import deliveries, end_customers, events, webhooks

__all__ = ["Deliverer", "check_public_url", "emit_event", "emit_events", "sign",
           "verify_signature"]

log = structlog.get_logger("ringfence.webhooks")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def check_public_url(url: str, *, resolve: Callable[[str], list[str]] | None = None) -> None:
    """Refuse (InputError) a URL that is not https or whose host is, or resolves to, a
    private, loopback, link-local, reserved or otherwise non-public address."""
    try:
        parsed = httpx.URL(url) if "://" in url else None
    except httpx.InvalidURL as err:  # control characters, a host IDNA refuses, ...
        raise InputError(f"the webhook URL is not a valid URL: {err}",
                         details={"field": "url"}) from None
    if parsed is None or parsed.scheme != "https" or not parsed.host:
        raise InputError("a channel webhook must be an https:// URL", details={"field": "url"})
    host = parsed.host
    try:
        addrs = [host] if _is_ip(host) else (resolve or _resolve)(host)
    except (OSError, UnicodeError) as err:  # UnicodeError: a label IDNA cannot encode
        raise InputError(f"the webhook host {host!r} does not resolve",
                         details={"field": "url"}) from err
    if not addrs:
        raise InputError(f"the webhook host {host!r} does not resolve",
                         details={"field": "url"})
    for a in addrs:
        ip = ipaddress.ip_address(a.split("%", 1)[0])
        if not ip.is_global or ip.is_multicast:
            raise InputError(f"the webhook host {host!r} is at a non-public address ({ip})",
                             details={"field": "url", "address": str(ip)})


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _resolve(host: str) -> list[str]:
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, 443,
                                                                  type=socket.SOCK_STREAM)})


def _hooks_for(conn: Connection, org_ids: list[str | None]) -> dict[str | None, list[str]]:
    """org id -> webhooks to deliver its event to: every global webhook, plus the channel
    webhooks of the intermediaries it is an end customer of."""
    rows = conn.execute(select(webhooks.c.id, webhooks.c.channel_id)
                        .where(webhooks.c.active.is_(True))).all()
    glob = [h.id for h in rows if h.channel_id is None]
    by_channel: dict[str, list[str]] = {}
    for h in rows:
        if h.channel_id is not None:
            by_channel.setdefault(h.channel_id, []).append(h.id)
    out: dict[str | None, list[str]] = {o: list(glob) for o in org_ids}
    wanted = [o for o in set(org_ids) if o is not None]
    if by_channel and wanted:
        for r in conn.execute(select(end_customers.c.org_id, end_customers.c.channel_id)
                              .where(end_customers.c.org_id.in_(wanted))).all():
            out[r.org_id].extend(by_channel.get(r.channel_id, []))
    return out


def emit_event(conn: Connection, *, type: str, org_id: str | None,
               payload: dict[str, Any]) -> str:
    """Insert an event and a pending delivery per active webhook (caller's transaction)."""
    event_id = uuid.uuid4().hex
    ts = now_iso()
    conn.execute(insert(events).values(id=event_id, ts=ts, type=type, org_id=org_id,
                                       payload=payload))
    hooks = _hooks_for(conn, [org_id])[org_id]
    if hooks:
        conn.execute(insert(deliveries), [
            {"event_id": event_id, "webhook_id": h, "state": "pending", "attempts": 0,
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
    hooks = _hooks_for(conn, [o for _t, o, _p in items])
    todo = [{"event_id": r["id"], "webhook_id": h, "state": "pending", "attempts": 0,
             "next_at": ts} for r, (_t, o, _p) in zip(rows, items, strict=True)
            for h in hooks[o]]
    if todo:
        conn.execute(insert(deliveries), todo)
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
        self.resolve: Callable[[str], list[str]] | None = None  # tests: a fixed resolver

    def _channel_body(self, r: Any) -> bytes:
        """What an intermediary may see of an event: its own ref and the new status."""
        with self.engine.connect() as conn:
            ref = conn.execute(select(end_customers.c.ref).where(
                end_customers.c.channel_id == r.channel_id,
                end_customers.c.org_id == r.org_id)).scalar()
        payload = r.payload or {}
        return json.dumps({"id": r.event_id, "ts": r.ts, "type": "end_customer.status_changed",
                           "channel": r.channel_id, "ref": ref, "status": payload.get("to")},
                          sort_keys=True).encode()

    def run_once(self, *, limit: int = 100) -> int:
        now = now_iso()
        q = (select(deliveries, events.c.ts, events.c.type, events.c.org_id, events.c.payload,
                    webhooks.c.url, webhooks.c.secret, webhooks.c.channel_id)
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
                if r.channel_id is not None:
                    body = self._channel_body(r)
                else:
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
                    if r.channel_id is not None:  # resolved and checked at send time
                        check_public_url(r.url, resolve=self.resolve)
                    resp = client.post(r.url, content=body, headers=headers)
                    if resp.status_code >= 300:
                        error = f"HTTP {resp.status_code}"
                except httpx.HTTPError as err:
                    error = f"{type(err).__name__}: {err}"
                except InputError as err:
                    error = f"refused: {err}"
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
