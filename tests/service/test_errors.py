"""One error mapping: every 4xx in the documented shape, the body limit on every route,
body parse errors named by field, 503 when not ready, metrics that agree with /readyz."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rf_service import public_groups_snapshot, service, token
from sqlalchemy import Engine
from starlette.testclient import TestClient

from ringfence.service.errors import PayloadTooLargeError
from ringfence.service.limits import BULK_LIMIT, DEFAULT_LIMIT, BodyLimit


def _shape(r: Any, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["code"] == code, body
    return dict(body["error"])


@pytest.fixture(params=[True, False], ids=["fast", "fastapi"])
def app(request: pytest.FixtureRequest, db_engine: Engine, tmp_path: Path
        ) -> Iterator[tuple[TestClient, dict[str, str], dict[str, str]]]:
    snap = public_groups_snapshot(tmp_path / "s")
    with service(db_engine, snap, fast_path=request.param) as (client, rt):
        yield client, token(rt, "analyst"), token(rt, "gateway")


def test_body_limit_on_the_regular_path(app: Any) -> None:
    client, an, gw = app
    big = {"name": "x" * (DEFAULT_LIMIT + 1)}
    err = _shape(client.post("/v1/organizations", json=big, headers=an), 413, "too_large")
    assert err["details"] == {"field": "body", "limit_bytes": DEFAULT_LIMIT}
    # and the decision path, and a route that takes no body at all
    _shape(client.post("/v1/decide", json={"key_id": "k" * DEFAULT_LIMIT}, headers=gw),
           413, "too_large")
    _shape(client.post("/v1/admin/audit/verify", content=b"x" * (DEFAULT_LIMIT + 1)),
           413, "too_large")
    # just under the limit goes through to validation (a 422, not a 413)
    under = {"name": "x" * (DEFAULT_LIMIT - 100)}
    assert client.post("/v1/organizations", json=under, headers=an).status_code == 422


def test_body_limit_holds_without_a_content_length(app: Any) -> None:
    client, an, _gw = app

    def chunks() -> Iterator[bytes]:  # chunked transfer: no content-length to trust
        yield b'{"name": "'
        for _ in range(70):
            yield b"y" * 1024
        yield b'"}'

    r = client.post("/v1/organizations", content=chunks(),
                    headers={**an, "content-type": "application/json"})
    _shape(r, 413, "too_large")


def test_a_lying_content_length_is_caught_by_counting() -> None:
    import asyncio

    read = 0

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        nonlocal read
        while True:
            message = await receive()
            read += len(message["body"])
            if not message["more_body"]:
                return

    messages = [{"type": "http.request", "body": b"a" * 40_000, "more_body": True},
                {"type": "http.request", "body": b"a" * 40_000, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        raise AssertionError("nothing is sent before the body is read")

    scope = {"type": "http", "path": "/v1/organizations", "method": "POST",
             "headers": [(b"content-length", b"10")]}
    with pytest.raises(PayloadTooLargeError) as caught:
        asyncio.run(BodyLimit(inner)(scope, receive, send))
    assert read == 40_000  # the second chunk never reached the app
    assert caught.value.details["limit_bytes"] == DEFAULT_LIMIT


def test_bulk_uploads_have_a_larger_stated_limit() -> None:
    limit = BodyLimit(lambda *a: None)  # type: ignore[arg-type, return-value]
    assert limit.limit_for("/v1/findings") == BULK_LIMIT > DEFAULT_LIMIT
    assert limit.limit_for("/v1/decide") == DEFAULT_LIMIT
    assert limit.limit_for("/v1/organizations") == DEFAULT_LIMIT


def test_invalid_utf8_body_is_named(app: Any) -> None:
    client, an, gw = app
    bad = b'{"name": "Caf\xe9 Ltd", "country": "FR"}'
    for path, headers in (("/v1/organizations", an), ("/v1/decide", gw)):
        r = client.post(path, content=bad, headers={**headers,
                                                     "content-type": "application/json"})
        err = _shape(r, 422, "bad_input")
        [problem] = err["details"]["problems"]
        assert problem["field"] == "body", err
        assert re.search("utf-8|unicode", problem["reason"], re.I), err


def test_malformed_json_names_the_body_not_an_offset(app: Any) -> None:
    client, an, gw = app
    for path, headers in (("/v1/organizations", an), ("/v1/decide", gw)):
        r = client.post(path, content=b'{"name": oops}',
                        headers={**headers, "content-type": "application/json"})
        err = _shape(r, 422, "bad_input")
        fields = [p["field"] for p in err["details"]["problems"]]
        assert fields == ["body"], err
        assert not re.search(r"body\.\d", r.text), r.text
        assert "JSON" in err["details"]["problems"][0]["reason"]


def test_every_4xx_has_the_one_shape(app: Any) -> None:
    client, an, gw = app
    _shape(client.get("/v1/nothing-here", headers=an), 404, "not_found")
    _shape(client.delete("/v1/organizations", headers=an), 405, "method_not_allowed")
    _shape(client.get("/v1/organizations"), 401, "unauthenticated")
    _shape(client.get("/v1/organizations", headers=gw), 403, "forbidden")
    _shape(client.get("/v1/organizations?limit=0", headers=an), 422, "bad_input")
    _shape(client.get("/v1/organizations/org_nope", headers=an), 404, "not_found")
    r = client.get("/v1/ext_authz/x", headers={**gw, "x-ringfence-channel": "pigeon"})
    assert _shape(r, 422, "bad_input")["details"]["field"] == "header.x-ringfence-channel"


def _metric(text: str, name: str) -> float:
    m = re.search(rf"^{name} (\S+)$", text, re.M)
    assert m, f"{name} not in /metrics"
    return float(m.group(1))


def test_metrics_equal_readyz(db_engine: Engine, tmp_path: Path) -> None:
    snap = public_groups_snapshot(tmp_path / "s")
    with service(db_engine, snap) as (client, rt):
        # the publish at start was measured (the gauge was 0 after a publish)
        assert _metric(client.get("/metrics").text, "ringfence_last_publish_seconds") > 0
        an = token(rt, "analyst")
        org = client.post("/v1/organizations", json={"name": "Spotify Technology S.A.",
                                                     "country": "LU"}, headers=an).json()
        for _ in range(3):  # accounts made after the publish count too
            client.post(f"/v1/organizations/{org['id']}/accounts", json={}, headers=an)
        ready = client.get("/readyz").json()
        metrics = client.get("/metrics").text
        assert ready["accounts"] == 3
        assert _metric(metrics, "ringfence_accounts") == ready["accounts"]
        assert _metric(metrics, "ringfence_organizations") == ready["organizations"] == 1
