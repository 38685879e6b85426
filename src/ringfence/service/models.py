"""Request and response bodies (pydantic), with the examples the OpenAPI document shows."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, IPvAnyAddress, model_validator

from ringfence.decide import Channel

__all__ = [
    "DECIDE_EXAMPLES",
    "AccountIn",
    "AccountOut",
    "AccountProfileIn",
    "DecideContext",
    "DecideRequest",
    "DecideResponse",
    "ErrorOut",
    "IdentifierIn",
    "KeyOut",
    "OrganizationIn",
    "OverrideIn",
    "PublishIn",
    "ReasonIn",
    "TokenIn",
    "TokenOut",
    "WebhookIn",
]

_COUNTRY = r"^[A-Za-z]{2}$"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DecideContext(_In):
    client_ip: IPvAnyAddress | None = Field(None, description="The end user's IP address.")
    channel: Channel | None = Field(
        None, description="The channel the request claims; the account's registered "
        "channel is authoritative and a different claim gives REVIEW.")
    end_customer: str | None = Field(
        None, max_length=200,
        description="The organisation id the intermediary attests for this request.")
    end_customer_ref: str | None = Field(
        None, min_length=1, max_length=200,
        description="The intermediary's own reference for the end customer it attests "
        "(registered with POST /v1/channels/{id}/end-customers); mapped in memory.")
    client_user_id: str | None = Field(
        None, min_length=1, max_length=200,
        description="The end user behind the request, as the account knows them (counted, "
        "approximately, for the resale fan-out signal).")


DECIDE_EXAMPLES: list[dict[str, Any]] = [
    {"key_id": "key_5f2c0c7e9a8b4d1e2f3a",
     "context": {"client_ip": "203.0.113.7", "channel": "direct"}},
    {"account_id": "acc_1b2c3d4e5f60718293a4",
     "context": {"channel": "cloud", "end_customer": "org_9f8e7d6c5b4a39281706"}},
]


class DecideRequest(_In):
    """Name the caller by exactly one of ``account_id``, ``key_id`` or ``api_key``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True,
                              json_schema_extra={"examples": DECIDE_EXAMPLES})  # type: ignore[dict-item]

    account_id: str | None = Field(None, min_length=1, max_length=200)
    key_id: str | None = Field(None, min_length=1, max_length=200)
    api_key: str | None = Field(None, min_length=1, max_length=500,
                                description="The customer's API key secret (hashed here).")
    context: DecideContext = DecideContext()

    @model_validator(mode="after")
    def _one_ref(self) -> DecideRequest:
        named = [k for k in ("account_id", "key_id", "api_key") if getattr(self, k)]
        if len(named) != 1:
            raise ValueError("give exactly one of account_id, key_id, api_key")
        return self


class ReasonOut(BaseModel):
    code: str
    outcome: Literal["ALLOW", "REVIEW", "DENY"]
    text: str
    evidence: dict[str, Any]


class PolicyOut(BaseModel):
    name: str
    version: str
    hash: str


class LimitsOut(BaseModel):
    requests: int
    window_seconds: int
    header: str = Field(description="The `x-ringfence-rate-limit` header value "
                        "(`REQUESTS;w=WINDOW_SECONDS`).")


class DecideResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "decision_id": "6745f1c2a1b2c3d4-1f", "decision": "DENY", "allow": False,
        "reasons": [{"code": "org_denied", "outcome": "DENY",
                     "text": "The account's organisation is denied service.",
                     "evidence": {"org_id": "org_…", "status": "denied",
                                  "entity_id": "tiktok_inc", "verdict": "restricted",
                                  "status_reasons": ["entity_restricted"]}}],
        "snapshot_id": "20261128T040000Z-3f2a", "ip_country": "US",
        "policy": {"name": "provider-terms", "version": "2025-09-05", "hash": "ab12…"}}]})

    decision_id: str
    decision: Literal["ALLOW", "REVIEW", "DENY"]
    allow: bool = Field(description="What the gateway should do (REVIEW follows the "
                        "policy's decision.review).")
    reasons: list[ReasonOut]
    snapshot_id: str
    policy: PolicyOut
    ip_country: str | None = None
    limits: LimitsOut | None = Field(
        None, description="Set on an ALLOW the gateway must rate-limit (a throttled "
        "distillation cluster): at most `requests` per `window_seconds`.")


class IdentifierIn(_In):
    scheme: str = Field(min_length=1, max_length=40, examples=["lei"])
    value: str = Field(min_length=1, max_length=200, examples=["2138008KTNTDICZU8L25"])


class OrganizationIn(_In):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={
        "examples": [{"name": "TikTok Inc.", "country": "US", "billing_country": "US",
                      "identifiers": [], "domains": ["tiktok.com"]},
                     {"name": "Acme Widgets Ltd", "country": "GB",
                      "identifiers": [{"scheme": "gb_crn", "value": "01234567"}]}]})

    name: str = Field(min_length=1, max_length=500)
    country: str | None = Field(None, pattern=_COUNTRY, max_length=2,
                                description="ISO 3166-1 alpha-2")
    billing_country: str | None = Field(None, pattern=_COUNTRY, max_length=2)
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=50)
    domains: list[Annotated[str, Field(max_length=253)]] = Field(default_factory=list,
                                                                 max_length=50)
    provider_org_id: str | None = Field(
        None, min_length=1, max_length=200,
        description="The provider's own organisation id (the request logs' `org_id`), "
        "which detection findings name.")


_ACCOUNT_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,39}$"


