"""Console sessions: an analyst's or admin's token exchanged once for a session.

The application layer of the console's sign-in; the cookie and the pages are
``service/console/``. A session is a random secret the browser holds in an HttpOnly cookie;
the database keeps only its SHA-256 (``console_sessions.id``), the token it was opened
with, its CSRF token and its expiry. Every request reads the session *and its token's row*
again, so the role is never taken from the client and revoking the token ends its sessions
at once.

Only the ``analyst`` and ``admin`` roles may sign in (:data:`CONSOLE_ROLES`); a gateway,
detector or intermediary token is refused like an unknown one, as an audited failure.
Failed attempts are limited per client address (:class:`SignInLimiter`: ``MAX_FAILURES``
in ``WINDOW_SECONDS``, per worker); past the limit even a right token is refused until the
window has passed. Sign-in, refusals and sign-out are audit records (``console.*``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass

from sqlalchemy import insert, select, update

from ringfence.audit import now_iso
from ringfence.exc import PermissionDeniedError
from ringfence.service.errors import AuthenticationError, RateLimitedError
from ringfence.service.runtime import Runtime
from ringfence.store.tables import console_sessions, tokens

__all__ = ["CONSOLE_ROLES", "MAX_FAILURES", "NewSession", "Session", "SignInLimiter",
           "csrf_ok", "session_of", "sign_in", "sign_out"]

CONSOLE_ROLES = ("analyst", "admin")
MAX_FAILURES = 5
WINDOW_SECONDS = 900.0


@dataclass(frozen=True, slots=True)
class Session:
    """A live session as read from the database (never from the client)."""

    id: str  # the SHA-256 of the cookie secret
    token_id: str
    role: str
    label: str
    csrf: str
    expires_at: str


@dataclass(frozen=True, slots=True)
class NewSession:
    secret: str  # for the cookie, shown once
    session: Session


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class SignInLimiter:
    """At most ``max_failures`` failed sign-ins per client address in ``window`` seconds."""

    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW_SECONDS
                 ) -> None:
        self.max_failures = max_failures
        self.window = window
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        q = self._fails.setdefault(client, deque())
        while q and now - q[0] >= self.window:
            q.popleft()
        return q

    def check(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            q = self._recent(client, now)
            if len(q) >= self.max_failures:
                raise RateLimitedError(
                    f"too many failed sign-ins from this address; try again in "
                    f"{int(self.window - (now - q[0])) + 1} s",
                    details={"retry_after_seconds": int(self.window - (now - q[0])) + 1})

    def failed(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(client, now).append(now)
            if len(self._fails) > 100_000:  # bound the memory an address sweep can take
                self._fails = {k: v for k, v in self._fails.items() if v}


_LIMITERS: dict[int, SignInLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def limiter(rt: Runtime) -> SignInLimiter:
    with _LIMITERS_LOCK:
        lim = _LIMITERS.get(id(rt))
        if lim is None:
            lim = _LIMITERS[id(rt)] = SignInLimiter()
        return lim


def _refuse(rt: Runtime, *, client: str, why: str, token_id: str | None) -> None:
    limiter(rt).failed(client)
    rt.audit.record(kind="console.sign_in_refused", actor=token_id or "anonymous",
                    subject=client[:64], payload={"why": why})


def sign_in(rt: Runtime, *, secret: str, client: str) -> NewSession:
    """Open a session for an analyst's or admin's token (AuthenticationError for an unknown
    or revoked token, PermissionDeniedError for another role, RateLimitedError past the
    failures allowed from ``client``)."""
    lim = limiter(rt)
    lim.check(client)
    hit = rt.token_identity(secret.strip()) if secret.strip() else None
    if hit is None:
        _refuse(rt, client=client, why="unknown or revoked token", token_id=None)
        raise AuthenticationError("unknown or revoked token")
    if hit.role not in CONSOLE_ROLES:
        _refuse(rt, client=client, why=f"role {hit.role} may not sign in", token_id=hit.token_id)
        raise PermissionDeniedError(f"a {hit.role} token cannot sign in to the console; "
                                    "use an analyst or admin token",
                                    details={"role": hit.role, "allowed": list(CONSOLE_ROLES)})
    cookie = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC)
    expires = _iso(now + dt.timedelta(seconds=rt.settings.console_session_seconds))
    sid = _digest(cookie)
    with rt.audit.transaction() as conn:
        label = conn.execute(select(tokens.c.label).where(tokens.c.id == hit.token_id)
                             ).scalar_one_or_none() or ""
        conn.execute(insert(console_sessions).values(
            id=sid, token_id=hit.token_id, csrf=csrf, created_at=_iso(now),
            expires_at=expires, ended_at=None, client=client[:64]))
        rt.audit.append(conn, kind="console.sign_in", actor=hit.token_id, subject=sid[:16],
                        payload={"role": hit.role, "client": client[:64],
                                 "expires_at": expires})
    return NewSession(cookie, Session(sid, hit.token_id, hit.role, label, csrf, expires))


def session_of(rt: Runtime, secret: str | None) -> Session | None:
    """The live session the cookie names: not signed out, not expired, its token not
    revoked. None otherwise."""
    if not secret or len(secret) > 200:
        return None
    q = (select(console_sessions.c.id, console_sessions.c.token_id, console_sessions.c.csrf,
                console_sessions.c.expires_at, tokens.c.role, tokens.c.label)
         .join(tokens, tokens.c.id == console_sessions.c.token_id)
         .where(console_sessions.c.id == _digest(secret),
                console_sessions.c.ended_at.is_(None),
                console_sessions.c.expires_at > now_iso(),
                tokens.c.revoked_at.is_(None)))
    with rt.engine.connect() as conn:
        row = conn.execute(q).first()
    if row is None or row.role not in CONSOLE_ROLES:
        return None
    return Session(row.id, row.token_id, row.role, row.label or "", row.csrf, row.expires_at)


def sign_out(rt: Runtime, session: Session) -> None:
    with rt.audit.transaction() as conn:
        conn.execute(update(console_sessions).where(console_sessions.c.id == session.id)
                     .values(ended_at=now_iso()))
        rt.audit.append(conn, kind="console.sign_out", actor=session.token_id,
                        subject=session.id[:16], payload={})


def csrf_ok(session: Session, presented: str | None) -> bool:
    """The form's (or htmx header's) CSRF token is the session's, compared in constant
    time."""
    return bool(presented) and hmac.compare_digest(session.csrf.encode(),
                                                   (presented or "").encode())
