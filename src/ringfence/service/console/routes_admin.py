"""Admin-only pages: tokens (list, create, revoke) and channel agreements. Analysts are
refused (403), as by the API's ``/v1/admin/tokens`` and ``POST /v1/channels``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from ringfence.service import book, channels
from ringfence.service.auth import runtime_of
from ringfence.service.console.web import checked, page, viewer
from ringfence.service.models import ChannelIn
from ringfence.service.sessions import Session

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Admin = Annotated[Session, Depends(viewer("admin"))]


@router.get("/console/admin/tokens")
def token_list(request: Request, _who: Admin) -> Response:
    return page(request, "tokens.html", title="Tokens",
                tokens=book.list_tokens(runtime_of(request)), created=None)


@router.post("/console/admin/tokens")
def token_create(request: Request, who: Admin, role: Annotated[str, Form(max_length=16)],
                 label: Annotated[str, Form(max_length=200)] = "") -> Response:
    rt = runtime_of(request)
    out = book.create_token(rt, role=role, label=label, actor=who.token_id)
    return page(request, "tokens.html", title="Tokens", tokens=book.list_tokens(rt),
                created=out, flash=f"Token {out['id']} created; copy it now, it is not shown "
                "again.")


@router.post("/console/admin/tokens/{token_id}/revoke")
def token_revoke(token_id: str, request: Request, who: Admin,
                 reason: Annotated[str, Form(min_length=1, max_length=2000)]) -> Response:
    rt = runtime_of(request)
    book.revoke_token(rt, token_id=token_id, reason=reason, actor=who.token_id)
    return page(request, "tokens.html", title="Tokens", tokens=book.list_tokens(rt),
                created=None, flash=f"Token {token_id} revoked.")


@router.get("/console/admin/channels")
def channel_list(request: Request, _who: Admin) -> Response:
    return page(request, "channels.html", title="Channel agreements",
                channels=channels.list_channels(runtime_of(request)), kinds=channels.KINDS,
                modes=channels.MODES)


@router.post("/console/admin/channels")
def channel_create(request: Request, who: Admin, org_id: Annotated[str, Form(max_length=40)],
                   kind: Annotated[str, Form(max_length=24)],
                   attestation: Annotated[str, Form(max_length=16)],
                   regions: Annotated[str, Form(max_length=2000)] = "") -> Response:
    body = checked(ChannelIn, {"org_id": org_id.strip(), "kind": kind,
                               "attestation": attestation,
                               "regions": [r.strip() for r in regions.split(",") if r.strip()]})
    rt = runtime_of(request)
    channels.create_channel(rt, org_id=body.org_id, kind=body.kind,
                            attestation=body.attestation, regions=body.regions,
                            actor=who.token_id)
    return page(request, "channels.html", title="Channel agreements",
                channels=channels.list_channels(rt), kinds=channels.KINDS,
                modes=channels.MODES, flash=f"Agreement for {body.org_id} recorded.")
