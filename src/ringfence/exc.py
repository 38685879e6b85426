"""One error tree for the whole package.

::

    RingfenceError                 code            http
    ├── InputError                 bad_input        422   a record or field is wrong
    │   ├── PolicyError            bad_policy       422   a policy file key is wrong
    │   ├── IngestError            bad_records      422   one or more records rejected
    │   └── PayloadTooLargeError   too_large        413   a request body over its route's limit
    ├── NotFoundError              not_found        404   an entity, snapshot or policy is missing
    ├── ConflictError              conflict         409   the operation clashes with current state
    │   └── SnapshotMovedError     conflict         409   the live snapshot's folder moved on
    ├── PermissionDeniedError      forbidden        403   the caller's role may not do this
    │   └── AuthenticationError    unauthenticated  401   no token, or an unknown one
    ├── RateLimitedError           rate_limited     429   too many calls in the window
    ├── ServiceUnavailableError    unavailable      503   a check cannot be made: fail closed
    │   └── NotReadyError          not_ready        503   no snapshot loaded yet
    ├── NotConfiguredError         not_configured   503   used before its entry point set it up
    └── IntegrityError             integrity        500   stored data failed a check (audit chain)

Each class carries its own ``code`` and ``http_status`` as class attributes, so a
subclass that forgets to set them inherits its parent's (never a silent default
argument). The service maps the tree to HTTP in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = [
    "AuthenticationError",
    "ConflictError",
    "IngestError",
    "InputError",
    "IntegrityError",
    "NotConfiguredError",
    "NotFoundError",
    "NotReadyError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "PolicyError",
    "Problem",
    "RateLimitedError",
    "RingfenceError",
    "ServiceUnavailableError",
    "SnapshotMovedError",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record: where it is and why it is wrong."""

    location: str  # file path, policy key path, or record id
    reason: str
    line: int | None = None
    field: str | None = None
    record: str | None = None

    def __str__(self) -> str:
        where = self.location
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            where += f" [{self.field}]"
        if self.record:
            where += f" (record {self.record})"
        return f"{where}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "location": self.location,
            "line": self.line,
            "field": self.field,
            "record": self.record,
            "reason": self.reason,
        }


class RingfenceError(Exception):
    code: ClassVar[str] = "error"
    http_status: ClassVar[int] = 500

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class InputError(RingfenceError):
    code = "bad_input"
    http_status = 422


class _ProblemsError(InputError):
    """An input error that lists every problem found, each naming where it is."""

    def __init__(self, message: str, *, problems: list[Problem] | None = None) -> None:
        self.problems = problems or []
        super().__init__(
            message, details={"problems": [p.as_dict() for p in self.problems[:1000]]}
        )


class PolicyError(_ProblemsError):
    """A policy file is invalid; ``problems`` name each key path."""

    code = "bad_policy"


class IngestError(_ProblemsError):
    """Records were rejected; ``problems`` name file, line, field and reason for each."""

    code = "bad_records"


class NotFoundError(RingfenceError):
    code = "not_found"
    http_status = 404


class ConflictError(RingfenceError):
    code = "conflict"
    http_status = 409


class PermissionDeniedError(RingfenceError):
    code = "forbidden"
    http_status = 403


class NotConfiguredError(RingfenceError):
    """A component was used before its entry point handed it what it needs (the name
    dictionaries, say): a setup fault, never a verdict."""

    code = "not_configured"
    http_status = 503


class AuthenticationError(PermissionDeniedError):
    """No bearer token, or one that is not known (as opposed to a known token whose role
    may not do this, which is :class:`PermissionDeniedError`)."""

    code = "unauthenticated"
    http_status = 401


class ServiceUnavailableError(RingfenceError):
    """The service cannot make the check a request needs (fail closed), e.g. the token list
    is older than its bound and cannot be re-read. Retry later."""

    code = "unavailable"
    http_status = 503


class NotReadyError(ServiceUnavailableError):
    """No snapshot is loaded yet (``/readyz`` answers 503 too). Retry once it is."""

    code = "not_ready"


class PayloadTooLargeError(InputError):
    """The request body is over the route's limit (``service/limits.py``)."""

    code = "too_large"
    http_status = 413


class RateLimitedError(RingfenceError):
    """Too many calls in the window (an intermediary's attestations, ``service/channels.py``)."""

    code = "rate_limited"
    http_status = 429


class SnapshotMovedError(ConflictError):
    """The folder the database records as live now shows another snapshot, and the
    recorded one is no longer kept beside it: this process cannot serve what the database
    says is live (``service/sync.py``)."""


class IntegrityError(RingfenceError):
    code = "integrity"
    http_status = 500
