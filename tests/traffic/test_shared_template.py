"""Legitimate heavy users who share one prompt template are never suspended.

Two hand-written logs (request-logs.md §4): unrelated startups running one open-source agent
framework (same system prompt, tool schema and task wrapper, own cards), and university
lab orgs on one campus network running one neutral benchmark harness prompt. A template
many unrelated customers hold is no evidence of one operator.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

from ringfence.traffic.replay import replay

W0 = dt.datetime(2026, 5, 11, tzinfo=dt.UTC)
HOURS = 48


def _iso(d: dt.datetime) -> str:
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


def _write(root: Path, orgs: list[dict[str, Any]], accs: list[dict[str, Any]],
           reqs: list[dict[str, Any]]) -> Path:
    root.mkdir(parents=True)
    reqs.sort(key=lambda r: r["ts"])
    for i, r in enumerate(reqs):
        r["request_id"] = f"r{i}"
    for name, rows in (("requests", reqs), ("accounts", accs), ("orgs", orgs)):
        (root / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "events.json").write_text(json.dumps({
        "window_start": _iso(W0), "window_end": _iso(W0 + dt.timedelta(hours=HOURS)),
        "events": []}))
    return root


def _org(oid: str, country: str, kind: str) -> dict[str, Any]:
    return {"org_id": oid, "name": oid, "declared_country": country,
            "created_at": "2025-01-01T00:00:00.000Z", "kyc_level": "verified", "org_type": kind}


def _account(aid: str, oid: str, country: str, card: str, ip: str, program: str
             ) -> dict[str, Any]:
    return {"account_id": aid, "org_id": oid, "created_at": "2025-02-01T00:00:00.000Z",
            "email": f"dev@{oid}.example", "email_domain": f"{oid}.example",
            "declared_country": country, "payment_fingerprint": card,
            "payment_bin": "411111", "payment_country": country,
            "verification_program": program, "tier": "t4", "signup_ip": ip,
            "signup_country": country, "signup_device_fp": f"dev-{aid}",
            "api_key_ids": [f"k-{aid}"]}


def _request(a: dict[str, Any], t: dt.datetime, ip: str, prompt: str, conv: str, turn: int,
             system: str, tools: str | None, n_tools: int, agent: str) -> dict[str, Any]:
    return {"request_id": "", "ts": _iso(t), "account_id": a["account_id"],
            "org_id": a["org_id"], "api_key_id": a["api_key_ids"][0], "channel": "direct_api",
            "endpoint": "messages", "ip": ip, "asn": None, "asn_name": None,
            "country": a["declared_country"], "user_agent": agent,
            "payment_fingerprint": a["payment_fingerprint"], "model": "m",
            "system_prompt_hash": system, "tools_hash": tools, "n_tools": n_tools,
            "n_images": 0, "conversation_id": conv, "turn_index": turn,
            "client_user_id": None, "status": 200, "prompt": prompt}


def _framework_log(root: Path) -> tuple[Path, set[str]]:
    rng = random.Random(11)
    countries = ["US", "DE", "FR", "GB", "JP", "BR", "IN", "CA", "AU", "NL"]
    tasks = ["fix the flaky login test", "add pagination to the users endpoint",
             "refactor the payment module", "write docs for the CLI",
             "investigate a memory leak in the worker", "add retries to the http client"]
    orgs, accs, reqs = [], [], []
    for i, c in enumerate(countries):
        orgs.append(_org(f"startup{i}", c, "company"))
        accs.append(_account(f"dev{i}", f"startup{i}", c, f"card{i}", f"{80 + i}.1.2.3", "none"))
    for i, a in enumerate(accs):
        for k in range(rng.randint(60, 100)):
            t = W0 + dt.timedelta(seconds=rng.uniform(0, HOURS * 3600))
            task = f"{rng.choice(tasks)} in {rng.choice(['src', 'lib', 'app'])}/" \
                   f"{rng.choice(['auth', 'db', 'api', 'ui'])}"
            prompt = (f"<task>{task}</task>\nYou can call the tools listed in the system "
                      "prompt. Think about which files to open, then act. When done, reply "
                      "with a summary of the changes and the tests you ran.")
            reqs.append(_request(a, t, f"{80 + i}.{rng.randint(0, 3)}.2.{rng.randint(1, 200)}",
                                 prompt, f"c{i}-{k // 5}", k % 5, "openagent-sp-v1",
                                 "openagent-tools-v1", 14, "openagent/1.4"))
    return _write(root, orgs, accs, reqs), {a["account_id"] for a in accs}


def _campus_log(root: Path) -> tuple[Path, set[str]]:
    rng = random.Random(3)
    orgs, accs, reqs = [], [], []
    for i in range(3):
        orgs.append(_org(f"uni-lab-{i}", "US", "university"))
        for j in range(2):
            accs.append(_account(f"uni-{i}-{j}", f"uni-lab-{i}", "US", f"card-{i}{j}",
                                 f"18.7.{i}.{j + 10}", "edu"))
    for a in accs:
        for k in range(120):
            t = W0 + dt.timedelta(seconds=k * (HOURS * 3600 / 120) + rng.uniform(0, 60))
            n = rng.randint(1, 9999)
            prompt = (f"Question {n}: A bag holds {n} red and 7 blue marbles. Which choice "
                      "gives the probability of red? (A) ... (B) ... (C) ... (D) ... Answer "
                      "with the letter only.")
            reqs.append(_request(a, t, f"18.7.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                                 prompt, f"c{k}{a['account_id']}", 0, "bench-sp", None, 0,
                                 "anthropic-python/0.40.0"))
    return _write(root, orgs, accs, reqs), {a["account_id"] for a in accs}


def _ever_suspended(out: Path) -> set[str]:
    with open(out / "actions.csv", newline="") as fh:
        return {r["account_id"] for r in csv.DictReader(fh) if r["action"] == "suspend"}


def test_startups_on_one_agent_framework_never_suspended(tmp_path: Path) -> None:
    data, ids = _framework_log(tmp_path / "fw")
    replay(data, tmp_path / "out")
    assert ids and not (_ever_suspended(tmp_path / "out") & ids)


def test_campus_labs_on_one_benchmark_harness_never_suspended(tmp_path: Path) -> None:
    data, ids = _campus_log(tmp_path / "uni")
    replay(data, tmp_path / "out")
    assert ids and not (_ever_suspended(tmp_path / "out") & ids)
