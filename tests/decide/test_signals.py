"""Runtime signals in the decision: each a reason with evidence under its policy key; the
hot path gives what the reference rule gives."""

from __future__ import annotations

import itertools

from ringfence.decide import (
    AccountFacts,
    Agreement,
    Channel,
    DecisionState,
    OrgFacts,
    OrgStatus,
    PolicyRef,
    RuleSettings,
    decide,
)
from ringfence.decide.reasons import Outcome
from ringfence.decide.signals import AccountSignals, Net, SignalSettings
from ringfence.policy import parse_policy

REGIONS = frozenset({"CN", "RU", "IR", "KP"})
RULES = RuleSettings(ip_regions=REGIONS,
                     signals=SignalSettings(regions=REGIONS, phone_regions=REGIONS))
NETS = {"1.1.1.1": Net("US", "AMAZON-02", "hosting"), "2.2.2.2": Net("NL", "M247", "vpn"),
        "3.3.3.3": Net("FR", "ORANGE", "residential"), "4.4.4.4": Net("IR", "TCI", "mobile"),
        "5.5.5.5": Net("US", "COMCAST", "residential")}


def _codes(d: object) -> list[str]:
    return [r.code.value for r in d.reasons]  # type: ignore[attr-defined]


def _state(accounts: list[AccountFacts], orgs: list[OrgFacts],
           ec_refs: dict[tuple[str, str], tuple[str, bool]] | None = None,
           rules: RuleSettings = RULES) -> DecisionState:
    return DecisionState.build(snapshot_id="s", policy=PolicyRef("p", "1", "h"), rules=rules,
                               orgs=orgs, accounts=accounts, net_of=NETS.get,
                               ec_refs=ec_refs)


def test_hosting_is_never_a_denial_by_default_vpn_is_review() -> None:
    org = OrgFacts("o", OrgStatus.ALLOWED)
    st = _state([AccountFacts("a", org)], [org])
    d = st.decide(account_id="a", client_ip="1.1.1.1")
    assert d.outcome is Outcome.ALLOW and "network_class" not in _codes(d)
    d = st.decide(account_id="a", client_ip="2.2.2.2")
    assert d.outcome is Outcome.REVIEW
    r = d.reasons[0]
    assert r.code.value == "network_class" and r.evidence["netclass"] == "vpn"


def test_mismatch_reviews_never_denies_and_ignores_cloud_egress() -> None:
    org = OrgFacts("o", OrgStatus.ALLOWED)
    acc = AccountFacts("a", org, signals=AccountSignals(declared_country="US",
                                                        billing_country="US"))
    st = _state([acc], [org])
    d = st.decide(account_id="a", client_ip="3.3.3.3")  # residential in FR
    assert d.outcome is Outcome.REVIEW and "country_mismatch" in _codes(d)
    assert st.decide(account_id="a", client_ip="5.5.5.5").outcome is Outcome.ALLOW
    # a cloud's egress country says nothing about the customer
    assert "country_mismatch" not in _codes(st.decide(account_id="a", client_ip="1.1.1.1"))


def test_account_signals_are_precomputed_reasons_with_evidence() -> None:
    org = OrgFacts("o", OrgStatus.ALLOWED)
    accs = [AccountFacts("bill", org, signals=AccountSignals(billing_country="RU")),
            AccountFacts("phone", org, signals=AccountSignals(phone_country="IR")),
            AccountFacts("dom", org, signals=AccountSignals(
                email_domain="x.example", restricted_domains=(("x.example", "org_bad"),))),
            AccountFacts("temp", org, signals=AccountSignals(email_domain="mailinator.com",
                                                             disposable=True))]
    st = _state(accs, [org])
    d = st.decide(account_id="bill")
    assert d.outcome is Outcome.DENY and d.reasons[0].evidence["billing_country"] == "RU"
    assert st.decide(account_id="phone").reasons[0].code.value == "phone_restricted_region"
    d = st.decide(account_id="dom")
    assert d.reasons[0].evidence["domains"] == [{"domain": "x.example", "of": "org_bad"}]
    assert "disposable_email" in _codes(st.decide(account_id="temp"))


