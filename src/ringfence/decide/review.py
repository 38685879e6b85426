"""Analyst review as pure rules: four eyes, and what a publish does to an organisation.

The service's book and publish orchestrate these with the database; the rules themselves
read plain values and return plain values, so they are tested without one.

Four eyes
    Overriding a *denied* organisation (to allowed or review) waits as ``pending`` until a
    second, different analyst approves it; any other override applies at once
    (:func:`needs_approval`). The requester cannot approve their own request, and a
    request is stale once the organisation's status or verdict moved since it was made
    (:func:`check_approval`).

Re-assessment at publish (:func:`reassess`)
    A publish re-matches every organisation (``rematch.py``); its computed status is the
    onboarding table (``onboarding.py``) on the new match's verdict. An analyst override is
    bound to the entity and verdict it was made against: when either changes the override
    stays in force and the organisation is put back in the review queue (``review_due``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ringfence.decide.onboarding import Match, onboarding_status
from ringfence.decide.reasons import Reason
from ringfence.decide.rematch import (
    MatchChange,
    ReviewDue,
    override_review_due,
    reopened_review_due,
)
from ringfence.decide.rules import OrgStatus
from ringfence.exc import ConflictError, InputError, PermissionDeniedError

__all__ = ["Reassessment", "check_approval", "check_override_request", "needs_approval",
           "reassess"]


def needs_approval(current_status: str) -> bool:
    """An override of a denied organisation needs a second analyst (four eyes)."""
    return current_status == OrgStatus.DENIED


def check_override_request(*, current_status: str, status: str, reason: str,
                           org_id: str) -> None:
    """Refuse an override without a written reason, or to the status already in force."""
    if not reason.strip():
        raise InputError("an override needs a written reason", details={"field": "reason"})
    if status == current_status:
        raise ConflictError(f"organization {org_id} is already {status}")


def check_approval(*, override_id: str, requested_by: str, approver: str,
                   from_status: str, from_verdict: str | None,
                   current_status: str, current_verdict: str | None) -> None:
    """Refuse the requester's own approval, and an approval of a request the organisation
    has moved on from (its status or verdict changed since)."""
    if requested_by == approver:
        raise PermissionDeniedError(
            "four eyes: the analyst who requested an override cannot approve it",
            details={"override_id": override_id, "requested_by": requested_by})
    if current_status != from_status or current_verdict != from_verdict:
        raise ConflictError("the organization changed since the override was requested; "
                            "request it again",
                            details={"status": current_status, "verdict": current_verdict})


@dataclass(frozen=True)
class Reassessment:
    """An organisation under a newly published verdict."""

    computed_status: OrgStatus
    reasons: tuple[Reason, ...]
    status: OrgStatus  # in force: the override's when there is one, else the computed one
    override: Mapping[str, Any] | None
    review_due: ReviewDue | None  # put back in the queue by this publish, and why

    @property
    def reason_codes(self) -> tuple[str, ...]:
        codes = tuple(r.code.value for r in self.reasons)
        return (*codes, "analyst_override") if self.override else codes


def reassess(*, match: Match | None, verdict: str | None,
             bounds: tuple[float, float] | None, declared_countries: Sequence[str],
             override: Mapping[str, Any] | None, restricted_regions: Sequence[str],
             policy_enabled: bool,
             name_disguise: Mapping[str, Any] | None = None,
             change: MatchChange = MatchChange.SAME,
             ended: Sequence[Mapping[str, Any]] = ()) -> Reassessment:
    """The organisation's computed status on its (re-)match and verdict, the status in
    force, and whether it goes back to the queue: its override's basis changed
    (``change``: how the match moved) or a dismissed candidate whose data changed
    (``ended``) is its match again. ``name_disguise`` as ``onboarding_status`` takes it."""
    computed, reasons = onboarding_status(
        match=match, verdict=verdict, verdict_bounds=bounds,
        declared_countries=declared_countries, restricted_regions=restricted_regions,
        policy_enabled=policy_enabled, name_disguise=name_disguise)
    due = (override_review_due(override, entity_id=match.entity_id if match else None,
                               verdict=verdict, change=change)
           or reopened_review_due(ended, match))
    status = OrgStatus(override["status"]) if override else computed
    return Reassessment(computed, reasons, status, override or None, due)
