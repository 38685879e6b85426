"""The decision log: filter, export as CSV (formulas neutralised), one decision and its
replay as of its snapshot and policy (``replay.py``, as ``POST /v1/decisions/{id}/replay``)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ringfence.exc import InputError
from ringfence.service import decision_log, reads
from ringfence.service.auth import runtime_of
from ringfence.service.console.web import CSP, page, viewer
from ringfence.service.replay import replay
from ringfence.service.sessions import CONSOLE_ROLES, Session

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Reader = Annotated[Session, Depends(viewer(*CONSOLE_ROLES))]
FILTERS = ("account", "org", "reason", "outcome", "since", "until")


def _filters(request: Request) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for k in FILTERS:
        v = (request.query_params.get(k) or "").strip()
        if len(v) > 200:
            raise InputError(f"{k} is too long", details={"field": k})
        out[k] = v or None
    if out["outcome"] and out["outcome"].upper() not in ("ALLOW", "DENY", "REVIEW"):
        raise InputError("outcome must be ALLOW, DENY or REVIEW", details={"field": "outcome"})
    return out


@router.get("/console/decisions")
def decisions(request: Request, _who: Reader) -> Response:
    f = _filters(request)
    rows = decision_log.find(runtime_of(request), **f, limit=500)
    return page(request, "decisions.html", title="Decision log", rows=rows,
                f={k: v or "" for k, v in f.items()}, query=request.url.query)


@router.get("/console/decisions.csv")
def decisions_csv(request: Request, who: Reader) -> Response:
    f = _filters(request)
    rt = runtime_of(request)
    rows = decision_log.find(rt, **f, limit=100_000)
    rt.audit.record(kind="console.export", actor=who.token_id, subject="decisions",
                    payload={"filters": f, "rows": len(rows)})
    return Response(decision_log.to_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="decisions.csv"',
                             "x-content-type-options": "nosniff",
                             "content-security-policy": CSP})


@router.get("/console/decisions/{decision_id}")
def decision(decision_id: str, request: Request, _who: Reader) -> Response:
    rec = reads.decision(runtime_of(request), decision_id)
    return page(request, "decision.html", title=f"Decision {decision_id}", rec=rec,
                pretty=json.dumps(rec, indent=2, ensure_ascii=False, default=str),
                replayed=None)


@router.post("/console/decisions/{decision_id}/replay")
def replay_decision(decision_id: str, request: Request, _who: Reader) -> Response:
    rt = runtime_of(request)
    rec = reads.decision(rt, decision_id)
    out = replay(rt, decision_id)
    return page(request, "decision.html", title=f"Decision {decision_id}", rec=rec,
                pretty=json.dumps(rec, indent=2, ensure_ascii=False, default=str),
                replayed=out)
