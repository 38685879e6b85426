"""Several workers on one database converge: a publish, a policy switch and book changes
made through one app reach another app's decisions after its sync, and the other app
keeps serving its old snapshot until the new one is evaluated and swapped in."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rf_service import public_groups_snapshot, service, token
from sqlalchemy import Engine
from starlette.testclient import TestClient

from ringfence.service.runtime import evaluate_book
from ringfence.snapshot import open_snapshot

SYNC = 0.2  # RINGFENCE_SYNC_SECONDS of the following worker
WAIT = 20.0  # give up (and fail) after this long


def _until(check: Callable[[], bool], what: str) -> float:
    t0 = time.monotonic()
    while not check():
        if time.monotonic() - t0 > WAIT:
            raise AssertionError(f"not within {WAIT} s: {what}")
        time.sleep(0.05)
    return time.monotonic() - t0


class Gate:
    """An evaluator that holds the evaluation of one snapshot until released."""

    def __init__(self) -> None:
        self.snapshot_id: str | None = None
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, snapshot: Any, policy: Any, as_of: Any) -> Any:
        if snapshot.id == self.snapshot_id:
            self.entered.set()
            assert self.release.wait(WAIT)
        return evaluate_book(snapshot, policy, as_of)


def _decide(client: TestClient, gw: dict[str, str], key_id: str) -> dict[str, Any]:
    r = client.post("/v1/decide", json={"key_id": key_id}, headers=gw)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _key(client: TestClient, an: dict[str, str], name: str, country: str) -> tuple[str, str]:
    org = client.post("/v1/organizations", json={"name": name, "country": country},
                      headers=an).json()
    acc = client.post(f"/v1/organizations/{org['id']}/accounts", json={}, headers=an).json()
    key = client.post(f"/v1/accounts/{acc['id']}/keys", headers=an).json()
    return acc["id"], key["id"]


def test_a_publish_through_one_worker_reaches_the_other(db_engine: Engine,
                                                        tmp_path: Path) -> None:
    snap = public_groups_snapshot(tmp_path / "s")
    changed = public_groups_snapshot(tmp_path / "s2", drop_holding="bytedance,tiktok_uk,")
    gate = Gate()
    gate.snapshot_id = new_id = open_snapshot(changed).id
    with service(db_engine, snap) as (a, rt_a):
        admin, an, gw = token(rt_a, "admin"), token(rt_a, "analyst"), token(rt_a, "gateway")
        _acc, tiktok = _key(a, an, "TikTok Information Technologies UK Limited", "GB")
        old_id = rt_a.live.snapshot.id  # type: ignore[union-attr]
        assert old_id != new_id
        # the second worker starts on the live snapshot, with its sync thread running
        with service(db_engine, None, evaluator=gate, background=True,
                     sync_seconds=SYNC) as (b, _rt_b):
            before = _decide(b, gw, tiktok)  # ownership uncertain: REVIEW
            assert (before["decision"], before["snapshot_id"]) == ("REVIEW", old_id)

            pub = a.post("/v1/admin/snapshots/publish", json={"path": str(changed)},
                         headers=admin)
            assert pub.status_code == 200 and pub.json()["snapshot_id"] == new_id, pub.text
            assert _decide(a, gw, tiktok)["snapshot_id"] == new_id  # the publisher: at once

            # b notices and evaluates the new snapshot; meanwhile the old one serves
            assert gate.entered.wait(WAIT), "the other worker never picked the publish up"
            during = _decide(b, gw, tiktok)
            assert (during["decision"], during["snapshot_id"]) == ("REVIEW", old_id)
            assert b.get("/readyz").json()["snapshot_id"] == old_id
            gate.release.set()

            _until(lambda: _decide(b, gw, tiktok)["snapshot_id"] == new_id,
                   "the other worker serves the new snapshot")
            after = _decide(b, gw, tiktok)
            assert after["decision"] == "ALLOW"
            assert "org_allowed" in {r["code"] for r in after["reasons"]}
            assert b.get("/readyz").json()["snapshot_id"] == new_id

            # a policy switch on the same snapshot is a publish too
            pub = a.post("/v1/admin/snapshots/publish",
                         json={"path": str(changed), "policy": "ofac-50"}, headers=admin)
            assert pub.status_code == 200, pub.text
            _until(lambda: _decide(b, gw, tiktok)["policy"]["name"] == "ofac-50",
                   "the other worker serves the new policy")


def test_book_changes_through_one_worker_reach_the_other(db_engine: Engine,
                                                         tmp_path: Path) -> None:
    snap = public_groups_snapshot(tmp_path / "s")
    with service(db_engine, snap) as (a, rt_a), \
            service(db_engine, None, background=True, sync_seconds=SYNC) as (b, _rt_b):
        an, gw = token(rt_a, "analyst"), token(rt_a, "gateway")
        acc, key = _key(a, an, "Spotify Technology S.A.", "LU")  # onboarded through a
        assert _decide(a, gw, key)["decision"] == "ALLOW"
        _until(lambda: _decide(b, gw, key)["decision"] == "ALLOW",
               "the other worker knows the new organisation, account and key")

        a.post(f"/v1/accounts/{acc}/disable", json={"reason": "fraud"}, headers=an)
        _until(lambda: _decide(b, gw, key)["reasons"][0]["code"] == "account_disabled",
               "the other worker sees the account disabled")
        a.post(f"/v1/accounts/{acc}/enable", json={"reason": "cleared"}, headers=an)
        _until(lambda: _decide(b, gw, key)["decision"] == "ALLOW",
               "the other worker sees the account enabled")

        assert a.delete(f"/v1/keys/{key}", headers=an).status_code == 204
        _until(lambda: _decide(b, gw, key)["reasons"][0]["code"] == "unknown_account",
               "the other worker refuses the revoked key")
