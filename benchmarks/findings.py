"""Detection findings into the service: posting, re-posting and confirming, in-process.

    .venv/bin/python benchmarks/findings.py                      # 2,000 findings x 10 accounts
    .venv/bin/python benchmarks/findings.py --findings 5000 --per 20 --url postgresql+psycopg://…

A book of ``findings x per`` accounts (bulk-inserted, each with a payment fingerprint) on
SQLite in a temporary folder (or the database ``--url`` names), then:

* **parse**: ``parse_findings`` over the JSON-lines body (pydantic validation of every line);
* **post**: ``ingest_findings`` of the whole body (one transaction: cases, versions, audit);
* **re-post**: the same body again (idempotent: every finding ``unchanged``);
* **baseline**: the floor for the same rows, ``json.loads`` of every line and one
  ``executemany`` insert of the cases, with no validation, no audit and no links;
* **confirm**: 100 cases confirmed with ``throttle`` one by one (each re-reads what is
  enforced and re-evaluates the changed accounts in the live state).
* **audit** (``--audit-from FILE``): 2,000 audit appends in one transaction with the current
  ``ringfence/audit/chain.py`` and with another version of it (e.g. ``git show
  REV:src/ringfence/audit/chain.py > /tmp/chain_old.py``), three alternating rounds.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from decide import snapshot  # noqa: E402  (the same bundled snapshot as benchmarks/decide.py)


def body(n: int, per: int) -> bytes:
    lines = []
    for i in range(n):
        accs = [f"acct_{i}_{k}" for k in range(per)]
        lines.append(json.dumps({
            "cluster_id": f"c-{i:06d}", "account_ids": accs, "org_ids": [f"porg_{i}"],
            "action": "suspend" if i % 2 else "throttle", "score": 0.9,
            "first_flagged": "2026-03-02T05:00:00Z", "checkpoint": "2026-03-02T07:00:00Z",
            "evidence": [{"signal": "shared_payment", "value": per, "weight": 0.6,
                          "detail": f"{per} accounts share one card"},
                         {"signal": "cot_elicitation", "value": 0.8, "weight": 0.3,
                          "detail": "reasoning reconstruction in 80% of prompts"}],
            "fingerprints": {"payment_fingerprint": [f"pf_{i}"], "signup_device_fp": [],
                             "system_prompt_hash": [], "tools_hash": [],
                             "skeleton": [f"sk:{i:016x}"]},
            "excerpts": ["Here is the answer: 42. Give the complete reasoning."],
            "members": [{"account_id": a, "org_id": f"porg_{i}", "score": 0.9,
                         "action": "suspend"} for a in accs]}))
    return ("\n".join(lines) + "\n").encode()


def run(n: int, per: int, url: str | None) -> dict[str, Any]:
    from sqlalchemy import insert

    from ringfence.audit import now_iso
    from ringfence.service import Runtime, ServiceSettings
    from ringfence.service.cases import decide_case
    from ringfence.service.finding_format import parse_findings
    from ringfence.service.findings import ingest_findings
    from ringfence.store import make_engine
    from ringfence.store.tables import accounts, detect_cases, organizations

    work = Path(tempfile.mkdtemp(prefix="rf-bench-findings-"))
    snap = snapshot(work / "snap")
    db = url or f"sqlite:///{work / 'rf.db'}"
    settings = ServiceSettings(database_url=db, snapshot=snap, geoip=False,
                               embedded_default=False, background=False)
    engine = make_engine(db)
    rt = Runtime(settings, engine=engine)
    rt.start()
    ts = now_iso()
    orgs = [{"id": f"org_{i}", "name": f"Org {i}", "country": "GB", "billing_country": None,
             "identifiers": [], "domains": [], "entity_id": None, "match": None,
             "verdict": None, "lower": None, "upper": None, "computed_status": "allowed",
             "computed_reasons": [], "status": "allowed", "override": None,
             "snapshot_id": None, "created_at": ts, "updated_at": ts,
             "provider_org_id": f"porg_{i}"} for i in range(n)]
    accs = [{"id": f"acct_{i}_{k}", "org_id": f"org_{i}", "channel": "direct",
             "end_customer": None, "active": True, "created_at": ts,
             "payment_fingerprint": f"pf_{i}"} for i in range(n) for k in range(per)]
    with engine.begin() as conn:
        for k in range(0, len(orgs), 5000):
            conn.execute(insert(organizations), orgs[k:k + 5000])
        for k in range(0, len(accs), 5000):
            conn.execute(insert(accounts), accs[k:k + 5000])
    live = rt.live
    assert live is not None
    rt._activate(live.snapshot, live.loaded, live.book)  # the state = the database
    raw = body(n, per)
    out: dict[str, Any] = {"findings": n, "accounts_per_finding": per,
                           "body_bytes": len(raw), "backend": db.split(":")[0]}
    t0 = time.perf_counter()
    parsed = parse_findings(raw)
    out["parse_s"] = round(time.perf_counter() - t0, 3)
    t0 = time.perf_counter()
    res = ingest_findings(rt, parsed, actor="bench")
    out["post_s"] = round(time.perf_counter() - t0, 3)
    assert res["counts"] == {"opened": n}, res["counts"]
    t0 = time.perf_counter()
    res = ingest_findings(rt, parse_findings(raw), actor="bench")
    out["repost_s"] = round(time.perf_counter() - t0, 3)
    assert res["counts"] == {"unchanged": n}, res["counts"]
    out["findings_per_s_post"] = round(n / (out["parse_s"] + out["post_s"]), 1)
    # the floor: decode and insert the same case rows, nothing else
    rows = []
    t0 = time.perf_counter()
    for i, line in enumerate(raw.splitlines()):
        f = json.loads(line)
        rows.append({"id": f"base_{i}", "cluster_id": "b" + f["cluster_id"], "kind": "finding",
                     "status": "open", "proposed_action": f["action"], "score": f["score"],
                     "first_flagged": f["first_flagged"], "checkpoint": f["checkpoint"],
                     "version": 1, "account_ids": f["account_ids"], "org_ids": f["org_ids"],
                     "evidence": f["evidence"], "fingerprints": f["fingerprints"],
                     "excerpts": f["excerpts"], "members": f["members"], "links": [],
                     "needs_review": False, "opened_by": "bench", "created_at": ts,
                     "updated_at": ts})
    with engine.begin() as conn:
        conn.execute(insert(detect_cases), rows)
    out["baseline_s"] = round(time.perf_counter() - t0, 3)
    out["ratio_post_vs_baseline"] = round((out["parse_s"] + out["post_s"]) / out["baseline_s"],
                                          1)
    ids = [r["case_id"] for r in ingest_findings(rt, parse_findings(raw),
                                                 actor="bench")["results"]][:100]
    t0 = time.perf_counter()
    for cid in ids:
        decide_case(rt, case_id=cid, to="confirmed", action="throttle", reason="bench",
                    actor="tok_bench")
    out["confirm_ms_each"] = round((time.perf_counter() - t0) / len(ids) * 1000, 1)
    state = rt.holder.state
    assert state is not None
    out["accounts_in_state"] = len(state.entries)
    out["throttled_in_state"] = sum(1 for e in state.entries.values()
                                    if e.facts.detection is not None)
    rt.stop()
    engine.dispose()
    shutil.rmtree(work, ignore_errors=True)
    return out


def bench_audit(other: Path, n: int = 2000) -> dict[str, Any]:
    import importlib.util
    import statistics

    import ringfence.audit.chain as current
    from ringfence.store import make_engine, upgrade

    spec = importlib.util.spec_from_file_location("chain_other", other)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["chain_other"] = mod
    spec.loader.exec_module(mod)
    times: dict[str, list[float]] = {"other": [], "current": []}
    for _ in range(3):
        for label, m in (("other", mod), ("current", current)):
            work = Path(tempfile.mkdtemp(prefix="rf-bench-audit-"))
            engine = make_engine(f"sqlite:///{work / 'a.db'}")
            upgrade(engine)
            log = m.AuditLog(engine)
            t0 = time.perf_counter()
            with log.transaction() as conn:
                for i in range(n):
                    log.append(conn, kind="decision", actor="gateway", subject=f"d-{i}",
                               payload={"i": i, "reasons": ["org_denied"]})
            times[label].append(time.perf_counter() - t0)
            assert log.verify().ok
            engine.dispose()
            shutil.rmtree(work, ignore_errors=True)
    return {k: {"seconds": [round(x, 3) for x in v],
                "us_per_append_median": round(statistics.median(v) / n * 1e6, 1)}
            for k, v in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--findings", type=int, default=2000)
    ap.add_argument("--per", type=int, default=10, help="accounts per finding")
    ap.add_argument("--url", default=None, help="database URL (default: SQLite in /tmp)")
    ap.add_argument("--audit-from", type=Path, default=None,
                    help="another chain.py to time audit appends against")
    args = ap.parse_args()
    if args.audit_from is not None:
        print(json.dumps({"audit": bench_audit(args.audit_from)}, indent=2))
        return
    print(json.dumps(run(args.findings, args.per, args.url), indent=2))


if __name__ == "__main__":
    main()
