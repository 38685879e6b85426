"""The gateway routes answer the same through the lean ASGI path and through FastAPI."""

from __future__ import annotations

from pathlib import Path

import pytest
from rf_service import public_groups_snapshot, service, token
from sqlalchemy import Engine


@pytest.mark.parametrize("fast_path", [True, False])
def test_gateway_routes_both_paths(db_engine: Engine, tmp_path: Path, fast_path: bool) -> None:
    snap = public_groups_snapshot(tmp_path / "s")
    with service(db_engine, snap, fast_path=fast_path) as (client, rt):
        an, gw = token(rt, "analyst"), token(rt, "gateway")
        org = client.post("/v1/organizations", json={"name": "TikTok Inc.", "country": "US"},
                          headers=an).json()
        assert org["status"] == "denied", org
        acc = client.post(f"/v1/organizations/{org['id']}/accounts", json={}, headers=an).json()
        r = client.post("/v1/decide", json={"account_id": acc["id"]}, headers=gw)
        assert r.status_code == 200 and r.json()["decision"] == "DENY"
        assert client.post("/v1/decide", json={"account_id": acc["id"]}).status_code == 401
        assert client.post("/v1/decide", json={"account_id": acc["id"]},
                           headers=an).status_code == 403
        r = client.post("/v1/decide", json={"account_id": 5}, headers=gw)
        assert r.status_code == 422 and "body.account_id" in r.text
        r = client.put("/v1/ext_authz/a/b", headers={**gw, "x-ringfence-account": acc["id"]})
        assert r.status_code == 403 and r.headers["x-ringfence-decision"] == "DENY"


@pytest.mark.parametrize("fast_path", [True, False])
def test_not_ready_until_a_snapshot_is_loaded(db_engine: Engine, fast_path: bool) -> None:
    with service(db_engine, None, fast_path=fast_path) as (client, rt):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 503
        gw = token(rt, "gateway")
        # not ready is 503 on every path, as /readyz says, in the one error shape
        r = client.post("/v1/decide", json={"key_id": "k"}, headers=gw)
        assert r.status_code == 503 and r.json()["error"]["code"] == "not_ready"
        r = client.get("/v1/ext_authz/x", headers=gw)
        assert r.status_code == 503 and r.json()["error"]["code"] == "not_ready"
        r = client.post("/v1/organizations", json={"name": "TikTok Inc."},
                        headers=token(rt, "analyst"))
        assert r.status_code == 503 and r.json()["error"]["code"] == "not_ready"
