"""The hot path: ``POST /v1/decide`` and Envoy's ext_authz HTTP contract.

Both read the live in-memory state only. An ALLOW is answered without touching the
database (its log record is batched); a DENY or REVIEW is written to the audit log before
the answer goes out.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ringfence.decide import Channel, Outcome
from ringfence.exc import InputError
from ringfence.service.auth import Identity, bearer, check_async, require, runtime_of
from ringfence.service.decisions import PendingDecision
from ringfence.service.errors import Answer, NotReadyError
from ringfence.service.models import DECIDE_EXAMPLES, DecideRequest, DecideResponse, ErrorOut
from ringfence.service.runtime import Runtime, sha256

__all__ = ["router"]

router = APIRouter(tags=["decide"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 413: {"model": ErrorOut},
    422: {"model": ErrorOut}, 503: {"model": ErrorOut}}
Gateway = Annotated[Identity, Depends(require("gateway"))]


async def _decide(rt: Runtime, *, route: str, account_id: str | None, key_id: str | None,
                  key_hash: str | None, ref: dict[str, str | None], client_ip: str | None,
                  channel: Channel | None, end_customer: str | None,
                  end_customer_ref: str | None = None,
                  client_user_id: str | None = None) -> dict[str, Any]:
    t0 = time.perf_counter()
    state = rt.holder.state
    if state is None:
        raise NotReadyError("not ready: no snapshot is loaded")
    acc = state.account_for(account_id=account_id, key_id=key_id, key_hash=key_hash)
    if acc is None:
        decision = state.decide_unknown(ref=account_id or key_id or "api_key",
                                        client_ip=client_ip)
    else:
        decision = state.decide(account_id=acc, client_ip=client_ip, channel=channel,
                                end_customer=end_customer, end_customer_ref=end_customer_ref,
                                client_user_id=client_user_id, observe=rt.observe)
    decision_id = rt.ids.next()
    live = rt.live
    pending = PendingDecision(
        decision_id=decision_id, ts=time.time(), state=state, account_id=acc, ref=ref,
        client_ip=client_ip, channel=channel.value if channel else None,
        end_customer=end_customer, decision=decision,
        policy_as_of=live.resolved.as_of.isoformat() if live else "",
        end_customer_ref=end_customer_ref, client_user_id=client_user_id)
    if decision.outcome is Outcome.ALLOW:
        rt.decisions.log(pending)
    else:
        await run_in_threadpool(rt.decisions.log, pending)
    rt.metrics.observe(route, decision, time.perf_counter() - t0)
    p = state.policy
    return {"decision_id": decision_id, "decision": decision.outcome.value,
            "allow": decision.allow, "reasons": [r.as_dict() for r in decision.reasons],
            "snapshot_id": state.snapshot_id,
            "policy": {"name": p.name, "version": p.version, "hash": p.hash},
            "ip_country": decision.ip_country,
            "limits": decision.limits.as_dict() if decision.limits is not None else None}


_DECIDE_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/DecideRequest"},
    "examples": {f"example{i}": {"value": v} for i, v in enumerate(DECIDE_EXAMPLES)},
}}}}


def parse_decide(raw: bytes) -> DecideRequest:
    """Validate the body straight from bytes (pydantic's JSON parser): the hot path skips
    FastAPI's generic body handling. Errors name the field like FastAPI's (``body.…``)."""
    try:
        return DecideRequest.model_validate_json(raw)
    except ValidationError as err:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])}
                                      for e in err.errors(include_url=False)]) from None


async def decide_bytes(rt: Runtime, raw: bytes) -> bytes:
    """``POST /v1/decide``'s work after authentication: body bytes in, JSON bytes out."""
    body = parse_decide(raw)
    ctx = body.context
    ref = {"account_id": body.account_id, "key_id": body.key_id,
           "api_key": "***" if body.api_key else None}
    out = await _decide(
        rt, route="decide", account_id=body.account_id, key_id=body.key_id,
        key_hash=sha256(body.api_key) if body.api_key else None, ref=ref,
        client_ip=str(ctx.client_ip) if ctx.client_ip is not None else None,
        channel=ctx.channel, end_customer=ctx.end_customer,
        end_customer_ref=ctx.end_customer_ref, client_user_id=ctx.client_user_id)
    return json.dumps(out).encode()


@router.post("/v1/decide", response_model=DecideResponse, responses=_ERRORS,
             summary="Decide whether an account may make a request", openapi_extra=_DECIDE_BODY)
async def decide(request: Request, _who: Gateway) -> Response:
    """ALLOW, DENY or REVIEW with reasons, evidence, a decision id, the snapshot id and the
    policy version. ``allow`` is what the gateway should do (REVIEW follows the policy's
    ``decision.review``). An account or key not in the book gets DENY
    (``unknown_account``; the policy may say REVIEW)."""
    out = await decide_bytes(runtime_of(request), await request.body())
    return Response(out, media_type="application/json")


_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


async def ext_authz_answer(rt: Runtime, h: Mapping[str, str]) -> Answer:
    """Envoy's ext_authz HTTP contract over lower-case request headers. Errors are raised
    (the caller answers them through ``errors.error_answer``)."""
    gateway_secret = h.get("x-ringfence-gateway-token")
    client_auth = h.get("authorization")
    if gateway_secret is None:
        gateway_secret, client_auth = bearer(client_auth), None
    await check_async(rt, gateway_secret, ("gateway",))
    account_id = h.get("x-ringfence-account")
    key_id = h.get("x-ringfence-key-id")
    api_key = h.get("x-api-key") or bearer(client_auth)
    forwarded = h.get("x-forwarded-for")
    client_ip = (forwarded.split(",")[0].strip() if forwarded
                 else h.get("x-envoy-external-address"))
    raw_channel = h.get("x-ringfence-channel")
    try:
        channel = Channel(raw_channel.lower()) if raw_channel else None
    except ValueError:
        raise InputError("x-ringfence-channel must be one of "
                         + ", ".join(c.value for c in Channel),
                         details={"field": "header.x-ringfence-channel"}) from None
    out = await _decide(
        rt, route="ext_authz", account_id=account_id or None, key_id=key_id,
        key_hash=sha256(api_key) if api_key and not (account_id or key_id) else None,
        ref={"account_id": account_id or None, "key_id": key_id,
             "api_key": "***" if api_key else None},
        client_ip=client_ip, channel=channel, end_customer=h.get("x-ringfence-end-customer"),
        end_customer_ref=h.get("x-ringfence-end-customer-ref") or None,
        client_user_id=h.get("x-ringfence-client-user") or None)
    headers = {"x-ringfence-decision-id": out["decision_id"],
               "x-ringfence-decision": out["decision"]}
    if out["allow"]:
        if out["limits"] is not None:  # a throttle: the gateway enforces the limit
            headers["x-ringfence-rate-limit"] = out["limits"]["header"]
        return 200, headers, b""
    return 403, {**headers, "content-type": "application/json"}, json.dumps(out).encode()


async def _ext_authz(request: Request) -> Response:
    status, headers, body = await ext_authz_answer(runtime_of(request), request.headers)
    return Response(body, status_code=status, headers=headers)


_EXT_AUTHZ_SUMMARY = "Envoy ext_authz (HTTP service): 200 allows, 403 denies"
_EXT_AUTHZ_DESCRIPTION = (
    "Envoy forwards the original request (method, path under this prefix, "
    "headers). The gateway's token goes in `x-ringfence-gateway-token` (or `Authorization` "
    "when the client's is not forwarded); the customer is named by `x-ringfence-account`, "
    "`x-ringfence-key-id`, `x-api-key` or the client's `Authorization: Bearer <API key>`. "
    "Client IP from `x-forwarded-for` (first) or `x-envoy-external-address`; channel and "
    "attested end customer from `x-ringfence-channel` and `x-ringfence-end-customer` (a "
    "book organisation id) or `x-ringfence-end-customer-ref` (the intermediary's own "
    "reference); the end user from `x-ringfence-client-user`. "
    "Every answer carries `x-ringfence-decision-id`; a denial has the decision as JSON.")
_EXT_AUTHZ_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Allowed: an empty body; the decision in the headers"},
    **_ERRORS,
    403: {"model": DecideResponse | ErrorOut,
          "description": "Denied (the decision as JSON, as `POST /v1/decide` answers it), "
                         "or a token whose role is not `gateway` (an error)"}}
for _m in _METHODS:
    router.add_api_route("/v1/ext_authz", _ext_authz, methods=[_m],
                         operation_id=f"ext_authz_{_m.lower()}",
                         responses=_EXT_AUTHZ_RESPONSES,
                         include_in_schema=_m in ("GET", "POST"),
                         summary=_EXT_AUTHZ_SUMMARY, description=_EXT_AUTHZ_DESCRIPTION)
router.add_api_route("/v1/ext_authz/{path:path}", _ext_authz, methods=_METHODS,
                     include_in_schema=False)
