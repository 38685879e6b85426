"""Detection routes: the detector posts findings; analysts review cases (thin views over
:mod:`ringfence.service.findings` and
:mod:`ringfence.service.cases`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from ringfence.service import cases, finding_format, findings
from ringfence.service.auth import Identity, require, runtime_of
from ringfence.service.limits import BULK_LIMIT
from ringfence.service.models import ErrorOut, PathId, ReasonIn, _In
from ringfence.service.routes_book import MAX_ROW

__all__ = ["router"]

router = APIRouter(tags=["detection"])
_E: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut},
    409: {"model": ErrorOut}, 413: {"model": ErrorOut}, 422: {"model": ErrorOut}}
Detector = Annotated[Identity, Depends(require("detector"))]
Analyst = Annotated[Identity, Depends(require("analyst"))]
Reader = Annotated[Identity, Depends(require("analyst", "admin"))]

_FINDING_EXAMPLE = (
    '{"cluster_id": "c-7f3a", "account_ids": ["acct_1", "acct_2"], "org_ids": ["org_9"], '
    '"action": "suspend", "score": 0.97, "first_flagged": "2026-03-02T05:00:00Z", '
    '"checkpoint": "2026-03-02T07:00:00Z", "evidence": [{"signal": "shared_payment", '
    '"value": 2, "weight": 0.6, "detail": "2 accounts in 2 orgs share card pf_7c1e"}], '
    '"fingerprints": {"payment_fingerprint": ["pf_7c1e"], "skeleton": ["give the complete '
    'reasoning for <N>"]}, "excerpts": ["Here is the answer: 42. Give the complete '
    'reasoning."]}\n')
_FINDINGS_BODY = {"requestBody": {"required": True, "content": {
    "application/x-ndjson": {"schema": {"type": "string", "maxLength": BULK_LIMIT},
                             "example": _FINDING_EXAMPLE}}}}


class ConfirmIn(_In):
    action: Literal["review", "throttle", "suspend"] | None = Field(
        None, description="Default: the finding's proposed action.")
    reason: str = Field(min_length=1, max_length=4000)


@router.post("/v1/findings", responses=_E, openapi_extra=_FINDINGS_BODY,
             summary="Post detection findings (JSON lines; role detector)")
async def post_findings(request: Request, who: Detector) -> dict[str, Any]:
    """One finding per line, as ``findings.jsonl``. Every line is checked first: one bad
    line refuses the body (``bad_records``, each problem naming line and field) and nothing
    is stored. A finding opens a case, or updates its cluster's case; the same finding
    posted again changes nothing (``unchanged``). Body limit: ``RINGFENCE_FINDINGS_MAX_BYTES``
    (default 16 MiB; 413 beyond)."""
    rt = runtime_of(request)
    raw = await request.body()  # within RINGFENCE_FINDINGS_MAX_BYTES (limits.BodyLimit)
    parsed = finding_format.parse_findings(raw)
    return await run_in_threadpool(findings.ingest_findings, rt, parsed, actor=who.token_id)


@router.get("/v1/cases", responses=_E, summary="The review queue")
def list_cases(request: Request, _who: Reader,
               status: Literal["open", "confirmed", "dismissed"] | None = None,
               kind: Literal["finding", "link"] | None = None,
               needs_review: bool | None = None,
               limit: Annotated[int, Query(ge=1, le=1000)] = 100,
               offset: Annotated[int, Query(ge=0, le=MAX_ROW)] = 0) -> dict[str, Any]:
    """Cases, most recently changed first; ``pending`` shows a decision awaiting a second
    analyst, ``needs_review`` a confirmed case whose cluster grew since."""
    return cases.list_cases(runtime_of(request), status=status, kind=kind,
                               needs_review=needs_review, limit=limit, offset=offset)


@router.get("/v1/cases/{case_id}", responses=_E)
def get_case(case_id: PathId, request: Request, _who: Reader) -> dict[str, Any]:
    """A case with its evidence, fingerprints, excerpts, finding versions, links and its
    accounts as the book and the gateway see them."""
    return cases.get_case(runtime_of(request), case_id)


@router.get("/v1/cases/{case_id}/versions/{version}", responses=_E)
def get_version(case_id: PathId, version: Annotated[int, Path(ge=1, le=2**31 - 1)],
                request: Request, _who: Reader) -> dict[str, Any]:
    """One finding version as received: the finding's content, when and from whom."""
    return cases.get_version(runtime_of(request), case_id, version)


@router.get("/v1/cases/{case_id}/cluster.svg", responses=_E, response_class=Response)
def cluster_svg(case_id: PathId, request: Request, _who: Reader) -> Response:
    """The cluster as a picture: organisations, accounts and the fingerprints they share."""
    from ringfence.render import cluster_svg as render

    case = cases.get_case(runtime_of(request), case_id)
    return Response(render(case), media_type="image/svg+xml")


@router.post("/v1/cases/{case_id}/confirm", responses=_E,
             summary="Confirm a case with an action (a suspend needs four eyes)")
def confirm_case(case_id: PathId, body: ConfirmIn, request: Request,
                 who: Analyst) -> dict[str, Any]:
    """``review`` and ``throttle`` apply at once; ``suspend`` waits (``pending``) for a
    second, different analyst's approval, as does changing a confirmed suspend."""
    return cases.decide_case(runtime_of(request), case_id=case_id, to="confirmed",
                                action=body.action, reason=body.reason, actor=who.token_id)


@router.post("/v1/cases/{case_id}/dismiss", responses=_E)
def dismiss_case(case_id: PathId, body: ReasonIn, request: Request,
                 who: Analyst) -> dict[str, Any]:
    """Not distillation: nothing reaches the gateway (lifting a confirmed suspend this way
    needs four eyes)."""
    return cases.decide_case(runtime_of(request), case_id=case_id, to="dismissed",
                                action=None, reason=body.reason, actor=who.token_id)


@router.post("/v1/cases/{case_id}/approve", responses=_E)
def approve_case(case_id: PathId, body: ReasonIn, request: Request,
                 who: Analyst) -> dict[str, Any]:
    """The second analyst approves the pending decision (never its requester)."""
    return cases.approve_case(runtime_of(request), case_id=case_id, reason=body.reason,
                                 actor=who.token_id)


@router.post("/v1/cases/{case_id}/reject", responses=_E)
def reject_case(case_id: PathId, body: ReasonIn, request: Request,
                who: Analyst) -> dict[str, Any]:
    """Reject (or withdraw) the pending decision; the case stays as it was."""
    return cases.reject_case(runtime_of(request), case_id=case_id, reason=body.reason,
                                actor=who.token_id)
