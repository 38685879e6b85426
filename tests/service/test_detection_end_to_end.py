"""A confirmed finding reaching decide, end to end: the detector replays a small log
(tests/traffic/tinylog.py: a hydra with replacements, an agency, a labelling firm, organic
users), its findings.jsonl is posted to the service whose book holds the log's accounts
(ids, orgs and accounts.jsonl profiles), an analyst pair confirms the hydra, and the gateway
denies it while the agency, which shares a card and a device across its own orgs, stays
allowed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from rf_service import public_groups_snapshot, service, token
from sqlalchemy import Engine

sys.path.insert(0, str(Path(__file__).parents[1] / "traffic"))

from tinylog import build

pytestmark = pytest.mark.slow  # a 72-checkpoint replay (about 15 s)


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ringfence.traffic.replay import replay

    root = tmp_path_factory.mktemp("e2e")
    build().write(root / "data")
    replay(root / "data", root / "out")
    return root


def test_confirmed_hydra_is_denied_and_the_agency_is_not(replayed: Path, db_engine: Engine,
                                                        tmp_path: Path) -> None:
    accounts = [json.loads(x) for x in
                (replayed / "data" / "accounts.jsonl").read_text().splitlines() if x]
    findings = [json.loads(x) for x in
                (replayed / "out" / "findings.jsonl").read_text().splitlines() if x]
    hydra = next(f for f in findings if "acc-hydra0" in f["account_ids"])
    assert hydra["action"] == "suspend"
    with service(db_engine, public_groups_snapshot(tmp_path / "s")) as (c, rt):
        analyst, second = token(rt, "analyst", "alice"), token(rt, "analyst", "bob")
        gw, detector = token(rt, "gateway"), token(rt, "detector")
        orgs: dict[str, str] = {}
        for a in accounts:
            if a["org_id"] not in orgs:
                # declared where it pays (a declared/billing mismatch is a review reason
                # of its own since issue 15's runtime signals)
                pays = a.get("payment_country") or "GB"
                r = c.post("/v1/organizations", headers=analyst, json={
                    "name": f"Customer {a['org_id']}",
                    "country": pays if pays not in ("CN", "HK", "MO", "RU", "IR", "KP")
                    else "GB", "provider_org_id": a["org_id"]})
                assert r.status_code == 201, r.text
                orgs[a["org_id"]] = r.json()["id"]
            body = {k: a[k] for k in ("payment_fingerprint", "payment_bin", "payment_country",
                                      "signup_device_fp", "signup_ip")}
            r = c.post(f"/v1/organizations/{orgs[a['org_id']]}/accounts", headers=analyst,
                       json={"id": a["account_id"], **body})
            assert r.status_code == 201, r.text

        def decide(acc: str) -> dict[str, Any]:
            return dict(c.post("/v1/decide", headers=gw, json={"account_id": acc}).json())

        raw = (replayed / "out" / "findings.jsonl").read_bytes()
        r = c.post("/v1/findings", headers={**detector, "content-type": "application/x-ndjson"},
                   content=raw)
        assert r.status_code == 200, r.text
        assert r.json()["counts"] == {"opened": len(findings)}
        assert decide("acc-hydra0")["decision"] == "ALLOW"  # nothing until an analyst decides

        cases = c.get("/v1/cases", headers=analyst).json()["items"]
        case = next(x for x in cases if x["cluster_id"] == hydra["cluster_id"])
        c.post(f"/v1/cases/{case['id']}/confirm", headers=analyst,
               json={"reason": "CoT reconstruction on shared cards across orgs."})
        r = c.post(f"/v1/cases/{case['id']}/approve", headers=second, json={"reason": "Yes."})
        assert r.json()["status"] == "confirmed", r.text

        for acc in hydra["account_ids"]:
            d = decide(acc)
            assert d["decision"] == "DENY", (acc, d)
            assert "distillation_cluster" in [x["code"] for x in d["reasons"]]
        for acc in ("acc-agency0", "acc-label0", "acc-org0"):
            assert decide(acc)["decision"] == "ALLOW", acc

        # the hydra's next replacement signs up on one of its cards: denied at once
        org = orgs[hydra["org_ids"][0]]
        r = c.post(f"/v1/organizations/{org}/accounts", headers=analyst,
                   json={"id": "acc-hrepl-next", "payment_fingerprint":
                         hydra["fingerprints"]["payment_fingerprint"][0]})
        assert r.json()["detection"]["action"] == "suspend"
        assert decide("acc-hrepl-next")["decision"] == "DENY"
        # the agency's next client org on the agency's card is not (its case is not confirmed)
        r = c.post(f"/v1/organizations/{orgs['org-agency0']}/accounts", headers=analyst,
                   json={"id": "acc-agency-next", "payment_fingerprint": "card-agency"})
        assert r.json()["detection"] is None
        assert decide("acc-agency-next")["decision"] == "ALLOW"
        assert rt.audit.verify().ok
