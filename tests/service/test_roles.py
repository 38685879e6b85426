"""Access control: every route checks its role; each role is refused everywhere else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from rf_service import public_groups_snapshot, service, token
from sqlalchemy import Engine

OPEN = {"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs",
        "/docs/oauth2-redirect", "/redoc"}
EXPECTED = {  # the role table in docs/service.md, for the main routes
    ("POST", "/v1/decide"): {"gateway"},
    ("POST", "/v1/organizations"): {"analyst"},
    ("POST", "/v1/organizations/{org_id}/override"): {"analyst"},
    ("POST", "/v1/overrides/{override_id}/approve"): {"analyst"},
    ("GET", "/v1/organizations"): {"analyst", "admin"},
    ("POST", "/v1/admin/snapshots/publish"): {"admin"},
    ("POST", "/v1/admin/tokens"): {"admin"},
    ("GET", "/v1/admin/tokens"): {"admin"},
    ("POST", "/v1/admin/tokens/{token_id}/revoke"): {"admin"},
    ("GET", "/v1/admin/audit/verify"): {"admin"},
    ("POST", "/v1/findings"): {"detector"},
    ("GET", "/v1/cases"): {"analyst", "admin"},
    ("POST", "/v1/cases/{case_id}/confirm"): {"analyst"},
    ("POST", "/v1/cases/{case_id}/approve"): {"analyst"},
    ("PATCH", "/v1/accounts/{account_id}"): {"analyst"},
    ("POST", "/v1/channels"): {"admin"},
    ("POST", "/v1/channels/{channel_id}/webhook"): {"admin"},
    ("POST", "/v1/channels/{channel_id}/end-customers"): {"intermediary"},
    ("GET", "/v1/channels/{channel_id}/end-customers"): {"analyst", "admin", "intermediary"},
    ("GET", "/v1/channels/{channel_id}/scorecard"): {"analyst", "admin", "intermediary"},
}


def _api_routes(routes: list) -> list[APIRoute]:  # type: ignore[type-arg]
    out: list[APIRoute] = []
    for r in routes:
        if isinstance(r, APIRoute):
            out.append(r)
        elif hasattr(r, "original_router"):  # FastAPI's included routers
            out.extend(_api_routes(r.original_router.routes))
    return out


def _roles(route: APIRoute) -> set[str] | None:
    for dep in route.dependant.dependencies:
        roles = getattr(dep.call, "roles", None)
        if roles is not None:
            return set(roles)
    return None


def test_each_role_is_refused_everywhere_else(db_engine: Engine, tmp_path: Path) -> None:
    snap = public_groups_snapshot(tmp_path / "s")
    with service(db_engine, snap) as (client, rt):
        headers = {r: token(rt, r) for r in ("gateway", "analyst", "admin", "detector")}
        # an intermediary's token (scoped to a channel of its own)
        from ringfence.service.book import create_token, onboard
        from ringfence.service.channels import create_channel

        org = onboard(rt, name="Oracle Corporation", country="US", billing_country=None,
                      identifiers=[], domains=[], actor="test")["id"]
        create_channel(rt, org_id=org, kind="reseller", attestation="both", regions=[],
                       actor="test")
        headers["intermediary"] = {"Authorization": "Bearer " + create_token(
            rt, role="intermediary", label="i", actor="test", channel=org)["token"]}
        routes = [r for r in _api_routes(client.app.routes)  # type: ignore[attr-defined]
                  if r.path not in OPEN
                  and not r.path.startswith(("/v1/ext_authz", "/console"))]
        # the console's pages take a session, not a bearer token:
        # tests/service/console/test_pages.py checks their roles
        assert len(routes) > 15
        seen = set()
        for route in routes:
            allowed = _roles(route)
            assert allowed, f"{route.path} has no role check"
            path = re.sub(r"\{[^}]+\}", "x", route.path)
            for method in route.methods:
                seen.add((method, route.path))
                if (method, route.path) in EXPECTED:
                    assert allowed == EXPECTED[(method, route.path)], route.path
                r = client.request(method, path, json={})
                assert r.status_code == 401, (method, path, r.status_code)
                for role, h in headers.items():
                    if role in allowed:
                        continue
                    r = client.request(method, path, json={}, headers=h)
                    assert r.status_code == 403, (role, method, path, r.status_code, r.text)
                    assert r.json()["error"]["code"] == "forbidden"
        assert set(EXPECTED) <= seen
        # ext_authz admits only the gateway's token
        for role in ("analyst", "admin", "detector", "intermediary"):
            r = client.get("/v1/ext_authz/x", headers={
                "x-ringfence-gateway-token": headers[role]["Authorization"].split()[1]})
            assert r.status_code == 403
        assert client.get("/v1/ext_authz/x").status_code == 401


@pytest.mark.parametrize("bad", ["Bearer nope", "Basic abc", "Bearer "])
def test_bad_tokens_are_401(db_engine: Engine, tmp_path: Path, bad: str) -> None:
    with service(db_engine, None) as (client, _rt):
        r = client.post("/v1/decide", json={"key_id": "k"}, headers={"Authorization": bad})
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
