"""Analyst routes: the customer book, review and overrides, decisions, events, audit."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request

from ringfence.service import book, reads, rematch
from ringfence.service.auth import Identity, require, runtime_of
from ringfence.service.models import (
    AccountIn,
    AccountOut,
    AccountProfileIn,
    DismissIn,
    ErrorOut,
    KeyOut,
    OrganizationIn,
    OverrideIn,
    PathId,
    ReasonIn,
)
from ringfence.service.replay import replay

MAX_ROW = 2**62  # offsets and ids past this cannot be a row: refuse them before SQL (int64)

__all__ = ["router"]

router = APIRouter()
_E: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut},
    409: {"model": ErrorOut}, 413: {"model": ErrorOut}, 422: {"model": ErrorOut},
    503: {"model": ErrorOut}}
Analyst = Annotated[Identity, Depends(require("analyst"))]
Reader = Annotated[Identity, Depends(require("analyst", "admin"))]
Status = Literal["allowed", "denied", "review"]


@router.post("/v1/organizations", status_code=201, responses=_E, tags=["book"],
             summary="Onboard an organisation")
def onboard(body: OrganizationIn, request: Request, who: Analyst) -> dict[str, Any]:
    """Resolve the declaration to a snapshot entity, take that entity's verdict under the
    live policy and set the status (allowed, denied or review) with its reasons."""
    return book.onboard(runtime_of(request), name=body.name,
                        country=body.country.upper() if body.country else None,
                        billing_country=(body.billing_country.upper()
                                         if body.billing_country else None),
                        identifiers=[i.model_dump() for i in body.identifiers],
                        domains=body.domains, actor=who.token_id,
                        provider_org_id=body.provider_org_id)


@router.get("/v1/organizations", responses=_E, tags=["book"])
def list_organizations(request: Request, _who: Reader, status: Status | None = None,
                       review_due: bool | None = None,
                       limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                       offset: Annotated[int, Query(ge=0, le=MAX_ROW)] = 0) -> dict[str, Any]:
    """The book; ``review_due=true``: the organisations a publish put back in the queue
    (an override whose entity or verdict changed, a dismissed candidate back with new
    data)."""
    rt = runtime_of(request)
    rows = list(rt.iter_orgs(status=status, review_due=review_due, limit=limit,
                             offset=offset))
    return {"items": [book.org_view(r) for r in rows], "limit": limit, "offset": offset}


@router.get("/v1/organizations/{org_id}", responses=_E, tags=["book"])
def get_organization(org_id: PathId, request: Request, _who: Reader) -> dict[str, Any]:
    row, accs = reads.accounts_of(runtime_of(request), org_id)
    return {**book.org_view(row), "accounts": accs}


@router.get("/v1/organizations/{org_id}/proof", responses=_E, tags=["book"])
def organization_proof(org_id: PathId, request: Request, _who: Reader) -> dict[str, Any]:
    """Why the matched entity's verdict holds: the ownership proof from the live snapshot."""
    return reads.org_proof(runtime_of(request), org_id)


@router.post("/v1/organizations/{org_id}/accounts", status_code=201, response_model=AccountOut,
             responses=_E, tags=["book"])
def create_account(org_id: PathId, body: AccountIn, request: Request,
                   who: Analyst) -> dict[str, Any]:
    """An account: the provider's id (``id``, what the gateway sends) or a new one, with
    the accounts.jsonl profile detection links accounts by. An account sharing a payment
    fingerprint or signup device with a confirmed distillation cluster inherits its action
    at once (``detection`` in the answer)."""
    profile = body.model_dump(include=set(book.PROFILE_FIELDS))
    return book.create_account(runtime_of(request), org_id=org_id, channel=body.channel.value,
                               end_customer=body.end_customer, actor=who.token_id,
                               account_id=body.id, profile=profile,
                               provider_org_id=body.provider_org_id)


@router.get("/v1/accounts/{account_id}", response_model=AccountOut, responses=_E,
            tags=["book"])
def get_account(account_id: PathId, request: Request, _who: Reader) -> dict[str, Any]:
    """An account with its profile and what detection enforces on it now."""
    return book.get_account(runtime_of(request), account_id)


@router.patch("/v1/accounts/{account_id}", response_model=AccountOut, responses=_E,
              tags=["book"], summary="Set an account's profile (payment, signup device, IP)")
def update_account(account_id: PathId, body: AccountProfileIn, request: Request,
                   who: Analyst) -> dict[str, Any]:
    """Fields given are set, others kept; then the account is linked to confirmed
    distillation clusters as on creation."""
    return book.update_account(runtime_of(request), account_id=account_id,
                               profile=body.model_dump(exclude_unset=True), actor=who.token_id)


@router.post("/v1/accounts/{account_id}/keys", status_code=201, response_model=KeyOut,
             responses=_E, tags=["book"], summary="Issue an API key (the secret is shown once)")
def create_key(account_id: PathId, request: Request, who: Analyst) -> dict[str, Any]:
    return book.create_key(runtime_of(request), account_id=account_id, actor=who.token_id)


