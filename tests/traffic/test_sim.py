"""The simulator: determinism, the request-logs.md §1 format, and every family's tell-tale.

Fixture strategy: one tiny world (``SimConfig.small``, three days, a few thousand requests)
is simulated once per module into a temporary folder and read back as plain JSON; the
tests look at what a detector would see plus the truth folder.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from ringfence.traffic.sim import SimConfig, simulate

REQUEST_FIELDS: dict[str, tuple[type, ...]] = {
    "request_id": (str,), "ts": (str,), "account_id": (str,), "org_id": (str,),
    "api_key_id": (str,), "channel": (str,), "endpoint": (str,), "ip": (str,),
    "asn": (int,), "asn_name": (str,), "country": (str,), "user_agent": (str,),
    "payment_fingerprint": (str,), "model": (str,), "stream": (bool,),
    "max_tokens": (int,), "temperature": (float, type(None)),
    "thinking_budget": (int, type(None)), "n_tools": (int,), "tools_hash": (str, type(None)),
    "n_images": (int,), "system_prompt_hash": (str, type(None)),
    "system_prefix_hash": (str, type(None)), "system_prompt_chars": (int,),
    "conversation_id": (str,), "turn_index": (int,), "client_user_id": (str, type(None)),
    "input_tokens": (int,), "output_tokens": (int,), "status": (int,), "prompt": (str,),
}
ACCOUNT_FIELDS = ["account_id", "org_id", "created_at", "email", "email_domain",
                  "declared_country", "payment_fingerprint", "payment_bin", "payment_country",
                  "verification_program", "tier", "signup_ip", "signup_country",
                  "signup_device_fp", "api_key_ids"]
ORG_FIELDS = ["org_id", "name", "declared_country", "created_at", "kyc_level", "org_type"]


def _load(d: Path) -> dict[str, Any]:
    reqs = [json.loads(x) for x in (d / "requests.jsonl").read_text().splitlines()]
    accts = [json.loads(x) for x in (d / "accounts.jsonl").read_text().splitlines()]
    orgs = [json.loads(x) for x in (d / "orgs.jsonl").read_text().splitlines()]
    with open(d / "truth" / "accounts.csv") as fh:
        truth = {r["account_id"]: r for r in csv.DictReader(fh)}
    return {"reqs": reqs, "accts": {a["account_id"]: a for a in accts},
            "orgs": {o["org_id"]: o for o in orgs}, "truth": truth,
            "events": json.loads((d / "events.json").read_text()),
            "campaigns": json.loads((d / "truth" / "campaigns.json").read_text()),
            "distill": (d / "truth" / "distill_requests.csv").read_text().split()[1:]}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    d = tmp_path_factory.mktemp("sim") / "data"
    simulate(SimConfig.small(seed=5), d)
    out = _load(d)
    out["dir"] = d
    return out


def _ts(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def _digest(d: Path) -> dict[str, str]:
    return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(d.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_other_world(tmp_path: Path) -> None:
    simulate(SimConfig.small(seed=11), tmp_path / "a")
    simulate(SimConfig.small(seed=11), tmp_path / "b")
    simulate(SimConfig.small(seed=12), tmp_path / "c")
    a, b, c = (_digest(tmp_path / x) for x in "abc")
    assert a == b
    assert a["requests.jsonl"] != c["requests.jsonl"]


def test_every_request_field_has_the_contract_type_and_the_log_is_sorted(world: dict[str, Any]
                                                                         ) -> None:
    reqs = world["reqs"]
    assert len(reqs) > 1000
    for r in reqs:
        assert set(r) == set(REQUEST_FIELDS), set(r) ^ set(REQUEST_FIELDS)
        for k, types in REQUEST_FIELDS.items():
            assert type(r[k]) in types, (k, r[k])
        assert r["channel"] in ("direct_api", "console", "cloud_partner_a", "cloud_partner_b")
        assert r["endpoint"] in ("messages", "batch")
        assert r["status"] in (200, 429, 529)
        assert len(r["ts"]) == 24 and r["ts"].endswith("Z")
        assert (r["tools_hash"] is None) == (r["n_tools"] == 0)
    ts = [r["ts"] for r in reqs]
    assert ts == sorted(ts)
    ids = [r["request_id"] for r in reqs]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_requests_refer_to_existing_accounts_keys_and_orgs(world: dict[str, Any]) -> None:
    accts, orgs = world["accts"], world["orgs"]
    for a in accts.values():
        assert list(a) == ACCOUNT_FIELDS
        assert a["org_id"] in orgs
        assert a["email"].endswith("@" + a["email_domain"])
        assert a["verification_program"] in ("none", "edu", "security_research",
                                             "startup_program")
    for o in orgs.values():
        assert list(o) == ORG_FIELDS
        assert o["kyc_level"] in ("none", "basic", "verified")
    for r in world["reqs"]:
        a = accts[r["account_id"]]
        assert r["org_id"] == a["org_id"]
        assert r["api_key_id"] in a["api_key_ids"]
        assert r["payment_fingerprint"] == a["payment_fingerprint"]
        assert _ts(r["ts"]) >= _ts(a["created_at"]), "a request before its account existed"
    ev = world["events"]
    assert ev["events"] and all(e["type"] == "model_release" for e in ev["events"])
    assert _ts(ev["window_start"]) <= _ts(world["reqs"][0]["ts"])
    assert _ts(world["reqs"][-1]["ts"]) < _ts(ev["window_end"])


def test_truth_covers_every_account_and_every_family(world: dict[str, Any]) -> None:
    truth = world["truth"]
    assert set(truth) == set(world["accts"])
    fams = Counter((t["kind"], t["family"]) for t in truth.values())
    for f in ("hydra", "slow_low", "cot", "capability"):
        assert fams[("campaign", f)] > 0, f
    for f in ("eval_lab", "labelling", "saas_relay", "coding_agent", "university", "agency",
              "oss_framework", "shared_egress"):
        assert fams[("hard_negative", f)] > 0, f
    assert fams[("organic", "organic")] > 50
    # distillation requests are campaign requests, and not all campaign requests (resold)
    by_id = {r["request_id"]: r for r in world["reqs"]}
    distill = world["distill"]
    assert distill and all(truth[by_id[i]["account_id"]]["kind"] == "campaign"
                           for i in distill)
    hydra = [r for r in world["reqs"] if truth[r["account_id"]]["family"] == "hydra"]
    assert 0 < sum(r["request_id"] in set(distill) for r in hydra) < len(hydra)
    for cid, c in world["campaigns"].items():
        members = [t for t in truth.values() if t["campaign_id"] == cid]
        assert len(members) == c["accounts"]
        assert {m["org_id"] for m in members} == set(c["orgs"])


def test_agency_opens_many_client_orgs_with_one_card_and_device(world: dict[str, Any]) -> None:
    ag = [world["accts"][a] for a, t in world["truth"].items() if t["family"] == "agency"]
    assert len({a["org_id"] for a in ag}) >= 5
    assert len({a["payment_fingerprint"] for a in ag}) == 1
    assert len({a["signup_device_fp"] for a in ag}) == 1


def test_hydra_replacements_share_fingerprints_with_earlier_batches(world: dict[str, Any]
                                                                    ) -> None:
    truth, accts = world["truth"], world["accts"]
    hydra = sorted((a for a, t in truth.items() if t["family"] == "hydra"),
                   key=lambda a: accts[a]["created_at"])
    repl = [a for a in hydra if truth[a]["replacement"] == "1"]
    assert repl, "the small world has at least one replacement wave"
    linked = 0
    for a in repl:
        earlier = [b for b in hydra if accts[b]["created_at"] < accts[a]["created_at"]
                   and truth[b]["org_id"] != truth[a]["org_id"]]
        fp = {accts[b]["payment_fingerprint"] for b in earlier} | {
            accts[b]["signup_device_fp"] for b in earlier}
        linked += accts[a]["payment_fingerprint"] in fp or accts[a]["signup_device_fp"] in fp
    assert linked >= len(repl) // 3
    # and within a batch: several accounts behind one card
    cards = Counter(accts[a]["payment_fingerprint"] for a in hydra)
    assert cards.most_common(1)[0][1] >= 2


def test_slow_low_sweeps_disjoint_items_with_one_skeleton(world: dict[str, Any]) -> None:
    truth = world["truth"]
    sweep = [r for r in world["reqs"] if truth[r["account_id"]]["family"] == "slow_low"]
    prompts = [r["prompt"] for r in sweep]
    assert len(set(prompts)) == len(prompts)          # disjoint items
    assert all("Answer with the result and a short explanation." in p for p in prompts)
    per_acct = Counter(r["account_id"] for r in sweep)
    assert max(per_acct.values()) < 40                # each account a light user


def test_cot_front_orgs_share_a_system_prefix_not_the_whole_prompt(world: dict[str, Any]
                                                                   ) -> None:
    truth = world["truth"]
    cot = [r for r in world["reqs"] if truth[r["account_id"]]["family"] == "cot"
           and r["system_prompt_hash"]]
    orgs_by_prefix: defaultdict[str, set[str]] = defaultdict(set)
    full_by_org: defaultdict[str, set[str]] = defaultdict(set)
    for r in cot:
        orgs_by_prefix[r["system_prefix_hash"]].add(r["org_id"])
        full_by_org[r["org_id"]].add(r["system_prompt_hash"])
    assert any(len(o) >= 2 for o in orgs_by_prefix.values())
    fulls = [next(iter(v)) for v in full_by_org.values()]
    assert len(set(fulls)) == len(fulls)


def test_eval_lab_bursts_on_the_new_model_within_hours_of_release(world: dict[str, Any]
                                                                  ) -> None:
    rel = world["events"]["events"][0]
    t_rel = _ts(rel["ts"])
    truth = world["truth"]
    lab = [r for r in world["reqs"] if truth[r["account_id"]]["family"] == "eval_lab"
           and r["model"] == rel["model"]]
    assert len(lab) > 100
    first = min(_ts(r["ts"]) for r in lab)
    assert 0 <= (first - t_rel).total_seconds() <= 2 * 3600


def test_oss_framework_system_prompt_is_shared_by_unrelated_orgs(world: dict[str, Any]) -> None:
    truth = world["truth"]
    orgs: defaultdict[str, set[str]] = defaultdict(set)
    for r in world["reqs"]:
        if truth[r["account_id"]]["family"] == "oss_framework" and r["system_prompt_hash"]:
            orgs[r["system_prompt_hash"]].add(r["org_id"])
    assert max(len(v) for v in orgs.values()) >= 5


def test_wording_variant_changes_the_text_of_campaign_prompts(tmp_path: Path) -> None:
    cfg = SimConfig.small(seed=5)
    simulate(replace(cfg, wording="b"), tmp_path / "b")
    b = _load(tmp_path / "b")
    sweep_b = [r["prompt"] for r in b["reqs"] if b["truth"][r["account_id"]]["family"]
               == "slow_low"]
    assert sweep_b and not any("Answer with the result and a short explanation." in p
                               for p in sweep_b)


def test_heldout_wording_paraphrases_campaign_prompts_in_several_languages(
        tmp_path: Path) -> None:
    simulate(replace(SimConfig.small(seed=5), wording="c"), tmp_path / "c")
    c = _load(tmp_path / "c")
    cot = [r["prompt"] for r in c["reqs"] if c["truth"][r["account_id"]]["family"] == "cot"]
    assert cot
    # several phrasings, none of wording "a"'s, and more than one script
    assert len({p[:12] for p in cot}) >= 3
    assert not any("Give the complete reasoning that leads to this answer" in p for p in cot)
    assert any(any("\u0400" <= ch <= "\u04ff" or "\uac00" <= ch <= "\ud7af" for ch in p)
               for p in cot)
    assert SimConfig.heldout().wording == "c"


def test_bad_wording_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="wording"):
        simulate(replace(SimConfig.small(), wording="q"), tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_ip_country_and_asn_agree_with_geoip2fast(world: dict[str, Any]) -> None:
    from geoip2fast import GeoIP2Fast

    g = GeoIP2Fast(geoip2fast_data_file="geoip2fast-asn.dat.gz")
    seen = {r["ip"]: (r["country"], r["asn_name"]) for r in world["reqs"]}
    agree = sum((lk.country_code, lk.asn_name) == v
                for ip, v in seen.items() for lk in [g.lookup(ip)])
    assert agree >= 0.95 * len(seen)


def test_a_window_shorter_than_the_release_schedule_has_no_release(tmp_path: Path) -> None:
    cfg = replace(SimConfig.small(seed=2), days=1, releases=((30.0, "m-late"), (5.0, "m")))
    simulate(cfg, tmp_path / "d")
    ev = json.loads((tmp_path / "d" / "events.json").read_text())
    assert [e["model"] for e in ev["events"]] == ["m"]


@pytest.mark.parametrize("days", [1, 2])
def test_the_default_mix_fits_a_short_window(tmp_path: Path, days: int) -> None:
    cfg = replace(SimConfig.small(seed=4), days=days, campaigns=SimConfig().campaigns)
    simulate(cfg, tmp_path / "d")
    camp = json.loads((tmp_path / "d" / "truth" / "campaigns.json").read_text())
    assert {c["family"] for c in camp.values()} >= {"hydra", "slow_low", "cot"}


def test_gzip_output_holds_the_same_lines(tmp_path: Path) -> None:
    import gzip

    simulate(SimConfig.small(seed=11), tmp_path / "plain")
    simulate(replace(SimConfig.small(seed=11), gzip=True), tmp_path / "gz")
    assert not (tmp_path / "gz" / "requests.jsonl").exists()
    with gzip.open(tmp_path / "gz" / "requests.jsonl.gz", "rb") as fh:
        assert fh.read() == (tmp_path / "plain" / "requests.jsonl").read_bytes()


def test_second_heldout_wording_uses_other_languages_and_framings(tmp_path: Path) -> None:
    simulate(replace(SimConfig.small(seed=5), wording="d"), tmp_path / "d")
    d = _load(tmp_path / "d")
    cot = [r["prompt"] for r in d["reqs"] if d["truth"][r["account_id"]]["family"] == "cot"]
    assert cot
    assert len({p[:12] for p in cot}) >= 3
    # none of the earlier banks' reasoning phrasings
    assert not any("Give the complete reasoning that leads to this answer" in p
                   or "Восстанови" in p or "정답에 이르는" in p for p in cot)
    assert SimConfig.heldout2().wording == "d"
