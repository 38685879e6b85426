"""The console's pages through HTTP (no browser): sign-in rules, CSRF, roles, escaping,
search, the organisation page and four-eyes overrides, each action audited."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from rf_console import csrf_of, sign_in
from rf_service import public_groups_snapshot, service, token
from sqlalchemy import Engine, update

from ringfence.service.decision_log import cell
from ringfence.service.sessions import MAX_FAILURES
from ringfence.store.tables import organizations


def _secret(headers: dict[str, str]) -> str:
    return headers["Authorization"].split()[1]


def _onboard(client: Any, csrf: str, name: str, country: str = "") -> str:
    r = client.post("/console/onboard", data={"csrf": csrf, "name": name, "country": country},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    m = re.search(r"/console/organizations/(org_[0-9a-f]+)", r.headers["location"])
    assert m
    return m.group(1)


def test_sign_in_refuses_other_roles_and_limits_failures(db_engine: Engine,
                                                         tmp_path: Path) -> None:
    snap = public_groups_snapshot(tmp_path / "s")
    with service(db_engine, snap) as (client, rt):
        for role in ("gateway", "detector"):
            form = client.get("/console/login")
            r = client.post("/console/login", data={
                "token": _secret(token(rt, role)), "csrf": csrf_of(form.text)})
            assert r.status_code == 403 and "cannot sign in" in r.text
            assert "rf_console" not in client.cookies
        # no login CSRF cookie/field pair: refused before the token is looked at
        r = client.post("/console/login", data={"token": _secret(token(rt, "analyst")),
                                                "csrf": "forged"})
        assert r.status_code == 403 and "rf_console" not in client.cookies
        # failed attempts are limited: past the limit even a right token is refused
        for _ in range(MAX_FAILURES):
            form = client.get("/console/login")
            client.post("/console/login", data={"token": "rft_wrong",
                                                "csrf": csrf_of(form.text)})
        form = client.get("/console/login")
        r = client.post("/console/login", data={"token": _secret(token(rt, "analyst")),
                                                "csrf": csrf_of(form.text)})
        assert r.status_code == 429 and "too many failed sign-ins" in r.text
        # each refusal up to the limit is audited (the two wrong roles count too); those
        # past it are answered 429 without a record, so hammering cannot flood the log
        kinds = [rec.kind for rec in rt.audit.tail(50)]
        assert kinds.count("console.sign_in_refused") == MAX_FAILURES
        assert rt.audit.verify().ok


def test_session_cookie_and_csrf(db_engine: Engine, tmp_path: Path) -> None:
    snap = public_groups_snapshot(tmp_path / "s")
    with service(db_engine, snap) as (client, rt):
        analyst = _secret(token(rt, "analyst", "Ana"))
        form = client.get("/console/login")
        r = client.post("/console/login", data={"token": analyst, "csrf": csrf_of(form.text),
                                                "next": "//evil.example/x"},
                        follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/console"
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/console" in cookie
        assert "Secure" not in cookie  # plain HTTP here; set over TLS
        assert analyst not in cookie
        home = client.get("/console")
        assert home.status_code == 200 and "analyst" in home.text
        assert "script-src 'self'" in home.headers["content-security-policy"]
        csrf = csrf_of(home.text)
        # a POST without the CSRF token, or with another, is refused and does nothing
        for data in ({"name": "Acme"}, {"name": "Acme", "csrf": "x" * len(csrf)}):
            r = client.post("/console/onboard", data=data)
            assert r.status_code == 403 and "CSRF" in r.text
        assert not [rec for rec in rt.audit.tail(20) if rec.kind == "onboard"]
        # the header htmx sends is accepted as well
        r = client.post("/console/onboard", data={"name": "Acme Widgets Ltd"},
                        headers={"x-csrf-token": csrf}, follow_redirects=False)
        assert r.status_code == 303
        # the API does not take the console's cookie (nor any cookie) as a token
        assert client.get("/v1/organizations").status_code == 401


def test_roles_escaping_and_four_eyes(db_engine: Engine, tmp_path: Path) -> None:
    snap = public_groups_snapshot(tmp_path / "s")
    with service(db_engine, snap) as (client, rt):
        one, two = _secret(token(rt, "analyst", "One")), _secret(token(rt, "analyst", "Two"))
        admin = _secret(token(rt, "admin", "Root"))
        csrf = sign_in(client, one)
        assert client.get("/console/admin/tokens").status_code == 403
        # a name with markup and control characters is shown as text
        evil = "<script>alert(1)</script> Evil\u202e\x07 Ltd"
        org = _onboard(client, csrf, evil)
        page = client.get(f"/console/organizations/{org}")
        assert "<script>alert(1)</script>" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert "\u202e" not in page.text and "\x07" not in page.text
        # search in Chinese finds ByteDance; TikTok Inc.'s page draws the path from it
        found = client.get("/console/search", params={"q": "字节跳动"})
        assert found.status_code == 200 and "bytedance" in found.text
        tiktok = _onboard(client, csrf, "TikTok Inc.", "US")
        page = client.get(f"/console/organizations/{tiktok}")
        assert 'id="org-status">denied' in page.text
        assert "<svg" in page.text and "ByteDance" in page.text
        assert 'class="edge' in page.text and "source:" in page.text
        # the other policies' books are evaluated once per snapshot: the page loads the
        # comparison as a fragment until then, inline afterwards
        assert 'hx-get="/console/organizations/' + tiktok + '/policies"' in page.text
        side = client.get(f"/console/organizations/{tiktok}/policies").text
        for policy in ("provider-terms", "ofac-50", "bis-affiliates", "eu", "uk"):
            assert policy in side and policy in client.get(
                f"/console/organizations/{tiktok}").text
        assert side.count("verdict-restricted") == 1 and side.count("verdict-clear") == 4
        # a denied organisation's match cannot be dismissed (that takes an override) ...
        r = client.post(f"/console/organizations/{tiktok}/dismiss-candidate",
                        data={"csrf": csrf, "entity_id": "tiktok_inc", "reason": "no"})
        assert r.status_code == 409
        # ... another's can: screened again without it
        jv = _onboard(client, csrf, "TikTok USDS Joint Venture LLC", "US")
        assert 'id="entity">tiktok_usds_jv<' in client.get(f"/console/organizations/{jv}").text
        r = client.post(f"/console/organizations/{jv}/dismiss-candidate",
                        data={"csrf": csrf, "entity_id": "tiktok_usds_jv",
                              "reason": "Different company."}, follow_redirects=False)
        assert r.status_code == 303
        page = client.get(f"/console/organizations/{jv}").text
        assert 'id="entity">tiktok_usds_jv<' not in page and "Dismissed candidates" in page
        # override a DENY: it waits for a second analyst; the first cannot approve it
        r = client.post(f"/console/organizations/{tiktok}/override",
                        data={"csrf": csrf, "status": "allowed", "reason": "Divested."},
                        follow_redirects=False)
        assert r.status_code == 303 and "requested" in r.headers["location"]
        ov = re.search(r'data-override="(ovr_[0-9a-f]+)"',
                       client.get(f"/console/organizations/{tiktok}").text)
        assert ov
        r = client.post(f"/console/overrides/{ov.group(1)}/approve",
                        data={"csrf": csrf, "reason": "self"})
        assert r.status_code in (403, 409)
        csrf2 = sign_in(client, two)
        r = client.post(f"/console/overrides/{ov.group(1)}/approve",
                        data={"csrf": csrf2, "reason": "Checked the filings."},
                        follow_redirects=False)
        assert r.status_code == 303, r.text
        assert 'id="org-status">allowed' in client.get(f"/console/organizations/{tiktok}").text
        # an admin reads but does not act: the same roles as the API
        csrf3 = sign_in(client, admin)
        assert client.get("/console/admin/tokens").status_code == 200
        r = client.post(f"/console/organizations/{tiktok}/confirm",
                        data={"csrf": csrf3, "reason": "x"})
        assert r.status_code == 403
        kinds = [rec.kind for rec in rt.audit.tail(100)]
        for kind in ("console.sign_in", "console.sign_out", "onboard",
                     "analyst.override_requested", "analyst.override_approved"):
            assert kind in kinds
        assert rt.audit.verify().ok


def test_decision_log_csv_replay_policies_and_audit(db_engine: Engine, tmp_path: Path) -> None:
    snap = public_groups_snapshot(tmp_path / "s")
    with service(db_engine, snap) as (client, rt):
        gateway = token(rt, "gateway")
        one = _secret(token(rt, "analyst", "One"))
        admin = _secret(token(rt, "admin", "Root"))
        csrf = sign_in(client, one)
        tiktok = _onboard(client, csrf, "TikTok Inc.", "US")
        r = client.post(f"/console/organizations/{tiktok}/accounts",
                        data={"csrf": csrf, "account_id": "acc-tt-1", "channel": "direct"},
                        follow_redirects=False)
        assert r.status_code == 303, r.text
        bad = client.post(f"/console/organizations/{tiktok}/accounts",
                          data={"csrf": csrf, "account_id": "<b>", "channel": "direct"})
        assert bad.status_code == 422 and "invalid form: id" in bad.text
        page = client.post("/console/accounts/acc-tt-1/keys", data={"csrf": csrf})
        key = re.search(r'id="new-key">([^<]+)<', page.text)
        assert key
        # the caller's end-customer reference is text a spreadsheet would run as a formula
        formula = '=HYPERLINK("http://x.example","click")'
        d = client.post("/v1/decide", json={"api_key": key.group(1),
                                            "context": {"end_customer": formula}},
                        headers=gateway)
        assert d.json()["decision"] == "DENY"
        log = client.get("/console/decisions", params={"org": tiktok, "outcome": "DENY"})
        assert d.json()["decision_id"] in log.text and "org_denied" in log.text
        assert d.json()["decision_id"] not in client.get(
            "/console/decisions", params={"outcome": "ALLOW"}).text
        csv_text = client.get("/console/decisions.csv", params={"org": tiktok}).text
        header, row = csv_text.splitlines()[:2]
        assert header.startswith("decision_id,ts,outcome,account_id")
        assert "acc-tt-1" in row
        assert "'=HYPERLINK(" in row and ',"=HYPERLINK' not in row  # text, never computed
        replayed = client.post(f"/console/decisions/{d.json()['decision_id']}/replay",
                               data={"csrf": csrf})
        assert replayed.status_code == 200 and 'id="replay-ok">ok' in replayed.text
        # a shipped policy as the draft: TikTok Inc. is clear under OFAC's 50% rule
        sim = client.post("/console/policies/simulate", data={"csrf": csrf,
                                                               "shipped": "ofac-50"})
        assert sim.status_code == 200 and "tiktok_inc" in sim.text
        assert "restricted → clear" in sim.text
        bad = client.post("/console/policies/simulate", data={"csrf": csrf,
                                                               "draft": "name: [unclosed"})
        assert bad.status_code == 422
        assert client.get("/console/admin/snapshots").status_code == 403
        assert client.get("/console/admin/channels").status_code == 403
        # an organisation a publish put back for review (what re-match records when an
        # override's basis changed) is in the queue until an analyst confirms it
        with db_engine.begin() as conn:
            conn.execute(update(organizations).where(organizations.c.id == tiktok).values(
                review_due={"reason": "override_verdict_changed",
                            "verdict_from": "restricted", "verdict_to": "clear"}))
        assert "review due: override_verdict_changed" in client.get(
            "/console", params={"kind": "org"}).text
        assert 'id="review-due"' in client.get(f"/console/organizations/{tiktok}").text
        r = client.post(f"/console/organizations/{tiktok}/confirm",
                        data={"csrf": csrf, "reason": "Still right."}, follow_redirects=False)
        assert r.status_code == 303
        assert tiktok not in client.get("/console", params={"kind": "org"}).text
        audit = client.get("/console/audit", params={"kind": "console."})
        assert "console.export" in audit.text and "console.sign_in" in audit.text
        assert client.post("/console/admin/audit/verify", data={"csrf": csrf}).status_code == 403
        csrf = sign_in(client, admin)
        ok = client.post("/console/admin/audit/verify", data={"csrf": csrf})
        assert 'id="verification">The chain holds' in ok.text
        listing = client.get("/console/admin/snapshots")
        assert listing.status_code == 200 and rt.live is not None
        assert rt.live.snapshot.id in listing.text
        diff = client.post("/console/admin/snapshots/diff",
                           data={"csrf": csrf, "before": "1", "after": "1"})
        assert diff.status_code == 200 and "no organisation of the book changed" in diff.text
        ch = client.post("/console/admin/channels", data={
            "csrf": csrf, "org_id": tiktok, "kind": "reseller", "attestation": "both",
            "regions": "us, GB"})
        assert ch.status_code == 200 and "GB, US" in ch.text and "reseller" in ch.text
        bad = client.post("/console/admin/channels", data={
            "csrf": csrf, "org_id": tiktok, "kind": "pirate", "attestation": "both"})
        assert bad.status_code == 422 and "kind" in bad.text


def test_csv_cells_a_spreadsheet_would_compute_are_neutralised() -> None:
    for raw in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "=cmd|' /C calc'!A0"):
        assert cell(raw) == "'" + raw
    for raw in ("TikTok Inc.", "1-2", "", "a=b"):
        assert cell(raw) == raw
    assert cell(None) == "" and cell(["org_denied", "x"]) == "org_denied x"


def test_a_detection_case_in_the_queue_and_its_four_eyes_suspend(db_engine: Engine,
                                                                 tmp_path: Path) -> None:
    snap = public_groups_snapshot(tmp_path / "s")
    with service(db_engine, snap) as (client, rt):
        detector = token(rt, "detector")
        one, two = _secret(token(rt, "analyst", "One")), _secret(token(rt, "analyst", "Two"))
        finding = {"cluster_id": "c-<b>hydra</b>", "account_ids": ["acct_1", "acct_2"],
                   "org_ids": [], "action": "suspend", "score": 0.93,
                   "first_flagged": "2026-03-02T05:00:00Z",
                   "checkpoint": "2026-03-02T07:00:00Z",
                   "evidence": [{"signal": "shared_payment", "value": 2, "weight": 0.6,
                                 "detail": "<script>alert(1)</script> share one card"}],
                   "fingerprints": {"payment_fingerprint": ["pf_x"], "signup_device_fp": [],
                                    "skeleton": []},
                   "excerpts": [], "members": []}
        r = client.post("/v1/findings", content=(json.dumps(finding) + "\n").encode(),
                        headers={**detector, "content-type": "application/x-ndjson"})
        assert r.status_code == 200, r.text
        csrf = sign_in(client, one)
        home = client.get("/console")
        assert re.search(r'data-kind="case">\s*<div class="count">1<', home.text)
        case_id = re.search(r'href="/console/cases/(case_[0-9a-f]+)"', home.text)
        assert case_id
        url = f"/console/cases/{case_id.group(1)}"
        page = client.get(url)
        assert page.status_code == 200 and "<svg" in page.text
        assert "<script>alert(1)</script>" not in page.text
        r = client.post(f"{url}/decide", data={"csrf": csrf, "to": "confirmed",
                                               "action": "suspend", "reason": "Hydra."},
                        follow_redirects=False)
        assert r.status_code == 303
        assert 'id="pending"' in client.get(url).text
        assert client.post(f"{url}/approve", data={"csrf": csrf, "reason": "me"}
                           ).status_code == 403  # the requester cannot approve
        csrf2 = sign_in(client, two)
        r = client.post(f"{url}/approve", data={"csrf": csrf2, "reason": "Agreed."},
                        follow_redirects=False)
        assert r.status_code == 303
        assert 'id="case-status">confirmed' in client.get(url).text
        assert "detect.case_approved" in [rec.kind for rec in rt.audit.tail(20)]


def _console_routes(routes: list[Any]) -> list[Any]:
    from fastapi.routing import APIRoute

    out: list[Any] = []
    for r in routes:
        if isinstance(r, APIRoute) and r.path.startswith("/console"):
            out.append(r)
        elif hasattr(r, "original_router"):
            out.extend(_console_routes(r.original_router.routes))
    return out


def test_every_console_route_checks_its_role(db_engine: Engine, tmp_path: Path) -> None:
    """Each page but sign-in names its roles; without a session a page sends the browser to
    sign in and an action is refused; each role is refused what is not its own."""
    with service(db_engine, None) as (client, rt):
        routes = _console_routes(client.app.routes)  # type: ignore[attr-defined]
        assert len(routes) > 20
        checked: list[tuple[Any, set[str]]] = []
        for route in routes:
            roles = next((set(d.call.roles) for d in route.dependant.dependencies
                          if hasattr(d.call, "roles")), None)
            if route.path.startswith("/console/login"):
                assert roles is None
                continue
            assert roles, f"{route.path} has no role check"
            assert roles <= {"analyst", "admin"}
            if route.path.startswith("/console/admin"):
                assert roles == {"admin"}, route.path
            checked.append((route, roles))
        for route, _roles in checked:
            path = re.sub(r"\{[^}]+\}", "x", route.path)
            for method in route.methods:
                r = client.request(method, path, follow_redirects=False)
                if method == "GET":
                    assert r.status_code == 303 and "/console/login" in r.headers["location"]
                else:
                    assert r.status_code in (401, 403), (method, path, r.status_code)
        for role in ("analyst", "admin"):
            csrf = sign_in(client, _secret(token(rt, role)))
            for route, roles in checked:
                if role in roles:
                    continue
                path = re.sub(r"\{[^}]+\}", "x", route.path)
                for method in route.methods:
                    r = client.request(method, path, data={"csrf": csrf},
                                       follow_redirects=False)
                    assert r.status_code == 403, (role, method, path, r.status_code)
                    assert "may not do this" in r.text
