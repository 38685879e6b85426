"""A newcomer's path, end to end through the HTTP API.

Serve on the embedded default, then on the bundled public-groups data as a snapshot → onboard
three organisations (restricted through an offshore parent, clear, uncertain) → decide for
their accounts (JSON and Envoy ext_authz) → override the DENY with four eyes → publish a
changed snapshot and see the event → verify the audit chain → replay a decision.
"""

from __future__ import annotations

from pathlib import Path

from rf_service import public_groups_snapshot, service, token
from sqlalchemy import Engine


def test_newcomer_path(db_engine: Engine, tmp_path: Path) -> None:
    changed = public_groups_snapshot(tmp_path / "snap2", drop_holding="bytedance,tiktok_uk,")
    # No snapshot configured: the service builds and serves the embedded default.
    with service(db_engine, None, embedded_default=True, data_dir=tmp_path / "var") as (
            client, rt):
        assert (tmp_path / "var" / "snapshots" / "default" / "manifest.json").is_file()
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").status_code == 200
        admin, a1, a2 = token(rt, "admin"), token(rt, "analyst", "ann"), token(rt, "analyst", "bo")
        gw = token(rt, "gateway")
        # TikTok UK, the uncertain example, is restricted in the embedded default since its
        # source was read; serve the bundled groups with its old 50%-100% range instead.
        start = public_groups_snapshot(tmp_path / "snap1")
        assert client.post("/v1/admin/snapshots/publish", json={"path": str(start)},
                           headers=admin).status_code == 200

        # Supercell Oy (Finland) is majority-held by Tencent, run from Shenzhen but
        # registered in the Cayman Islands: restricted through an offshore parent.
        orgs = {}
        for key, decl in {
            "restricted": {"name": "Supercell Oy", "country": "FI"},
            "clear": {"name": "Spotify Technology S.A.", "country": "LU",
                      "domains": ["spotify.com"]},
            "uncertain": {"name": "TikTok UK", "country": "GB",
                          "identifiers": [{"scheme": "gb_crn", "value": "10165711"}]},
        }.items():
            r = client.post("/v1/organizations", json=decl, headers=a1)
            assert r.status_code == 201, r.text
            orgs[key] = r.json()
        assert orgs["restricted"]["status"] == "denied"
        assert orgs["restricted"]["entity_id"] == "supercell"
        assert orgs["restricted"]["reasons"][0]["code"] == "entity_restricted"
        assert orgs["clear"]["status"] == "allowed"
        assert orgs["uncertain"]["status"] == "review"
        assert orgs["uncertain"]["entity_id"] == "tiktok_uk"

        proof = client.get(f"/v1/organizations/{orgs['restricted']['id']}/proof", headers=a1)
        assert proof.status_code == 200 and "tencent" in proof.text

        keys = {}
        for key, org in orgs.items():
            acc = client.post(f"/v1/organizations/{org['id']}/accounts",
                              json={"channel": "direct"}, headers=a1).json()
            keys[key] = client.post(f"/v1/accounts/{acc['id']}/keys", headers=a1).json()

        def decide(key: str, **ctx: str) -> dict:
            r = client.post("/v1/decide", json={"key_id": keys[key]["id"], "context": ctx},
                            headers=gw)
            assert r.status_code == 200, r.text
            return r.json()

        d = decide("restricted")
        assert d["decision"] == "DENY" and not d["allow"]
        assert d["reasons"][0]["code"] == "org_denied"
        assert d["snapshot_id"] == rt.live.snapshot.id and d["policy"]["name"] == "provider-terms"
        deny_id = d["decision_id"]
        assert decide("clear")["decision"] == "ALLOW"
        rev = decide("uncertain")
        assert rev["decision"] == "REVIEW" and rev["allow"] is False  # decision.review: deny
        cn = decide("clear", client_ip="223.5.5.5")
        assert cn["decision"] == "DENY" and cn["reasons"][0]["code"] == "ip_restricted_region"
        unknown = client.post("/v1/decide", json={"key_id": "key_nope"}, headers=gw).json()
        assert unknown["decision"] == "DENY" and unknown["reasons"][0]["code"] == "unknown_account"

        # Envoy ext_authz: the client's own API key arrives in Authorization.
        ok = client.get("/v1/ext_authz/v1/messages", headers={
            "x-ringfence-gateway-token": gw["Authorization"].split()[1],
            "authorization": f"Bearer {keys['clear']['secret']}",
            "x-forwarded-for": "203.0.113.7"})
        assert ok.status_code == 200 and ok.headers["x-ringfence-decision-id"]
        no = client.post("/v1/ext_authz/v1/messages", headers={
            "x-ringfence-gateway-token": gw["Authorization"].split()[1],
            "authorization": f"Bearer {keys['restricted']['secret']}"})
        assert no.status_code == 403 and no.json()["decision"] == "DENY"
        assert no.headers["x-ringfence-decision-id"] == no.json()["decision_id"]

        # Four eyes: overriding a DENY waits for a second, different analyst.
        org_id = orgs["restricted"]["id"]
        ov = client.post(f"/v1/organizations/{org_id}/override",
                         json={"status": "allowed", "reason": "Licence granted, ref 42."},
                         headers=a1)
        assert ov.status_code == 201 and ov.json()["state"] == "pending"
        assert decide("restricted")["decision"] == "DENY"
        same = client.post(f"/v1/overrides/{ov.json()['id']}/approve",
                           json={"reason": "self"}, headers=a1)
        assert same.status_code == 403 and same.json()["error"]["code"] == "forbidden"
        ok2 = client.post(f"/v1/overrides/{ov.json()['id']}/approve",
                          json={"reason": "Checked the licence."}, headers=a2)
        assert ok2.status_code == 200, ok2.text
        assert decide("restricted")["decision"] == "ALLOW"

        # Publish a snapshot where ByteDance's stake in TikTok UK is gone: review → allowed.
        before = client.get("/v1/events", headers=a1).json()["next_after"]
        pub = client.post("/v1/admin/snapshots/publish", json={"path": str(changed)},
                          headers=admin)
        assert pub.status_code == 200, pub.text
        assert pub.json()["status_changed"] == 1
        ev = client.get("/v1/events", params={"after": before}, headers=a1).json()["items"]
        assert [(e["org_id"], e["payload"]["from"], e["payload"]["to"]) for e in ev] == [
            (orgs["uncertain"]["id"], "review", "allowed")]
        assert decide("uncertain")["decision"] == "ALLOW"
        assert decide("uncertain")["snapshot_id"] == pub.json()["snapshot_id"]
        assert client.get(f"/v1/organizations/{org_id}", headers=a1).json()["status"] == "allowed"

        # The audit chain holds every step and verifies.
        rt.decisions.flush()
        v = client.get("/v1/admin/audit/verify", headers=admin).json()
        assert v["ok"], v
        kinds = {r["kind"] for r in client.get("/v1/audit", params={"limit": 1000},
                                               headers=a1).json()["items"]}
        assert {"onboard", "decision", "decisions.allow_batch", "analyst.override_requested",
                "analyst.override_approved", "publish"} <= kinds

        # Any past decision replays as of its snapshot and policy version.
        rp = client.post(f"/v1/decisions/{deny_id}/replay", headers=a1).json()
        assert rp["ok"] and rp["same_outcome"] and rp["verdict"]["same"], rp
        got = client.get(f"/v1/decisions/{deny_id}", headers=a1).json()
        assert got["input"]["key_id"] == keys["restricted"]["id"]
        assert client.get("/console", headers=a1).status_code == 200
        metrics = client.get("/metrics").text
        assert 'ringfence_decisions_total{outcome="DENY"}' in metrics
