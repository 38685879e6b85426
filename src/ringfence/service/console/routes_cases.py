"""A detection or channel-scorecard case: evidence, the cluster picture, the accounts the
book knows, and the decision (confirm with an action, dismiss; a suspend waits for a second
analyst's approval), each one call to ``cases.py`` as ``/v1/cases/...``."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ringfence.render import cluster_svg
from ringfence.service import cases
from ringfence.service.auth import runtime_of
from ringfence.service.console.web import page, viewer
from ringfence.service.sessions import CONSOLE_ROLES, Session

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Reader = Annotated[Session, Depends(viewer(*CONSOLE_ROLES))]
Analyst = Annotated[Session, Depends(viewer("analyst"))]
Reason = Annotated[str, Form(min_length=1, max_length=2000)]


@router.get("/console/cases/{case_id}")
def case(case_id: str, request: Request, _who: Reader) -> Response:
    c = cases.get_case(runtime_of(request), case_id)
    return page(request, "case.html", title=f"Case {case_id}", c=c, svg=cluster_svg(c),
                evidence=json.dumps(c.get("evidence"), indent=2, ensure_ascii=False,
                                    default=str))


@router.post("/console/cases/{case_id}/decide")
def decide(case_id: str, request: Request, who: Analyst,
           to: Annotated[Literal["confirmed", "dismissed"], Form()], reason: Reason,
           action: Annotated[str, Form(max_length=16)] = "") -> Response:
    cases.decide_case(runtime_of(request), case_id=case_id, to=to, action=action or None,
                      reason=reason, actor=who.token_id)
    return RedirectResponse(f"/console/cases/{case_id}", status_code=303)


@router.post("/console/cases/{case_id}/{verb}")
def approve_or_reject(case_id: str, verb: Literal["approve", "reject"], request: Request,
                      who: Analyst, reason: Reason) -> Response:
    act = cases.approve_case if verb == "approve" else cases.reject_case
    act(runtime_of(request), case_id=case_id, reason=reason, actor=who.token_id)
    return RedirectResponse(f"/console/cases/{case_id}", status_code=303)