def test_policy_keys_switch_signals() -> None:
    doc = parse_policy({"name": "t", "version": "1", "effective_from": "2020-01-01",
                        "restricted_regions": ["RU"],
                        "decision": {"signals": {"network": {"hosting": "deny", "vpn": "ignore"},
                                                 "billing_country": {"restricted_region":
                                                                     "ignore"}}}})
    import datetime as dt

    from ringfence.policy import resolve

    rules = RuleSettings.from_policy(resolve(doc, dt.date(2025, 1, 1)).settings)
    org = OrgFacts("o", OrgStatus.ALLOWED)
    st = _state([AccountFacts("a", org, signals=AccountSignals(billing_country="RU"))],
                [org], rules=rules)
    assert st.decide(account_id="a", client_ip="1.1.1.1").outcome is Outcome.DENY
    assert st.decide(account_id="a", client_ip="2.2.2.2").outcome is Outcome.ALLOW


def test_end_customer_refs_are_per_intermediary() -> None:
    ok, bad = OrgFacts("e1", OrgStatus.ALLOWED), OrgFacts("e2", OrgStatus.DENIED)
    i1, i2 = OrgFacts("i1", OrgStatus.ALLOWED), OrgFacts("i2", OrgStatus.ALLOWED)
    ag = Agreement("cloud_platform", "both", frozenset({"US"}))
    accs = [AccountFacts("a1", i1, Channel.CLOUD, agreement=ag),
            AccountFacts("a2", i2, Channel.CLOUD, agreement=ag)]
    st = _state(accs, [ok, bad, i1, i2], {("i1", "c1"): ("e1", False),
                                         ("i1", "c2"): ("e2", False),
                                         ("i1", "c3"): ("e1", True)})
    assert st.decide(account_id="a1", end_customer_ref="c1").outcome is Outcome.ALLOW
    assert st.decide(account_id="a1", end_customer_ref="c2").outcome is Outcome.DENY
    d = st.decide(account_id="a1", end_customer_ref="c3")
    assert d.outcome is Outcome.REVIEW and "outside_channel_regions" in _codes(d)
    # another intermediary's reference means nothing for a2
    d = st.decide(account_id="a2", end_customer_ref="c1")
    assert _codes(d)[0] == "end_customer_unknown"


def test_resale_only_for_accounts_of_no_intermediary() -> None:
    org = OrgFacts("o", OrgStatus.ALLOWED)
    ag = Agreement("reseller", "both")
    st = _state([AccountFacts("direct", org), AccountFacts("inter", org, Channel.RESELLER,
                                                           agreement=ag)], [org])
    calls = []

    def observe(acc: str, user: str | None, country: str | None,
                net: str | None) -> tuple[int, int, int] | None:
        calls.append(acc)
        return (120, 9, 14)

    d = st.decide(account_id="direct", client_user_id="u1", observe=observe)
    assert d.outcome is Outcome.REVIEW and d.reasons[0].evidence["end_users"] == 120
    st.decide(account_id="inter", client_user_id="u1", observe=observe)
    assert calls == ["direct"]


def test_hot_path_matches_the_reference_rule() -> None:
    orgs = [OrgFacts(f"o{s}", s) for s in OrgStatus]
    sigs = [None, AccountSignals(declared_country="US", billing_country="DE"),
            AccountSignals(billing_country="CN", phone_country="US")]
    accounts = []
    for k, (org, ch, sig) in enumerate(itertools.product(orgs, list(Channel), sigs)):
        accounts.append(AccountFacts(f"a{k}", org, ch, signals=sig))
    st = _state(accounts, orgs)
    for acc, ip in itertools.product(accounts, [None, *NETS]):
        fast = st.decide(account_id=acc.account_id, client_ip=ip)
        ref = decide(acc, RULES, net=NETS.get(ip) if ip else None)
        assert (fast.outcome, _codes(fast)) == (ref.outcome, _codes(ref)), (acc, ip)


def test_per_account_agreements_refuse_per_request_attestation() -> None:
    ok, i1 = OrgFacts("e1", OrgStatus.ALLOWED), OrgFacts("i1", OrgStatus.ALLOWED)
    acc = AccountFacts("a1", i1, Channel.RESELLER,
                       agreement=Agreement("reseller", "per_account"))
    st = _state([acc], [ok, i1], {("i1", "c1"): ("e1", False)})
    d = st.decide(account_id="a1", end_customer_ref="c1")
    assert d.outcome is Outcome.REVIEW and "attestation_mode" in _codes(d)
    ref = decide(acc, RULES, end_customer=ok, end_customer_ref="c1")
    assert _codes(ref) == _codes(d)
