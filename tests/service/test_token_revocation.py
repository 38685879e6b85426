"""Token revocation: refused on every path at once where it was revoked, within the sync
bound in another worker, audited with who and why, and fail closed when the token list
cannot be re-read."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from rf_console import sign_in
from rf_service import public_groups_snapshot, service, token
from sqlalchemy import Engine, text
from starlette.testclient import TestClient
from structlog.testing import capture_logs

from ringfence.service import ServiceSettings

BOUND = 0.3  # RINGFENCE_SYNC_SECONDS in these tests


def _create(client: TestClient, admin: dict[str, str], role: str) -> tuple[str, str]:
    r = client.post("/v1/admin/tokens", json={"role": role, "label": f"{role} one"},
                    headers=admin)
    assert r.status_code == 201, r.text
    return r.json()["id"], r.json()["token"]


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _gateway_calls(client: TestClient, secret: str) -> list[int]:
    """Status of /v1/decide and of ext_authz (token in its header and in Authorization)."""
    return [client.post("/v1/decide", json={"key_id": "key_x"}, headers=_bearer(secret)
                        ).status_code,
            client.get("/v1/ext_authz/v1/messages",
                       headers={"x-ringfence-gateway-token": secret}).status_code,
            client.get("/v1/ext_authz", headers=_bearer(secret)).status_code]


@pytest.mark.parametrize("fast_path", [True, False])
def test_revoked_tokens_are_refused_on_every_path_and_audited(
        db_engine: Engine, tmp_path: Path, fast_path: bool) -> None:
    snap = public_groups_snapshot(tmp_path / "s")
    with service(db_engine, snap, fast_path=fast_path, sync_seconds=60) as (client, rt):
        admin = token(rt, "admin")
        gw_id, gw = _create(client, admin, "gateway")
        an_id, an = _create(client, admin, "analyst")
        # ext_authz decides (DENY: unknown key) with the token, so 403 is "authenticated"
        assert _gateway_calls(client, gw) == [200, 403, 403]
        assert client.get("/v1/organizations", headers=_bearer(an)).status_code == 200
        sign_in(client, an)  # a console session opened with the analyst's token
        assert client.get("/console").status_code == 200

        r = client.post(f"/v1/admin/tokens/{gw_id}/revoke",
                        json={"reason": "Gateway host decommissioned."}, headers=admin)
        assert r.status_code == 200, r.text
        out = r.json()
        admin_id = rt.token_identity(admin["Authorization"].split()[1])
        assert admin_id is not None
        assert out["id"] == gw_id and out["revoked_at"]
        assert out["revoked_by"] == admin_id.token_id
        assert out["revoke_reason"] == "Gateway host decommissioned."
        assert gw not in r.text and "hash" not in out and "token" not in out
        # refused at once, here, though the token list is trusted for 60 s
        assert _gateway_calls(client, gw) == [401, 401, 401]

        client.post(f"/v1/admin/tokens/{an_id}/revoke", json={"reason": "Left the team."},
                    headers=admin)
        assert client.get("/v1/organizations", headers=_bearer(an)).status_code == 401
        # revoking the token ends its console sessions: back to the sign-in page
        gone = client.get("/console", follow_redirects=False)
        assert gone.status_code == 303 and gone.headers["location"].startswith("/console/login")

        again = client.post(f"/v1/admin/tokens/{gw_id}/revoke", json={"reason": "again"},
                            headers=admin)
        assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
        nope = client.post("/v1/admin/tokens/tok_nope/revoke", json={"reason": "x"},
                           headers=admin)
        assert nope.status_code == 404
        blank = client.post(f"/v1/admin/tokens/{an_id}/revoke", json={"reason": ""},
                            headers=admin)
        assert blank.status_code == 422 and "body.reason" in blank.text

        listed = client.get("/v1/admin/tokens", headers=admin)
        assert listed.status_code == 200
        by_id = {t["id"]: t for t in listed.json()}
        assert by_id[gw_id]["revoked_at"] and by_id[an_id]["revoked_at"]
        assert by_id[admin_id.token_id]["revoked_at"] is None
        assert gw not in listed.text and an not in listed.text

        records = client.get("/v1/audit", params={"kind": "token.revoke"},
                             headers=admin).json()["items"]
        assert [(r["subject"], r["actor"], r["payload"]["reason"]) for r in records] == [
            (an_id, admin_id.token_id, "Left the team."),
            (gw_id, admin_id.token_id, "Gateway host decommissioned.")]
        assert client.get("/v1/admin/audit/verify", headers=admin).json()["ok"]


def test_another_worker_refuses_a_revoked_token_within_the_bound(
        db_engine: Engine, tmp_path: Path) -> None:
    snap = public_groups_snapshot(tmp_path / "s")
    # Two workers on one database, no sync thread: the request path alone keeps the bound.
    with service(db_engine, snap, sync_seconds=BOUND) as (a, rt_a), \
            service(db_engine, None, sync_seconds=BOUND) as (b, _rt_b):
        admin = token(rt_a, "admin")
        gw_id, gw = _create(a, admin, "gateway")
        assert _gateway_calls(b, gw) == [200, 403, 403]  # b knows it (read from the db)
        assert a.post(f"/v1/admin/tokens/{gw_id}/revoke", json={"reason": "leaked"},
                      headers=admin).status_code == 200
        time.sleep(BOUND + 0.1)
        assert _gateway_calls(b, gw) == [401, 401, 401]


def test_fail_closed_when_the_token_list_cannot_be_reread(db_engine: Engine,
                                                          tmp_path: Path) -> None:
    snap = public_groups_snapshot(tmp_path / "s")
    with service(db_engine, snap, sync_seconds=BOUND) as (client, rt):
        gw = token(rt, "gateway")["Authorization"].split()[1]
        assert _gateway_calls(client, gw)[0] == 200
        with db_engine.begin() as conn:  # the token list can no longer be read
            conn.execute(text("ALTER TABLE tokens RENAME TO tokens_gone"))
        try:
            time.sleep(BOUND + 0.1)
            with capture_logs() as logs:
                r = client.post("/v1/decide", json={"key_id": "key_x"}, headers=_bearer(gw))
                assert r.status_code == 503 and r.json()["error"]["code"] == "unavailable"
                assert _gateway_calls(client, gw) == [503, 503, 503]
            # an outage is one log line per bound, not a traceback per request (rendering
            # those under the re-read lock made every refused request wait seconds)
            failures = [e for e in logs if "could not be re-read" in e["event"]]
            assert len(failures) == 1, logs
            assert "exc_info" not in failures[0]
            assert re.search("no such table|does not exist", failures[0]["error"]), failures
        finally:
            with db_engine.begin() as conn:
                conn.execute(text("ALTER TABLE tokens_gone RENAME TO tokens"))
        assert _gateway_calls(client, gw) == [200, 403, 403]  # recovers with the database


def test_sync_seconds_setting() -> None:
    assert ServiceSettings.from_env({}).sync_seconds == 1.0
    assert ServiceSettings.from_env({"RINGFENCE_SYNC_SECONDS": "0.25"}).sync_seconds == 0.25
    for bad in ("0", "-1", "nan"):
        with pytest.raises(ValueError, match="sync_seconds"):
            ServiceSettings.from_env({"RINGFENCE_SYNC_SECONDS": bad})
