"""The organisation page and its actions: confirm, override (a second analyst approves
what ``decide/review.py`` says needs four eyes), approve or reject a pending override,
accounts (create, disable, enable) and keys (issue, shown once). Each action is one call
to ``book.py``, which writes its audit record; the page only parses and renders."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ringfence.decide import Channel
from ringfence.exc import InputError
from ringfence.service import book, orgpage, reads, rematch
from ringfence.service.auth import runtime_of
from ringfence.service.console.web import checked, page, viewer
from ringfence.service.models import AccountIn, DismissIn
from ringfence.service.sessions import CONSOLE_ROLES, Session

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Reader = Annotated[Session, Depends(viewer(*CONSOLE_ROLES))]
Analyst = Annotated[Session, Depends(viewer("analyst"))]
Reason = Annotated[str, Form(min_length=1, max_length=2000)]
DONE = {"confirmed": "Status confirmed.", "overridden": "Override applied.",
        "requested": "Override requested: a second analyst must approve it.",
        "approved": "Override approved and applied.", "rejected": "Override rejected.",
        "disabled": "Account disabled.", "enabled": "Account enabled.",
        "account": "Account created.", "onboarded": "Organisation onboarded.",
        "dismissed": "Candidate dismissed: screened again without it."}


def _back(org_id: str, done: str) -> Response:
    return RedirectResponse(f"/console/organizations/{org_id}?done={done}", status_code=303)


@router.get("/console/organizations/{org_id}")
def organization(org_id: str, request: Request, _who: Reader, as_of: str | None = None,
                 done: str | None = None) -> Response:
    when = None
    if as_of:
        try:
            when = dt.date.fromisoformat(as_of)
        except ValueError:
            raise InputError("as_of must be a date (YYYY-MM-DD)",
                             details={"field": "as_of"}) from None
    view = orgpage.org_page(runtime_of(request), org_id, as_of=when)
    return page(request, "organization.html", title=view.row.name, v=view, as_of=as_of or "",
                flash=DONE.get(done or ""), channels=[c.value for c in Channel], secret=None)


@router.get("/console/organizations/{org_id}/policies")
def policies(org_id: str, request: Request, _who: Reader) -> Response:
    """The verdict under every shipped policy, as a fragment the page loads with htmx
    when the other policies' books were not evaluated yet."""
    rt = runtime_of(request)
    row, _accounts = reads.accounts_of(rt, org_id)
    verdicts = orgpage.policy_verdicts(rt, row.entity_id) if row.entity_id else []
    return page(request, "_policies.html", verdicts=verdicts)


@router.post("/console/organizations/{org_id}/confirm")
def confirm(org_id: str, request: Request, who: Analyst, reason: Reason) -> Response:
    book.confirm(runtime_of(request), org_id=org_id, reason=reason, actor=who.token_id)
    return _back(org_id, "confirmed")


@router.post("/console/organizations/{org_id}/override")
def override(org_id: str, request: Request, who: Analyst,
             status: Annotated[Literal["allowed", "denied", "review"], Form()],
             reason: Reason) -> Response:
    out = book.request_override(runtime_of(request), org_id=org_id, status=status,
                                reason=reason, actor=who.token_id)
    return _back(org_id, "requested" if out["needs_approval"] else "overridden")


@router.post("/console/organizations/{org_id}/dismiss-candidate")
def dismiss_candidate(org_id: str, request: Request, who: Analyst,
                      entity_id: Annotated[str, Form(max_length=200)] = "",
                      reason: Annotated[str, Form(max_length=4000)] = "") -> Response:
    """Not this organisation: screened again without the candidate (``rematch.py``, as
    ``POST /v1/organizations/{id}/dismiss-candidate``; a denied organisation takes an
    override instead)."""
    body = checked(DismissIn, {"entity_id": entity_id, "reason": reason})
    rematch.dismiss_candidate(runtime_of(request), org_id=org_id, entity_id=body.entity_id,
                              reason=body.reason, actor=who.token_id)
    return _back(org_id, "dismissed")


@router.post("/console/overrides/{override_id}/approve")
def approve(override_id: str, request: Request, who: Analyst, reason: Reason) -> Response:
    out = book.approve_override(runtime_of(request), override_id=override_id, reason=reason,
                                actor=who.token_id)
    return _back(out["org_id"], "approved")


@router.post("/console/overrides/{override_id}/reject")
def reject(override_id: str, request: Request, who: Analyst, reason: Reason) -> Response:
    out = book.reject_override(runtime_of(request), override_id=override_id, reason=reason,
                               actor=who.token_id)
    return _back(out["org_id"], "rejected")


@router.post("/console/organizations/{org_id}/accounts")
def create_account(org_id: str, request: Request, who: Analyst,
                   channel: Annotated[str, Form(max_length=16)] = "direct",
                   account_id: Annotated[str, Form(max_length=200)] = "") -> Response:
    body = checked(AccountIn, {"id": account_id.strip() or None, "channel": channel})
    book.create_account(runtime_of(request), org_id=org_id, channel=body.channel.value,
                        end_customer=None, actor=who.token_id, account_id=body.id)
    return _back(org_id, "account")


@router.post("/console/accounts/{account_id}/{action}")
def account_action(account_id: str, action: str, request: Request, who: Analyst,
                   reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    rt = runtime_of(request)
    if action == "keys":
        key = book.create_key(rt, account_id=account_id, actor=who.token_id)
        acc = book.get_account(rt, account_id)
        view = orgpage.org_page(rt, acc["org_id"])
        return page(request, "organization.html", title=view.row.name, v=view, as_of="",
                    flash="API key issued; copy it now, it is not shown again.",
                    channels=[c.value for c in Channel], secret=key)
    if action not in ("disable", "enable"):
        raise InputError("action must be keys, disable or enable", details={"field": "action"})
    if not reason.strip():
        raise InputError("a reason is required", details={"field": "reason"})
    out = book.set_account_active(rt, account_id=account_id, active=action == "enable",
                                  reason=reason, actor=who.token_id)
    return _back(out["org_id"], f"{action}d")
