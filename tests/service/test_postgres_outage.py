"""PostgreSQL stopped and restarted under traffic, on a private server this test starts
(its own data folder and port; rf_private_pg.py), never the machine's shared one.

While the database is away the decision path answers from memory (ALLOW and DENY alike);
a DENY's record, which cannot be committed before the answer, is held in order and the
ALLOWs stay queued; writes that need the database are refused with 503 ``unavailable``,
and so is every decision once the token list is past its bound (fail closed, never a
stale yes). When the server is back the same process, without a restart, writes every
held and queued record: every decision answered before, during and after the outage can
be fetched by its id with its outcome, and the audit chain verifies.

About 20 s (initdb, the snapshot's first evaluation, two server restarts).
"""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient
from rf_private_pg import private_postgres
from rf_service import public_groups_snapshot, service, token

from ringfence.service.book import create_account, onboard
from ringfence.store import make_engine


def _wait(what: str, ok: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not ok():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_decisions_survive_a_postgres_restart_without_a_service_restart(
        tmp_path: Path) -> None:
    snap = public_groups_snapshot(tmp_path / "s")
    with private_postgres() as pg:
        engine = make_engine(pg.url)
        with service(engine, snap, background=True, sync_seconds=60,
                     allow_flush_seconds=0.1) as (client, rt):
            gw, analyst, admin = token(rt, "gateway"), token(rt, "analyst"), token(rt, "admin")
            # as a server answers: an unhandled error is an answer, not raised in the test
            client = TestClient(client.app, raise_server_exceptions=False)
            org = onboard(rt, name="Spotify Technology S.A.", country="LU",
                          billing_country=None, identifiers=[], domains=[], actor="t")["id"]
            acc = create_account(rt, org_id=org, channel="direct", end_customer=None,
                                 actor="t")["id"]
            answered: dict[str, str] = {}

            def traffic(n: int) -> None:
                for i in range(n):
                    account = acc if i % 2 == 0 else f"unknown-{i}"
                    r = client.post("/v1/decide", json={"account_id": account}, headers=gw)
                    assert r.status_code == 200, r.text
                    body = r.json()
                    assert body["decision"] == ("ALLOW" if account == acc else "DENY")
                    answered[body["decision_id"]] = body["decision"]

            traffic(10)
            _wait("the first ALLOW batch", lambda: rt.decisions.pending() == 0)

            pg.stop("fast")
            traffic(40)  # answered from memory
            assert rt.decisions.held() == 20  # every DENY's record held, none dropped
            assert rt.decisions.pending() >= 40
            r = client.post("/v1/organizations", json={"name": "Acme Widgets Ltd",
                                                       "country": "GB"}, headers=analyst)
            assert r.status_code == 503 and r.json()["error"]["code"] == "unavailable", r.text
            rt.tokens.max_age = 0.0  # the token list past its bound: fail closed
            r = client.post("/v1/decide", json={"account_id": acc}, headers=gw)
            assert r.status_code == 503 and r.json()["error"]["code"] == "unavailable"
            rt.tokens.max_age = 60.0
            time.sleep(0.5)  # the flusher fails a few times meanwhile, keeping everything

            pg.start()  # the same process recovers by itself
            _wait("the held and queued records", lambda: rt.decisions.pending() == 0)
            traffic(10)
            r = client.post("/v1/organizations", json={"name": "Acme Widgets Ltd",
                                                       "country": "GB"}, headers=analyst)
            assert r.status_code in (200, 201), r.text
            _wait("the last ALLOW batch", lambda: rt.decisions.pending() == 0)

            assert len(answered) == 60
            for decision_id, outcome in answered.items():
                r = client.get(f"/v1/decisions/{decision_id}", headers=analyst)
                assert r.status_code == 200, (decision_id, r.text)
                assert r.json()["result"]["decision"] == outcome
            verified = client.get("/v1/admin/audit/verify", headers=admin).json()
            assert verified["ok"], verified
        engine.dispose()