class AccountProfileIn(_In):
    """The accounts.jsonl fields detection links accounts by (all optional)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={
        "examples": [{"payment_fingerprint": "pf_7c1e", "payment_bin": "424242",
                      "payment_country": "US", "signup_device_fp": "dev_93ab",
                      "signup_ip": "198.51.100.23"}]})

    payment_fingerprint: str | None = Field(None, min_length=1, max_length=200)
    payment_bin: str | None = Field(None, pattern=r"^[0-9]{4,12}$", max_length=12)
    payment_country: str | None = Field(None, pattern=_COUNTRY, max_length=2)
    signup_device_fp: str | None = Field(None, min_length=1, max_length=200)
    signup_ip: IPvAnyAddress | None = None
    phone: str | None = Field(None, pattern=r"^\+[0-9 ()-]{6,30}$", max_length=31,
                              description="International format (+CC ...): the phone-country "
                              "signal.")
    email: str | None = Field(None, pattern=r"^[^@\s]{1,200}@[A-Za-z0-9.-]{1,253}$",
                              max_length=454,
                              description="The account's e-mail: the domain signals.")


class AccountIn(AccountProfileIn):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={
        "examples": [{"channel": "direct"},
                     {"channel": "reseller", "end_customer": "org_9f8e7d6c5b4a39281706"}]})

    id: str | None = Field(None, pattern=_ACCOUNT_ID, max_length=40,
                           description="The provider's account id (the request logs' "
                           "`account_id`, which the gateway sends); default: a new id.")
    channel: Channel = Channel.DIRECT
    end_customer: str | None = Field(
        None, min_length=1, max_length=200,
        description="For a reseller or cloud account dedicated to one end customer.")
    provider_org_id: str | None = Field(
        None, min_length=1, max_length=200,
        description="The provider's organisation id, stored on the organisation (it must "
        "match the one already stored, if any).")


class AccountOut(BaseModel):
    id: str
    org_id: str
    channel: str
    end_customer: str | None
    active: bool
    created_at: str
    payment_fingerprint: str | None = None
    payment_bin: str | None = None
    payment_country: str | None = None
    signup_device_fp: str | None = None
    signup_ip: str | None = None
    phone: str | None = None
    email: str | None = None
    detection: dict[str, Any] | None = Field(
        None, description="What detection enforces on this account now, if anything.")


class KeyOut(BaseModel):
    id: str
    account_id: str
    secret: str = Field(description="Shown once; only its hash is stored.")
    created_at: str


class ReasonIn(_In):
    reason: str = Field(min_length=1, max_length=4000, examples=["Checked the filing."])


class OverrideIn(_In):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={
        "examples": [{"status": "allowed",
                      "reason": "Divested on 2026-03-01; see the registry filing."}]})

    status: Literal["allowed", "denied", "review"]
    reason: str = Field(min_length=1, max_length=4000)


class DismissIn(_In):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={
        "examples": [{"entity_id": "acme_widgets",
                      "reason": "Different company: registry number and address differ."}]})

    entity_id: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=4000)


class TokenIn(_In):
    role: Literal["gateway", "analyst", "admin", "detector", "intermediary"]
    label: str = Field("", max_length=200)
    channel: str | None = Field(None, max_length=40, description="For role `intermediary`: "
                                "the channel (the intermediary's organisation id) it may use.")


class TokenOut(BaseModel):
    """A token as listed: never its secret or hash."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "tok_0a1b2c3d4e5f60718293", "role": "gateway", "label": "envoy-eu-1",
        "created_at": "2026-11-28T07:00:00.000000Z", "revoked_at": "2026-11-28T08:00:00.000000Z",
        "revoked_by": "tok_9f8e7d6c5b4a39281706", "revoke_reason": "Host decommissioned."}]})

    id: str
    role: str
    label: str
    channel: str | None = None
    created_at: str
    revoked_at: str | None = Field(None, description="Set once the token is revoked.")
    revoked_by: str | None = Field(None, description="The token id (or `cli`) that revoked it.")
    revoke_reason: str | None = None


class PublishIn(_In):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={
        "examples": [{"path": "/srv/ringfence/snapshots/2026-11-28"},
                     {"path": "/srv/ringfence/snapshots/2026-11-28", "policy": "ofac-50"}]})

    path: str = Field(min_length=1, max_length=4000,
                      description="A snapshot folder readable by the server.")
    policy: str | None = Field(None, min_length=1, max_length=4000,
                               description="Shipped policy name or file; default: the live one.")


class ChannelIn(_In):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={
        "examples": [{"org_id": "org_1b2c3d4e5f60718293a4", "kind": "cloud_platform",
                      "attestation": "both", "regions": ["US", "GB", "DE"]}]})

    org_id: str = Field(min_length=1, max_length=40,
                        description="The intermediary: an organisation of the book.")
    kind: Literal["cloud_platform", "reseller", "api_aggregator"]
    attestation: Literal["per_request", "per_account", "both"] = "both"
    regions: list[Annotated[str, Field(max_length=2)]] = Field(default_factory=list,
                                                               max_length=300,
                               description="ISO codes it may serve; empty: anywhere.")


class WebhookIn(_In):
    url: str = Field(min_length=1, max_length=2000, pattern=r"^https?://",
                     examples=["https://hooks.example.com/ringfence"])
    secret: str = Field(min_length=16, max_length=200)


class ErrorOut(BaseModel):
    error: dict[str, Any]


# A path segment naming a record (organisation, account, key, case, ...): every id this
# service makes is far shorter; longer is refused before any lookup.
PathId = Annotated[str, Path(min_length=1, max_length=200)]
