"""Reason codes: every outcome of the decision rule carries one, with human text.

The catalogue below is the documented list (docs/service.md repeats it and a test keeps
the two in step). A :class:`Reason` is immutable and carries the evidence it was made
from, so the service can return it as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["CATALOGUE", "Outcome", "RateLimit", "Reason", "ReasonCode", "make_reason"]


class Outcome(StrEnum):
    ALLOW = "ALLOW"
    REVIEW = "REVIEW"
    DENY = "DENY"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {Outcome.ALLOW: 0, Outcome.REVIEW: 1, Outcome.DENY: 2}


class ReasonCode(StrEnum):
    # the account
    UNKNOWN_ACCOUNT = "unknown_account"
    ACCOUNT_DISABLED = "account_disabled"
    # the organisation behind the account
    ORG_ALLOWED = "org_allowed"
    ORG_DENIED = "org_denied"
    ORG_REVIEW = "org_review"
    # the channel
    DIRECT = "direct"
    END_CUSTOMER_ALLOWED = "end_customer_allowed"
    END_CUSTOMER_RESTRICTED = "end_customer_restricted"
    END_CUSTOMER_REVIEW = "end_customer_review"
    END_CUSTOMER_UNKNOWN = "end_customer_unknown"
    UNATTESTED_INTERMEDIATED = "unattested_intermediated"
    CHANNEL_MISMATCH = "channel_mismatch"
    # runtime signals
    IP_RESTRICTED_REGION = "ip_restricted_region"
    NETWORK_CLASS = "network_class"
    BILLING_RESTRICTED_REGION = "billing_restricted_region"
    PHONE_RESTRICTED_REGION = "phone_restricted_region"
    COUNTRY_MISMATCH = "country_mismatch"
    DOMAIN_RESTRICTED_GROUP = "domain_restricted_group"
    DISPOSABLE_EMAIL = "disposable_email"
    RESALE_FANOUT = "resale_fanout"
    OUTSIDE_CHANNEL_REGIONS = "outside_channel_regions"
    ATTESTATION_MODE = "attestation_mode"
    # detection: a distillation cluster an analyst confirmed (docs/service.md)
    DISTILLATION_CLUSTER = "distillation_cluster"
    DISTILLATION_LINK = "distillation_link"
    # the default: no rule matched (kept so the table is total; never expected)
    NO_RULE_MATCHED = "no_rule_matched"
    # onboarding
    ENTITY_RESTRICTED = "entity_restricted"
    ENTITY_CLEAR = "entity_clear"
    ENTITY_UNCERTAIN = "entity_uncertain"
    NO_MATCH = "no_match"
    AMBIGUOUS_MATCH = "ambiguous_match"
    NAME_WITHIN = "name_within"
    DECLARED_COUNTRY_RESTRICTED = "declared_country_restricted"
    NAME_DISGUISED = "name_disguised"
    ANALYST_OVERRIDE = "analyst_override"
    ANALYST_CONFIRMED = "analyst_confirmed"
    POLICY_DISABLED = "policy_disabled"


CATALOGUE: dict[ReasonCode, str] = {
    ReasonCode.UNKNOWN_ACCOUNT: "The account or API key is not in the customer book.",
    ReasonCode.ACCOUNT_DISABLED: "The account has been disabled.",
    ReasonCode.ORG_ALLOWED: "The account's organisation is allowed.",
    ReasonCode.ORG_DENIED: "The account's organisation is denied service.",
    ReasonCode.ORG_REVIEW: "The account's organisation is awaiting an analyst's review.",
    ReasonCode.DIRECT: "Direct traffic: no intermediary involved.",
    ReasonCode.END_CUSTOMER_ALLOWED: "The end customer the intermediary attests is allowed.",
    ReasonCode.END_CUSTOMER_RESTRICTED:
        "The end customer the intermediary attests is denied service.",
    ReasonCode.END_CUSTOMER_REVIEW:
        "The end customer the intermediary attests is awaiting review.",
    ReasonCode.END_CUSTOMER_UNKNOWN:
        "The intermediary attests an end customer that is not in the customer book.",
    ReasonCode.UNATTESTED_INTERMEDIATED:
        "Traffic through an intermediary without an attested end customer.",
    ReasonCode.CHANNEL_MISMATCH:
        "The request claims a channel other than the one the account is registered for.",
    ReasonCode.IP_RESTRICTED_REGION: "The request comes from an IP address in a restricted region.",
    ReasonCode.NETWORK_CLASS:
        "The request comes from a network of a class the policy acts on (VPN, hosting, ...).",
    ReasonCode.BILLING_RESTRICTED_REGION:
        "The account's billing (payment) country is in a restricted region.",
    ReasonCode.PHONE_RESTRICTED_REGION:
        "The account's phone number belongs to a restricted region.",
    ReasonCode.COUNTRY_MISMATCH:
        "The declared, billing and network countries disagree (a reason to look, not to deny).",
    ReasonCode.DOMAIN_RESTRICTED_GROUP:
        "An e-mail or website domain of the account belongs to a restricted group.",
    ReasonCode.DISPOSABLE_EMAIL: "The account's e-mail address is at a disposable domain.",
    ReasonCode.RESALE_FANOUT:
        "An account that is no registered intermediary serves many end users across "
        "countries or networks (approximate counts).",
    ReasonCode.OUTSIDE_CHANNEL_REGIONS:
        "The attested end customer is outside the regions the intermediary may serve.",
    ReasonCode.ATTESTATION_MODE:
        "The intermediary attests per request, but its agreement provides for dedicated "
        "accounts only.",
    ReasonCode.DISTILLATION_CLUSTER:
        "The account or its organisation belongs to a distillation cluster an analyst "
        "confirmed.",
    ReasonCode.DISTILLATION_LINK:
        "The account shares a payment instrument or signup device with a confirmed "
        "distillation cluster.",
    ReasonCode.NO_RULE_MATCHED: "No rule matched; the default applies.",
    ReasonCode.ENTITY_RESTRICTED:
        "The matched entity is restricted under the live policy (ownership by origins).",
    ReasonCode.ENTITY_CLEAR: "The matched entity is clear under the live policy.",
    ReasonCode.ENTITY_UNCERTAIN:
        "The matched entity's ownership is uncertain under the live policy.",
    ReasonCode.NO_MATCH: "The declaration matches no entity in the snapshot.",
    ReasonCode.AMBIGUOUS_MATCH:
        "The declaration matches entities only weakly or ambiguously; an analyst must pick.",
    ReasonCode.NAME_WITHIN:
        "The declared name holds the whole name of an entity that is not clear under the "
        "live policy, with words of its own (a branch or affiliate named after it, or a "
        "reuse of its name); an analyst must decide.",
    ReasonCode.DECLARED_COUNTRY_RESTRICTED:
        "The organisation declares a country in a restricted region.",
    ReasonCode.NAME_DISGUISED:
        "The declared name needed invisible or control characters removed, or look-alike "
        "letters of another script folded, to be read; the screening used the folded name.",
    ReasonCode.ANALYST_OVERRIDE: "An analyst overrode the computed status.",
    ReasonCode.ANALYST_CONFIRMED: "An analyst confirmed the computed status.",
    ReasonCode.POLICY_DISABLED: "The live policy is not in force on this date.",
}


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A rate limit an ALLOW carries for the gateway to enforce: at most ``requests`` per
    ``window_seconds``. The header form follows the IETF RateLimit-Policy draft's syntax
    (``60;w=60``)."""

    requests: int
    window_seconds: int

    def header(self) -> str:
        return f"{self.requests};w={self.window_seconds}"

    def rate(self) -> float:
        return self.requests / self.window_seconds

    def as_dict(self) -> dict[str, Any]:
        return {"requests": self.requests, "window_seconds": self.window_seconds,
                "header": self.header()}


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason on one outcome: code, human text, and the evidence it rests on."""

    code: ReasonCode
    outcome: Outcome
    text: str
    evidence: dict[str, Any] = field(default_factory=dict)
    limit: RateLimit | None = None  # a rate limit this reason puts on an ALLOW
    severity: int = field(init=False, repr=False, compare=False)  # for ordering, cached

    def __post_init__(self) -> None:
        object.__setattr__(self, "severity", _SEVERITY[self.outcome])

    def as_dict(self) -> dict[str, Any]:
        return {"code": str(self.code), "outcome": str(self.outcome), "text": self.text,
                "evidence": self.evidence}


def make_reason(code: ReasonCode, outcome: Outcome, **evidence: Any) -> Reason:
    return Reason(code=code, outcome=outcome, text=CATALOGUE[code], evidence=evidence)
