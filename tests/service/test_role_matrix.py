"""The role matrix: every route the app serves × no token, a malformed token, an unknown
token, a revoked token of each role, and each role's live token → the expected status.

The routes are enumerated from the app itself, so a route added without a line in MATRIX
fails this test (and a line left for a route that no longer exists fails it too). MATRIX
is the role table of docs/service.md: the roles a route admits, or OPEN.

Expected answers:

* no token, a malformed ``Authorization``, an unknown token, a revoked one → 401
  ``unauthenticated`` on every guarded route (a revoked token is unknown);
* a role the route does not admit → 403 ``forbidden``;
* an admitted role → anything but 401/403/5xx (404 for the made-up ids, 422 for the empty
  body, 200 for lists);
* an intermediary on another intermediary's channel → 403; on its own → admitted;
* ``/v1/ext_authz``: the gateway's token is checked as above; an admitted call answers a
  decision (200 or 403 carrying ``x-ringfence-decision``), a refused one carries none.

One SQLite database (the role checks do not touch the store's dialect); ~2 s.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from rf_service import public_groups_snapshot, service
from starlette.routing import Route

from ringfence.service import Runtime
from ringfence.service.book import create_token, onboard, revoke_token
from ringfence.service.channels import create_channel
from ringfence.store import make_engine

ROLES = ("gateway", "analyst", "admin", "detector", "intermediary")
OPEN = "open"
A, AA = frozenset({"analyst"}), frozenset({"analyst", "admin"})
ADMIN, GW = frozenset({"admin"}), frozenset({"gateway"})
CHANNEL_READ = frozenset({"analyst", "admin", "intermediary"})
EXT = "/v1/ext_authz"

MATRIX: dict[tuple[str, str], frozenset[str] | str] = {
    ("GET", "/openapi.json"): OPEN, ("GET", "/docs"): OPEN,
    ("GET", "/docs/oauth2-redirect"): OPEN, ("GET", "/redoc"): OPEN,
    ("GET", "/healthz"): OPEN, ("GET", "/readyz"): OPEN, ("GET", "/metrics"): OPEN,
    ("POST", "/v1/decide"): GW,
    **{(m, EXT): GW for m in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")},
    **{(m, EXT + "/{path:path}"): GW
       for m in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")},
    ("POST", "/v1/organizations"): A,
    ("GET", "/v1/organizations"): AA,
    ("GET", "/v1/organizations/{org_id}"): AA,
    ("GET", "/v1/organizations/{org_id}/proof"): AA,
    ("POST", "/v1/organizations/{org_id}/accounts"): A,
    ("POST", "/v1/organizations/{org_id}/confirm"): A,
    ("POST", "/v1/organizations/{org_id}/override"): A,
    ("POST", "/v1/organizations/{org_id}/dismiss-candidate"): A,
    ("GET", "/v1/accounts/{account_id}"): AA,
    ("PATCH", "/v1/accounts/{account_id}"): A,
    ("POST", "/v1/accounts/{account_id}/keys"): A,
    ("POST", "/v1/accounts/{account_id}/disable"): A,
    ("POST", "/v1/accounts/{account_id}/enable"): A,
    ("DELETE", "/v1/keys/{key_id}"): A,
    ("GET", "/v1/overrides"): AA,
    ("POST", "/v1/overrides/{override_id}/approve"): A,
    ("POST", "/v1/overrides/{override_id}/reject"): A,
    ("GET", "/v1/decisions/{decision_id}"): AA,
    ("POST", "/v1/decisions/{decision_id}/replay"): AA,
    ("GET", "/v1/events"): AA,
    ("GET", "/v1/audit"): AA,
    ("POST", "/v1/admin/snapshots/publish"): ADMIN,
    ("GET", "/v1/admin/snapshots"): ADMIN,
    ("POST", "/v1/admin/tokens"): ADMIN,
    ("GET", "/v1/admin/tokens"): ADMIN,
    ("POST", "/v1/admin/tokens/{token_id}/revoke"): ADMIN,
    ("POST", "/v1/admin/webhooks"): ADMIN,
    ("GET", "/v1/admin/audit/verify"): ADMIN,
    ("POST", "/v1/findings"): frozenset({"detector"}),
    ("GET", "/v1/cases"): AA,
    ("GET", "/v1/cases/{case_id}"): AA,
    ("GET", "/v1/cases/{case_id}/versions/{version}"): AA,
    ("GET", "/v1/cases/{case_id}/cluster.svg"): AA,
    ("POST", "/v1/cases/{case_id}/confirm"): A,
    ("POST", "/v1/cases/{case_id}/dismiss"): A,
    ("POST", "/v1/cases/{case_id}/approve"): A,
    ("POST", "/v1/cases/{case_id}/reject"): A,
    ("POST", "/v1/channels"): ADMIN,
    ("GET", "/v1/channels/{channel_id}"): CHANNEL_READ,
    ("POST", "/v1/channels/{channel_id}/webhook"): ADMIN,
    ("POST", "/v1/channels/{channel_id}/end-customers"): frozenset({"intermediary"}),
    ("GET", "/v1/channels/{channel_id}/end-customers"): CHANNEL_READ,
    ("GET", "/v1/channels/{channel_id}/scorecard"): CHANNEL_READ,
}
# The console's pages take a signed-in session, not a bearer token (a bearer token is
# refused there): tests/service/console/ checks their roles, sign-in and CSRF.
CONSOLE = "/console"


def served(routes: list[Any]) -> Iterator[tuple[str, str]]:
    """Every (method, path) the app answers, HEAD left out where FastAPI adds it to GET."""
    for r in routes:
        if str(getattr(r, "path", "")).startswith(CONSOLE):
            continue
        if hasattr(r, "original_router"):  # an included router
            yield from served(r.original_router.routes)
        elif isinstance(r, APIRoute | Route):
            methods = set(r.methods or ())
            if "GET" in methods and not r.path.startswith(EXT):
                methods.discard("HEAD")  # Starlette's implicit HEAD for a GET
            for m in sorted(methods):
                yield m, r.path
        else:
            raise AssertionError(f"a route of an unknown kind: {r!r}")


def _url(path: str, channel: str) -> str:
    path = path.replace("{channel_id}", channel).replace("{path:path}", "v1/chat")
    return re.sub(r"\{[^}]+\}", "x", path)


def _call(client: TestClient, method: str, path: str, secret: str | None, *,
          auth: str | None = None) -> Any:
    headers = {}
    if path.startswith(EXT):
        if secret is not None:
            headers["x-ringfence-gateway-token"] = secret
        headers["x-ringfence-account"] = "nobody"
    elif auth is not None:
        headers["Authorization"] = auth
    elif secret is not None:
        headers["Authorization"] = f"Bearer {secret}"
    body = {} if method in ("POST", "PUT", "PATCH") else None
    return client.request(method, path, json=body, headers=headers)


def _refused(r: Any, status: int, code: str, where: str) -> str | None:
    if r.status_code != status:
        return f"{where}: {r.status_code}, expected {status}: {r.text[:200]}"
    if "x-ringfence-decision" in r.headers:
        return f"{where}: a decision was made"
    if r.request.method != "HEAD" and r.json()["error"]["code"] != code:
        return f"{where}: code {r.json()['error']['code']}, expected {code}"
    return None


def _admitted(r: Any, path: str, where: str) -> str | None:
    if path.startswith(EXT):
        if "x-ringfence-decision" not in r.headers or r.status_code not in (200, 403):
            return f"{where}: no decision: {r.status_code} {r.text[:200]}"
    elif r.status_code in (401, 403) or r.status_code >= 500:
        return f"{where}: {r.status_code} {r.text[:200]}"
    return None


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[tuple[TestClient, Runtime, dict[str, str], dict[str, str], str]]:
    tmp = tmp_path_factory.mktemp("matrix")
    engine = make_engine(f"sqlite:///{tmp / 'rf.db'}")
    with service(engine, public_groups_snapshot(tmp / "s")) as (client, rt):
        mine = onboard(rt, name="Oracle Corporation", country="US", billing_country=None,
                       identifiers=[], domains=[], actor="test")["id"]
        create_channel(rt, org_id=mine, kind="reseller", attestation="both", regions=[],
                       actor="test")

        def make(role: str) -> dict[str, Any]:
            return create_token(rt, role=role, label=role, actor="test",
                                channel=mine if role == "intermediary" else None)

        live = {r: make(r)["token"] for r in ROLES}
        revoked = {}
        for r in ROLES:
            made = make(r)
            revoke_token(rt, token_id=made["id"], reason="matrix test", actor="test")
            revoked[r] = made["token"]
        yield client, rt, live, revoked, mine
    engine.dispose()


def test_every_route_has_a_line_in_the_matrix(world: Any) -> None:
    client = world[0]
    routes = set(served(client.app.routes))
    assert sorted(routes - MATRIX.keys()) == [], "routes without a line in MATRIX"
    assert sorted(MATRIX.keys() - routes) == [], "lines in MATRIX for no route"


def test_the_matrix_is_what_the_routes_check(world: Any) -> None:
    """MATRIX agrees with each route's own dependency (the gateway routes check in code)."""
    client = world[0]
    for r in client.app.routes:
        for route in getattr(getattr(r, "original_router", None), "routes", [r]):
            if not isinstance(route, APIRoute) or route.path.startswith((EXT, CONSOLE)):
                continue
            roles = next((set(d.call.roles) for d in route.dependant.dependencies
                          if hasattr(d.call, "roles")), None)
            for m in route.methods:
                want = MATRIX[(m, route.path)]
                assert (roles or OPEN) == (set(want) if want != OPEN else OPEN), route.path