@router.post("/v1/accounts/{account_id}/disable", response_model=AccountOut, responses=_E,
             tags=["book"], summary="Disable an account (its requests are denied)")
def disable_account(account_id: PathId, body: ReasonIn, request: Request,
                    who: Analyst) -> dict[str, Any]:
    return book.set_account_active(runtime_of(request), account_id=account_id, active=False,
                                   reason=body.reason, actor=who.token_id)


@router.post("/v1/accounts/{account_id}/enable", response_model=AccountOut, responses=_E,
             tags=["book"])
def enable_account(account_id: PathId, body: ReasonIn, request: Request,
                   who: Analyst) -> dict[str, Any]:
    return book.set_account_active(runtime_of(request), account_id=account_id, active=True,
                                   reason=body.reason, actor=who.token_id)


@router.delete("/v1/keys/{key_id}", status_code=204, responses=_E, tags=["book"])
def revoke_key(key_id: PathId, request: Request, who: Analyst) -> None:
    book.revoke_key(runtime_of(request), key_id=key_id, actor=who.token_id)


@router.post("/v1/organizations/{org_id}/confirm", responses=_E, tags=["review"])
def confirm(org_id: PathId, body: ReasonIn, request: Request, who: Analyst) -> dict[str, Any]:
    """Record that an analyst reviewed and confirms the status in force."""
    return book.confirm(runtime_of(request), org_id=org_id, reason=body.reason,
                        actor=who.token_id)


@router.post("/v1/organizations/{org_id}/override", status_code=201, responses=_E,
             tags=["review"], summary="Override the status (a DENY needs four eyes)")
def override(org_id: PathId, body: OverrideIn, request: Request, who: Analyst) -> dict[str, Any]:
    """Applies at once, except when the organisation is denied: then the override waits
    (``state: pending``) for a second, different analyst's approval."""
    return book.request_override(runtime_of(request), org_id=org_id, status=body.status,
                                 reason=body.reason, actor=who.token_id)


@router.post("/v1/organizations/{org_id}/dismiss-candidate", responses=_E, tags=["review"],
             summary="Dismiss a candidate entity as not this organisation")
def dismiss_candidate(org_id: PathId, body: DismissIn, request: Request,
                      who: Analyst) -> dict[str, Any]:
    """The match (or an alternative) is not this organisation: screened again without it,
    status recomputed (an override stays). Later publishes keep it out while its screening
    data is unchanged. Refused (409) for a denied organisation: that takes an override."""
    return rematch.dismiss_candidate(runtime_of(request), org_id=org_id,
                                     entity_id=body.entity_id, reason=body.reason,
                                     actor=who.token_id)


@router.get("/v1/overrides", responses=_E, tags=["review"])
def list_overrides(request: Request, _who: Reader,
                   state: Literal["pending", "applied", "rejected"] | None = None
                   ) -> dict[str, Any]:
    return {"items": reads.override_list(runtime_of(request), state=state)}


@router.post("/v1/overrides/{override_id}/approve", responses=_E, tags=["review"])
def approve(override_id: PathId, body: ReasonIn, request: Request, who: Analyst) -> dict[str, Any]:
    return book.approve_override(runtime_of(request), override_id=override_id,
                                 reason=body.reason, actor=who.token_id)


@router.post("/v1/overrides/{override_id}/reject", responses=_E, tags=["review"])
def reject(override_id: PathId, body: ReasonIn, request: Request, who: Analyst) -> dict[str, Any]:
    return book.reject_override(runtime_of(request), override_id=override_id,
                                reason=body.reason, actor=who.token_id)


@router.get("/v1/decisions/{decision_id}", responses=_E, tags=["decisions"])
def get_decision(decision_id: PathId, request: Request, _who: Reader) -> dict[str, Any]:
    return reads.decision(runtime_of(request), decision_id)


@router.post("/v1/decisions/{decision_id}/replay", responses=_E, tags=["decisions"])
def replay_decision(decision_id: PathId, request: Request, _who: Reader) -> dict[str, Any]:
    """Re-run the decision as of its snapshot and policy version."""
    return replay(runtime_of(request), decision_id)


@router.get("/v1/events", responses=_E, tags=["events"])
def list_events(request: Request, _who: Reader,
                after: Annotated[int, Query(ge=0, le=MAX_ROW)] = 0,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    """Events in order; pass the last ``seq`` seen as ``after`` to page. Each has an ``id``
    that webhook deliveries carry too, for de-duplication."""
    return reads.event_page(runtime_of(request), after=after, limit=limit)


@router.get("/v1/audit", responses=_E, tags=["audit"])
def audit_tail(request: Request, _who: Reader,
               limit: Annotated[int, Query(ge=1, le=1000)] = 50,
               kind: Annotated[str | None, Query(max_length=100)] = None) -> dict[str, Any]:
    rt = runtime_of(request)
    return {"items": [r.as_dict() for r in rt.audit.tail(limit, kind=kind)]}
