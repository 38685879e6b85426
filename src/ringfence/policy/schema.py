"""The policy file's schema: a regime as data.

A policy document has base settings and, optionally, ``versions``: each takes effect on
its ``effective_from`` date and overrides any settings it names (or switches the regime
off with ``enabled: false``). :meth:`PolicyDocument.resolve` picks the settings in force on
a date. Unknown keys are errors naming their key path.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "ChannelRule",
    "ChannelRules",
    "CompaniesRule",
    "DecisionRules",
    "IpCountryRule",
    "OriginRules",
    "OwnershipRules",
    "PersonsRule",
    "PolicyDocument",
    "PolicySettings",
    "PolicyVersion",
    "Propagation",
    "SignalRules",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Propagation(StrEnum):
    CASCADE = "cascade"
    CONTROL = "control"
    LOOK_THROUGH = "look_through"


class CompaniesRule(StrEnum):
    HEADQUARTERS = "headquarters"  # only the principal place of business counts
    HEADQUARTERS_OR_JURISDICTION = "headquarters_or_jurisdiction"  # registration stands in
    JURISDICTION = "jurisdiction"  # only the place of registration counts


class PersonsRule(StrEnum):
    IGNORE = "ignore"
    RESTRICTED = "restricted"
    UNCERTAIN = "uncertain"


class OriginRules(_Strict):
    companies: CompaniesRule = CompaniesRule.HEADQUARTERS
    states: bool = True
    persons: PersonsRule = PersonsRule.IGNORE
    lists: tuple[str, ...] = ("*",)


class OwnershipRules(_Strict):
    propagation: Propagation = Propagation.CASCADE
    threshold: float = Field(0.5, gt=0, le=1)
    inclusive: bool = False
    aggregate: bool = True


class ChannelRule(_Strict):
    """How the decision service treats traffic an intermediary (cloud, reseller) carries."""

    unattested: Literal["deny", "review", "allow"] = "review"  # no end customer named
    unknown_end_customer: Literal["deny", "review"] = "review"  # named, not in the book


class ScorecardRule(_Strict):
    """An intermediary's scorecard over a window opens a case past any of these (shares of
    its requests or of its attested end customers; ``null`` switches a threshold off)."""

    min_requests: int = Field(100, ge=1)
    max_unattested_share: float | None = Field(0.5, ge=0, le=1)
    max_restricted_customer_share: float | None = Field(0.05, ge=0, le=1)
    max_restricted_region_share: float | None = Field(0.01, ge=0, le=1)
    max_hosting_vpn_share: float | None = Field(None, ge=0, le=1)


class ChannelRules(_Strict):
    cloud: ChannelRule = ChannelRule()
    reseller: ChannelRule = ChannelRule()
    scorecard: ScorecardRule = ScorecardRule()


class IpCountryRule(_Strict):
    """Requests from a region in ``regions`` (default: the policy's restricted regions)."""

    restricted_region: Literal["deny", "review", "ignore"] = "deny"
    regions: tuple[str, ...] | None = None


SignalAction = Literal["deny", "review", "ignore"]


class RegionSignalRule(_Strict):
    """A country signal in ``regions`` (default: the policy's restricted regions)."""

    restricted_region: SignalAction = "review"
    regions: tuple[str, ...] | None = None


class NetworkRule(_Strict):
    """The client IP's network class (curated ASN lists, ``ringfence/data/asn``). Hosting
    and cloud networks are never a denial by default: most API traffic comes from clouds."""

    hosting: SignalAction = "ignore"
    vpn: SignalAction = "review"
    mobile: SignalAction = "ignore"
    residential: SignalAction = "ignore"
    education: SignalAction = "ignore"


class MismatchRule(_Strict):
    """Declared, billing and (residential or mobile) network countries disagree."""

    action: SignalAction = "review"


class DomainRule(_Strict):
    """E-mail and website domains of a restricted group, and disposable e-mail domains."""

    restricted_group: SignalAction = "review"
    disposable: SignalAction = "review"


class ResaleRule(_Strict):
    """An account that is no registered intermediary fanning out to many end users and
    countries or networks (approximate per-worker counts, docs/service.md)."""

    action: SignalAction = "review"
    min_users: int = Field(30, ge=1)
    min_countries: int = Field(5, ge=1)
    min_networks: int = Field(10, ge=1)


class SignalRules(_Strict):
    ip_country: IpCountryRule = IpCountryRule()
    billing_country: RegionSignalRule = RegionSignalRule(restricted_region="deny")
    phone_country: RegionSignalRule = RegionSignalRule()
    network: NetworkRule = NetworkRule()
    country_mismatch: MismatchRule = MismatchRule()
    domains: DomainRule = DomainRule()
    resale: ResaleRule = ResaleRule()


class DecisionRules(_Strict):
    review: Literal["deny", "allow"] = "deny"  # how REVIEW acts at the gateway
    unknown_account: Literal["deny", "review"] = "deny"
    channels: ChannelRules = ChannelRules()
    signals: SignalRules = SignalRules()


_COUNTRY = r"^[A-Z]{2}$"


class PolicySettings(_Strict):
    """The settings in force on one date: what the engine and the decision rule read."""

    restricted_regions: tuple[str, ...] = ()
    origin: OriginRules = OriginRules()
    ownership: OwnershipRules = OwnershipRules()
    unknown_ownership: Literal["ignore", "review"] = "ignore"
    unaccounted_equity: Literal["ignore", "unknown"] = "ignore"
    decision: DecisionRules = DecisionRules()
    enabled: bool = True

    @field_validator("restricted_regions", mode="before")
    @classmethod
    def _upper_regions(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return tuple(str(v).strip().upper() for v in value)
        return value

    @field_validator("restricted_regions")
    @classmethod
    def _regions_are_codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        import re

        for code in value:
            if not re.match(_COUNTRY, code):
                raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 code")
        return value

    @property
    def threshold_ppb(self) -> int:
        from ringfence.model.share import parse_fraction

        return parse_fraction(repr(self.ownership.threshold))


class PolicyVersion(_Strict):
    """Settings that change from ``effective_from`` on; anything unnamed carries over."""

    effective_from: dt.date
    version: str | None = None
    note: str = ""
    enabled: bool | None = None
    restricted_regions: tuple[str, ...] | None = None
    origin: dict[str, Any] | None = None
    ownership: dict[str, Any] | None = None
    unknown_ownership: Literal["ignore", "review"] | None = None
    unaccounted_equity: Literal["ignore", "unknown"] | None = None
    decision: dict[str, Any] | None = None


class PolicyDocument(_Strict):
    """A whole policy file."""

    name: str = Field(min_length=1)
    version: str = "1"
    description: str = ""
    sources: tuple[str, ...] = ()
    effective_from: dt.date | None = None
    restricted_regions: tuple[str, ...] = ()
    origin: OriginRules = OriginRules()
    ownership: OwnershipRules = OwnershipRules()
    unknown_ownership: Literal["ignore", "review"] = "ignore"
    unaccounted_equity: Literal["ignore", "unknown"] = "ignore"
    decision: DecisionRules = DecisionRules()
    versions: tuple[PolicyVersion, ...] = ()

    @field_validator("versions")
    @classmethod
    def _versions_ordered(cls, value: tuple[PolicyVersion, ...]) -> tuple[PolicyVersion, ...]:
        dates = [v.effective_from for v in value]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise ValueError("versions must have distinct effective_from dates in order")
        return value
