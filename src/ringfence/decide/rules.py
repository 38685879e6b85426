"""The decision rule: a total table with a reason on every outcome.

A decision combines independent *factors*; each factor is a total function of one input
and returns exactly one :class:`Reason` (or none, for a signal that is absent). The
outcome is the most severe factor (DENY > REVIEW > ALLOW); every factor's reason is kept.

======================  ==============================  ==========================
factor                  input                           outcome (reason code)
======================  ==============================  ==========================
account                 not in the book                 policy ``unknown_account``
                                                        (``unknown_account``)
                        disabled                        DENY (``account_disabled``)
detection               confirmed cluster: suspend      DENY (``distillation_cluster``
                                                        or ``distillation_link``)
                        confirmed cluster: throttle     ALLOW with a rate limit (same)
                        none                            (no reason)
organisation            allowed                         ALLOW (``org_allowed``)
                        denied                          DENY (``org_denied``)
                        review                          REVIEW (``org_review``)
channel                 direct                          ALLOW (``direct``)
                        intermediated, end customer
                          allowed                       ALLOW (``end_customer_allowed``)
                          denied                        DENY (``end_customer_restricted``)
                          review                        REVIEW (``end_customer_review``)
                          not in the book               policy (``end_customer_unknown``)
                          not attested                  policy (``unattested_intermediated``)
                        request claims another channel  REVIEW (``channel_mismatch``)
IP country              in the policy's regions         policy (``ip_restricted_region``)
                        elsewhere, private, unknown     (no reason)
(none of the above)                                     policy ``unknown_account``
                                                        (``no_rule_matched``)
======================  ==============================  ==========================

REVIEW's effect at the gateway is the policy's ``decision.review`` (``deny`` by default):
:attr:`Decision.allow` is what the gateway should do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ringfence.decide.detection import Detection, detection_reason
from ringfence.decide.reasons import Outcome, RateLimit, Reason, ReasonCode, make_reason
from ringfence.decide.signals import (
    AccountSignals,
    Net,
    SignalSettings,
    net_reasons,
    profile_reasons,
    resale_reason,
)
from ringfence.policy.schema import PolicySettings

__all__ = [
    "AccountFacts",
    "Agreement",
    "Channel",
    "Decision",
    "OrgFacts",
    "OrgStatus",
    "RuleSettings",
    "account_reasons",
    "attestation_mode_reason",
    "channel_reasons",
    "combine",
    "decide",
    "ip_reason",
    "outside_regions_reason",
    "unknown_account_decision",
]


class OrgStatus(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    REVIEW = "review"


class Channel(StrEnum):
    DIRECT = "direct"
    CLOUD = "cloud"
    RESELLER = "reseller"


_STATUS_OUTCOME = {OrgStatus.ALLOWED: Outcome.ALLOW, OrgStatus.DENIED: Outcome.DENY,
                   OrgStatus.REVIEW: Outcome.REVIEW}
_ACTION = {"deny": Outcome.DENY, "review": Outcome.REVIEW, "allow": Outcome.ALLOW}


@dataclass(frozen=True, slots=True)
class OrgFacts:
    """What the hot path knows of an organisation: its status and why."""

    org_id: str
    status: OrgStatus
    entity_id: str | None = None
    verdict: str | None = None  # restricted | clear | uncertain | None (no match)
    status_reasons: tuple[str, ...] = ()  # reason codes behind the status

    def evidence(self) -> dict[str, Any]:
        return {"org_id": self.org_id, "status": str(self.status), "entity_id": self.entity_id,
                "verdict": self.verdict, "status_reasons": list(self.status_reasons)}


@dataclass(frozen=True, slots=True)
class Agreement:
    """An intermediary's channel agreement (``service/channels.py`` keeps it)."""

    kind: str  # cloud_platform | reseller | api_aggregator
    attestation: str  # per_request | per_account | both
    regions: frozenset[str] = frozenset()  # where it may serve; empty: anywhere


