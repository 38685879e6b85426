"""The decision log read as rows: every decision (DENY/REVIEW one audit record each, ALLOW
in batches) flattened to one dict, filtered, and written as CSV.

:func:`flat_decisions` is the one reader of the log's two record shapes (the channel
scorecard counts over it too); :func:`find` filters it for the console; :func:`to_csv`
writes rows a spreadsheet cannot take for formulas (:func:`cell`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from ringfence.service.runtime import Runtime
from ringfence.store.tables import audit_log

__all__ = ["COLUMNS", "cell", "find", "flat_decisions", "to_csv"]

COLUMNS = ("decision_id", "ts", "outcome", "account_id", "org", "reasons", "snapshot_id",
           "policy", "end_customer", "netclass")
_FORMULA = ("=", "+", "-", "@", "\t", "\r", "\n")


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _policy(p: dict[str, Any] | None) -> str:
    return f"{p.get('name')} {p.get('version')}" if p else ""


def flat_decisions(rt: Runtime, start: str, end: str, *, newest: int | None = None
                   ) -> list[dict[str, Any]]:
    """Every decision with ``start <= ts < end`` as a flat dict (decision id, time,
    outcome, account and its organisation, reason codes, snapshot, policy, end customer,
    user, network class). ``newest`` reads only that many of the latest log records."""
    q = select(audit_log.c.kind, audit_log.c.payload).where(
        audit_log.c.kind.in_(("decision", "decisions.allow_batch")), audit_log.c.ts >= start)
    if newest is not None:
        q = q.order_by(audit_log.c.seq.desc()).limit(newest)
    with rt.engine.connect() as conn:
        rows = conn.execute(q).all()
    out: list[dict[str, Any]] = []
    for r in rows:
        data = json.loads(r.payload)
        if r.kind == "decision":
            acc = (data.get("facts") or {}).get("account") or {}
            ctx = (data.get("input") or {}).get("context") or {}
            if not start <= data.get("ts", "") < end:
                continue
            out.append({"decision_id": data.get("decision_id"), "ts": data.get("ts"),
                        "account_id": acc.get("account_id"),
                        "org": (acc.get("org") or {}).get("org_id"),
                        "reasons": [x["code"] for x in data["result"]["reasons"]],
                        "end_customer": ctx.get("end_customer"),
                        "end_customer_ref": ctx.get("end_customer_ref"),
                        "user": ctx.get("client_user_id"),
                        "netclass": data["facts"].get("netclass"),
                        "snapshot_id": data.get("snapshot_id"),
                        "policy": _policy(data.get("policy")),
                        "outcome": data["result"]["decision"]})
            continue
        cols = data.get("columns", [])
        for g in data.get("groups", []):
            facts = g.get("facts", {})
            for row in g["rows"]:
                d = dict(zip(cols, row, strict=False))
                ts = _iso(float(d["ts"]))
                if not start <= ts < end:
                    continue
                acc = facts.get(d.get("account_id")) or {}
                out.append({"decision_id": d.get("decision_id"), "ts": ts,
                            "account_id": d.get("account_id"),
                            "org": (acc.get("org") or {}).get("org_id"),
                            "reasons": d.get("reasons", []),
                            "end_customer": d.get("end_customer"),
                            "end_customer_ref": d.get("end_customer_ref"),
                            "user": d.get("client_user_id"), "netclass": d.get("netclass"),
                            "snapshot_id": g.get("snapshot_id"),
                            "policy": _policy(g.get("policy")), "outcome": "ALLOW"})
    return out


def find(rt: Runtime, *, account: str | None = None, org: str | None = None,
         reason: str | None = None, outcome: str | None = None, since: str | None = None,
         until: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """Decisions matching every filter given, newest first (at most ``limit``; the latest
    ``20 * limit`` log records are read)."""
    start = since or "0000"
    end = until or "9999"
    # ALLOWs still queued in this worker are written first (and a batch the flusher
    # thread is writing is waited for: flush takes the same lock)
    rt.decisions.flush()
    rows = flat_decisions(rt, start, end, newest=20 * limit)
    keep = [d for d in rows
            if (not account or d["account_id"] == account) and (not org or d["org"] == org)
            and (not reason or reason in d["reasons"])
            and (not outcome or d["outcome"] == outcome.upper())]
    keep.sort(key=lambda d: d["ts"] or "", reverse=True)
    return keep[:limit]


def cell(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text: a leading ``= + - @``, tab or carriage
    return (a formula, or DDE) gets a ``'`` in front (OWASP's advice for CSV injection)."""
    text = " ".join(value) if isinstance(value, list) else "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def to_csv(rows: Iterable[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for d in rows:
        w.writerow([cell(d.get(c)) for c in COLUMNS])
    return buf.getvalue()
