"""Every organisation re-matched on publish (issue 16 item 5), through the HTTP API.

A first snapshot knows none of the customers' names; the second adds "Acme Widgets Ltd" and
others, 90% owned by Tencent. The book onboarded on the first (direct customers, disguised
spellings, an overridden organisation, dismissed candidates, an intermediary's end
customer) is published onto the second and each is seen as the gateway, the event feed, a
webhook receiver and the audit log see it. Self-contained CSV data, so the test does not
depend on the bundled public-groups data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from rf_console import sign_in
from rf_service import service, token
from sqlalchemy import Engine
from typer.testing import CliRunner

from ringfence.cli.main import app
from ringfence.ingest.run import ingest_csv
from ringfence.service.webhooks import Deliverer

_ENTITIES = """id,name,type,hq_country,jurisdiction,lists
tencent,Tencent Holdings Limited,company,CN,KY,
northwind,Northwind Traders Inc,company,US,US,
fabrikam,Fabrikam Software Oy,company,FI,FI,
"""
_NEW = """acme,Acme Widgets Ltd,company,GB,GB,
borealis,Borealis Gadgets GmbH,company,DE,DE,
cascadia,Cascadia Robotics Ltd,company,GB,GB,
"""
_HOLDINGS = "owner,owned,kind,share,share_min,share_max,valid_from,valid_to,source\n"
_OWNED = "".join(f"tencent,{e},shares,0.9,,,2020-01-01,,test filing\n"
                 for e in ("acme", "borealis", "cascadia"))
_NAMES = "entity,name,lang,script,kind\n"


def _snapshot(root: Path, *, second: bool) -> Path:
    src = root / ("csv2" if second else "csv1")
    src.mkdir(parents=True)
    files = {"entities": _ENTITIES + (_NEW if second else ""),
             "holdings": _HOLDINGS + (_OWNED if second else ""),
             # the second snapshot knows one more name of Fabrikam: its data changed
             "names": _NAMES + ("fabrikam,Fabrikam Oyj,fi,Latn,alias\n" if second else ""),
             "identifiers": "entity,scheme,value\n"}
    for name, text in files.items():
        (src / f"{name}.csv").write_text(text, encoding="utf-8")
    out = root / ("snap2" if second else "snap1")
    ingest_csv(entities=src / "entities.csv", holdings=src / "holdings.csv",
               names=src / "names.csv", identifiers=src / "identifiers.csv", out=out)
    return out


def test_every_customer_is_rematched_on_publish(db_engine: Engine, tmp_path: Path) -> None:
    first, second = _snapshot(tmp_path, second=False), _snapshot(tmp_path, second=True)
    received: list[dict[str, Any]] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        received.append(json.loads(request.content))
        return httpx.Response(200)

    with service(db_engine, first) as (client, rt):
        admin, an, gw = token(rt, "admin"), token(rt, "analyst"), token(rt, "gateway")
        assert client.post("/v1/admin/webhooks", json={"url": "http://hooks.test/rf",
                                                       "secret": "s" * 20},
                           headers=admin).status_code == 201

        def onboard(name: str, country: str) -> dict[str, Any]:
            r = client.post("/v1/organizations", json={"name": name, "country": country},
                            headers=an)
            assert r.status_code == 201, r.text
            return r.json()  # type: ignore[no-any-return]

        def org(org_id: str) -> dict[str, Any]:
            return client.get(f"/v1/organizations/{org_id}", headers=an).json()  # type: ignore[no-any-return]

        def account(org_id: str, channel: str = "direct") -> str:
            r = client.post(f"/v1/organizations/{org_id}/accounts", json={"channel": channel},
                            headers=an)
            assert r.status_code == 201, r.text
            return str(r.json()["id"])

        def decide(acc: str, **ctx: str) -> dict[str, Any]:
            r = client.post("/v1/decide", json={"account_id": acc, "context": ctx}, headers=gw)
            assert r.status_code == 200, r.text
            return r.json()  # type: ignore[no-any-return]

        # direct customers with no match, one spelled plainly, two in disguise
        acme = onboard("Acme Widgets Ltd", "GB")
        assert acme["status"] == "allowed" and acme["reasons"][0]["code"] == "no_match"
        zwsp = onboard("Ac\u200bme Widgets Ltd", "GB")  # a zero-width space inside a word
        confusable = onboard("\u0410cme Widgets Ltd", "GB")  # Cyrillic A
        for disguised in (zwsp, confusable):
            assert disguised["entity_id"] is None and disguised["status"] == "review"
        acc = account(acme["id"])
        assert decide(acc)["decision"] == "ALLOW"

        # an override made against "no match": stays in force, back in the queue later
        borealis = onboard("Borealis Gadgets GmbH", "DE")
        r = client.post(f"/v1/organizations/{borealis['id']}/override",
                        json={"status": "review", "reason": "Awaiting the registry extract."},
                        headers=an)
        assert r.json()["state"] == "applied"

        # candidates an analyst dismissed: one whose data will not change, one whose will
        northwind = onboard("Northwind Traders Inc", "US")
        fabrikam = onboard("Fabrikam Software Oy", "FI")
        for o, entity in ((northwind, "northwind"), (fabrikam, "fabrikam")):
            assert o["entity_id"] == entity
            r = client.post(f"/v1/organizations/{o['id']}/dismiss-candidate",
                            json={"entity_id": entity, "reason": "Another company."},
                            headers=an)
            assert r.status_code == 200, r.text
            assert r.json()["entity_id"] is None and r.json()["status"] == "allowed"
            assert r.json()["dismissed"][0]["entity_id"] == entity
        # a candidate that is not the organisation's cannot be dismissed
        r = client.post(f"/v1/organizations/{acme['id']}/dismiss-candidate",
                        json={"entity_id": "tencent", "reason": "x"}, headers=an)
        assert r.status_code == 409

        # an intermediary's end customer, attested by its own reference
        cloud = onboard("Contoso Cloud Inc", "US")
        assert client.post("/v1/channels", json={"org_id": cloud["id"], "kind": "cloud_platform",
                                                 "attestation": "both"},
                           headers=admin).status_code == 201
        # its webhook (a public address literal: no DNS look-up; the receiver is mocked)
        assert client.post(f"/v1/channels/{cloud['id']}/webhook",
                           json={"url": "https://93.184.216.34/rf", "secret": "t" * 20},
                           headers=admin).status_code == 201
        scoped = client.post("/v1/admin/tokens", json={"role": "intermediary",
                                                       "channel": cloud["id"]},
                             headers=admin).json()["token"]
        r = client.post(f"/v1/channels/{cloud['id']}/end-customers",
                        json={"end_customers": [{"ref": "c-1", "name": "Cascadia Robotics Ltd",
                                                 "country": "GB"}]},
                        headers={"Authorization": f"Bearer {scoped}"})
        assert r.status_code == 200 and r.json()["items"][0]["status"] == "allowed", r.text
        cloud_acc = account(cloud["id"], "cloud")
        assert decide(cloud_acc, end_customer_ref="c-1")["decision"] == "ALLOW"
        before = client.get("/v1/events", headers=an).json()["items"]

        # ---- the publish that adds the Tencent subsidiaries
        pub = client.post("/v1/admin/snapshots/publish", json={"path": str(second)},
                          headers=admin)
        assert pub.status_code == 200, pub.text

        out = decide(acc)
        assert out["decision"] == "DENY" and out["reasons"][0]["code"] == "org_denied"
        for o in (acme, zwsp, confusable):
            now = org(o["id"])
            assert now["entity_id"] == "acme" and now["status"] == "denied", now
        assert decide(cloud_acc, end_customer_ref="c-1")["decision"] == "DENY"

        b = org(borealis["id"])
        assert b["status"] == "review" and b["override"]["status"] == "review"
        assert b["computed_status"] == "denied" and b["entity_id"] == "borealis"
        assert b["review_due"]["reason"] == "override_match_changed"
        n = org(northwind["id"])  # data unchanged: still dismissed
        assert n["entity_id"] is None and n["status"] == "allowed" and n["review_due"] is None
        assert [d["entity_id"] for d in n["dismissed"]] == ["northwind"]
        f = org(fabrikam["id"])  # data changed: matched again, an analyst looks again
        assert f["entity_id"] == "fabrikam" and f["dismissed"] == []
        assert f["review_due"]["reason"] == "dismissed_candidate_changed"
        queue = client.get("/v1/organizations?review_due=true", headers=an).json()["items"]
        assert {o["id"] for o in queue} == {borealis["id"], fabrikam["id"]}
        # ... and in the console's review queue, with why (Fabrikam is allowed, yet listed)
        sign_in(client, an["Authorization"].split()[1])
        page = client.get("/console", params={"kind": "org"}).text
        for o, why in ((borealis, "override_match_changed"),
                       (fabrikam, "dismissed_candidate_changed")):
            assert o["id"] in page and why in page
        # the organisation page still shows the dismissed candidate, marked as such
        page = client.get(f"/console/organizations/{northwind['id']}").text
        assert "northwind" in page and "dismissed by an analyst" in page

        # one event per status change, and a webhook delivery for each
        events = client.get("/v1/events", headers=an).json()["items"][len(before):]
        ec_org = {e["org_id"] for e in events} - {acme["id"], zwsp["id"], confusable["id"]}
        assert len(ec_org) == 1 and len(events) == 4
        assert {e["payload"]["to"] for e in events} == {"denied"}
        assert {e["payload"]["match_change"] for e in events} == {"new_match"}
        Deliverer(rt.engine, client=lambda: httpx.Client(
            transport=httpx.MockTransport(receiver))).run_once()
        delivered = {m["id"] for m in received}
        assert {e["id"] for e in events} <= delivered
        # the intermediary hears of its end customer, by its own reference, and no more
        mine = [m for m in received if m["type"] == "end_customer.status_changed"]
        assert mine == [{"id": mine[0]["id"], "ts": mine[0]["ts"], "channel": cloud["id"],
                         "type": "end_customer.status_changed", "ref": "c-1",
                         "status": "denied"}]

        # the run in the audit log
        rec = client.get("/v1/audit?kind=publish&limit=1", headers=an).json()["items"][0]
        counts = rec["payload"]["rematch"]
        assert counts["rescreened"] == 8  # every organisation, end customer included
        assert counts["new_matches"] == 6 and counts["changed_matches"] == 0
        assert counts["status_changes"] == 4 and counts["requeued"] == 2
        assert counts["dismissals_kept"] == 1 and counts["dismissals_ended"] == 1

        # an analyst confirms: out of the queue, the override now rests on the new basis
        r = client.post(f"/v1/organizations/{borealis['id']}/confirm",
                        json={"reason": "Registry extract read."}, headers=an)
        assert r.status_code == 200 and r.json()["review_due"] is None
        assert r.json()["override"]["entity_id"] == "borealis"
        # a denied organisation's candidate is not dismissed: that takes an override
        r = client.post(f"/v1/organizations/{acme['id']}/dismiss-candidate",
                        json={"entity_id": "acme", "reason": "Not them."}, headers=an)
        assert r.status_code == 409 and "four eyes" in r.json()["error"]["message"]
        # publishing the same snapshot again changes nothing
        again = client.post("/v1/admin/snapshots/publish", json={"path": str(second)},
                            headers=admin).json()
        assert again["status_changed"] == 0 and again["rematch"]["requeued"] == 0
        assert again["rematch"]["new_matches"] == 0 and again["rematch"]["rescreened"] == 8


def test_the_cli_publish_rematches_an_imported_book(tmp_path: Path) -> None:
    """As an operator runs it: publish, import the book, publish the next snapshot."""
    env = {"RINGFENCE_DATABASE_URL": f"sqlite:///{tmp_path / 'rf.db'}",
           "RINGFENCE_EMBEDDED_DEFAULT": "0", "RINGFENCE_GEOIP": "0"}
    first, second = _snapshot(tmp_path, second=False), _snapshot(tmp_path, second=True)
    runner = CliRunner()
    assert runner.invoke(app, ["publish", str(first)], env=env).exit_code == 0
    book = tmp_path / "book.csv"
    book.write_text("name,country,billing_country,identifiers,domains\n"
                    "Acme Widgets Ltd,GB,,,\n"
                    "Acme  Widgets  LTD.,GB,,,\n"  # the same company, spelled loosely
                    "Northwind Traders Inc,US,,,\n", encoding="utf-8")
    r = runner.invoke(app, ["org", "import", str(book)], env=env)
    assert r.exit_code == 0 and r.stdout.count('"status": "allowed"') == 3, r.output
    r = runner.invoke(app, ["publish", str(second)], env=env)
    assert r.exit_code == 0, r.output
    counts = json.loads(r.stdout[r.stdout.index("{\n"):])["rematch"]  # after any log lines
    assert counts["rescreened"] == 3 and counts["new_matches"] == 2
    assert counts["status_changes"] == 2
    r = runner.invoke(app, ["org", "list", "--status", "denied"], env=env)
    assert r.exit_code == 0 and r.stdout.count("acme") == 2, r.stdout
