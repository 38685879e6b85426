"""Detection facts in the decision rule: a confirmed suspend denies, a throttle is an ALLOW
carrying a rate limit, and both are folded into the account's precomputed decision."""

from __future__ import annotations

import pytest

from ringfence.decide import (
    AccountFacts,
    DecisionState,
    Detection,
    DetectionAction,
    DetectionIndex,
    OrgFacts,
    OrgStatus,
    Outcome,
    PolicyRef,
    RateLimit,
    RuleSettings,
    decide,
)
from ringfence.decide.detection import stronger

OK = OrgFacts("o-ok", OrgStatus.ALLOWED)
REV = OrgFacts("o-rev", OrgStatus.REVIEW)
SUSPEND = Detection(DetectionAction.SUSPEND, "case_1", "c-1")
THROTTLE = Detection(DetectionAction.THROTTLE, "case_2", "c-2", limit=RateLimit(60, 60))
SLOW = Detection(DetectionAction.THROTTLE, "case_3", "c-3", limit=RateLimit(5, 60))
LINKED = Detection(DetectionAction.SUSPEND, "case_1", "c-1", via="payment_fingerprint",
                   value="pf_1")


def _codes(d: object) -> list[str]:
    return [str(r.code) for r in d.reasons]  # type: ignore[attr-defined]


def test_suspend_denies_with_the_case_as_evidence() -> None:
    d = decide(AccountFacts("a", OK, detection=SUSPEND), RuleSettings())
    assert d.outcome is Outcome.DENY and not d.allow and d.limits is None
    assert _codes(d)[0] == "distillation_cluster"
    assert d.reasons[0].evidence["case_id"] == "case_1"
    assert d.as_dict()["limits"] is None


def test_a_link_is_its_own_reason() -> None:
    d = decide(AccountFacts("a", OK, detection=LINKED), RuleSettings())
    assert d.outcome is Outcome.DENY and _codes(d)[0] == "distillation_link"
    assert d.reasons[0].evidence["via"] == "payment_fingerprint"


def test_throttle_allows_with_limits_unless_something_denies() -> None:
    d = decide(AccountFacts("a", OK, detection=THROTTLE), RuleSettings())
    assert d.outcome is Outcome.ALLOW and d.allow and d.limits == RateLimit(60, 60)
    assert d.as_dict()["limits"] == {"requests": 60, "window_seconds": 60, "header": "60;w=60"}
    # a REVIEW the policy lets through still carries the limit; one it blocks does not
    d = decide(AccountFacts("a", REV, detection=THROTTLE), RuleSettings(review_allows=True))
    assert d.outcome is Outcome.REVIEW and d.allow and d.limits == RateLimit(60, 60)
    d = decide(AccountFacts("a", REV, detection=THROTTLE), RuleSettings())
    assert not d.allow and d.limits is None
    # a restricted IP denies; a denial carries no limit
    d = decide(AccountFacts("a", OK, detection=THROTTLE),
               RuleSettings(ip_regions=frozenset({"CN"})), ip_country="CN")
    assert d.outcome is Outcome.DENY and d.limits is None
    # a disabled account is denied whatever detection says
    d = decide(AccountFacts("a", OK, active=False, detection=THROTTLE), RuleSettings())
    assert _codes(d)[0] == "account_disabled" and d.limits is None
    assert not {"distillation_cluster", "distillation_link"} & set(_codes(d))


def test_the_hot_path_serves_the_precomputed_decision_with_its_limits() -> None:
    state = DecisionState.build(
        snapshot_id="s", policy=PolicyRef("p", "1", "h"), rules=RuleSettings(), orgs=[OK],
        accounts=[AccountFacts("t", OK, detection=THROTTLE), AccountFacts("s", OK,
                                                                        detection=SUSPEND),
                  AccountFacts("n", OK)], country_of={"1.1.1.1": "AU"}.get)
    assert state.decide(account_id="t").limits == RateLimit(60, 60)
    assert state.decide(account_id="t", client_ip="1.1.1.1").limits == RateLimit(60, 60)
    assert state.decide(account_id="s").outcome is Outcome.DENY
    assert state.decide(account_id="n").limits is None
    # the detection is a fact: replacing it re-evaluates the account
    new = state.updated(accounts=[AccountFacts("n", OK, detection=SUSPEND)])
    assert new.decide(account_id="n").outcome is Outcome.DENY
    assert state.decide(account_id="n").outcome is Outcome.ALLOW  # the old state is intact


def test_stronger_prefers_suspend_then_the_lower_rate_then_membership() -> None:
    assert stronger(THROTTLE, SUSPEND) is SUSPEND and stronger(SUSPEND, THROTTLE) is SUSPEND
    assert stronger(THROTTLE, SLOW) is SLOW and stronger(SLOW, THROTTLE) is SLOW
    assert stronger(LINKED, SUSPEND) is SUSPEND and stronger(SUSPEND, LINKED) is SUSPEND
    assert stronger(None, THROTTLE) is THROTTLE and stronger(None, None) is None
    idx = DetectionIndex(by_account={"a": THROTTLE}, by_org={"o": SUSPEND})
    assert idx.for_account("a", "o") is SUSPEND and idx.for_account("b", "x") is None


def test_a_throttle_always_carries_a_limit_and_round_trips_through_evidence() -> None:
    with pytest.raises(ValueError):
        Detection(DetectionAction.THROTTLE, "c", None)
    with pytest.raises(ValueError):
        Detection(DetectionAction.SUSPEND, "c", None, limit=RateLimit(1, 1))
    for d in (SUSPEND, THROTTLE, LINKED):
        assert Detection.from_evidence(d.evidence()) == d
