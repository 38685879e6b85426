"""Onboarding's status table."""

from __future__ import annotations

from ringfence.decide import Match, OrgStatus, onboarding_status

M = Match("e1", 1.0, confident=True)


def test_verdicts_map_to_statuses() -> None:
    for verdict, status in [("restricted", OrgStatus.DENIED), ("clear", OrgStatus.ALLOWED),
                            ("uncertain", OrgStatus.REVIEW), (None, OrgStatus.REVIEW)]:
        got, reasons = onboarding_status(match=M, verdict=verdict)
        assert got is status and reasons


def test_no_match_allows_and_weak_match_reviews() -> None:
    assert onboarding_status(match=None, verdict=None)[0] is OrgStatus.ALLOWED
    weak = Match("e1", 0.6, confident=False)
    assert onboarding_status(match=weak, verdict="clear")[0] is OrgStatus.REVIEW


def test_declared_restricted_country_denies() -> None:
    status, reasons = onboarding_status(match=None, verdict=None, declared_countries=["cn"],
                                        restricted_regions=["CN"])
    assert status is OrgStatus.DENIED
    assert reasons[0].code == "declared_country_restricted"


def test_policy_not_in_force_allows() -> None:
    assert onboarding_status(match=M, verdict="restricted",
                             policy_enabled=False)[0] is OrgStatus.ALLOWED