@dataclass(frozen=True, slots=True)
class AccountFacts:
    account_id: str
    org: OrgFacts
    channel: Channel = Channel.DIRECT
    active: bool = True
    end_customer: OrgFacts | None = None  # attested once, for a dedicated reseller account
    end_customer_ref: str | None = None  # the attested id when it is not in the book
    detection: Detection | None = None  # a confirmed distillation case (decide.detection)
    signals: AccountSignals | None = None  # billing, phone, domains (decide.signals)
    agreement: Agreement | None = None  # the account's organisation is an intermediary


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """The policy's decision settings, flattened for the hot path."""

    review_allows: bool = False
    unknown_account: Outcome = Outcome.DENY
    unattested: tuple[tuple[Channel, Outcome], ...] = (
        (Channel.CLOUD, Outcome.REVIEW), (Channel.RESELLER, Outcome.REVIEW))
    unknown_end_customer: tuple[tuple[Channel, Outcome], ...] = (
        (Channel.CLOUD, Outcome.REVIEW), (Channel.RESELLER, Outcome.REVIEW))
    ip_action: Outcome | None = Outcome.DENY  # None: the signal is ignored
    ip_regions: frozenset[str] = frozenset()
    signals: SignalSettings = field(default_factory=SignalSettings)

    @classmethod
    def from_policy(cls, settings: PolicySettings) -> RuleSettings:
        d = settings.decision
        ip = d.signals.ip_country
        regions = ip.regions if ip.regions is not None else settings.restricted_regions
        return cls(
            review_allows=d.review == "allow",
            unknown_account=_ACTION[d.unknown_account],
            unattested=((Channel.CLOUD, _ACTION[d.channels.cloud.unattested]),
                        (Channel.RESELLER, _ACTION[d.channels.reseller.unattested])),
            unknown_end_customer=(
                (Channel.CLOUD, _ACTION[d.channels.cloud.unknown_end_customer]),
                (Channel.RESELLER, _ACTION[d.channels.reseller.unknown_end_customer])),
            ip_action=None if ip.restricted_region == "ignore" else _ACTION[ip.restricted_region],
            ip_regions=frozenset(r.upper() for r in regions),
            signals=SignalSettings.from_policy(d.signals, settings.restricted_regions),
        )

    def unattested_for(self, channel: Channel) -> Outcome:
        return dict(self.unattested).get(channel, Outcome.DENY)

    def unknown_end_customer_for(self, channel: Channel) -> Outcome:
        return dict(self.unknown_end_customer).get(channel, Outcome.DENY)


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    allow: bool  # the gateway's action: REVIEW follows the policy's decision.review
    reasons: tuple[Reason, ...]
    ip_country: str | None = None
    limits: RateLimit | None = None  # an ALLOW the gateway must rate-limit (a throttle)

    def as_dict(self) -> dict[str, Any]:
        return {"decision": str(self.outcome), "allow": self.allow,
                "reasons": [r.as_dict() for r in self.reasons], "ip_country": self.ip_country,
                "limits": self.limits.as_dict() if self.limits is not None else None}


def account_reasons(account: AccountFacts,
                    rules: RuleSettings | None = None) -> tuple[Reason, ...]:
    """The account, organisation and detection factors, and (with ``rules``) the
    account-level signals: none of them depends on the request."""
    if rules is not None and account.signals is not None:
        sig = profile_reasons(account.signals, rules.signals)
        if sig:
            return account_reasons(account) + sig
    if not account.active:
        return (make_reason(ReasonCode.ACCOUNT_DISABLED, Outcome.DENY,
                            account_id=account.account_id),)
    org = account.org
    code = {OrgStatus.ALLOWED: ReasonCode.ORG_ALLOWED, OrgStatus.DENIED: ReasonCode.ORG_DENIED,
            OrgStatus.REVIEW: ReasonCode.ORG_REVIEW}[org.status]
    reason = make_reason(code, _STATUS_OUTCOME[org.status], **org.evidence())
    if account.detection is None:
        return (reason,)
    return (reason, detection_reason(account.detection))


def channel_reasons(
    account: AccountFacts,
    rules: RuleSettings,
    *,
    claimed_channel: Channel | None = None,
    end_customer: OrgFacts | None = None,
    end_customer_ref: str | None = None,
) -> tuple[Reason, ...]:
    """The channel factor. ``end_customer_ref`` is what the request attests; ``end_customer``
    its facts when it is in the book. A per-request attestation replaces the account's."""
    out: list[Reason] = []
    channel = account.channel
    if claimed_channel is not None and claimed_channel != channel:
        out.append(make_reason(ReasonCode.CHANNEL_MISMATCH, Outcome.REVIEW,
                               registered=str(channel), claimed=str(claimed_channel)))
    if channel is Channel.DIRECT:
        out.append(make_reason(ReasonCode.DIRECT, Outcome.ALLOW))
        return tuple(out)
    if end_customer_ref is None:
        end_customer, end_customer_ref = account.end_customer, account.end_customer_ref
        if end_customer is not None:
            end_customer_ref = end_customer.org_id
    if end_customer_ref is None:
        out.append(make_reason(ReasonCode.UNATTESTED_INTERMEDIATED,
                               rules.unattested_for(channel), channel=str(channel)))
    elif end_customer is None:
        out.append(make_reason(ReasonCode.END_CUSTOMER_UNKNOWN,
                               rules.unknown_end_customer_for(channel), channel=str(channel),
                               end_customer=end_customer_ref))
    else:
        code = {OrgStatus.ALLOWED: ReasonCode.END_CUSTOMER_ALLOWED,
                OrgStatus.DENIED: ReasonCode.END_CUSTOMER_RESTRICTED,
                OrgStatus.REVIEW: ReasonCode.END_CUSTOMER_REVIEW}[end_customer.status]
        out.append(make_reason(code, _STATUS_OUTCOME[end_customer.status],
                               channel=str(channel), end_customer=end_customer.evidence()))
    return tuple(out)


