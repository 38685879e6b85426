"""Bearer tokens and roles.

=========  =====================================================================
role       may
=========  =====================================================================
gateway    decide (``/v1/decide``, ``/v1/ext_authz``)
analyst    read the book, decisions, events and audit; onboard; review; override
admin      publish snapshots and policies, tokens (create, list, revoke), webhooks,
           audit verification
detector   post detection findings (``/v1/findings``) and nothing else
intermediary  its own channel only: attest end customers, read their statuses and its
           scorecard (``/v1/channels/{its id}/...``); nothing else
=========  =====================================================================

Each route names the roles it admits; any other role gets 403, no token or an unknown one
401. Tokens are stored as SHA-256 hashes (they are 256-bit random, so a slow hash adds
nothing) and are shown once when created. A revoked token is unknown: 401 on every path,
within the bound :mod:`ringfence.service.tokens` describes; when that bound cannot be kept
(the token list is out of date and the database unreadable) the answer is 503.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from ringfence.exc import PermissionDeniedError
from ringfence.service.errors import AuthenticationError
from ringfence.service.runtime import Runtime

__all__ = ["Identity", "bearer", "require", "runtime_of"]


@dataclass(frozen=True, slots=True)
class Identity:
    token_id: str
    role: str
    channel: str | None = None  # the intermediary's organisation id (role intermediary)

    def check_channel(self, channel_id: str) -> None:
        """An intermediary token may act on its own channel only (403 otherwise)."""
        if self.role == "intermediary" and self.channel != channel_id:
            raise PermissionDeniedError("this token belongs to another intermediary",
                                        details={"role": self.role, "channel": channel_id})


def runtime_of(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def bearer(value: str | None) -> str | None:
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _verify(found: tuple[str, str, str | None] | None, roles: tuple[str, ...]) -> Identity:
    if found is None:
        raise AuthenticationError("unknown or revoked token")
    token_id, role, channel = found
    if role not in roles:
        raise PermissionDeniedError(f"role {role!r} may not do this; needs {' or '.join(roles)}",
                                    details={"role": role, "allowed": list(roles)})
    return Identity(token_id, role, channel)


def check(rt: Runtime, secret: str | None, roles: tuple[str, ...]) -> Identity:
    if secret is None:
        raise AuthenticationError("a bearer token is required")
    return _verify(rt.token_identity(secret), roles)


async def check_async(rt: Runtime, secret: str | None, roles: tuple[str, ...]) -> Identity:
    """As :func:`check`, without blocking the event loop: the database is asked (in a
    worker thread) only when the token is not in the in-memory cache."""
    if secret is None:
        raise AuthenticationError("a bearer token is required")
    found = rt.token_cached(secret)
    if found is None:
        found = await run_in_threadpool(rt.token_identity, secret)
    return _verify(found, roles)


def require(*roles: str) -> Callable[[Request], Awaitable[Identity]]:
    """A dependency admitting only ``roles`` (bearer token in ``Authorization``; never a
    cookie, so no API route can be driven by another site: the console has its own session
    cookie with CSRF, ``service/console/web.py``)."""

    async def dependency(request: Request) -> Identity:
        secret = bearer(request.headers.get("authorization"))
        return await check_async(runtime_of(request), secret, roles)

    dependency.__name__ = f"require_{'_'.join(roles)}"
    dependency.roles = roles  # type: ignore[attr-defined]
    return dependency
