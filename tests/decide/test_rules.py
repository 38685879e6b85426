"""The decision rule: the table's rows, totality, and the hot path equal to the reference."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from ringfence.decide import (
    AccountFacts,
    Channel,
    DecisionState,
    Detection,
    DetectionAction,
    OrgFacts,
    OrgStatus,
    Outcome,
    PolicyRef,
    RateLimit,
    ReasonCode,
    RuleSettings,
    decide,
)
from ringfence.policy import load_policy, resolve

RULES = RuleSettings(ip_regions=frozenset({"CN", "RU"}))
ALLOWED = OrgFacts("o-ok", OrgStatus.ALLOWED)
DENIED = OrgFacts("o-bad", OrgStatus.DENIED, entity_id="e1", verdict="restricted")
REVIEW = OrgFacts("o-rev", OrgStatus.REVIEW)
COUNTRY = {"1.1.1.1": "AU", "2.2.2.2": "CN", "3.3.3.3": "RU"}


def codes(d: object) -> list[str]:
    return [str(r.code) for r in d.reasons]  # type: ignore[attr-defined]


def test_direct_allowed_org_allows_with_reasons() -> None:
    d = decide(AccountFacts("a", ALLOWED), RULES)
    assert d.outcome is Outcome.ALLOW and d.allow
    assert codes(d) == ["org_allowed", "direct"]


def test_denied_org_denies_with_evidence() -> None:
    d = decide(AccountFacts("a", DENIED), RULES)
    assert d.outcome is Outcome.DENY and not d.allow
    assert d.reasons[0].evidence["entity_id"] == "e1"


def test_review_acts_per_policy() -> None:
    acc = AccountFacts("a", REVIEW)
    assert decide(acc, RULES).allow is False
    assert decide(acc, RuleSettings(review_allows=True)).allow is True


def test_unknown_account_fails_closed_by_default_and_is_configurable() -> None:
    d = decide(None, RULES, ref="k-1")
    assert d.outcome is Outcome.DENY and codes(d) == ["unknown_account"]
    d = decide(None, RuleSettings(unknown_account=Outcome.REVIEW), ref="k-1")
    assert d.outcome is Outcome.REVIEW


def test_intermediated_traffic() -> None:
    acc = AccountFacts("a", ALLOWED, channel=Channel.CLOUD)
    assert codes(decide(acc, RULES))[0] == "unattested_intermediated"
    assert decide(acc, RULES).outcome is Outcome.REVIEW
    d = decide(acc, RULES, end_customer=DENIED, end_customer_ref="o-bad")
    assert d.outcome is Outcome.DENY and codes(d)[0] == "end_customer_restricted"
    d = decide(acc, RULES, end_customer_ref="nobody")
    assert codes(d)[0] == "end_customer_unknown"
    d = decide(acc, RULES, end_customer=ALLOWED, end_customer_ref="o-ok")
    assert d.outcome is Outcome.ALLOW
    static = AccountFacts("a", ALLOWED, channel=Channel.RESELLER, end_customer=DENIED)
    assert decide(static, RULES).outcome is Outcome.DENY


def test_ip_region_and_channel_mismatch() -> None:
    acc = AccountFacts("a", ALLOWED)
    d = decide(acc, RULES, ip_country="CN")
    assert d.outcome is Outcome.DENY and codes(d)[0] == "ip_restricted_region"
    assert decide(acc, RULES, ip_country="US").outcome is Outcome.ALLOW
    d = decide(acc, RULES, claimed_channel=Channel.CLOUD)
    assert d.outcome is Outcome.REVIEW and codes(d)[0] == "channel_mismatch"


def test_policy_settings_flow_into_rules() -> None:
    settings = resolve(load_policy("provider-terms"), dt.date(2026, 1, 1)).settings
    rules = RuleSettings.from_policy(settings)
    assert "CN" in rules.ip_regions and rules.ip_action is Outcome.DENY
    assert rules.unattested_for(Channel.CLOUD) is Outcome.REVIEW


def test_every_reason_code_is_documented() -> None:
    from pathlib import Path

    doc = Path(__file__).parents[2] / "docs" / "service.md"
    text = doc.read_text()
    missing = [c.value for c in ReasonCode if f"`{c.value}`" not in text]
    assert not missing


orgs = st.sampled_from([ALLOWED, DENIED, REVIEW])
accounts = st.builds(
    AccountFacts, account_id=st.just("a"), org=orgs, channel=st.sampled_from(list(Channel)),
    active=st.booleans(), end_customer=st.one_of(st.none(), orgs),
    detection=st.sampled_from([
        None, Detection(DetectionAction.SUSPEND, "case_1", "c-1"),
        Detection(DetectionAction.THROTTLE, "case_2", "c-2", limit=RateLimit(60, 60)),
        Detection(DetectionAction.THROTTLE, "case_3", None, via="payment_fingerprint",
                  value="pf", limit=RateLimit(10, 60))]))
rules = st.builds(
    RuleSettings, review_allows=st.booleans(),
    unknown_account=st.sampled_from([Outcome.DENY, Outcome.REVIEW]),
    ip_action=st.sampled_from([None, Outcome.DENY, Outcome.REVIEW]),
    ip_regions=st.just(frozenset({"CN", "RU"})))


@given(acc=accounts, rs=rules, ip=st.sampled_from([None, *COUNTRY]),
       claimed=st.one_of(st.none(), st.sampled_from(list(Channel))),
       ec=st.sampled_from([None, "o-ok", "o-bad", "o-rev", "nobody"]), known=st.booleans())
def test_hot_path_equals_reference(acc: AccountFacts, rs: RuleSettings, ip: str | None,
                                   claimed: Channel | None, ec: str | None,
                                   known: bool) -> None:
    state = DecisionState.build(
        snapshot_id="s", policy=PolicyRef("p", "1", "h"), rules=rs,
        orgs=[ALLOWED, DENIED, REVIEW], accounts=[acc] if known else [],
        country_of=COUNTRY.get)
    fast = state.decide(account_id="a", client_ip=ip, channel=claimed, end_customer=ec)
    ref = decide(acc if known else None, rs, ref="a", ip_country=COUNTRY.get(ip or ""),
                 claimed_channel=claimed,
                 end_customer=state.orgs.get(ec) if ec else None, end_customer_ref=ec)
    assert fast.outcome == ref.outcome and fast.allow == ref.allow
    assert fast.limits == ref.limits
    assert sorted(codes(fast)) == sorted(codes(ref))
    if fast.limits is not None:  # only an ALLOW carries a rate limit
        assert fast.allow
    assert fast.reasons  # every outcome has a reason
    if fast.outcome is Outcome.ALLOW:
        assert fast.allow
    if fast.outcome is Outcome.DENY:
        assert not fast.allow