def test_every_route_times_every_credential(world: Any) -> None:
    client, _rt, live, revoked, mine = world
    failures: list[str] = []
    checked = 0
    for (method, path), allowed in sorted(MATRIX.items()):
        url = _url(path, mine)
        if allowed == OPEN:
            r = _call(client, method, url, None)
            if r.status_code >= 400 and not (path == "/readyz" and r.status_code == 503):
                failures.append(f"{method} {path} open: {r.status_code}")
            continue
        bad: list[tuple[str, str | None, str | None]] = [
            ("no token", None, None), ("unknown token", "not-a-token", None),
            *[(f"revoked {role}", s, None) for role, s in revoked.items()]]
        if not path.startswith(EXT):
            bad += [("basic auth", None, "Basic YWRtaW46YWRtaW4="), ("empty bearer", None,
                                                                       "Bearer ")]
        for what, secret, auth in bad:
            r = _call(client, method, url, secret, auth=auth)
            failures.append(_refused(r, 401, "unauthenticated", f"{method} {path} {what}"))
        for role, secret in live.items():
            r = _call(client, method, url, secret)
            where = f"{method} {path} {role}"
            failures.append(_admitted(r, path, where) if role in allowed
                            else _refused(r, 403, "forbidden", where))
            checked += 1
        if "intermediary" in allowed and "{channel_id}" in path:  # not another's channel
            r = _call(client, method, _url(path, "someone-else"), live["intermediary"])
            failures.append(_refused(r, 403, "forbidden", f"{method} {path} other channel"))
    problems = [f for f in failures if f]
    assert not problems, "\n".join(problems)
    assert checked >= 5 * 50
