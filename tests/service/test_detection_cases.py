"""Detection findings through HTTP, as the detector, analysts and the gateway call it.

A finding posted with the detector's token opens a case; analysts confirm (a suspend takes a
second analyst) or dismiss; the gateway then denies (or throttles) the cluster's accounts
and organisations; new accounts sharing the cluster's card or device inherit the action;
weaker ties open a case instead. Every body runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rf_service import public_groups_snapshot, service, token
from sqlalchemy import Engine, func, select

from ringfence.store.tables import audit_log, detect_cases, detect_findings


def _finding(cluster: str, accounts: list[str], orgs: list[str], *, action: str = "suspend",
             **extra: Any) -> dict[str, Any]:
    f: dict[str, Any] = {
        "cluster_id": cluster, "account_ids": accounts, "org_ids": orgs, "action": action,
        "score": 0.93, "first_flagged": "2026-03-02T05:00:00Z",
        "checkpoint": "2026-03-02T07:00:00Z",
        "evidence": [{"signal": "shared_payment", "value": len(accounts), "weight": 0.6,
                      "detail": f"{len(accounts)} accounts share one card"},
                     {"signal": "cot_elicitation", "value": 0.8, "weight": 0.3,
                      "detail": "'give the complete reasoning' in 80% of prompts"}],
        "fingerprints": {"payment_fingerprint": [], "signup_device_fp": [],
                         "skeleton": ["here is the answer <N> give the complete reasoning"]},
        "excerpts": ["Here is the answer: 42. Give the complete reasoning."],
        "members": [{"account_id": a, "org_id": orgs[0] if orgs else None, "score": 0.9,
                     "action": action} for a in accounts],
        "future_key": {"ignored": True},  # unknown keys are accepted and dropped
    }
    f.update(extra)
    return f


def _lines(*findings: dict[str, Any]) -> bytes:
    return "".join(json.dumps(f) + "\n" for f in findings).encode()


class World:
    def __init__(self, client: TestClient, rt: Any) -> None:
        self.c = client
        self.rt = rt
        self.detector = token(rt, "detector")
        self.a1 = token(rt, "analyst", "alice")
        self.a2 = token(rt, "analyst", "bob")
        self.gw = token(rt, "gateway")
        self.admin = token(rt, "admin")

    def org(self, name: str, provider_id: str) -> str:
        r = self.c.post("/v1/organizations", headers=self.a1, json={
            "name": name, "country": "GB", "provider_org_id": provider_id})
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "allowed", r.json()
        return str(r.json()["id"])

    def account(self, org: str, acc: str, **profile: Any) -> dict[str, Any]:
        r = self.c.post(f"/v1/organizations/{org}/accounts", headers=self.a1,
                        json={"id": acc, **profile})
        assert r.status_code == 201, r.text
        return dict(r.json())

    def post(self, body: bytes, headers: dict[str, str] | None = None) -> Any:
        return self.c.post("/v1/findings", content=body,
                           headers={**(self.detector if headers is None else headers),
                                    "content-type": "application/x-ndjson"})

    def decide(self, acc: str) -> dict[str, Any]:
        r = self.c.post("/v1/decide", headers=self.gw, json={"account_id": acc})
        assert r.status_code == 200, r.text
        return dict(r.json())

    def codes(self, acc: str) -> list[str]:
        return [x["code"] for x in self.decide(acc)["reasons"]]

    def case_of(self, cluster: str) -> dict[str, Any]:
        items = self.c.get("/v1/cases", headers=self.a1, params={"limit": 1000}).json()["items"]
        (case,) = [i for i in items if i["cluster_id"] == cluster]
        return dict(case)


@pytest.fixture
def world(db_engine: Engine, tmp_path: Path) -> Any:
    snap = public_groups_snapshot(tmp_path / "s")
    with service(db_engine, snap) as (client, rt):
        yield World(client, rt)


def test_confirmed_suspend_denies_the_cluster_its_orgs_and_linked_accounts(
        world: World, db_engine: Engine) -> None:
    w = world
    hydra1 = w.org("Hydra Proxy One Ltd", "porg_h1")
    hydra2 = w.org("Hydra Proxy Two Ltd", "porg_h2")
    other = w.org("Plain Customer Ltd", "porg_other")
    w.account(hydra1, "acct_h1", payment_fingerprint="pf_hydra", signup_device_fp="dev_h",
              signup_ip="198.51.100.23")
    w.account(hydra1, "acct_h1b")  # in a flagged org but not itself in the finding
    w.account(hydra2, "acct_h2", payment_fingerprint="pf_hydra")
    w.account(other, "acct_clean", payment_fingerprint="pf_clean")
    assert w.decide("acct_h1")["decision"] == "ALLOW"

    f = _finding("c-hydra", ["acct_h1", "acct_h2", "acct_not_yet"], ["porg_h1"],
                 fingerprints={"payment_fingerprint": ["pf_hydra"],
                               "signup_device_fp": ["dev_h"], "skeleton": ["sk1"]})
    r = w.post(_lines(f))
    assert r.status_code == 200, r.text
    assert r.json()["counts"] == {"opened": 1}
    case = w.case_of("c-hydra")
    assert case["status"] == "open" and case["proposed_action"] == "suspend"

    # idempotent: the same finding again stores nothing, audits nothing
    with db_engine.connect() as conn:
        audits = conn.execute(select(func.count()).select_from(audit_log)).scalar()
    again = w.post(_lines(f))
    assert again.json()["counts"] == {"unchanged": 1}
    with db_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audit_log)).scalar() == audits
        assert conn.execute(select(func.count()).select_from(detect_findings)).scalar() == 1

    # an open case changes nothing at the gateway
    assert w.decide("acct_h1")["decision"] == "ALLOW"

    # four eyes: alice asks, alice cannot approve, bob approves
    r = w.c.post(f"/v1/cases/{case['id']}/confirm", headers=w.a1,
                 json={"reason": "Shared card across orgs, CoT elicitation."})
    assert r.status_code == 200, r.text
    assert r.json()["needs_approval"] is True and r.json()["status"] == "open"
    assert w.decide("acct_h1")["decision"] == "ALLOW"
    r = w.c.post(f"/v1/cases/{case['id']}/approve", headers=w.a1, json={"reason": "me"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = w.c.post(f"/v1/cases/{case['id']}/approve", headers=w.a2, json={"reason": "Agreed."})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "confirmed" and r.json()["decided_action"] == "suspend"

    d = w.decide("acct_h1")
    assert d["decision"] == "DENY" and d["allow"] is False
    reason = next(x for x in d["reasons"] if x["code"] == "distillation_cluster")
    assert reason["evidence"]["case_id"] == case["id"]
    assert reason["evidence"]["cluster_id"] == "c-hydra"
    assert "distillation_cluster" in w.codes("acct_h2")
    # the organisation is in the finding: its other accounts are denied too
    org_reason = next(x for x in w.decide("acct_h1b")["reasons"]
                      if x["code"] == "distillation_cluster")
    assert org_reason["evidence"]["via"] == "organization"
    assert w.decide("acct_clean")["decision"] == "ALLOW"
    # ext_authz denies as well
    r = w.c.get("/v1/ext_authz/v1/messages", headers={
        "x-ringfence-gateway-token": w.gw["Authorization"].split()[1],
        "x-ringfence-account": "acct_h1"})
    assert r.status_code == 403 and r.headers["x-ringfence-decision"] == "DENY"

    # an account named in the finding but created only now is denied at once
    w.account(other, "acct_not_yet")
    assert "distillation_cluster" in w.codes("acct_not_yet")

    # a new account with the cluster's card inherits the suspend at once, the link as reason
    new = w.account(other, "acct_replacement", payment_fingerprint="pf_hydra")
    assert new["detection"]["action"] == "suspend"
    assert new["detection"]["via"] == "payment_fingerprint"
    d = w.decide("acct_replacement")
    assert d["decision"] == "DENY"
    link = next(x for x in d["reasons"] if x["code"] == "distillation_link")
    assert link["evidence"]["value"] == "pf_hydra"
    # ... and so does an existing account whose device is set through the API
    w.account(other, "acct_later")
    assert w.decide("acct_later")["decision"] == "ALLOW"
    r = w.c.patch("/v1/accounts/acct_later", headers=w.a1, json={"signup_device_fp": "dev_h"})
    assert r.status_code == 200 and r.json()["detection"]["via"] == "signup_device_fp"
    assert "distillation_link" in w.codes("acct_later")

    # a weaker tie (signup IP shared with a member) opens a case instead of inheriting
    w.account(other, "acct_same_ip", signup_ip="198.51.100.23")
    assert w.decide("acct_same_ip")["decision"] == "ALLOW"
    links = w.c.get("/v1/cases", headers=w.a1, params={"kind": "link"}).json()["items"]
    assert len(links) == 1 and links[0]["status"] == "open"
    assert links[0]["parent_case_id"] == case["id"]

    # the decision replays to the same outcome (the detection is in the recorded facts)
    rep = w.c.post(f"/v1/decisions/{d['decision_id']}/replay", headers=w.a1)
    assert rep.status_code == 200 and rep.json()["same_outcome"] is True

    # the case shows its evidence, versions, links and book accounts; the picture renders
    full = w.c.get(f"/v1/cases/{case['id']}", headers=w.a1).json()
    assert full["evidence"][0]["signal"] == "shared_payment"
    assert full["excerpts"] == f["excerpts"] and len(full["versions"]) == 1
    assert {ln["account_id"] for ln in full["linked_accounts"]} >= {"acct_replacement",
                                                                   "acct_later"}
    svg = w.c.get(f"/v1/cases/{case['id']}/cluster.svg", headers=w.a1)
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "acct_h1" in svg.text and "pf_hydra" in svg.text

    # decisions and inheritances are events (webhooks get them too)
    evs = w.c.get("/v1/events", headers=w.a1, params={"limit": 1000}).json()["items"]
    decided = [e for e in evs if e["type"] == "detection.case_decided"]
    assert [(e["payload"]["status"], e["payload"]["action"]) for e in decided] == [
        ("confirmed", "suspend")]
    assert decided[0]["payload"]["approved_by"] and decided[0]["payload"]["accounts"]
    assert {e["payload"]["account_id"] for e in evs if e["type"] == "detection.inherited"} \
        >= {"acct_replacement", "acct_later"}

    # every step audited, and the chain verifies
    kinds = {x["kind"] for x in w.c.get("/v1/audit", headers=w.admin,
                                        params={"limit": 1000}).json()["items"]}
    assert {"detect.case_opened", "detect.case_requested", "detect.case_approved",
            "detect.case_confirmed", "detect.inherit", "detect.link_case",
            "account.update"} <= kinds
    v = w.c.get("/v1/admin/audit/verify", headers=w.admin).json()
    assert v["ok"] is True, v


def test_throttle_is_an_allow_with_limits_and_a_header(world: World) -> None:
    w = world
    org = w.org("Slow Sweep Ltd", "porg_s")
    w.account(org, "acct_s1")
    w.post(_lines(_finding("c-slow", ["acct_s1"], [], action="throttle")))
    case = w.case_of("c-slow")
    r = w.c.post(f"/v1/cases/{case['id']}/confirm", headers=w.a1,
                 json={"action": "throttle", "reason": "Light accounts sweeping a dataset."})
    assert r.status_code == 200 and r.json()["status"] == "confirmed"  # no second analyst
    d = w.decide("acct_s1")
    assert d["decision"] == "ALLOW" and d["allow"] is True
    assert d["limits"] == {"requests": 60, "window_seconds": 60, "header": "60;w=60"}
    assert "distillation_cluster" in [x["code"] for x in d["reasons"]]
    # the decision log keeps the limit (the ALLOW comes back from its batch record)
    rec = w.c.get(f"/v1/decisions/{d['decision_id']}", headers=w.a1).json()
    assert rec["result"]["limits"]["requests"] == 60
    assert rec["facts"]["account"]["detection"]["action"] == "throttle"
    rep = w.c.post(f"/v1/decisions/{d['decision_id']}/replay", headers=w.a1).json()
    assert rep["same_outcome"] is True and rep["replayed"]["limits"]["requests"] == 60
    r = w.c.get("/v1/ext_authz/v1/messages", headers={
        "x-ringfence-gateway-token": w.gw["Authorization"].split()[1],
        "x-ringfence-account": "acct_s1"})
    assert r.status_code == 200
    assert r.headers["x-ringfence-rate-limit"] == "60;w=60"
    # an unthrottled account carries no limit and no header
    w.account(org, "acct_s2")
    assert w.decide("acct_s2")["limits"] is None
    r = w.c.get("/v1/ext_authz/x", headers={
        "x-ringfence-gateway-token": w.gw["Authorization"].split()[1],
        "x-ringfence-account": "acct_s2"})
    assert r.status_code == 200 and "x-ringfence-rate-limit" not in r.headers


def test_template_only_link_opens_a_case_and_a_card_link_inherits(world: World) -> None:
    w = world
    org = w.org("Front Org Ltd", "porg_f")
    w.account(org, "acct_c1", payment_fingerprint="pf_front")
    w.post(_lines(_finding("c-cot", ["acct_c1"], [],
                           fingerprints={"payment_fingerprint": ["pf_front"],
                                         "skeleton": ["sk-cot"], "tools_hash": ["th1"]})))
    case = w.case_of("c-cot")
    w.c.post(f"/v1/cases/{case['id']}/confirm", headers=w.a1, json={"reason": "CoT."})
    w.c.post(f"/v1/cases/{case['id']}/approve", headers=w.a2, json={"reason": "Yes."})
    assert w.decide("acct_c1")["decision"] == "DENY"

    # a new cluster sharing only a prompt skeleton: its case opens, nobody is denied
    w.account(org, "acct_t1", payment_fingerprint="pf_other")
    r = w.post(_lines(_finding("c-tmpl", ["acct_t1"], [],
                               fingerprints={"skeleton": ["sk-cot"]})))
    assert r.json()["results"][0]["inherited"] == []
    tmpl = w.c.get(f"/v1/cases/{w.case_of('c-tmpl')['id']}", headers=w.a1).json()
    assert tmpl["status"] == "open"
    assert [(ln["field"], ln["strength"]) for ln in tmpl["links"]] == [("skeleton", "weak")]
    assert w.decide("acct_t1")["decision"] == "ALLOW"

    # an account holding the confirmed card inherits at once; a new cluster reporting that
    # card records a high-precision link to the confirmed case
    w.account(org, "acct_t2", payment_fingerprint="pf_front")
    assert "distillation_link" in w.codes("acct_t2")
    r = w.post(_lines(_finding("c-card", ["acct_t2", "acct_t3"], [],
                               fingerprints={"payment_fingerprint": ["pf_front"]})))
    assert r.json()["results"][0]["links"] == 1
    card = w.c.get(f"/v1/cases/{w.case_of('c-card')['id']}", headers=w.a1).json()
    assert [(ln["field"], ln["strength"], ln["case_id"]) for ln in card["links"]] == [
        ("payment_fingerprint", "high", case["id"])]
    # acct_t3 holds no card the book knows of: it is not denied on the cluster's word alone
    w.account(org, "acct_t3")
    assert w.decide("acct_t3")["decision"] == "ALLOW"


def test_dismissed_findings_change_nothing_and_lifting_a_suspend_takes_four_eyes(
        world: World) -> None:
    w = world
    org = w.org("Eval Lab Ltd", "porg_e")
    w.account(org, "acct_e1")
    w.post(_lines(_finding("c-eval", ["acct_e1"], ["porg_e"])))
    case = w.case_of("c-eval")
    r = w.c.post(f"/v1/cases/{case['id']}/dismiss", headers=w.a1,
                 json={"reason": "Registered evaluation lab, release-day burst."})
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    assert w.decide("acct_e1")["decision"] == "ALLOW"
    assert "distillation_cluster" not in w.codes("acct_e1")

    # a confirmed suspend is lifted only with a second analyst
    w.account(org, "acct_e2")
    w.post(_lines(_finding("c-real", ["acct_e2"], [])))
    real = w.case_of("c-real")
    w.c.post(f"/v1/cases/{real['id']}/confirm", headers=w.a1, json={"reason": "x"})
    w.c.post(f"/v1/cases/{real['id']}/approve", headers=w.a2, json={"reason": "y"})
    assert w.decide("acct_e2")["decision"] == "DENY"
    r = w.c.post(f"/v1/cases/{real['id']}/dismiss", headers=w.a2, json={"reason": "oops"})
    assert r.json()["needs_approval"] is True
    assert w.decide("acct_e2")["decision"] == "DENY"  # still denied while pending
    r = w.c.post(f"/v1/cases/{real['id']}/reject", headers=w.a1, json={"reason": "no"})
    assert r.status_code == 200 and r.json()["pending"] is None
    assert w.decide("acct_e2")["decision"] == "DENY"
    w.c.post(f"/v1/cases/{real['id']}/dismiss", headers=w.a2, json={"reason": "benign"})
    r = w.c.post(f"/v1/cases/{real['id']}/approve", headers=w.a1, json={"reason": "ok"})
    assert r.json()["status"] == "dismissed"
    assert w.decide("acct_e2")["decision"] == "ALLOW"
    v = w.c.get("/v1/admin/audit/verify", headers=w.admin).json()
    assert v["ok"] is True


def test_later_versions_update_the_case_and_new_members_wait_for_review(world: World) -> None:
    w = world
    org = w.org("Growing Ltd", "porg_g")
    for a in ("acct_g1", "acct_g2"):
        w.account(org, a)
    w.post(_lines(_finding("c-grow", ["acct_g1"], [])))
    case = w.case_of("c-grow")
    w.c.post(f"/v1/cases/{case['id']}/confirm", headers=w.a1,
             json={"action": "throttle", "reason": "small"})
    later = _finding("c-grow", ["acct_g1", "acct_g2"], [],
                     checkpoint="2026-03-02T09:00:00Z")
    r = w.post(_lines(later))
    assert r.json()["counts"] == {"updated": 1}
    full = w.c.get(f"/v1/cases/{case['id']}", headers=w.a1).json()
    assert full["version"] == 2 and full["needs_review"] is True
    v1 = w.c.get(f"/v1/cases/{case['id']}/versions/1", headers=w.a1).json()
    assert v1["body"]["account_ids"] == ["acct_g1"] and v1["received_by"]
    assert w.c.get(f"/v1/cases/{case['id']}/versions/3", headers=w.a1).status_code == 404
    assert full["account_ids"] == ["acct_g1", "acct_g2"]
    assert w.decide("acct_g1")["limits"] is not None  # the decision still stands...
    assert w.decide("acct_g2")["limits"] is None  # ...for the members it covered
    # an older version arriving late is stale and changes nothing
    r = w.post(_lines(_finding("c-grow", ["acct_g1"], [], score=0.5)))
    assert r.json()["counts"] == {"stale": 1}


def test_malformed_findings_are_refused_naming_line_and_field(world: World,
                                                             db_engine: Engine) -> None:
    w = world
    good = _finding("c-good", ["acct_x"], [])
    no_score = _finding("c-bad", ["acct_y"], [])
    del no_score["score"]
    long_excerpt = _finding("c-long", ["acct_z"], [], excerpts=["x" * 201])
    body = _lines(good, no_score) + b"{not json\n" + _lines(long_excerpt)
    r = w.post(body)
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "bad_records"
    got = [(p["line"], p["field"]) for p in err["details"]["problems"]]
    assert got == [(2, "score"), (3, "body"), (4, "excerpts")]
    assert err["details"]["problems"][0]["record"] == "c-bad"
    with db_engine.connect() as conn:  # nothing half-written: not even the good line
        assert conn.execute(select(func.count()).select_from(detect_cases)).scalar() == 0
    bad_action = _finding("c-act", ["a"], [], action="ban", members=[])
    r = w.post(_lines(bad_action))
    assert [(p["line"], p["field"]) for p in r.json()["error"]["details"]["problems"]] == [
        (1, "action")]
    r = w.post(_lines(_finding("c-ev", ["a"], [], evidence=[{"signal": "x"}])))
    fields = {p["field"] for p in r.json()["error"]["details"]["problems"]}
    assert fields == {"evidence.0.weight", "evidence.0.detail"}
    nan = _lines(_finding("c-nan", ["a"], [])).replace(b'"weight": 0.6', b'"weight": NaN')
    r = w.post(nan)
    assert [(p["line"], p["field"]) for p in r.json()["error"]["details"]["problems"]] == [
        (1, "evidence.0.weight")]
    inf = _lines(_finding("c-inf", ["a"], [])).replace(b'"value": 0.8', b'"value": Infinity')
    r = w.post(inf)
    assert [(p["line"], p["field"]) for p in r.json()["error"]["details"]["problems"]] == [
        (1, "evidence.1.value")]
    nested = _lines(_finding("c-n", ["a"], [])).replace(b'"value": 0.8', b'"value": {"a": 1}')
    assert [p["field"] for p in w.post(nested).json()["error"]["details"]["problems"]] == [
        "evidence.1.value"]
    assert w.post(b"").status_code == 422
    big = b" " * (w.rt.settings.findings_max_bytes + 1)
    r = w.post(big)
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"


def test_roles_detector_posts_only_and_analysts_cannot_post(world: World) -> None:
    w = world
    body = _lines(_finding("c-r", ["acct_r"], []))
    assert w.post(body, headers=w.a1).status_code == 403
    assert w.post(body, headers=w.gw).status_code == 403
    assert w.post(body, headers={}).status_code == 401
    assert w.c.get("/v1/cases", headers=w.detector).status_code == 403
    assert w.c.post("/v1/decide", headers=w.detector,
                    json={"account_id": "x"}).status_code == 403
    assert w.c.get("/v1/organizations", headers=w.detector).status_code == 403
    assert w.post(body).status_code == 200


def test_times_are_normalised_so_spelling_neither_duplicates_nor_reorders(
        world: World) -> None:
    w = world
    f = _finding("c-tz", ["acct_tz"], [])
    assert w.post(_lines(f)).json()["counts"] == {"opened": 1}
    same = dict(f, checkpoint="2026-03-02T09:00:00+02:00")  # 07:00Z spelled otherwise
    assert w.post(_lines(same)).json()["counts"] == {"unchanged": 1}
    older = _finding("c-tz", ["acct_tz", "acct_tz2"], [],
                     checkpoint="2026-03-02T08:00:00+02:00")  # 06:00Z: older, not newer
    assert w.post(_lines(older)).json()["counts"] == {"stale": 1}
    case = w.c.get(f"/v1/cases/{w.case_of('c-tz')['id']}", headers=w.a1).json()
    assert case["checkpoint"] == "2026-03-02T07:00:00.000000Z" and case["version"] == 1


def test_hostile_text_is_escaped_in_the_cluster_picture(world: World) -> None:
    import xml.etree.ElementTree as ET

    w = world
    evil = '"><script>alert(1)</script>'
    f = _finding("c-<svg onload=x>", [f"acct{evil}"], [f"org{evil}"],
                 fingerprints={"payment_fingerprint": [f"pf{evil}"]},
                 excerpts=["</text><script>x</script>"])
    assert w.post(_lines(f)).status_code == 200
    case = w.case_of("c-<svg onload=x>")
    svg = w.c.get(f"/v1/cases/{case['id']}/cluster.svg", headers=w.a1).text
    root = ET.fromstring(svg)  # well-formed: nothing broke out of its element
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert not any(k.startswith("on") for e in root.iter() for k in e.attrib)


def test_another_worker_follows_confirmations_and_links(db_engine: Engine,
                                                        tmp_path: Path) -> None:
    snap = public_groups_snapshot(tmp_path / "s")
    with service(db_engine, snap) as (c1, rt1), service(db_engine, None) as (c2, rt2):
        w = World(c1, rt1)
        org = w.org("Two Worker Ltd", "porg_w")
        w.account(org, "acct_w1", payment_fingerprint="pf_w")
        w.post(_lines(_finding("c-w", ["acct_w1"], [], action="throttle",
                               fingerprints={"payment_fingerprint": ["pf_w"]})))
        rt2.sync()
        gw2 = token(rt2, "gateway")

        def decide2(acc: str) -> dict[str, Any]:
            return dict(c2.post("/v1/decide", headers=gw2, json={"account_id": acc}).json())

        assert decide2("acct_w1")["limits"] is None
        case = w.case_of("c-w")
        w.c.post(f"/v1/cases/{case['id']}/confirm", headers=w.a1,
                 json={"action": "throttle", "reason": "sweep"})
        assert decide2("acct_w1")["limits"] is None  # not yet synced
        rt2.sync()
        assert decide2("acct_w1")["limits"]["requests"] == 60
        w.account(org, "acct_w2", payment_fingerprint="pf_w")  # inherits on worker 1
        rt2.sync()
        assert decide2("acct_w2")["limits"]["requests"] == 60
        w.c.post(f"/v1/cases/{case['id']}/dismiss", headers=w.a1, json={"reason": "benign"})
        rt2.sync()
        assert decide2("acct_w1")["limits"] is None and decide2("acct_w2")["limits"] is None


def test_one_body_may_carry_several_versions_of_a_cluster(world: World,
                                                          db_engine: Engine) -> None:
    w = world
    v1 = _finding("c-twice", ["acct_1"], [])
    v2 = _finding("c-twice", ["acct_1", "acct_2"], [], checkpoint="2026-03-02T08:00:00Z")
    r = w.post(_lines(v1, v2, v1))
    assert [x["outcome"] for x in r.json()["results"]] == ["opened", "updated", "unchanged"]
    case = w.c.get(f"/v1/cases/{w.case_of('c-twice')['id']}", headers=w.a1).json()
    assert case["version"] == 2 and case["account_ids"] == ["acct_1", "acct_2"]
    assert [v["version"] for v in case["versions"]] == [1, 2]
    r = w.post(_lines(v1, v2))  # both versions known: nothing new
    assert r.json()["counts"] == {"unchanged": 2}
    with db_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(detect_findings)).scalar() == 2


def test_a_later_versions_new_card_ties_nobody_until_an_analyst_confirms_again(
        world: World) -> None:
    w = world
    org = w.org("Card Swap Ltd", "porg_cs")
    w.account(org, "acct_cs1", payment_fingerprint="pf_a")
    fp = {"payment_fingerprint": ["pf_a"]}
    w.post(_lines(_finding("c-swap", ["acct_cs1"], [], action="throttle", fingerprints=fp)))
    case = w.case_of("c-swap")
    w.c.post(f"/v1/cases/{case['id']}/confirm", headers=w.a1,
             json={"action": "throttle", "reason": "sweep"})
    assert w.account(org, "acct_cs2", payment_fingerprint="pf_a")["detection"] is not None
    # the detector's next version names a second card: on its word alone it ties nobody
    w.post(_lines(_finding("c-swap", ["acct_cs1"], [], action="throttle",
                           checkpoint="2026-03-02T09:00:00Z",
                           fingerprints={"payment_fingerprint": ["pf_a", "pf_b"]})))
    assert w.c.get(f"/v1/cases/{case['id']}", headers=w.a1).json()["needs_review"] is True
    assert w.account(org, "acct_cs3", payment_fingerprint="pf_b")["detection"] is None
    assert w.decide("acct_cs3")["limits"] is None
    # confirmed again, the new card counts, and the account already holding it is tied
    w.c.post(f"/v1/cases/{case['id']}/confirm", headers=w.a1,
             json={"action": "throttle", "reason": "second card is theirs too"})
    assert w.decide("acct_cs3")["limits"] is not None
    assert "distillation_link" in w.codes("acct_cs3")


def test_a_line_separator_in_an_excerpt_stays_inside_its_line() -> None:
    # the detector writes findings with orjson, which leaves U+2028 unescaped; a prompt
    # excerpt holding one must not split the line (the whole upload would be refused)
    from ringfence.service.finding_format import parse_findings

    f = _finding("c-sep", ["acc-1"], ["org-1"], excerpts=["step one\u2028step two"])
    raw = (json.dumps(f, ensure_ascii=False) + "\r\n" + json.dumps(f | {"cluster_id": "c-2"},
                                                                 ensure_ascii=False)).encode()
    assert "\u2028".encode() in raw
    parsed = parse_findings(raw)
    assert [(n, p.cluster_id) for n, p in parsed] == [(1, "c-sep"), (2, "c-2")]
    assert parsed[0][1].excerpts == ["step one\u2028step two"]
