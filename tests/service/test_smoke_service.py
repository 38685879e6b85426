from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from rf_service import public_groups_snapshot, service, token


def test_smoke(db_engine: Engine, tmp_path: Path) -> None:
    snap = public_groups_snapshot(tmp_path / "s")
    with service(db_engine, snap) as (client, rt):
        assert client.get("/readyz").status_code == 200
        an = token(rt, "analyst")
        gw = token(rt, "gateway")
        r = client.post("/v1/organizations", json={"name": "TikTok Inc.", "country": "US"},
                        headers=an)
        assert r.status_code == 201, r.text
        org = r.json()
        assert org["status"] == "denied", org
        r = client.post(f"/v1/organizations/{org['id']}/accounts", json={}, headers=an)
        acc = r.json()
        r = client.post("/v1/decide", json={"account_id": acc["id"]}, headers=gw)
        assert r.status_code == 200, r.text
        assert r.json()["decision"] == "DENY"
