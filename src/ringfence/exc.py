"""One error tree for the whole package.

::

    RingfenceError                 code            http
    ├── InputError                 bad_input        422   a record or field is wrong
    │   ├── PolicyError            bad_policy       422   a policy file key is wrong
    │   └── IngestError            bad_records      422   one or more records rejected
    ├── NotFoundError              not_found        404   an entity, snapshot or policy is missing
    ├── ConflictError              conflict         409   the operation clashes with current state
    ├── PermissionDeniedError      forbidden        403   the caller's role may not do this
    └── IntegrityError             integrity        500   stored data failed a check (audit chain)

Each class carries its own ``code`` and ``http_status`` as class attributes, so a
subclass that forgets to set them inherits its parent's (never a silent default
argument). The service maps the tree to HTTP in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = [
    "ConflictError",
    "IngestError",
    "InputError",
    "IntegrityError",
    "NotFoundError",
    "PermissionDeniedError",
    "PolicyError",
    "Problem",
    "RingfenceError",
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


class IntegrityError(RingfenceError):
    code = "integrity"
    http_status = 500
