"""trade.gov's Consolidated Screening List: CSV (the current 29-column layout with
``_id`` and the older 28-column one without it) and JSON (the API's ``{"results":
[...]}`` or a bare array; multi-values as arrays or ``; ``-joined strings).

Each row is one party on one source list, named by its ``source`` column; a party on
two lists is two rows. Treasury rows (SDN, SSI, FSE, PLC, CAPTA, NS-MBS, CMIC) carry
OFAC's ``ent_num`` as ``entity_number`` and become ``ofac:<ent_num>``, the id the OFAC
files give the same party (so they meet); BIS and State rows become ``csl:<_id>``
(``csl:<hash of source and name>`` in the older layout). ``start_date`` is the listing
date; a Denied Persons List ``end_date`` ends the membership. ``type`` is empty for BIS
and State rows: they are read as organisations (the Entity List and MEU list name
organisations almost only) unless the list is DPL or DTC and the name is written
``LAST, First``. The format carries no publication date: ``--published``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

from ringfence.ingest.lists.common import (
    FEATURE_TYPES,
    BadFile,
    ListFile,
    Party,
    clean,
    decode_text,
    id_hint,
    parse_date,
    read_bytes,
)
from ringfence.ingest.lists.ofac_rules import parse_remarks

__all__ = ["CSL_LISTS", "read_csl"]

CSL_LISTS = {"EL": "ENTITY_LIST", "MEU": "MEU", "SSI": "SSI", "SDN": "SDN", "DPL": "DPL",
             "UVL": "UVL", "ISN": "ISN", "DTC": "DTC", "FSE": "FSE", "PLC": "PLC",
             "CAP": "CAPTA", "CAPTA": "CAPTA", "NS-MBS LIST": "NS_MBS", "MBS": "NS_MBS",
             "NS-MBS": "NS_MBS", "CMIC": "CMIC", "NS-CMIC LIST": "CMIC"}
_TREASURY = {"SDN", "SSI", "FSE", "PLC", "CAPTA", "NS_MBS", "CMIC"}
_ABBR = re.compile(r"\(([^()]+)\)")
_TYPES = {"individual": "person", "entity": "company", "vessel": "vessel",
          "aircraft": "aircraft"}
_SUCCESSOR = re.compile(r"(?i)[;,]?\s*and any successor.*$")
_REQUIRED = {"source", "name"}


def _list_of(source: str) -> str | None:
    for m in _ABBR.finditer(source):
        found = CSL_LISTS.get(m[1].strip().upper())
        if found:
            return found
    return None


def _multi(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [v for v in (x.strip() for x in str(value).split("; ")) if v]


def read_csl(path: Path, *, dataset: str) -> ListFile:
    data = read_bytes(path, member_hint=".")
    text = decode_text(data, what=path.name)
    fmt = "csl-json" if text.lstrip()[:1] in ("{", "[") else "csl-csv"
    out = ListFile(path, fmt, dataset, None, set())
    rows = _json_rows(text) if fmt == "csl-json" else _csv_rows(text)
    parties: dict[str, Party] = {}
    for line, row, current in rows:
        out.records += 1
        party = _row(row, line, dataset, current, out)
        if party is None:
            continue
        have = parties.get(party.key)
        if have is None:
            parties[party.key] = party
        else:  # the same Treasury party on two lists: one party, both memberships
            for lst in party.listings:
                have.add_listing(lst.list, lst.since, lst.programmes, lst.until)
            for n in party.names:
                have.add_name(*n)
            for sc, val in party.identifiers:
                if (sc, val) not in have.identifiers:
                    have.identifiers.append((sc, val))
    out.parties = list(parties.values())
    return out


def _csv_rows(text: str) -> Any:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise BadFile("empty file", line=1) from None
    missing = _REQUIRED - set(header)
    if missing:
        raise BadFile(f"not a CSL header: no column {', '.join(sorted(missing))}", line=1)
    current = "_id" in header
    start = reader.line_num + 1
    for row in reader:
        line, start = start, reader.line_num + 1
        if not row or [c.strip() for c in row] == header:
            continue  # blank line, repeated header
        if len(row) != len(header):
            yield line, {"__bad__": f"{len(row)} fields, {len(header)} expected"}, current
            continue
        yield line, dict(zip(header, row, strict=True)), current


def _json_rows(text: str) -> Any:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise BadFile(f"JSON syntax error: {err.msg}", line=err.lineno) from None
    results = doc.get("results") if isinstance(doc, dict) else doc
    if not isinstance(results, list):
        raise BadFile("no results array", field="results")
    for i, rec in enumerate(results):
        if not isinstance(rec, dict):
            yield None, {"__bad__": f"result {i} is not an object"}, True
        else:
            yield None, {**rec, "__index__": str(i)}, True


def _row(row: dict[str, Any], line: int | None, dataset: str, current: bool,
         out: ListFile) -> Party | None:
    rid = clean(row.get("_id") or row.get("id") or row.get("__index__") or "")
    if "__bad__" in row:
        out.bad(row["__bad__"], line=line, record=rid)
        return None
    source = clean(row.get("source"))
    lst = _list_of(source)
    if lst is None:
        out.bad(f"unknown source list {source!r}", line=line, field="source", record=rid)
        return None
    full_name = clean(row.get("name"))
    name = _SUCCESSOR.sub("", full_name).strip()
    if not name:
        out.bad("no name", line=line, field="name", record=rid)
        return None
    out.covers.add(lst)
    num = clean(row.get("entity_number"))
    if lst in _TREASURY and num.isdigit():
        key = f"ofac:{num}"
    elif rid and not rid.isdigit() and (row.get("_id") or row.get("id")):
        key = f"csl:{rid}"
    else:
        key = "csl:" + hashlib.sha1(f"{source}|{full_name}".encode()).hexdigest()[:16]
    ctype = clean(row.get("type")).lower()
    etype = _TYPES.get(ctype, "company")
    if not ctype and lst in ("DPL", "DTC") and re.fullmatch(r"[A-Z' -]+, [A-Z][a-z].*", name):
        etype = "person"
    party = Party(key, etype, name, dataset, line, num or rid)
    party.add_name(name, "legal")
    for alt in _multi(row.get("alt_names")):
        party.add_name(clean(alt), "alias")
    try:
        since = parse_date(clean(row.get("start_date")))
        until = parse_date(clean(row.get("end_date"))) if lst == "DPL" else None
    except ValueError as err:
        out.bad(str(err), line=line, field="start_date", record=rid)
        return None
    progs = tuple(clean(p) for p in _multi(row.get("programs")))
    party.add_listing(lst, since, progs, until)
    for addr in _multi(row.get("addresses")):
        if isinstance(addr, dict):
            party.add_country(clean(addr.get("country")))
        else:
            tail = clean(str(addr).rsplit(",", 1)[-1])
            if re.fullmatch(r"[A-Z]{2}", tail):
                party.add_country(tail)
    for key_ in ("vessel_flag", "nationalities", "citizenships"):
        for c in _multi(row.get(key_)):
            party.add_country(clean(c))
    for item in _multi(row.get("ids")):
        _ident(party, item, current)
    remarks = clean(row.get("remarks"))
    if remarks:
        parse_remarks(party, remarks, relation_prefix="csl")
    return party


def _ident(party: Party, item: Any, current: bool) -> None:
    if isinstance(item, dict):
        itype, number, country = (clean(item.get("type")), clean(item.get("number")),
                                  clean(item.get("country")))
    else:
        parts = [p.strip() for p in str(item).split(", ")]
        if current:
            itype = parts[0]
            country = parts[-1] if len(parts) >= 3 and re.fullmatch(r"[A-Z]{2}",
                                                                     parts[-1]) else ""
            number = ", ".join(parts[1:-1] if country else parts[1:])
        else:
            itype = parts[-1]
            country = parts[0] if len(parts) >= 3 and re.fullmatch(r"[A-Z]{2}",
                                                                    parts[0]) else ""
            number = ", ".join(parts[1:-1] if country else parts[:-1])
    hint = id_hint(itype)
    if hint == itype and FEATURE_TYPES.match(itype):
        return
    if hint == "imo":
        number = number.removeprefix("IMO").strip()
    party.add_id(hint, number, country)
