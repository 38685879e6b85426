"""Intermediaries end to end, through HTTP as a user would: an admin records a channel
agreement and issues a token scoped to it; the intermediary uploads a CSV of end customers
in several scripts (one a subsidiary of a restricted group) and gets their statuses; the
gateway then decides per request by the intermediary's own reference; runtime signals
(IP region, network class from geoip2fast's real ASN data) follow the policy; the
intermediary can touch nothing but its own channel."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rf_service import public_groups_snapshot, token
from sqlalchemy import Engine

from ringfence.service import ServiceSettings, create_app
from ringfence.service.runtime import Runtime

CSV = (
    "ref,name,country,identifiers,domains\n"
    "c-spotify,Spotify Technology S.A.,LU,,spotify.com\n"
    "c-supercell,Supercell Oy,FI,,supercell.com\n"
    "c-sony,ソニーグループ株式会社,JP,,sony.co.jp\n"
    "c-noor,شركة النور للتجارة,AE,,\n"
    "c-mir,ООО Ромашка Консалтинг,DE,,\n"
)


@pytest.fixture(scope="module")
def net_of() -> Any:
    from ringfence.service.geo import geoip_net_of

    return geoip_net_of()


@contextmanager
def _service(engine: Engine, snapshot: Path, net_of: Any) -> Iterator[tuple[TestClient,
                                                                            Runtime]]:
    settings = ServiceSettings(database_url=str(engine.url), snapshot=snapshot, geoip=False,
                               embedded_default=False, background=False)
    rt = Runtime(settings, engine=engine, net_of=net_of)
    with TestClient(create_app(settings, runtime=rt)) as client:
        yield client, rt


def _onboard(client: TestClient, h: dict[str, str], name: str, country: str) -> str:
    r = client.post("/v1/organizations", json={"name": name, "country": country}, headers=h)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_intermediary_end_to_end(db_engine: Engine, tmp_path: Path, net_of: Any) -> None:
    with _service(db_engine, public_groups_snapshot(tmp_path / "s"), net_of) as (client, rt):
        admin, an, gw = token(rt, "admin"), token(rt, "analyst"), token(rt, "gateway")
        cloud = _onboard(client, an, "Oracle Corporation", "US")
        other = _onboard(client, an, "Spotify Technology S.A.", "LU")
        for org in (cloud, other):
            r = client.post("/v1/channels", json={"org_id": org, "kind": "cloud_platform",
                                                  "attestation": "both"}, headers=admin)
            assert r.status_code == 201, r.text
        # only an admin records agreements
        assert client.post("/v1/channels", json={"org_id": cloud, "kind": "reseller"},
                           headers=an).status_code == 403

        def scoped(org: str) -> dict[str, str]:
            r = client.post("/v1/admin/tokens", json={"role": "intermediary",
                                                      "channel": org}, headers=admin)
            assert r.status_code == 201, r.text
            return {"Authorization": f"Bearer {r.json()['token']}"}

        mine, theirs = scoped(cloud), scoped(other)
        # an intermediary token without a channel is refused
        assert client.post("/v1/admin/tokens", json={"role": "intermediary"},
                           headers=admin).status_code == 422

        # the intermediary uploads its end customers as CSV: statuses, nothing else
        r = client.post(f"/v1/channels/{cloud}/end-customers", content=CSV.encode(),
                        headers={**mine, "content-type": "text/csv"})
        assert r.status_code == 200, r.text
        body = r.json()
        status = {i["ref"]: i["status"] for i in body["items"]}
        assert status["c-supercell"] == "denied"  # Tencent's subsidiary
        assert status["c-spotify"] == "allowed"
        assert set(status) == {"c-spotify", "c-supercell", "c-sony", "c-noor", "c-mir"}
        for item in body["items"]:
            assert set(item) == {"ref", "status", "change"}  # no candidates, scores, ...
        assert "entity" not in r.text and "score" not in r.text
        # idempotent by ref
        again = client.post(f"/v1/channels/{cloud}/end-customers", content=CSV.encode(),
                            headers={**mine, "content-type": "text/csv"}).json()
        assert {i["change"] for i in again["items"]} == {"unchanged"}
        # reading back: only ref and status
        listed = client.get(f"/v1/channels/{cloud}/end-customers", headers=mine).json()
        assert {tuple(sorted(i)) for i in listed["items"]} == {("ref", "status")}

        # the gateway: the intermediary's account, attested per request by its own ref
        acc = client.post(f"/v1/organizations/{cloud}/accounts", json={"channel": "cloud"},
                          headers=an).json()["id"]

        def decide(**ctx: str) -> dict[str, Any]:
            r = client.post("/v1/decide", json={"account_id": acc, "context": ctx},
                            headers=gw)
            assert r.status_code == 200, r.text
            return r.json()  # type: ignore[no-any-return]

        assert decide(end_customer_ref="c-spotify")["decision"] == "ALLOW"
        out = decide(end_customer_ref="c-supercell")
        assert out["decision"] == "DENY"
        assert out["reasons"][0]["code"] == "end_customer_restricted"
        out = decide(end_customer_ref="c-nobody")
        assert out["reasons"][0]["code"] == "end_customer_unknown"
        # unattested traffic follows the policy (provider-terms: review, denied at gateway)
        out = decide()
        assert out["decision"] == "REVIEW" and out["allow"] is False
        assert out["reasons"][0]["code"] == "unattested_intermediated"
        # the same through Envoy's ext_authz header
        gw_secret = gw["Authorization"].split()[1]
        r = client.get("/v1/ext_authz/v1/messages", headers={
            "x-ringfence-gateway-token": gw_secret, "x-ringfence-account": acc,
            "x-ringfence-end-customer-ref": "c-supercell"})
        assert r.status_code == 403 and r.headers["x-ringfence-decision"] == "DENY"
        r = client.get("/v1/ext_authz/v1/messages", headers={
            "x-ringfence-gateway-token": gw_secret, "x-ringfence-account": acc,
            "x-ringfence-end-customer-ref": "c-spotify"})
        assert r.status_code == 200

        # runtime signals: a restricted-region IP (Iran, geoip2fast) is denied with its
        # reason; a hosting network (Google's AS) is evidence only under the default policy
        out = decide(end_customer_ref="c-spotify", client_ip="5.160.0.1")
        assert out["decision"] == "DENY"
        assert out["reasons"][0]["code"] == "ip_restricted_region"
        assert out["reasons"][0]["evidence"]["ip_country"] == "IR"
        out = decide(end_customer_ref="c-spotify", client_ip="8.8.8.8")
        assert out["decision"] == "ALLOW" and out["ip_country"] == "US"
        assert "network_class" not in {r["code"] for r in out["reasons"]}
        # every decision replays to the same outcome and reasons (signals, refs included)
        rt.decisions.flush()
        for d in (decide(end_customer_ref="c-supercell", client_ip="5.160.0.1"),
                  decide(end_customer_ref="c-spotify", client_ip="8.8.8.8"),
                  decide(end_customer_ref="c-nobody", client_ip="2.144.0.1")):
            rt.decisions.flush()
            r = client.post(f"/v1/decisions/{d['decision_id']}/replay", headers=an)
            assert r.status_code == 200 and r.json()["ok"] is True, (d, r.text)

        # the intermediary may not read or attest another's customers...
        assert client.get(f"/v1/channels/{cloud}/end-customers",
                          headers=theirs).status_code == 403
        r = client.post(f"/v1/channels/{cloud}/end-customers",
                        json={"end_customers": [{"ref": "x", "name": "Acme"}]}, headers=theirs)
        assert r.status_code == 403
        assert client.get(f"/v1/channels/{cloud}/scorecard", headers=theirs).status_code == 403
        # ...nor call any other endpoint
        for method, path, kw in (
                ("POST", "/v1/decide", {"json": {"account_id": acc}}),
                ("GET", "/v1/ext_authz/x", {}),
                ("GET", "/v1/organizations", {}),
                ("GET", f"/v1/organizations/{cloud}", {}),
                ("POST", "/v1/organizations", {"json": {"name": "X", "country": "US"}}),
                ("GET", "/v1/admin/tokens", {}),
                ("POST", "/v1/channels", {"json": {"org_id": cloud, "kind": "reseller"}}),
                ("GET", "/v1/events", {}), ("GET", "/v1/cases", {}),
                ("GET", "/v1/audit", {})):
            r = client.request(method, path, headers=mine, **kw)
            assert r.status_code in (401, 403), (path, r.status_code)
        # a gateway token cannot use the channel endpoints
        assert client.get(f"/v1/channels/{cloud}/end-customers",
                          headers=gw).status_code == 403

        # the scorecard: the intermediary's own, and the analysts'
        card = client.get(f"/v1/channels/{cloud}/scorecard", headers=mine).json()
        assert "case_id" not in card  # the analysts' case is not the intermediary's business
        assert card["requests"] == 11
        assert card["unattested_share"] == pytest.approx(1 / 11, abs=1e-4)
        assert card["end_customers"] == 2
        assert card["end_customers_restricted_share"] == 0.5
        assert card["restricted_region_share"] == pytest.approx(3 / 11, abs=1e-4)
        assert card["hosting_vpn_share"] == pytest.approx(2 / 11, abs=1e-4)
        assert client.get(f"/v1/channels/{cloud}/scorecard?window=week",
                          headers=an).status_code == 200
        assert "ringfence_channel_requests" in client.get("/metrics").text


def test_attestation_refuses_bad_input_whole(db_engine: Engine, tmp_path: Path,
                                            net_of: Any) -> None:
    with _service(db_engine, public_groups_snapshot(tmp_path / "s"), net_of) as (client, rt):
        admin, an = token(rt, "admin"), token(rt, "analyst")
        org = _onboard(client, an, "Oracle Corporation", "US")
        client.post("/v1/channels", json={"org_id": org, "kind": "reseller"}, headers=admin)
        h = {"Authorization": "Bearer " + client.post(
            "/v1/admin/tokens", json={"role": "intermediary", "channel": org},
            headers=admin).json()["token"]}
        bad = CSV + "c-bad,Acme,Germany,,\n"
        r = client.post(f"/v1/channels/{org}/end-customers", content=bad.encode(),
                        headers={**h, "content-type": "text/csv"})
        assert r.status_code == 422
        err = r.json()["error"]
        assert err["details"]["field"] == "country" and err["details"]["ref"] == "c-bad"
        # nothing was written
        assert client.get(f"/v1/channels/{org}/end-customers", headers=h).json()["items"] == []
        r = client.post(f"/v1/channels/{org}/end-customers",
                        content=b"ref,name\nx,y\n", headers={**h, "content-type": "text/csv"})
        assert r.status_code == 422 and r.json()["error"]["details"]["field"] == "header"
        r = client.post(f"/v1/channels/{org}/end-customers", json={"end_customers": [
            {"ref": "a", "name": "A"}, {"ref": "a", "name": "B"}]}, headers=h)
        assert r.status_code == 422 and "twice" in r.text
        too_many = {"end_customers": [{"ref": f"r{i}", "name": "N"} for i in range(10_001)]}
        r = client.post(f"/v1/channels/{org}/end-customers", json=too_many, headers=h)
        assert r.status_code == 422 and "10000" in r.text


def _encodes_as_the_resolver_does(host: str) -> list[str]:
    host.encode("idna")  # socket.getaddrinfo's first step: UnicodeError on a long label
    return ["93.184.215.14"]


def test_channel_webhooks_only_public_https() -> None:
    from ringfence.exc import InputError
    from ringfence.service.webhooks import check_public_url

    for url in ("http://hooks.example.com/x", "https://127.0.0.1/x", "https://10.0.0.5/x",
                "https://169.254.169.254/latest", "https://[::1]/x", "ftp://x.example/"):
        with pytest.raises(InputError):
            check_public_url(url)
    # a name that resolves to a private address is refused (checked at send time too)
    with pytest.raises(InputError):
        check_public_url("https://hooks.example.com/x", resolve=lambda _h: ["192.168.1.4"])
    check_public_url("https://hooks.example.com/x", resolve=lambda _h: ["93.184.215.14"])
    # found by schemathesis: URLs httpx or IDNA refuse were a 500, now 422 on field url
    for url in ("https://&\U000a06bc\u00b3/x", "https://a\x00b/x", "https://" + "a" * 70 + "/"):
        with pytest.raises(InputError) as err:
            check_public_url(url, resolve=_encodes_as_the_resolver_does)
        assert err.value.details["field"] == "url"


def test_status_changes_reach_the_intermediary_webhook_only_with_ref_and_status(
        db_engine: Engine, tmp_path: Path, net_of: Any) -> None:
    import httpx

    from ringfence.service.webhooks import Deliverer, verify_signature

    with _service(db_engine, public_groups_snapshot(tmp_path / "s"), net_of) as (client, rt):
        admin, an = token(rt, "admin"), token(rt, "analyst")
        org = _onboard(client, an, "Oracle Corporation", "US")
        client.post("/v1/channels", json={"org_id": org, "kind": "reseller"}, headers=admin)
        h = {"Authorization": "Bearer " + client.post(
            "/v1/admin/tokens", json={"role": "intermediary", "channel": org},
            headers=admin).json()["token"]}
        # registering a private or plain-http URL is refused
        for url in ("http://hooks.partner.example/x", "https://127.0.0.1/x"):
            r = client.post(f"/v1/channels/{org}/webhook", json={
                "url": url, "secret": "s" * 20}, headers=admin)
            assert r.status_code == 422, url
        from unittest import mock

        with mock.patch("ringfence.service.webhooks._resolve", return_value=["93.184.215.14"]):
            r = client.post(f"/v1/channels/{org}/webhook", json={
                "url": "https://hooks.partner.example/rf", "secret": "s" * 20}, headers=admin)
        assert r.status_code == 201, r.text
        r = client.post(f"/v1/channels/{org}/end-customers", json={"end_customers": [
            {"ref": "c-1", "name": "Spotify Technology S.A.", "country": "LU"}]}, headers=h)
        ec_org = client.get(f"/v1/channels/{org}/end-customers", headers=an).json()[
            "items"][0]["org_id"]
        # an analyst's override changes its status: an event for that org
        r = client.post(f"/v1/organizations/{ec_org}/override",
                        json={"status": "review", "reason": "Checking a filing."}, headers=an)
        assert r.status_code == 201, r.text
        sent: list[httpx.Request] = []

        def receiver(request: httpx.Request) -> httpx.Response:
            sent.append(request)
            return httpx.Response(200)

        d = Deliverer(rt.engine, client=lambda: httpx.Client(
            transport=httpx.MockTransport(receiver)))
        d.resolve = lambda _host: ["93.184.215.14"]
        assert d.run_once() == 1
        body = sent[0].content
        assert verify_signature("s" * 20, sent[0].headers["x-ringfence-timestamp"], body,
                                sent[0].headers["x-ringfence-signature"])
        import json

        data = json.loads(body)
        assert data["ref"] == "c-1" and data["status"] == "review"
        assert set(data) == {"id", "ts", "type", "channel", "ref", "status"}  # nothing else
        # the host later resolving to a private address: refused at send time
        client.post(f"/v1/organizations/{ec_org}/override",
                    json={"status": "allowed", "reason": "Filing checked."}, headers=an)
        d.resolve = lambda _host: ["10.0.0.8"]
        assert d.run_once() == 0 and len(sent) == 1
        from sqlalchemy import select

        from ringfence.store.tables import deliveries

        with rt.engine.connect() as conn:
            errors = [r.last_error for r in conn.execute(select(deliveries)).all()
                      if r.last_error]
        assert any("non-public" in e for e in errors)


def test_attestation_is_rate_limited_per_intermediary(db_engine: Engine, tmp_path: Path,
                                                       net_of: Any) -> None:
    with _service(db_engine, public_groups_snapshot(tmp_path / "s"), net_of) as (client, rt):
        rt.settings = type(rt.settings)(**{**rt.settings.__dict__,
                                           "attest_calls_per_minute": 2})
        admin, an = token(rt, "admin"), token(rt, "analyst")
        org = _onboard(client, an, "Oracle Corporation", "US")
        client.post("/v1/channels", json={"org_id": org, "kind": "reseller"}, headers=admin)
        h = {"Authorization": "Bearer " + client.post(
            "/v1/admin/tokens", json={"role": "intermediary", "channel": org},
            headers=admin).json()["token"]}
        body = {"end_customers": [{"ref": "c-1", "name": "Acme Widgets", "country": "US"}]}
        codes = [client.post(f"/v1/channels/{org}/end-customers", json=body,
                             headers=h).status_code for _ in range(3)]
        assert codes == [200, 200, 429]


def test_resale_fanout_flags_a_direct_account_across_workers(db_engine: Engine,
                                                             tmp_path: Path) -> None:
    from rf_service import service

    snap = public_groups_snapshot(tmp_path / "s")
    with service(db_engine, snap) as (c1, w1), service(db_engine, snap) as (_c2, w2):
        an, gw = token(w1, "analyst"), token(w1, "gateway")
        org = _onboard(c1, an, "Spotify Technology S.A.", "LU")
        acc = c1.post(f"/v1/organizations/{org}/accounts", json={"channel": "direct"},
                      headers=an).json()["id"]
        w2.sync()

        def decide(client: TestClient, user: str) -> dict[str, Any]:
            r = client.post("/v1/decide", json={"account_id": acc, "context": {
                "client_user_id": user}}, headers=gw)
            assert r.status_code == 200, r.text
            return r.json()  # type: ignore[no-any-return]

        # each worker alone sees 20 end users and 3 networks: below the policy's rule
        for i in range(20):
            w1.fanout.observe(acc, now=__import__("time").time(), user=f"a{i}",
                              country="ABC"[i % 3], network=None)
            w2.fanout.observe(acc, now=__import__("time").time(), user=f"b{i}",
                              country="DEF"[i % 3], network=None)
        assert decide(c1, "a0")["decision"] == "ALLOW"
        w1.share_fanout(every=0)
        w2.share_fanout(every=0)  # publishes its own, absorbs w1's
        w1.share_fanout(every=0)  # absorbs w2's
        out = decide(c1, "a1")
        assert out["decision"] == "REVIEW", out
        r = next(r for r in out["reasons"] if r["code"] == "resale_fanout")
        assert r["evidence"]["end_users"] == 40 and r["evidence"]["countries"] == 6
        assert r["evidence"]["approximate"] is True


def test_scorecard_thresholds_open_one_case(db_engine: Engine, tmp_path: Path,
                                            net_of: Any) -> None:
    with _service(db_engine, public_groups_snapshot(tmp_path / "s"), net_of) as (client, rt):
        admin, an, gw = token(rt, "admin"), token(rt, "analyst"), token(rt, "gateway")
        org = _onboard(client, an, "Oracle Corporation", "US")
        client.post("/v1/channels", json={"org_id": org, "kind": "reseller"}, headers=admin)
        acc = client.post(f"/v1/organizations/{org}/accounts", json={"channel": "reseller"},
                          headers=an).json()["id"]
        for i in range(100):  # provider-terms: min_requests 100, max_unattested_share 0.5
            r = client.post("/v1/decide", json={"account_id": acc, "context": {
                "client_user_id": f"u{i % 7}"}}, headers=gw)
            assert r.json()["reasons"][0]["code"] == "unattested_intermediated"
        card = client.get(f"/v1/channels/{org}/scorecard", headers=an).json()
        assert card["requests"] == 100 and card["unattested_share"] == 1.0
        assert card["end_users"] == 7
        assert card["breaches"] == [{"measure": "unattested_share", "value": 1.0,
                                     "threshold": 0.5}]
        case_id = card["case_id"]
        assert case_id
        again = client.get(f"/v1/channels/{org}/scorecard", headers=an).json()
        assert again["case_id"] == case_id  # one case per intermediary, window and day
        case = client.get(f"/v1/cases/{case_id}", headers=an).json()
        assert case["kind"] == "channel" and case["org_ids"] == [org]
        metrics = client.get("/metrics").text
        assert f'ringfence_channel_unattested_share{{channel="{org}",window="day"}} 1.0' \
            in metrics


def test_another_worker_follows_an_attestation(db_engine: Engine, tmp_path: Path) -> None:
    from rf_service import service

    snap = public_groups_snapshot(tmp_path / "s")
    with service(db_engine, snap) as (c1, w1), service(db_engine, snap) as (c2, w2):
        admin, an, gw = token(w1, "admin"), token(w1, "analyst"), token(w1, "gateway")
        org = _onboard(c1, an, "Oracle Corporation", "US")
        c1.post("/v1/channels", json={"org_id": org, "kind": "reseller"}, headers=admin)
        acc = c1.post(f"/v1/organizations/{org}/accounts", json={"channel": "reseller"},
                      headers=an).json()["id"]
        h = {"Authorization": "Bearer " + c1.post(
            "/v1/admin/tokens", json={"role": "intermediary", "channel": org},
            headers=admin).json()["token"]}
        w2.sync()
        r = c1.post(f"/v1/channels/{org}/end-customers", content=CSV.encode(),
                    headers={**h, "content-type": "text/csv"})
        assert r.status_code == 200
        w2.sync()  # the other worker folds the new end customers and references in
        out = c2.post("/v1/decide", json={"account_id": acc, "context": {
            "end_customer_ref": "c-supercell"}}, headers=gw).json()
        assert out["decision"] == "DENY", out
        assert out["reasons"][0]["code"] == "end_customer_restricted"
        out = c2.post("/v1/decide", json={"account_id": acc, "context": {
            "end_customer_ref": "c-spotify"}}, headers=gw).json()
        assert out["decision"] == "ALLOW", out
