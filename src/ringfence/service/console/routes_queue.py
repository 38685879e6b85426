"""The front page: counts and the review queue (filter, sort, assign)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ringfence.service import queue as queue_app
from ringfence.service.auth import runtime_of
from ringfence.service.console.web import page, viewer
from ringfence.service.sessions import CONSOLE_ROLES, Session

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Reader = Annotated[Session, Depends(viewer(*CONSOLE_ROLES))]
Analyst = Annotated[Session, Depends(viewer("analyst"))]


@router.get("/console")
def home(request: Request, who: Reader, kind: str | None = None, assignee: str | None = None,
         q: str | None = None, sort: str = "age") -> Response:
    rt = runtime_of(request)
    kind = kind or None
    mine = who.token_id if assignee == "me" else (assignee or None)
    view = queue_app.queue(rt, kind=kind, assignee=mine, text=q or None, sort=sort)
    live = rt.live
    return page(request, "queue.html", title="Review queue", view=view, kinds=queue_app.KINDS,
                kind=kind or "", assignee=assignee or "", q=q or "", sort=sort,
                analysts=queue_app.assignees(rt),
                live={"snapshot": live.snapshot.id, "policy": live.resolved.name,
                      "version": live.resolved.version} if live else None)


@router.post("/console/queue/assign")
def assign(request: Request, who: Analyst, kind: Annotated[str, Form(max_length=16)],
           item_id: Annotated[str, Form(max_length=200)],
           assignee: Annotated[str, Form(max_length=64)] = "") -> Response:
    target = who.token_id if assignee == "me" else (assignee or None)
    queue_app.assign(runtime_of(request), kind=kind, item_id=item_id, assignee=target,
                     actor=who.token_id)
    back = request.headers.get("referer") or "/console"
    return RedirectResponse(back if back.startswith(str(request.base_url)) else "/console",
                            status_code=303)
