"""An intermediary's scorecard over a window (day or week), read from the decision log.

Every decision the gateway made for the intermediary's accounts in the window is read back
from the audit log (DENY and REVIEW records, and the ALLOW batches), and counted: requests,
the share without an attested end customer, the share of its attested end customers that
are denied or in review, traffic from restricted regions and from hosting or VPN networks,
distinct end customers and end users, the top reasons. Thresholds in the policy
(``decision.channels.scorecard``) open a case for analysts (``detect_cases``, kind
``channel``), once per intermediary, window and window start. The figures are also set as
Prometheus gauges (``ringfence_channel_*{channel,window}``).

Cost: one pass over the window's decision records (all intermediaries'), so a weekly card
on a busy service reads a week of the log; it is computed on request, not on the hot path.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from typing import Any

from sqlalchemy import insert, select

from ringfence.audit import now_iso
from ringfence.exc import InputError
from ringfence.service.decision_log import flat_decisions
from ringfence.service.runtime import Runtime
from ringfence.store.tables import detect_cases, end_customers, organizations

__all__ = ["WINDOWS", "scorecard"]

WINDOWS = {"day": dt.timedelta(days=1), "week": dt.timedelta(days=7)}
_UNATTESTED = "unattested_intermediated"
_REGION = "ip_restricted_region"


def _iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def scorecard(rt: Runtime, *, channel_id: str, window: str = "day",
              end: dt.datetime | None = None, open_case: bool = True) -> dict[str, Any]:
    if window not in WINDOWS:
        raise InputError("window must be day or week", details={"field": "window"})
    rt.decisions.flush()  # the ALLOWs still queued in this worker count too
    end = end or dt.datetime.now(dt.UTC)
    start = end - WINDOWS[window]
    with rt.engine.connect() as conn:
        rt.org_row(conn, channel_id)
        refs = {r.ref: (r.org_id, r.status) for r in conn.execute(
            select(end_customers.c.ref, end_customers.c.org_id, organizations.c.status)
            .join(organizations, organizations.c.id == end_customers.c.org_id)
            .where(end_customers.c.channel_id == channel_id)).all()}
    by_org = {org: status for org, status in refs.values()}
    mine = [d for d in flat_decisions(rt, _iso(start), _iso(end)) if d["org"] == channel_id]
    n = len(mine)
    reasons: Counter[str] = Counter()
    customers: dict[str, str] = {}
    users: set[str] = set()
    unattested = region = hosting_vpn = 0
    for d in mine:
        reasons.update(d["reasons"])
        if _UNATTESTED in d["reasons"]:
            unattested += 1
        if _REGION in d["reasons"]:
            region += 1
        if d["netclass"] in ("hosting", "vpn"):
            hosting_vpn += 1
        ref = d["end_customer_ref"]
        org = refs[ref][0] if ref in refs else d["end_customer"]
        if org:
            customers[org] = by_org.get(org, "unknown")
        if d["user"]:
            users.add(d["user"])
    restricted = sum(1 for s in customers.values() if s == "denied")
    in_review = sum(1 for s in customers.values() if s == "review")

    def share(k: int, of: int) -> float:
        return round(k / of, 4) if of else 0.0

    card: dict[str, Any] = {
        "channel": channel_id, "window": window, "start": _iso(start), "end": _iso(end),
        "requests": n, "unattested_share": share(unattested, n),
        "end_customers": len(customers), "end_users": len(users),
        "end_customers_restricted_share": share(restricted, len(customers)),
        "end_customers_review_share": share(in_review, len(customers)),
        "restricted_region_share": share(region, n),
        "hosting_vpn_share": share(hosting_vpn, n),
        "top_reasons": [{"code": c, "count": k} for c, k in reasons.most_common(5)],
        "registered_end_customers": len(refs),
    }
    card["breaches"] = _breaches(rt, card)
    card["case_id"] = _open_case(rt, card) if open_case and card["breaches"] else None
    rt.metrics.channel_scorecard(card)
    return card


def _breaches(rt: Runtime, card: dict[str, Any]) -> list[dict[str, Any]]:
    live = rt.live
    if live is None:
        return []
    rule = live.resolved.settings.decision.channels.scorecard
    if card["requests"] < rule.min_requests:
        return []
    out = []
    for key, limit in (("unattested_share", rule.max_unattested_share),
                       ("end_customers_restricted_share", rule.max_restricted_customer_share),
                       ("restricted_region_share", rule.max_restricted_region_share),
                       ("hosting_vpn_share", rule.max_hosting_vpn_share)):
        if limit is not None and card[key] > limit:
            out.append({"measure": key, "value": card[key], "threshold": limit})
    return out


def _open_case(rt: Runtime, card: dict[str, Any]) -> str:
    """A review case for the breach (one per intermediary, window and day it ends on)."""
    key = f"channel:{card['channel']}:{card['window']}:{card['end'][:10]}"
    ts = now_iso()
    with rt.write_lock, rt.audit.transaction() as conn:
        old = conn.execute(select(detect_cases.c.id).where(
            detect_cases.c.cluster_id == key)).first()
        if old is not None:
            return str(old.id)
        case_id = f"case_{uuid.uuid4().hex[:20]}"
        conn.execute(insert(detect_cases).values(
            id=case_id, cluster_id=key, kind="channel", status="open",
            proposed_action="review", score=max(b["value"] for b in card["breaches"]),
            first_flagged=card["end"], checkpoint=card["end"], version=1, account_ids=[],
            org_ids=[card["channel"]], evidence=card["breaches"], fingerprints={},
            excerpts=[], members=[], links=[], needs_review=False, opened_by="scorecard",
            created_at=ts, updated_at=ts))
        rt.audit.append(conn, kind="detect.case_opened", actor="scorecard", subject=case_id,
                        payload={"channel": card["channel"], "window": card["window"],
                                 "breaches": card["breaches"]})
    return case_id
