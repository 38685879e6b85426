"""Search the live snapshot (a name in any script, an identifier, a country) and onboard in
one click (``book.onboard``, the API's onboarding)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ringfence.exc import InputError
from ringfence.service import book, reads
from ringfence.service.auth import runtime_of
from ringfence.service.console.web import checked, page, viewer
from ringfence.service.models import OrganizationIn
from ringfence.service.sessions import CONSOLE_ROLES, Session

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Reader = Annotated[Session, Depends(viewer(*CONSOLE_ROLES))]
Analyst = Annotated[Session, Depends(viewer("analyst"))]


def _country(value: str) -> str | None:
    value = value.strip().upper()
    if value and (len(value) != 2 or not value.isalpha()):
        raise InputError("country must be a two-letter ISO code", details={"field": "country"})
    return value or None


def _ids(scheme: str, value: str) -> list[tuple[str, str]]:
    return [(scheme.strip(), value.strip())] if scheme.strip() and value.strip() else []


@router.get("/console/search")
def search(request: Request, _who: Reader, q: str = "", country: str = "", scheme: str = "",
           identifier: str = "") -> Response:
    if len(q) > 500 or len(identifier) > 200 or len(scheme) > 40:
        raise InputError("search terms are too long", details={"field": "q"})
    results = None
    if q.strip() or identifier.strip():
        results = reads.search(runtime_of(request), name=q.strip(), country=_country(country),
                               identifiers=[(s, v) for s, v in _ids(scheme, identifier)])
    return page(request, "search.html", title="Search", q=q, country=country, scheme=scheme,
                identifier=identifier, results=results)


@router.post("/console/onboard")
def onboard(request: Request, who: Analyst, name: Annotated[str, Form(max_length=500)] = "",
            country: Annotated[str, Form(max_length=2)] = "",
            scheme: Annotated[str, Form(max_length=40)] = "",
            identifier: Annotated[str, Form(max_length=200)] = "") -> Response:
    body = checked(OrganizationIn, {
        "name": name, "country": country.strip().upper() or None,
        "identifiers": [{"scheme": s, "value": v} for s, v in _ids(scheme, identifier)]})
    out = book.onboard(runtime_of(request), name=body.name, country=body.country,
                       billing_country=None,
                       identifiers=[i.model_dump() for i in body.identifiers],
                       domains=[], actor=who.token_id)
    return RedirectResponse(f"/console/organizations/{out['id']}?done=onboarded",
                            status_code=303)
