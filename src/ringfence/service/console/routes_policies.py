"""Policies and snapshots: the live pair and a draft policy's simulation (analysts and
admins); the publish history with its review-load summaries, publishing and the snapshot
diff (admins only, as ``/v1/admin/snapshots``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ringfence.policy import shipped_policies
from ringfence.service import analysis, reads
from ringfence.service.auth import runtime_of
from ringfence.service.console.web import page, viewer
from ringfence.service.sessions import CONSOLE_ROLES, Session

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Reader = Annotated[Session, Depends(viewer(*CONSOLE_ROLES))]
Admin = Annotated[Session, Depends(viewer("admin"))]


def _policies_page(request: Request, **extra: object) -> Response:
    rt = runtime_of(request)
    return page(request, "policies.html", title="Policies and snapshots",
                live=reads.live_snapshot(rt), shipped=shipped_policies(),
                **{"report": None, "draft_text": "", "draft_name": "", **extra})


@router.get("/console/policies")
def policies(request: Request, _who: Reader) -> Response:
    return _policies_page(request)


@router.post("/console/policies/simulate")
def simulate(request: Request, _who: Reader,
             shipped: Annotated[str, Form(max_length=100)] = "",
             draft: Annotated[str, Form(max_length=200_000)] = "") -> Response:
    rt = runtime_of(request)
    report = analysis.simulate_draft(rt, analysis.draft_policy(shipped=shipped, text=draft))
    return _policies_page(request, report=report, draft_text=draft, draft_name=shipped)


def _snapshots_page(request: Request, **extra: object) -> Response:
    rt = runtime_of(request)
    return page(request, "snapshots.html", title="Snapshots and publishing",
                listing=reads.snapshot_list(rt), shipped=shipped_policies(),
                **{"changes": None, "before": "", "after": "", **extra})


@router.get("/console/admin/snapshots")
def snapshots(request: Request, _who: Admin) -> Response:
    return _snapshots_page(request)


@router.post("/console/admin/snapshots/diff")
def snapshot_diff(request: Request, _who: Admin, before: Annotated[int, Form(ge=1)],
                  after: Annotated[int, Form(ge=1)]) -> Response:
    changes = analysis.snapshot_diff(runtime_of(request), before=before, after=after)
    return _snapshots_page(request, changes=changes, before=before, after=after)


@router.post("/console/admin/snapshots/publish")
async def publish(request: Request, who: Admin, path: Annotated[str, Form(min_length=1,
                                                                         max_length=2000)],
                  policy: Annotated[str, Form(max_length=200)] = "") -> Response:
    rt = runtime_of(request)
    out = await run_in_threadpool(lambda: rt.publish(path, policy=policy or None,
                                                     actor=who.token_id))
    return _snapshots_page(request, flash=f"Published snapshot {out.get('snapshot_id')}.")
