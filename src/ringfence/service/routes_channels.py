"""Channel routes: intermediaries' agreements (admin), their end customers (the
intermediary itself, for its own channel only) and scorecards (analysts, admins, and the
intermediary for its own)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from ringfence.service import channels
from ringfence.service.auth import Identity, require, runtime_of
from ringfence.service.limits import BULK_LIMIT
from ringfence.service.models import ChannelIn, ErrorOut, PathId, WebhookIn
from ringfence.service.scorecard import scorecard

__all__ = ["router"]

router = APIRouter(tags=["channels"])
_E: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut},
    413: {"model": ErrorOut}, 422: {"model": ErrorOut}, 429: {"model": ErrorOut}}
Admin = Annotated[Identity, Depends(require("admin"))]
Intermediary = Annotated[Identity, Depends(require("intermediary"))]
Viewer = Annotated[Identity, Depends(require("analyst", "admin", "intermediary"))]

_CSV_BODY = {"requestBody": {"required": True, "content": {
    "text/csv": {"schema": {"type": "string", "maxLength": BULK_LIMIT}, "example":
                 "ref,name,country,identifiers,domains\n"
                 "c-001,Spotify Technology S.A.,LU,lei:549300H8C8OGCAH2OM21,spotify.com\n"},
    "application/json": {"example": {"end_customers": [
        {"ref": "c-001", "name": "Spotify Technology S.A.", "country": "LU",
         "identifiers": ["lei:549300H8C8OGCAH2OM21"], "domains": ["spotify.com"]}]}}}}}


@router.post("/v1/channels", status_code=201, responses=_E,
             summary="Record an intermediary's channel agreement")
def create_channel(body: ChannelIn, request: Request, who: Admin) -> dict[str, Any]:
    """The organisation ``org_id`` (already in the book) becomes an intermediary: its kind,
    how it attests end customers, the regions it may serve. Its own status still applies
    (a denied intermediary is denied whatever it attests). Calling it again changes it."""
    return channels.create_channel(runtime_of(request), org_id=body.org_id, kind=body.kind,
                                   attestation=body.attestation, regions=body.regions,
                                   actor=who.token_id)


@router.get("/v1/channels/{channel_id}", responses=_E, summary="A channel agreement")
def get_channel(channel_id: PathId, request: Request, who: Viewer) -> dict[str, Any]:
    who.check_channel(channel_id)
    return channels.get_channel(runtime_of(request), channel_id)


@router.post("/v1/channels/{channel_id}/webhook", status_code=201, responses=_E,
             summary="Register the intermediary's webhook (https, public address only)")
def channel_webhook(channel_id: PathId, body: WebhookIn, request: Request,
                    who: Admin) -> dict[str, Any]:
    """Status changes of this intermediary's end customers are POSTed there, signed as
    every webhook is, carrying only its ref and the new status. Replaces an earlier one."""
    return channels.register_webhook(runtime_of(request), channel_id=channel_id,
                                     url=body.url, secret=body.secret, actor=who.token_id)


@router.post("/v1/channels/{channel_id}/end-customers", responses=_E,
             openapi_extra=_CSV_BODY, summary="Attest end customers (JSON or CSV)")
async def attest(channel_id: PathId, request: Request, who: Intermediary) -> dict[str, Any]:
    """Up to 10,000 end customers per call, idempotent by ``ref``; each is screened like
    a direct customer and the answer is its status (allowed, denied, review) and nothing
    else. A bad record refuses the whole call, naming the record and field."""
    who.check_channel(channel_id)
    rt = runtime_of(request)
    items = channels.parse_end_customers(await request.body(),
                                         request.headers.get("content-type", ""))
    out: dict[str, Any] = await run_in_threadpool(
        channels.attest, rt, channel_id=channel_id, items=items, actor=who.token_id)
    return out


@router.get("/v1/channels/{channel_id}/end-customers", responses=_E,
            summary="The end customers' statuses")
def end_customers(channel_id: PathId, request: Request, who: Viewer,
                  limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
                  offset: Annotated[int, Query(ge=0, le=2**62)] = 0) -> dict[str, Any]:
    """Each ref with its status; analysts and admins also see the book's organisation
    id."""
    who.check_channel(channel_id)
    return channels.end_customer_statuses(runtime_of(request), channel_id=channel_id,
                                          full=who.role != "intermediary", limit=limit,
                                          offset=offset)


@router.get("/v1/channels/{channel_id}/scorecard", responses=_E,
            summary="The intermediary's scorecard over a day or a week")
def channel_scorecard(channel_id: PathId, request: Request, who: Viewer,
                      window: Literal["day", "week"] = "day") -> dict[str, Any]:
    """The intermediary sees its own card without the analysts' case id."""
    who.check_channel(channel_id)
    card = scorecard(runtime_of(request), channel_id=channel_id, window=window)
    if who.role == "intermediary":
        card.pop("case_id", None)
    return card
