"""The UK lists: HM Treasury / OFSI consolidated list CSV (the 2014 layout and the 2022
``ConList.csv`` layout: row per name and address, grouped by ``Group ID``) and the FCDO
UK Sanctions List XML (``Designations/Designation``).

Both become ``UK_SANCTIONS`` members with the regime as programme and ``Listed On`` /
``DateDesignated`` as listing date. The consolidated list's key is ``ukhmt:<Group ID>``;
the UK Sanctions List gives the same group id as ``OFSIGroupID`` (used when present, so
the two layouts meet), else ``uksl:<UniqueID>``. Ownership is free text in ``Other
Information`` ("Owned or controlled by, or acts on behalf of ...") and, in the UK
Sanctions List, parent companies named in ``EntityDetails/ParentCompanies``: evidence
(names, not ids; "or acts on behalf of" is not ownership). Ships are vessels, with the
IMO number the XML gives.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from ringfence.ingest.lists.common import (
    BadFile,
    Link,
    ListFile,
    Party,
    clean,
    decode_text,
    local,
    parse_date,
    read_bytes,
    xml_root,
)

__all__ = ["read_uk"]

_TYPES = {"individual": "person", "entity": "company", "ship": "vessel"}
_OWNED = re.compile(r"(?i)owned or controlled by(?:,? or acts? (?:for or )?on behalf of,?)?\s+"
                    r"([^.;]+(?:\.[A-Z]{2,5})*)")


def read_uk(path: Path, *, dataset: str) -> ListFile:
    data = read_bytes(path, member_hint=".")
    head = data.lstrip()[:200]
    if head.startswith(b"<") or head.startswith(b"\xef\xbb\xbf<"):
        return _xml(path, data, dataset)
    return _csv(path, data, dataset)


def _owned_links(party: Party, text: str, relation: str) -> None:
    for m in _OWNED.finditer(text):
        party.links.append(Link(relation, target_name=clean(m[1]).rstrip("."),
                                note=clean(m[0])[:300]))


# -- consolidated list CSV ------------------------------------------------------------------

def _csv(path: Path, data: bytes, dataset: str) -> ListFile:
    text = decode_text(data, what=path.name)
    reader = csv.reader(io.StringIO(text, newline=""))
    first = next(reader, None)
    if not first or clean(first[0]).lower() != "last updated" or len(first) < 2:
        raise BadFile("line 1 is not 'Last Updated,<date>' (HM Treasury consolidated list)",
                      line=1)
    try:
        published = parse_date(first[1])
    except ValueError as err:
        raise BadFile(str(err), line=1, field="Last Updated") from None
    header = [clean(h) for h in next(reader, [])]
    need = {"Name 6", "Group Type", "Alias Type", "Regime", "Listed On", "Group ID"}
    if need - set(header):
        raise BadFile("line 2 header lacks " + ", ".join(sorted(need - set(header))), line=2)
    out = ListFile(path, "uk-hmt-csv", dataset, published, {"UK_SANCTIONS"})
    groups: dict[str, Party] = {}
    start = reader.line_num + 1
    for row in reader:
        line, start = start, reader.line_num + 1
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(header):
            out.bad(f"{len(row)} fields, {len(header)} expected", line=line)
            continue
        r = {h: clean(v) for h, v in zip(header, row, strict=True)}
        gid = r["Group ID"]
        gtype = _TYPES.get(r["Group Type"].lower())
        if not gid.isdigit() or gtype is None:
            out.bad(f"Group ID {gid!r} / Group Type {r['Group Type']!r} not readable",
                    line=line, field="Group Type" if gid.isdigit() else "Group ID",
                    record=gid)
            continue
        forenames = " ".join(r.get(f"Name {i}", "") for i in range(1, 6)).strip()
        name = f"{r['Name 6']}, {forenames}" if forenames else r["Name 6"]
        if not name:
            out.bad("no name (Name 6)", line=line, field="Name 6", record=gid)
            continue
        try:
            since = parse_date(r["Listed On"])
        except ValueError as err:
            out.bad(str(err), line=line, field="Listed On", record=gid)
            continue
        party = groups.get(gid)
        if party is None:
            out.records += 1
            party = Party(f"ukhmt:{gid}", gtype, "", dataset, line, gid)
            groups[gid] = party
        alias = r["Alias Type"].lower()
        low = r.get("Alias Quality", "").lower() == "low"
        prime = alias.startswith(("prime alias", "primary name"))  # 2014 / 2022 wording
        if prime and not party.name:
            party.name = name
        party.add_name(name, "legal" if prime else (
            "former" if alias == "fka" else ("weak_alias" if low else "alias")))
        if r.get("Name Non-Latin Script"):
            party.add_name(r["Name Non-Latin Script"], "legal")
        party.add_listing("UK_SANCTIONS", since, (r["Regime"],) if r["Regime"] else ())
        party.add_country(r.get("Country", ""))
        if gtype == "person":
            for nat in re.split(r"\s*\d\)\s*", r.get("Nationality", "")):
                party.add_country(nat)
        other = r.get("Other Information", "")
        if other and other != party.remarks:
            party.remarks = other
            if not any(lk.note and lk.note in other for lk in party.links):
                _owned_links(party, other, "uk:owned-or-controlled-by (text)")
    for party in groups.values():
        if not party.name:  # no Prime Alias row: the first name read stands in
            party.name = party.names[0][0]
    out.parties = list(groups.values())
    return out


# -- UK Sanctions List XML -------------------------------------------------------------------

def _t(elem: Any, name: str) -> str:
    for c in elem:
        if local(c.tag) == name:
            return clean(c.text)
    return ""


def _all(elem: Any, name: str) -> list[Any]:
    return [e for e in elem.iter() if local(e.tag) == name]


def _xml(path: Path, data: bytes, dataset: str) -> ListFile:
    root = xml_root(data)
    if local(root.tag) != "Designations":
        raise BadFile(f"root element <{local(root.tag)}> is not Designations "
                      "(UK Sanctions List XML)", line=root.sourceline)
    try:
        published = parse_date(_t(root, "DateGenerated"))
    except ValueError as err:
        raise BadFile(str(err), line=root.sourceline, field="DateGenerated") from None
    out = ListFile(path, "uk-sanctions-list-xml", dataset, published, {"UK_SANCTIONS"})
    for d in (e for e in root if local(e.tag) == "Designation"):
        out.records += 1
        line = d.sourceline
        uid = _t(d, "UniqueID")
        gtype = _TYPES.get(_t(d, "IndividualEntityShip").lower())
        if not uid or gtype is None:
            out.bad(f"UniqueID {uid!r} / IndividualEntityShip "
                    f"{_t(d, 'IndividualEntityShip')!r} not readable", line=line,
                    field="IndividualEntityShip" if uid else "UniqueID", record=uid)
            continue
        gid = _t(d, "OFSIGroupID")
        party = Party(f"ukhmt:{gid}" if gid.isdigit() else f"uksl:{uid}", gtype, "",
                      dataset, line, uid)
        for nm in _all(d, "Name"):
            parts = [_t(nm, f"Name{i}") for i in range(1, 7)]
            fore = " ".join(p for p in parts[:5] if p)
            full = f"{parts[5]}, {fore}" if fore and parts[5] else (parts[5] or fore)
            ntype = _t(nm, "NameType").lower()
            strength = _t(nm, "AliasStrength").lower()
            kind = "legal" if ntype.startswith("primary name") and "variation" not in ntype \
                else ("weak_alias" if strength.startswith("weak") else "alias")
            if kind == "legal" and not party.name:
                party.name = full
            party.add_name(full, kind)
        for nl in _all(d, "NameNonLatinScript"):
            party.add_name(clean(nl.text), "legal")
        if not party.name and party.names:
            party.name = party.names[0][0]
        if not party.name:
            out.bad("no name", line=line, field="Names", record=uid)
            continue
        try:
            since = parse_date(_t(d, "DateDesignated"))
        except ValueError as err:
            out.bad(str(err), line=line, field="DateDesignated", record=uid)
            continue
        regime = _t(d, "RegimeName")
        party.add_listing("UK_SANCTIONS", since, (regime,) if regime else ())
        for c in _all(d, "AddressCountry") + _all(d, "Nationality"):
            party.add_country(clean(c.text))
        for imo in _all(d, "IMONumber"):
            party.add_id("imo", clean(imo.text).removeprefix("IMO").strip())
        other = _t(d, "OtherInformation")
        party.remarks = other
        _owned_links(party, other, "uk:owned-or-controlled-by (text)")
        for parent in _all(d, "ParentCompany"):
            if clean(parent.text):
                party.links.append(Link("uk:parent-company", target_name=clean(parent.text),
                                        note=f"UK Sanctions List parent company: "
                                             f"{clean(parent.text)}"))
        out.parties.append(party)
    return out
