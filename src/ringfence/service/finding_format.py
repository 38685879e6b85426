"""The findings format the service accepts: one ``findings.jsonl`` object per line.

The contract's keys (reference/request-logs.md §2: ``cluster_id, account_ids, org_ids,
action, score, first_flagged, evidence``) are required; the extra keys of
DETECT-CONTRACT.md (``checkpoint, fingerprints, excerpts, members``) are optional; unknown
keys are accepted and dropped. :func:`parse_findings` checks every line and refuses the
whole body on any problem, each problem naming its line, field and record (the
``cluster_id``). Times are normalised to UTC; excerpts are at most 5 of at most 200
characters (findings never carry whole prompts).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ringfence.audit import canonical
from ringfence.exc import IngestError, Problem

__all__ = [
    "ACTIONS",
    "HIGH_FIELDS",
    "RANK",
    "TEMPLATE_FIELDS",
    "EvidenceIn",
    "FindingIn",
    "FingerprintsIn",
    "MemberIn",
    "parse_findings",
]

ACTIONS = ("none", "review", "throttle", "suspend")
RANK = {a: i for i, a in enumerate(ACTIONS)}
Action = Literal["none", "review", "throttle", "suspend"]
HIGH_FIELDS = ("payment_fingerprint", "signup_device_fp")  # inherit at once
TEMPLATE_FIELDS = ("system_prompt_hash", "tools_hash", "skeleton")  # open a case
MAX_EXCERPTS, MAX_EXCERPT_CHARS = 5, 200
MAX_LINE_PROBLEMS = 1000


class _Loose(BaseModel):
    """Unknown keys are accepted and dropped (the contract may grow)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, allow_inf_nan=False)


Scalar = (float, int, str, bool, type(None))
_Id = Field(min_length=1, max_length=200)


class EvidenceIn(_Loose):
    signal: str = Field(min_length=1, max_length=100)
    value: Any = None
    weight: float
    detail: str = Field(max_length=2000)

    @field_validator("value")
    @classmethod
    def _value(cls, v: Any) -> Any:
        items = v if isinstance(v, list) else [v]
        if len(items) > 100:
            raise ValueError("at most 100 values")
        for x in items:
            if not isinstance(x, Scalar):
                raise ValueError("a number, string, boolean, null or a list of them")
            if isinstance(x, float) and not math.isfinite(x):
                raise ValueError("must be a finite number")
            if isinstance(x, str) and len(x) > 500:
                raise ValueError("a string value has at most 500 characters")
        return v


class MemberIn(_Loose):
    account_id: str = _Id
    org_id: str | None = Field(None, max_length=200)
    score: float | None = Field(None, ge=0, le=1)
    action: Action | None = None


class FingerprintsIn(_Loose):
    payment_fingerprint: list[str] = Field(default_factory=list, max_length=10_000)
    signup_device_fp: list[str] = Field(default_factory=list, max_length=10_000)
    system_prompt_hash: list[str] = Field(default_factory=list, max_length=10_000)
    tools_hash: list[str] = Field(default_factory=list, max_length=10_000)
    skeleton: list[str] = Field(default_factory=list, max_length=10_000)

    @field_validator("*")
    @classmethod
    def _short(cls, v: list[str]) -> list[str]:
        for item in v:
            if not 0 < len(item) <= 500:
                raise ValueError("each value is a hash or skeleton of 1 to 500 characters")
        return v


class FindingIn(_Loose):
    """One line of ``findings.jsonl`` (request-logs.md §2 and DETECT-CONTRACT.md)."""

    cluster_id: str = _Id
    account_ids: list[str] = Field(min_length=1, max_length=100_000)
    org_ids: list[str] = Field(max_length=100_000)
    action: Action
    score: float = Field(ge=0, le=1)
    first_flagged: str = Field(min_length=1, max_length=40)
    evidence: list[EvidenceIn] = Field(min_length=1, max_length=200)
    checkpoint: str | None = Field(None, max_length=40)
    fingerprints: FingerprintsIn = Field(default_factory=FingerprintsIn)
    excerpts: list[str] = Field(default_factory=list, max_length=MAX_EXCERPTS)
    members: list[MemberIn] = Field(default_factory=list, max_length=100_000)

    @field_validator("account_ids", "org_ids")
    @classmethod
    def _ids(cls, v: list[str]) -> list[str]:
        for item in v:
            if not 0 < len(item) <= 200:
                raise ValueError("each id has 1 to 200 characters")
        return list(dict.fromkeys(v))

    @field_validator("excerpts")
    @classmethod
    def _excerpts(cls, v: list[str]) -> list[str]:
        for item in v:
            if len(item) > MAX_EXCERPT_CHARS:
                raise ValueError(f"an excerpt has at most {MAX_EXCERPT_CHARS} characters "
                                 "(findings never carry whole prompts)")
        return v

    @field_validator("first_flagged", "checkpoint")
    @classmethod
    def _iso(cls, v: str | None) -> str | None:
        """Normalised to UTC with a ``Z`` (an offset is converted, a time without one is
        read as UTC), so checkpoints compare as strings and a version's digest does not
        depend on how its times were spelled."""
        if v is None:
            return v
        try:
            t = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError("must be an ISO-8601 time, e.g. 2026-03-02T05:00:00Z") from None
        t = t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t.astimezone(dt.UTC)
        return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def digest(self) -> str:
        return hashlib.sha256(canonical(self.model_dump(mode="json")).encode()).hexdigest()


def parse_findings(raw: bytes) -> list[tuple[int, FindingIn]]:
    """JSON lines to findings, with their line numbers (blank lines skipped). Every line is
    checked; any problem refuses the whole body, each problem naming line and field."""
    problems: list[Problem] = []
    out: list[tuple[int, FindingIn]] = []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise IngestError("the body is not UTF-8", problems=[Problem(
            "body", f"not UTF-8 at byte {err.start}", field="body")]) from None
    for n, line in enumerate(text.split("\n"), 1):  # not splitlines: U+2028 is JSON text
        if not line.strip():
            continue
        if len(problems) >= MAX_LINE_PROBLEMS:
            break
        try:  # the fast path: pydantic parses and validates the JSON text in one pass
            out.append((n, FindingIn.model_validate_json(line)))
            continue
        except ValidationError:
            pass  # parsed again below, to name the line, the field and the record
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            problems.append(Problem("body", f"not JSON: {err.msg} at column {err.colno}",
                                    line=n, field="body"))
            continue
        if not isinstance(obj, dict):
            problems.append(Problem("body", "a finding is a JSON object", line=n,
                                    field="body"))
            continue
        try:
            out.append((n, FindingIn.model_validate(obj)))
        except ValidationError as err:
            rec = obj.get("cluster_id") if isinstance(obj.get("cluster_id"), str) else None
            for e in err.errors(include_url=False):
                problems.append(Problem("body", str(e["msg"]), line=n,
                                        field=".".join(str(p) for p in e["loc"]),
                                        record=rec))
    if problems:
        first = problems[0]
        raise IngestError(f"{len(problems)} problem(s) in the findings; nothing was stored "
                          f"(first: line {first.line}, {first.field or 'line'}: "
                          f"{first.reason})", problems=problems)
    if not out:
        raise IngestError("no findings in the body",
                          problems=[Problem("body", "empty", field="body")])
    return out
