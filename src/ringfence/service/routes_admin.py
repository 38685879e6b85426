"""Admin routes: snapshots and policies, tokens, webhooks, audit verification."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from ringfence.service import book, reads
from ringfence.service.auth import Identity, require, runtime_of
from ringfence.service.models import (
    ErrorOut,
    PathId,
    PublishIn,
    ReasonIn,
    TokenIn,
    TokenOut,
    WebhookIn,
)

__all__ = ["router"]

router = APIRouter(tags=["admin"])
_E: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut},
    409: {"model": ErrorOut}, 413: {"model": ErrorOut}, 422: {"model": ErrorOut},
    503: {"model": ErrorOut}}
Admin = Annotated[Identity, Depends(require("admin"))]


@router.post("/v1/admin/snapshots/publish", responses=_E,
             summary="Publish a snapshot (and optionally switch policy)")
async def publish(body: PublishIn, request: Request, who: Admin) -> dict[str, Any]:
    """Re-evaluates the whole customer book under the live (or named) policy, swaps the
    in-memory verdicts atomically and emits an event per organisation whose status
    changed."""
    rt = runtime_of(request)
    return await run_in_threadpool(lambda: rt.publish(body.path, policy=body.policy,
                                                      actor=who.token_id))


@router.get("/v1/admin/snapshots", responses=_E)
def list_snapshots(request: Request, _who: Admin) -> dict[str, Any]:
    return reads.snapshot_list(runtime_of(request))


@router.post("/v1/admin/tokens", status_code=201, responses=_E,
             summary="Create a token (shown once)")
def create_token(body: TokenIn, request: Request, who: Admin) -> dict[str, Any]:
    return book.create_token(runtime_of(request), role=body.role, label=body.label,
                             actor=who.token_id, channel=body.channel)


@router.get("/v1/admin/tokens", response_model=list[TokenOut], responses=_E,
            summary="List tokens (never their secrets)")
def list_tokens(request: Request, _who: Admin) -> list[dict[str, Any]]:
    return book.list_tokens(runtime_of(request))


@router.post("/v1/admin/tokens/{token_id}/revoke", response_model=TokenOut, responses=_E,
             summary="Revoke a token, with a reason")
def revoke_token(token_id: PathId, body: ReasonIn, request: Request, who: Admin
                 ) -> dict[str, Any]:
    """Refused by this server at once and by every other worker within
    `RINGFENCE_SYNC_SECONDS`; recorded in the audit log (`token.revoke`) with who and why.
    A revoked token cannot be restored: create a new one."""
    return book.revoke_token(runtime_of(request), token_id=token_id, reason=body.reason,
                             actor=who.token_id)


@router.post("/v1/admin/webhooks", status_code=201, responses=_E)
def create_webhook(body: WebhookIn, request: Request, who: Admin) -> dict[str, Any]:
    return book.create_webhook(runtime_of(request), url=body.url, secret=body.secret,
                               actor=who.token_id)


@router.get("/v1/admin/audit/verify", responses=_E)
def verify_audit(request: Request, _who: Admin) -> dict[str, Any]:
    """Walk the hash chain; names the first record edited, deleted or reordered."""
    return runtime_of(request).audit.verify().as_dict()
