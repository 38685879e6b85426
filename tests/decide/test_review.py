"""Analyst review rules (``decide/review.py``), without a database: four eyes and what a
publish does to an organisation and its override."""

from __future__ import annotations

import pytest

from ringfence.decide import Match, OrgStatus
from ringfence.decide.rematch import MatchChange, ReviewDue
from ringfence.decide.review import (
    check_approval,
    check_override_request,
    needs_approval,
    reassess,
)
from ringfence.exc import ConflictError, InputError, PermissionDeniedError

MATCH = Match("e1", 0.97, confident=True)


def _reassess(verdict: str | None, override: dict[str, str] | None = None,
              countries: tuple[str, ...] = (), enabled: bool = True):  # type: ignore[no-untyped-def]
    return reassess(match=MATCH, verdict=verdict, bounds=(0.0, 1.0),
                    declared_countries=countries, override=override,
                    restricted_regions=("CN", "RU"), policy_enabled=enabled)


def test_only_a_denied_organisation_needs_a_second_analyst() -> None:
    assert needs_approval("denied")
    assert not needs_approval("review") and not needs_approval("allowed")


def test_an_override_needs_a_reason_and_a_new_status() -> None:
    with pytest.raises(InputError, match="written reason"):
        check_override_request(current_status="review", status="allowed", reason="  ",
                               org_id="o")
    with pytest.raises(ConflictError, match="already allowed"):
        check_override_request(current_status="allowed", status="allowed", reason="x",
                               org_id="o")
    check_override_request(current_status="review", status="allowed", reason="x", org_id="o")


def test_four_eyes_refuses_the_requester_and_a_stale_request() -> None:
    ok = {"override_id": "ovr", "requested_by": "a", "from_status": "denied",
          "from_verdict": "restricted", "current_status": "denied",
          "current_verdict": "restricted"}
    check_approval(**ok, approver="b")
    with pytest.raises(PermissionDeniedError, match="four eyes"):
        check_approval(**ok, approver="a")
    with pytest.raises(ConflictError, match="changed"):
        check_approval(**{**ok, "current_verdict": "uncertain"}, approver="b")
    with pytest.raises(ConflictError, match="changed"):
        check_approval(**{**ok, "current_status": "review"}, approver="b")


def test_reassess_keeps_an_override_while_its_basis_holds() -> None:
    ov = {"status": "allowed", "verdict": "uncertain", "entity_id": "e1"}
    kept = _reassess("uncertain", ov)
    assert kept.computed_status is OrgStatus.REVIEW and kept.status is OrgStatus.ALLOWED
    assert kept.override == ov and kept.review_due is None
    assert kept.reason_codes == ("entity_uncertain", "analyst_override")


def test_an_override_stays_in_force_and_is_requeued_when_its_basis_changes() -> None:
    ov = {"status": "allowed", "verdict": "uncertain", "entity_id": "e1"}
    out = _reassess("restricted", ov)  # a new verdict
    assert out.override == ov and out.status is OrgStatus.ALLOWED
    assert out.computed_status is OrgStatus.DENIED
    assert out.review_due is ReviewDue.VERDICT_CHANGED
    moved = reassess(match=MATCH, verdict="uncertain", bounds=(0.0, 1.0),
                     declared_countries=(), override={**ov, "entity_id": "e0"},
                     restricted_regions=(), policy_enabled=True)  # another entity
    assert moved.review_due is ReviewDue.MATCH_CHANGED
    again = reassess(match=MATCH, verdict="uncertain", bounds=(0.0, 1.0),
                     declared_countries=(), override=ov, restricted_regions=(),
                     policy_enabled=True, change=MatchChange.CHANGED)
    assert again.review_due is ReviewDue.MATCH_CHANGED
    assert _reassess("restricted").review_due is None  # no override: nothing to requeue


def test_reassess_without_override_is_the_onboarding_table() -> None:
    assert _reassess("clear").status is OrgStatus.ALLOWED
    assert _reassess("clear", countries=("cn",)).status is OrgStatus.DENIED
    assert _reassess("restricted", enabled=False).status is OrgStatus.ALLOWED
    out = _reassess(None)
    assert out.status is OrgStatus.REVIEW and out.review_due is None
