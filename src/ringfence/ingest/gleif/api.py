"""GLEIF API v1 JSON (LEI records, relationships, reporting exceptions)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ringfence.ingest.gleif.records import Bad, Emitter, ExcRecord, LeiRecord, RelRecord
from ringfence.ingest.inputs import iter_json, open_binary
from ringfence.ingest.stage import (
    FileStats,
)

__all__ = [
    "read_api_json",
]


# -- API JSON ---------------------------------------------------------------------------

def _api_lei(a: dict[str, Any]) -> LeiRecord:
    ent = a.get("entity") or {}
    if not isinstance(ent, dict):
        raise Bad("entity", "entity must be an object")
    ln = ent.get("legalName") or {}
    r = LeiRecord(lei=str(a.get("lei") or ""),
                  legal_name=str(ln.get("name") or "").strip() if isinstance(ln, dict) else "",
                  legal_lang=str(ln.get("language") or "") if isinstance(ln, dict) else "")
    for key in ("otherNames", "transliteratedOtherNames"):
        for n in ent.get(key) or []:
            if isinstance(n, dict) and n.get("name"):
                r.names.append((str(n["name"]).strip(), str(n.get("language") or ""),
                                str(n.get("type") or "")))
    for ev in ent.get("events") or []:
        if (isinstance(ev, dict) and ev.get("type") == "CHANGE_LEGAL_NAME"
                and ev.get("status") == "COMPLETED"):
            r.renamed = max(r.renamed, str(ev.get("effectiveDate") or "")[:10])
    hq = ent.get("headquartersAddress") or {}
    la = ent.get("legalAddress") or {}
    r.hq_country = str(hq.get("country") or "") if isinstance(hq, dict) else ""
    r.legal_country = str(la.get("country") or "") if isinstance(la, dict) else ""
    r.jurisdiction = str(ent.get("jurisdiction") or "")
    r.category = str(ent.get("category") or "")
    ra = ent.get("registeredAt") or {}
    r.ra_id = str(ra.get("id") or "") if isinstance(ra, dict) else ""
    r.ra_entity_id = str(ent.get("registeredAs") or "")
    reg = a.get("registration") or {}
    r.last_update = str(reg.get("lastUpdateDate") or "") if isinstance(reg, dict) else ""
    r.bics = [str(b) for b in (a.get("bic") or []) if b]
    return r


def _api_rel(a: dict[str, Any]) -> RelRecord:
    rel = a.get("relationship") or {}
    if not isinstance(rel, dict):
        raise Bad("relationship", "relationship must be an object")
    sn, en = rel.get("startNode") or {}, rel.get("endNode") or {}
    r = RelRecord(child=str(sn.get("id") or ""), child_type=str(sn.get("type") or ""),
                  parent=str(en.get("id") or ""), parent_type=str(en.get("type") or ""),
                  rtype=str(rel.get("type") or ""), status=str(rel.get("status") or ""))
    for p in rel.get("periods") or []:
        if isinstance(p, dict) and p.get("type") == "RELATIONSHIP_PERIOD":
            r.start, r.end = str(p.get("startDate") or ""), str(p.get("endDate") or "")
    for qn in rel.get("quantifiers") or []:
        if isinstance(qn, dict) and qn.get("quantifierAmount") is not None:
            r.quantifiers.append(f"{qn.get('quantifierAmount')} "
                                 f"{qn.get('quantifierUnits') or ''}".strip())
    reg = a.get("registration") or {}
    if isinstance(reg, dict):
        r.reg_status = str(reg.get("status") or "")
        r.last_update = str(reg.get("lastUpdateDate") or "")
    return r


def _api_exc(a: dict[str, Any]) -> ExcRecord:
    reason = a.get("reason")
    reasons = [str(x) for x in reason] if isinstance(reason, list) else [str(reason or "")]
    return ExcRecord(lei=str(a.get("lei") or ""), category=str(a.get("category") or ""),
                     reasons=reasons, reference=str(a.get("reference") or ""))


def read_api_json(path: Path, em: Emitter, stats: FileStats) -> None:
    stage = em.stage

    def bad_json(reason: str, line: int | None) -> None:
        stats.rejected += 1
        stage.problem(em.dataset, reason, line=line)

    with open_binary(path) as (fh, _counter, _):
        for line, doc in iter_json(fh, bad_json):
            items = doc.get("data") if isinstance(doc, dict) and "data" in doc else doc
            for item in items if isinstance(items, list) else [items]:
                stats.records += 1
                try:
                    if not isinstance(item, dict) or not isinstance(item.get("attributes"),
                                                                    dict):
                        raise Bad("data", "expected a JSON:API resource with attributes")
                    a = item["attributes"]
                    kind = item.get("type")
                    if kind == "lei-records":
                        em.lei(_api_lei(a), line)
                    elif kind == "relationship-records":
                        em.relationship(_api_rel(a), line)
                    elif kind == "reporting-exceptions":
                        em.exception(_api_exc(a), line)
                    else:
                        raise Bad("data.type", f"unknown GLEIF API record type {kind!r}")
                except Bad as bad:
                    stats.rejected += 1
                    stage.problem(em.dataset, bad.reason, line=line, field=bad.field,
                                  record=str(item.get("id")) if isinstance(item, dict)
                                  else None, raw=json.dumps(item)[:2000])
