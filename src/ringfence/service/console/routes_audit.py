"""The audit log: records filtered by kind, actor and subject (analysts and admins, as
``/v1/audit``); the chain's verification (admins, as ``/v1/admin/audit/verify``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ringfence.exc import InputError
from ringfence.service import reads
from ringfence.service.auth import runtime_of
from ringfence.service.console.web import page, viewer
from ringfence.service.sessions import CONSOLE_ROLES, Session

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Reader = Annotated[Session, Depends(viewer(*CONSOLE_ROLES))]
Admin = Annotated[Session, Depends(viewer("admin"))]


def _audit_page(request: Request, verification: object = None) -> Response:
    q = request.query_params
    f = {k: (q.get(k) or "").strip() for k in ("kind", "actor", "subject")}
    if any(len(v) > 200 for v in f.values()):
        raise InputError("filters are at most 200 characters", details={"field": "kind"})
    before = q.get("before") or ""
    if before and (not before.isdigit() or len(before) > 18):
        raise InputError("before must be a record number", details={"field": "before"})
    rows = reads.audit_records(runtime_of(request), kind=f["kind"] or None,
                               actor=f["actor"] or None, subject=f["subject"] or None,
                               before=int(before) if before else None)
    return page(request, "audit.html", title="Audit log", rows=rows, f=f,
                verification=verification)


@router.get("/console/audit")
def audit(request: Request, _who: Reader) -> Response:
    return _audit_page(request)


@router.post("/console/admin/audit/verify")
def verify(request: Request, _who: Admin) -> Response:
    return _audit_page(request, verification=runtime_of(request).audit.verify())
