"""``ringfence serve --workers 2`` as real processes on one database (issue 20, item 1).

Each worker is reached on a keep-alive connection of its own (the decision id's prefix
names the worker that answered). After a book change, a confirmed detection finding, a
publish and a token revocation made elsewhere, *every* worker applies it within the sync
interval (a generous bound here; the measured time is printed). Then both workers answer
200 DENYs concurrently, each one an audit record written synchronously: the head moves by
exactly 200. The server is stopped and ``ringfence audit verify --anchor`` finds an intact
chain and every anchored head (publish, interval; a start or stop whose head is already
anchored writes nothing).

On SQLite (one file, WAL) and PostgreSQL (``postgres``). About 100 s wall per backend on the
shared 2-core machine at load average 19, most of it starting the workers: marked ``slow``
(.ci/run runs it; ``RINGFENCE_SKIP_SLOW=1`` leaves it out).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rf_backends import subprocess_url
from rf_service import public_groups_snapshot
from sqlalchemy import Engine

from ringfence.audit.anchor import read_head
from ringfence.service import Runtime, ServiceSettings
from ringfence.service.book import create_token, revoke_token

pytestmark = pytest.mark.slow

WORKERS = 2
SYNC = 0.5  # RINGFENCE_SYNC_SECONDS of the workers
BOUND = 60.0  # fail when a worker has not applied a change this long after it committed
# (a publish: the sync interval plus the worker's own evaluation of the snapshot; generous
# for a machine shared with other jobs)
KEY = "anchor-key-for-the-test-0123456789"
CLI = str(Path(sys.executable).parent / "ringfence")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prefix(decision: dict[str, Any]) -> str:
    return str(decision["decision_id"]).rsplit("-", 1)[0]


class Workers:
    """One keep-alive connection per worker, found by asking on new connections until
    every worker has answered one."""

    def __init__(self, base: str, gw: str) -> None:
        self.base, self.gw = base, gw
        self.clients: dict[str, httpx.Client] = {}
        t0 = time.monotonic()  # a worker still starting accepts no connection yet
        while len(self.clients) < WORKERS and time.monotonic() - t0 < 120:
            c = httpx.Client(base_url=base, timeout=30)
            who = _prefix(self.decide(c, "acc-sp"))
            if who in self.clients:
                c.close()
                time.sleep(0.05)
            else:
                self.clients[who] = c
        assert len(self.clients) == WORKERS, f"reached only {len(self.clients)} worker(s)"

    def decide(self, c: httpx.Client, account: str, token: str | None = None
               ) -> dict[str, Any]:
        r = c.post("/v1/decide", json={"account_id": account},
                   headers={"Authorization": f"Bearer {token or self.gw}"})
        assert r.status_code == 200, r.text
        return dict(r.json())

    def each(self, what: str, check: Callable[[httpx.Client], tuple[str, bool]]) -> float:
        """Seconds until ``check`` (which returns the worker that answered and whether it
        shows the change) held for every worker."""
        t0 = time.monotonic()
        done: set[str] = set()
        while len(done) < WORKERS:
            for c in self.clients.values():
                who, ok = check(c)
                if ok:
                    done.add(who)
            if time.monotonic() - t0 > BOUND:
                raise AssertionError(f"{what}: {WORKERS - len(done)} worker(s) not within "
                                     f"{BOUND} s (done: {sorted(done)})")
            time.sleep(0.02)
        return time.monotonic() - t0

    def seen(self, what: str, account: str, pred: Callable[[dict[str, Any]], bool]) -> float:
        def check(c: httpx.Client) -> tuple[str, bool]:
            d = self.decide(c, account)
            return _prefix(d), pred(d)

        return self.each(what, check)

    def close(self) -> None:
        for c in self.clients.values():
            c.close()


def _finding(account: str, org: str) -> bytes:
    f = {"cluster_id": "c-workers", "account_ids": [account], "org_ids": [org],
         "action": "suspend", "score": 0.95, "first_flagged": "2026-03-02T05:00:00Z",
         "checkpoint": "2026-03-02T07:00:00Z",
         "evidence": [{"signal": "shared_payment", "value": 3, "weight": 0.6,
                       "detail": "3 accounts share one card"}],
         "fingerprints": {"payment_fingerprint": [], "signup_device_fp": [], "skeleton": []},
         "excerpts": [], "members": [{"account_id": account, "org_id": org, "score": 0.9,
                                      "action": "suspend"}]}
    return (json.dumps(f) + "\n").encode()


@pytest.fixture
def served(db_engine: Engine, tmp_path: Path) -> Iterator[dict[str, Any]]:
    url = subprocess_url(db_engine)
    snap = public_groups_snapshot(tmp_path / "s1")
    env = {**os.environ, "RINGFENCE_DATABASE_URL": url, "RINGFENCE_SNAPSHOT": str(snap),
           "RINGFENCE_EMBEDDED_DEFAULT": "0", "RINGFENCE_GEOIP": "0",
           "RINGFENCE_SYNC_SECONDS": str(SYNC), "RINGFENCE_ANCHOR_FILE":
           str(tmp_path / "anchors.jsonl"), "RINGFENCE_ANCHOR_KEY": KEY,
           "RINGFENCE_ANCHOR_SECONDS": "1"}
    settings = ServiceSettings(database_url=url, geoip=False, background=False,
                               embedded_default=False, anchor_key=KEY,
                               anchor_file=tmp_path / "anchors.jsonl")
    rt = Runtime(settings, engine=db_engine)  # "another process": tokens, publish
    tokens = {f"{role}{n}": create_token(rt, role=role, label=f"{role}{n}", actor="test")
              for role in ("gateway", "analyst") for n in (1, 2)}
    tokens["detector1"] = create_token(rt, role="detector", label="d", actor="test")
    port = _free_port()
    log = (tmp_path / "server.log").open("w")  # the workers' JSON log lines and uvicorn's
    server = subprocess.Popen([CLI, "serve", "--workers", str(WORKERS), "--port", str(port),
                               "--log-level", "info"], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        t0 = time.monotonic()
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() - t0 < 300, "the server did not become ready"
            time.sleep(0.2)
        yield {"base": base, "rt": rt, "tokens": tokens, "server": server, "env": env,
               "tmp": tmp_path}
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        log.close()
        print((tmp_path / "server.log").read_text()[-4000:])


def test_every_worker_follows_and_the_chain_stays_one(served: dict[str, Any],
                                                      db_engine: Engine) -> None:
    base, rt, tokens = served["base"], served["rt"], served["tokens"]
    an = {"Authorization": f"Bearer {tokens['analyst1']['token']}"}
    an2 = {"Authorization": f"Bearer {tokens['analyst2']['token']}"}
    with httpx.Client(base_url=base, headers=an, timeout=30) as c:
        def onboard(name: str, country: str, acc: str, **kw: str) -> None:
            r = c.post("/v1/organizations", json={"name": name, "country": country, **kw})
            assert r.status_code == 201, r.text
            r = c.post(f"/v1/organizations/{r.json()['id']}/accounts", json={"id": acc})
            assert r.status_code == 201, r.text

        onboard("Spotify Technology S.A.", "LU", "acc-sp")
        onboard("TikTok Information Technologies UK Limited", "GB", "acc-tt")
        onboard("Hydra Proxy One Ltd", "GB", "acc-hy", provider_org_id="porg_hy")
    w = Workers(base, tokens["gateway1"]["token"])
    timings: dict[str, float] = {}
    try:
        timings["book (onboarding)"] = w.seen(
            "onboarded account", "acc-hy", lambda d: d["decision"] == "ALLOW")

        r = httpx.post(f"{base}/v1/accounts/acc-sp/disable", json={"reason": "fraud"},
                       headers=an)
        assert r.status_code == 200, r.text
        timings["book (account disabled)"] = w.seen(
            "disabled account", "acc-sp",
            lambda d: d["reasons"][0]["code"] == "account_disabled")

        r = httpx.post(f"{base}/v1/findings", content=_finding("acc-hy", "porg_hy"),
                       headers={"Authorization": f"Bearer {tokens['detector1']['token']}",
                                "content-type": "application/x-ndjson"})
        assert r.status_code == 200, r.text
        items = httpx.get(f"{base}/v1/cases", headers=an).json()["items"]
        (case,) = [i for i in items if i["cluster_id"] == "c-workers"]
        httpx.post(f"{base}/v1/cases/{case['id']}/confirm", headers=an,
                   json={"reason": "Shared card across three organisations."})
        r = httpx.post(f"{base}/v1/cases/{case['id']}/approve", headers=an2,
                       json={"reason": "Agreed."})
        assert r.json()["status"] == "confirmed", r.text
        timings["detection (suspend confirmed)"] = w.seen(
            "confirmed finding", "acc-hy", lambda d: d["decision"] == "DENY" and
            "distillation_cluster" in {x["code"] for x in d["reasons"]})

        new = public_groups_snapshot(served["tmp"] / "s2",
                                     drop_holding="bytedance,tiktok_uk,")
        new_id = rt.publish(new, actor="test")["snapshot_id"]
        timings["publish"] = w.seen("publish", "acc-tt",
                                    lambda d: d["snapshot_id"] == new_id)
        assert all(w.decide(c, "acc-tt")["decision"] == "ALLOW"
                   for c in w.clients.values())

        gw2 = tokens["gateway2"]
        for c in w.clients.values():
            assert c.post("/v1/decide", json={"account_id": "acc-tt"}, headers={
                "Authorization": f"Bearer {gw2['token']}"}).status_code == 200
        revoke_token(rt, token_id=gw2["id"], reason="leaked", actor="test")

        def refused(c: httpx.Client) -> tuple[str, bool]:
            who = _prefix(w.decide(c, "acc-tt"))  # the same connection: the same worker
            r = c.post("/v1/decide", json={"account_id": "acc-tt"},
                       headers={"Authorization": f"Bearer {gw2['token']}"})
            return who, r.status_code == 401

        timings["token revoked"] = w.each("revoked token", refused)
        print("seconds until every worker applied it:", timings)

        # concurrent synchronous audit writes from both workers
        time.sleep(2.5)  # earlier ALLOWs' batches are written (flush 1 s)
        before, _ = read_head(db_engine)
        errors: list[str] = []

        def hammer(c: httpx.Client) -> None:
            for _ in range(50):
                d = w.decide(c, "acc-sp")
                if d["decision"] != "DENY":
                    errors.append(str(d))

        extra = [httpx.Client(base_url=base, timeout=30) for _ in range(2)]
        threads = [threading.Thread(target=hammer, args=(c,))
                   for c in [*w.clients.values(), *extra]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for c in extra:
            c.close()
        assert not errors
        after, _ = read_head(db_engine)
        assert after - before == 200
    finally:
        w.close()

    server = served["server"]
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=60) == 0
    out = subprocess.run([CLI, "audit", "verify", "--anchor",
                          served["env"]["RINGFENCE_ANCHOR_FILE"]], env=served["env"],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    head, _ = read_head(db_engine)
    assert report["ok"] and report["checked"] == report["head_seq"] == head
    reasons = [json.loads(x)["reason"] for x in
               Path(served["env"]["RINGFENCE_ANCHOR_FILE"]).read_text().splitlines()]
    assert {"publish", "interval"} <= set(reasons), reasons
    assert report["anchor"]["ok"] and report["anchor"]["anchors"] == len(reasons)
    assert report["anchor"]["latest_anchor"]["seq"] == head
