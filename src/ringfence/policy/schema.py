"""The policy file's schema: a regime as data.

A policy document has base settings and, optionally, ``versions``: each takes effect on
its ``effective_from`` date and overrides any settings it names (or switches the regime
off with ``enabled: false``). :func:`ringfence.policy.resolve` picks the settings in force
on a date. Unknown keys are errors naming their key path.

Every setting is declared once, in :class:`PolicyFields`, with its meaning in words
(``description``): the document (:class:`PolicyDocument`), the settings in force
(:class:`PolicySettings`), the version override model (:class:`PolicyVersion`, built from
the same fields, each optional), the loader's merge and the diff (:func:`setting_words`)
all derive from it. The threshold is an exact :class:`~fractions.Fraction` from the
moment it is read (a YAML number is taken as the decimal it was written as).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    create_model,
    field_validator,
)

from ringfence.model.share import SCALE, parse_fraction

__all__ = [
    "SETTING_KEYS",
    "ChannelRule",
    "ChannelRules",
    "CompaniesRule",
    "DecisionRules",
    "ExactFraction",
    "ExceptionEvidence",
    "IpCountryRule",
    "OriginRules",
    "OwnershipRules",
    "PersonsRule",
    "PolicyDocument",
    "PolicyFields",
    "PolicySettings",
    "PolicyVersion",
    "Propagation",
    "ReportingExceptions",
    "SignalRules",
    "setting_words",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _to_fraction(value: Any) -> Any:
    """A number as written (``0.5``, ``"50%"``, ``"1/2"``) as an exact fraction. A YAML
    number arrives as a float: its shortest repr is the decimal the file holds."""
    if isinstance(value, bool | Fraction):
        return value
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    if isinstance(value, int | Decimal):
        return Fraction(value)
    if isinstance(value, str):
        return Fraction(parse_fraction(value), SCALE)
    return value


def _from_fraction(value: Fraction) -> float | str:
    """JSON/YAML form: the decimal when it is one (``0.5``), else ``"1/3"``."""
    as_float = float(value)
    return as_float if Fraction(Decimal(repr(as_float))) == value else str(value)


ExactFraction = Annotated[Fraction, BeforeValidator(_to_fraction),
                          PlainSerializer(_from_fraction, when_used="json")]


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
    companies: CompaniesRule = Field(CompaniesRule.HEADQUARTERS,
                                     description="where a company is taken to be")
    states: bool = Field(True, description="states of restricted regions are origins")
    persons: PersonsRule = Field(PersonsRule.IGNORE,
                                 description="persons resident in restricted regions")
    nationals: PersonsRule = Field(
        PersonsRule.IGNORE, description="persons who are nationals of restricted regions")
    lists: tuple[str, ...] = Field(("*",),
                                   description="designation lists whose members are origins")


class OwnershipRules(_Strict):
    propagation: Propagation = Field(
        Propagation.CASCADE, description="how restriction travels through the ownership graph")
    threshold: ExactFraction = Field(Fraction(1, 2), description="threshold")
    inclusive: bool = Field(False, description="threshold includes its own value (>=)")
    aggregate: bool = Field(True, description="different restricted owners add up")

    @field_validator("threshold")
    @classmethod
    def _threshold_in_range(cls, value: Fraction) -> Fraction:
        if not 0 < value <= 1:
            raise ValueError("the threshold must be above 0 and at most 1")
        if (value * SCALE).denominator != 1:
            raise ValueError("the threshold is more precise than one part per billion")
        return value


ExceptionReading = Literal["review", "ignore"] | None


def _reason(words: str) -> Any:
    return Field(None, description=f"GLEIF reporting exception {words}: may the "
                 "undisclosed parent be an origin (review) or not (ignore); unset: as "
                 "unknown_ownership (NATURAL_PERSONS: ignore)")


class ExceptionEvidence(_Strict):
    """Rules that close an undisclosed parent from evidence the data carries; each takes
    a risk stated in docs/policies.md, and each can be switched off."""

    reported_ultimate: bool = Field(
        False, description="an undisclosed direct parent under a reported ultimate parent "
        "is read as part of that parent's group (restricted only through it)")
    dispersed: bool = Field(
        False, description="NO_KNOWN_PERSON (nobody controls the entity: widely held) is "
        "read as ruling out a holder of half as well as of a majority")
    addresses: bool = Field(
        False, description="an undisclosed parent of the non-consolidating kind is read "
        "as located where the entity's headquarters and registration are, when both are "
        "known, neither is restricted and the ultimate category agrees")


class ReportingExceptions(_Strict):
    """What each GLEIF reporting-exception reason means for the verdict
    (docs/ingest.md and docs/policies.md, "Reporting exceptions")."""

    natural_persons: ExceptionReading = _reason("NATURAL_PERSONS")
    non_consolidating: ExceptionReading = _reason("NON_CONSOLIDATING")
    no_known_person: ExceptionReading = _reason("NO_KNOWN_PERSON")
    no_lei: ExceptionReading = _reason("NO_LEI")
    non_public: ExceptionReading = _reason("NON_PUBLIC")
    binding_legal_commitments: ExceptionReading = _reason("BINDING_LEGAL_COMMITMENTS")
    legal_obstacles: ExceptionReading = _reason("LEGAL_OBSTACLES")
    disclosure_detrimental: ExceptionReading = _reason("DISCLOSURE_DETRIMENTAL")
    detriment_not_excluded: ExceptionReading = _reason("DETRIMENT_NOT_EXCLUDED")
    consent_not_obtained: ExceptionReading = _reason("CONSENT_NOT_OBTAINED")
    evidence: ExceptionEvidence = ExceptionEvidence()

    def reading(self, reason: str, unknown_ownership: str) -> str:
        """``review`` or ``ignore`` for a reason (its setting, else the fallback)."""
        value = getattr(self, reason.lower(), None)
        if value is not None:
            return str(value)
        return "ignore" if reason == "NATURAL_PERSONS" else unknown_ownership


class ChannelRule(_Strict):
    """How the decision service treats traffic an intermediary (cloud, reseller) carries."""

    unattested: Literal["deny", "review", "allow"] = Field(
        "review", description="traffic that names no end customer")
    unknown_end_customer: Literal["deny", "review"] = Field(
        "review", description="traffic naming an end customer not in the book")


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

    restricted_region: Literal["deny", "review", "ignore"] = Field(
        "deny", description="requests from a restricted region")
    regions: tuple[str, ...] | None = Field(
        None, description="regions the IP signal reads (default: the restricted regions)")


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
    review: Literal["deny", "allow"] = Field("deny",
                                             description="how REVIEW acts at the gateway")
    unknown_account: Literal["deny", "review"] = Field("deny", description="unknown accounts")
    channels: ChannelRules = ChannelRules()
    signals: SignalRules = SignalRules()


_COUNTRY = r"^[A-Z]{2}$"


class PolicyFields(_Strict):
    """Every setting a policy has, declared once (the defaults are provider terms')."""

    restricted_regions: tuple[str, ...] = Field((), description="restricted regions")
    origin: OriginRules = OriginRules()
    ownership: OwnershipRules = OwnershipRules()
    unknown_ownership: Literal["ignore", "review"] = Field(
        "ignore", description="owners registries do not name")
    unaccounted_equity: Literal["ignore", "unknown"] = Field(
        "ignore", description="equity no record mentions")
    reporting_exceptions: ReportingExceptions = ReportingExceptions()
    decision: DecisionRules = DecisionRules()

    @field_validator("restricted_regions", mode="before")
    @classmethod
    def _upper_regions(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return tuple(str(v).strip().upper() for v in value)
        return value

    @field_validator("restricted_regions")
    @classmethod
    def _regions_are_codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for code in value:
            if not re.match(_COUNTRY, code):
                raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 code")
        return value


SETTING_KEYS: tuple[str, ...] = tuple(PolicyFields.model_fields)


class PolicySettings(PolicyFields):
    """The settings in force on one date: what the engine and the decision rule read."""

    enabled: bool = Field(True, description="regime in force")

    @property
    def threshold_ppb(self) -> int:
        """The threshold in parts per billion, exactly (validated to be whole)."""
        return int(self.ownership.threshold * SCALE)


def setting_words(key: str) -> str:
    """A setting's meaning in words, by its dotted key (``ownership.threshold``)."""
    model: type[BaseModel] = PolicySettings
    *parents, leaf = key.split(".")
    for part in parents:
        field = model.model_fields.get(part)
        sub = field.annotation if field is not None else None
        if not (isinstance(sub, type) and issubclass(sub, BaseModel)):
            return key
        model = sub
    found = model.model_fields.get(leaf)
    return found.description if found is not None and found.description else key


class _VersionHead(_Strict):
    """What every version names: its date, label and note; ``enabled`` switches the
    regime on or off from that date."""

    effective_from: dt.date
    version: str | None = None
    note: str = ""
    enabled: bool | None = None


def _override(annotation: Any) -> Any:
    """A setting as a version may name it: a nested group as a partial mapping (merged
    over the settings in force, then validated whole), any other value as itself."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return (dict[str, Any] | None, None)
    return (annotation | None, None)


if TYPE_CHECKING:
    PolicyVersion = _VersionHead
else:
    PolicyVersion = create_model(
        "PolicyVersion", __base__=_VersionHead, __module__=__name__,
        __doc__="Settings that change from ``effective_from`` on; anything unnamed "
                "carries over.",
        **{name: _override(f.annotation) for name, f in PolicyFields.model_fields.items()})


class PolicyDocument(PolicyFields):
    """A whole policy file: a name, a version label, the base settings, dated versions."""

    name: str = Field(min_length=1)
    version: str = "1"
    description: str = ""
    sources: tuple[str, ...] = ()
    effective_from: dt.date | None = None
    versions: tuple[PolicyVersion, ...] = ()

    @field_validator("versions")
    @classmethod
    def _versions_ordered(cls, value: tuple[PolicyVersion, ...]) -> tuple[PolicyVersion, ...]:
        dates = [v.effective_from for v in value]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise ValueError("versions must have distinct effective_from dates in order")
        return value
