"""Replay a past decision as of its snapshot and policy version.

The decision record holds the facts the rule read. Replay

1. loads the policy by the hash recorded (every published policy is stored) and resolves it
   as of the recorded date, then re-runs the pure decision rule on the recorded facts: the
   outcome and reason codes must be the same;
2. re-opens the recorded snapshot (when its folder still exists), re-evaluates it under
   that policy and checks the organisation's entity still gets the recorded verdict.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from ringfence.decide import (
    AccountFacts,
    Agreement,
    Channel,
    Detection,
    OrgFacts,
    OrgStatus,
    RuleSettings,
    decide,
)
from ringfence.decide.signals import AccountSignals, Net
from ringfence.exc import NotFoundError
from ringfence.policy import resolve
from ringfence.service.live import today
from ringfence.service.reads import decision
from ringfence.service.runtime import Runtime
from ringfence.snapshot import open_snapshot
from ringfence.store.tables import snapshots

__all__ = ["replay"]


def _org(d: dict[str, Any] | None) -> OrgFacts | None:
    if not d:
        return None
    return OrgFacts(org_id=d["org_id"], status=OrgStatus(d["status"]),
                    entity_id=d.get("entity_id"), verdict=d.get("verdict"),
                    status_reasons=tuple(d.get("status_reasons") or ()))


def _account(d: dict[str, Any] | None) -> AccountFacts | None:
    if not d:
        return None
    org = _org(d["org"])
    assert org is not None
    sig = d.get("signals")
    ag = d.get("agreement")
    return AccountFacts(account_id=d["account_id"], org=org, channel=Channel(d["channel"]),
                        active=bool(d["active"]), end_customer=_org(d.get("end_customer")),
                        end_customer_ref=d.get("end_customer_ref"),
                        detection=Detection.from_evidence(d["detection"])
                        if d.get("detection") else None,
                        signals=AccountSignals(
                            **{**sig, "restricted_domains": tuple(
                                tuple(x) for x in sig.get("restricted_domains") or ())})
                        if sig else None,
                        agreement=Agreement(ag["kind"], ag["attestation"],
                                            frozenset(ag.get("regions") or ()))
                        if ag else None)


def _evidence(result: dict[str, Any], code: str) -> dict[str, Any] | None:
    for r in result.get("reasons", []):
        if r["code"] == code:
            ev: dict[str, Any] = r.get("evidence") or {}
            return ev
    return None


def replay(rt: Runtime, decision_id: str) -> dict[str, Any]:
    rec = decision(rt, decision_id)
    pol = rec["policy"]
    loaded = rt.policy_by_hash(pol["hash"])
    if loaded is None:
        raise NotFoundError(f"policy {pol['hash'][:12]} of decision {decision_id} is not "
                            "stored", details={"policy": pol})
    as_of = dt.date.fromisoformat(pol.get("as_of") or today().isoformat())
    resolved = resolve(loaded, as_of)
    rules = RuleSettings.from_policy(resolved.settings)
    facts = rec["facts"]
    ctx = rec["input"]["context"]
    account = _account(facts.get("account"))
    ref = rec["input"].get("account_id") or rec["input"].get("key_id") or "api_key"
    original = rec["result"]
    net = facts.get("net")
    resale = _evidence(original, "resale_fanout")  # counts are per worker: taken as recorded
    ec = _org(facts.get("end_customer"))
    replayed = decide(account, rules, ref=ref, ip_country=facts.get("ip_country"),
                      claimed_channel=Channel(ctx["channel"]) if ctx.get("channel") else None,
                      end_customer=ec,
                      end_customer_ref=ctx.get("end_customer") or ctx.get("end_customer_ref"),
                      net=Net(**net) if net else None,
                      resale=(resale["end_users"], resale["countries"], resale["networks"])
                      if resale else None,
                      outside_regions=_evidence(original, "outside_channel_regions")
                      is not None)
    same_rule = (original["decision"] == replayed.outcome.value and
                 sorted(r["code"] for r in original["reasons"]) ==
                 sorted(r.code.value for r in replayed.reasons))
    verdict_check: dict[str, Any] = {"checked": False}
    org = account.org if account else None
    if org is not None and org.entity_id:
        with rt.engine.connect() as conn:
            row = conn.execute(select(snapshots.c.path).where(
                snapshots.c.id == rec["snapshot_id"]).order_by(snapshots.c.seq.desc())).first()
        if row is not None:
            try:
                snap = open_snapshot(row.path)
            except NotFoundError:
                verdict_check = {"checked": False, "why": f"snapshot folder {row.path} is gone"}
            else:
                book = rt.evaluate(snap, loaded, as_of)
                v = book.get(org.entity_id)
                got = v.verdict if v else None
                verdict_check = {"checked": True, "entity_id": org.entity_id,
                                 "recorded": org.verdict, "replayed": got,
                                 "same": got == org.verdict}
    ok = same_rule and verdict_check.get("same", True) is not False
    return {"decision_id": decision_id, "snapshot_id": rec["snapshot_id"],
            "policy": {**pol, "as_of": as_of.isoformat()}, "original": original,
            "replayed": replayed.as_dict(), "same_outcome": same_rule,
            "verdict": verdict_check, "ok": ok}
