"""Analyst review rules (``decide/review.py``), without a database: four eyes and what a
publish does to an organisation and its override."""

from __future__ import annotations

import pytest

from ringfence.decide import Match, OrgStatus
from ringfence.decide.review import (
    check_approval,
    check_override_request,
    needs_approval,
    override_lapses,
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


def test_an_override_lapses_exactly_when_its_verdict_changes() -> None:
    ov = {"status": "allowed", "verdict": "uncertain"}
    assert not override_lapses(None, "restricted")
    assert not override_lapses({}, "restricted")
    assert not override_lapses(ov, "uncertain")
    assert override_lapses(ov, "clear") and override_lapses(ov, None)


def test_reassess_keeps_an_override_while_its_verdict_holds() -> None:
    ov = {"status": "allowed", "verdict": "uncertain"}
    kept = _reassess("uncertain", ov)
    assert kept.computed_status is OrgStatus.REVIEW and kept.status is OrgStatus.ALLOWED
    assert kept.override == ov and not kept.lapsed
    assert kept.reason_codes == ("entity_uncertain", "analyst_override")


def test_reassess_lapses_the_override_and_the_computed_status_applies() -> None:
    out = _reassess("restricted", {"status": "allowed", "verdict": "uncertain"})
    assert out.lapsed and out.override is None
    assert out.status is out.computed_status is OrgStatus.DENIED
    assert out.reason_codes == ("entity_restricted",)


def test_reassess_without_override_is_the_onboarding_table() -> None:
    assert _reassess("clear").status is OrgStatus.ALLOWED
    assert _reassess("clear", countries=("cn",)).status is OrgStatus.DENIED
    assert _reassess("restricted", enabled=False).status is OrgStatus.ALLOWED
    out = _reassess(None)
    assert out.status is OrgStatus.REVIEW and not out.lapsed
