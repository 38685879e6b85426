"""The token list the request path checks, and the bound on how old it may be.

Every request's bearer token is looked up in memory. The list is the ``tokens`` table's
unrevoked rows as read by one query, and it is trusted for ``max_age`` seconds counted
from the moment that query *began*. So a token revoked (committed) at time T is refused by
every request that arrives after ``T + max_age``, in every process:

* the process that revokes re-reads the list at once (:meth:`TokenCache.forget`, then
  :meth:`TokenCache.reload`);
* the runtime's sync thread re-reads it every ``max_age / 2`` seconds, so requests
  normally never wait;
* when the list is older than ``max_age`` anyway (the sync thread is off or behind, the
  database slow), the request re-reads it before it is answered, and when that read fails
  the request is refused with 503 ``unavailable``: fail closed, never a stale yes.

A token missing from the list (created since, by another process) is looked up in the
database; a hit is added to the list it was missed in, which never outlives its own bound.

While the database cannot be read every request is refused at once: the failed re-read is
logged as one line (not a traceback) at most once per ``max_age``, outside the re-read
lock, so an outage costs neither a log flood nor requests queueing behind the logger.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from typing import NamedTuple

import structlog
from sqlalchemy import Engine, select

from ringfence.service.errors import ServiceUnavailableError
from ringfence.store.tables import tokens

__all__ = ["TokenCache", "TokenHit"]

log = structlog.get_logger("ringfence.service")


class TokenHit(NamedTuple):
    token_id: str
    role: str
    channel: str | None = None  # an intermediary token's channel (organisation id)


class _Listing(NamedTuple):
    read_at: float  # time.monotonic() when the query that read ``by_hash`` began
    by_hash: dict[str, TokenHit]


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenCache:
    def __init__(self, engine: Engine, *, max_age: float) -> None:
        self.engine = engine
        self.max_age = max_age
        # one reference, replaced whole: a reader never pairs a new time with an old list
        self._listing = _Listing(-math.inf, {})
        self._reload_lock = threading.Lock()  # one re-read at a time from the request path
        self._swap_lock = threading.Lock()
        self._reported = -math.inf  # when a failure was last logged (time.monotonic())

    def fresh(self) -> bool:
        return time.monotonic() - self._listing.read_at <= self.max_age

    def cached(self, secret: str) -> TokenHit | None:
        """The hot path: a hit from a list within its bound, else None (the caller then
        asks :meth:`identity`, off the event loop)."""
        listing = self._listing
        if time.monotonic() - listing.read_at > self.max_age:
            return None
        return listing.by_hash.get(_digest(secret))

    def identity(self, secret: str) -> TokenHit | None:
        """The token's id and role, or None when it is unknown or revoked. Re-reads the list
        first when it is too old; raises :class:`ServiceUnavailableError` when the
        database cannot be read."""
        self.ensure_fresh()
        listing = self._listing
        digest = _digest(secret)
        hit = listing.by_hash.get(digest)
        if hit is not None:
            return hit
        try:
            with self.engine.connect() as conn:
                row = conn.execute(select(tokens.c.id, tokens.c.role, tokens.c.channel_id).where(
                    tokens.c.hash == digest, tokens.c.revoked_at.is_(None))).first()
        except Exception as err:
            self._report("token lookup failed", err)
            raise ServiceUnavailableError("the token could not be checked; retry") from err
        if row is None:
            return None
        hit = TokenHit(row.id, row.role, row.channel_id)
        listing.by_hash[digest] = hit  # the list it was missed in: same bound
        return hit

    def ensure_fresh(self) -> None:
        if self.fresh():
            return
        with self._reload_lock:
            if self.fresh():  # another thread re-read it while we waited
                return
            try:
                self.reload()
                return
            except Exception as err:
                failure = err
        self._report("token list could not be re-read; refusing tokens", failure)
        raise ServiceUnavailableError(
            "the token list is out of date and could not be re-read; retry",
            details={"max_age_seconds": self.max_age}) from failure

    def _report(self, what: str, err: Exception) -> None:
        now = time.monotonic()
        if now - self._reported < self.max_age:
            return
        self._reported = now
        log.error(what, error=f"{type(err).__name__}: {err}".splitlines()[0])

    def reload(self) -> None:
        """Re-read the unrevoked tokens (raises when the database cannot be read)."""
        started = time.monotonic()
        with self.engine.connect() as conn:
            rows = conn.execute(select(tokens.c.id, tokens.c.hash, tokens.c.role,
                                        tokens.c.channel_id)
                                .where(tokens.c.revoked_at.is_(None))).all()
        listing = _Listing(started, {r.hash: TokenHit(r.id, r.role, r.channel_id)
                                         for r in rows})
        with self._swap_lock:
            if started >= self._listing.read_at:  # an older, slower read never wins
                self._listing = listing

    def forget(self, token_hash: str) -> None:
        """Drop one token from the list now (the revoking process, before it re-reads)."""
        with self._swap_lock:
            listing = self._listing
            self._listing = _Listing(listing.read_at, {
                h: hit for h, hit in listing.by_hash.items() if h != token_hash})