def ip_reason(country: str | None, rules: RuleSettings) -> Reason | None:
    if rules.ip_action is None or country is None or country not in rules.ip_regions:
        return None
    return make_reason(ReasonCode.IP_RESTRICTED_REGION, rules.ip_action, ip_country=country)


def _by_severity(r: Reason) -> int:
    return -r.severity


def combine(reasons: Iterable[Reason], rules: RuleSettings,
            ip_country: str | None = None) -> Decision:
    """The most severe factor wins; reasons are listed most severe first."""
    ordered = tuple(sorted(reasons, key=_by_severity))
    if not ordered:
        ordered = (make_reason(ReasonCode.NO_RULE_MATCHED, rules.unknown_account),)
    outcome = ordered[0].outcome
    allow = outcome is Outcome.ALLOW or (outcome is Outcome.REVIEW and rules.review_allows)
    limits = None
    if allow:  # the tightest rate limit any reason puts on the ALLOW
        for r in ordered:
            if r.limit is not None and (limits is None or r.limit.rate() < limits.rate()):
                limits = r.limit
    return Decision(outcome=outcome, allow=allow, reasons=ordered, ip_country=ip_country,
                    limits=limits)


def unknown_account_decision(rules: RuleSettings, *, ref: str | None,
                             ip_country: str | None = None) -> Decision:
    reasons = [make_reason(ReasonCode.UNKNOWN_ACCOUNT, rules.unknown_account, account=ref)]
    ip = ip_reason(ip_country, rules)
    if ip is not None:
        reasons.append(ip)
    return combine(reasons, rules, ip_country)


def attestation_mode_reason(account: AccountFacts) -> Reason | None:
    """A per-request attestation by an intermediary whose agreement says per account."""
    ag = account.agreement
    if ag is None or ag.attestation != "per_account":
        return None
    return make_reason(ReasonCode.ATTESTATION_MODE, Outcome.REVIEW,
                       channel=account.org.org_id, attestation=ag.attestation)


def outside_regions_reason(account: AccountFacts, end_customer: OrgFacts | None) -> Reason:
    ag = account.agreement
    return make_reason(ReasonCode.OUTSIDE_CHANNEL_REGIONS, Outcome.REVIEW,
                       channel=account.org.org_id,
                       regions=sorted(ag.regions) if ag is not None else [],
                       end_customer=end_customer.org_id if end_customer else None)


def decide(
    account: AccountFacts | None,
    rules: RuleSettings,
    *,
    ref: str | None = None,
    ip_country: str | None = None,
    claimed_channel: Channel | None = None,
    end_customer: OrgFacts | None = None,
    end_customer_ref: str | None = None,
    net: Net | None = None,
    resale: tuple[int, int, int] | None = None,
    outside_regions: bool = False,
) -> Decision:
    """The whole rule, unoptimised: the reference the hot path is tested against."""
    if net is not None:
        ip_country = net.country
    if account is None:
        return unknown_account_decision(rules, ref=ref, ip_country=ip_country)
    reasons = list(account_reasons(account, rules))
    reasons.extend(channel_reasons(account, rules, claimed_channel=claimed_channel,
                                   end_customer=end_customer,
                                   end_customer_ref=end_customer_ref))
    if outside_regions:
        reasons.append(outside_regions_reason(account, end_customer))
    if end_customer_ref is not None:
        mode = attestation_mode_reason(account)
        if mode is not None:
            reasons.append(mode)
    ip = ip_reason(ip_country, rules)
    if ip is not None:
        reasons.append(ip)
    if net is not None:
        reasons.extend(net_reasons(net, account.signals, rules.signals))
    r = resale_reason(resale, rules.signals)
    if r is not None:
        reasons.append(r)
    return combine(reasons, rules, ip_country)
