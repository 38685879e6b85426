"""The UN Security Council consolidated list XML (``CONSOLIDATED_LIST``).

``INDIVIDUAL`` and ``ENTITY`` records become persons and organisations on ``UN_SC``,
keyed ``un:<DATAID>``, with the committee list (``UN_LIST_TYPE``: Al-Qaida, DPRK,
Iran …) as programme, ``LISTED_ON`` as listing date, ``NAME_ORIGINAL_SCRIPT`` as a name
in its own script, aliases with their quality (``Low`` is a weak alias, ``f.k.a.`` a
former name) and the countries of addresses and nationalities. "owned or controlled
by" in ``COMMENTS1`` is evidence. ``@dateGenerated`` is the file's date.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ringfence.ingest.lists.common import (
    BadFile,
    Link,
    ListFile,
    Party,
    clean,
    local,
    parse_date,
    read_bytes,
    xml_root,
)

__all__ = ["read_un"]

_OWNED = re.compile(r"(?i)owned or controlled(?:,? directly or indirectly,?)? by\s+([^.;]+)")


def _t(elem: Any, name: str) -> str:
    for c in elem:
        if local(c.tag) == name:
            return clean(c.text)
    return ""


def _kids(elem: Any, name: str) -> list[Any]:
    return [c for c in elem if local(c.tag) == name]


def read_un(path: Path, *, dataset: str) -> ListFile:
    root = xml_root(read_bytes(path, member_hint=".xml"))
    if local(root.tag) != "CONSOLIDATED_LIST":
        raise BadFile(f"root element <{local(root.tag)}> is not CONSOLIDATED_LIST (UN XML)",
                      line=root.sourceline)
    try:
        published = parse_date(root.get("dateGenerated", ""))
    except ValueError as err:
        raise BadFile(str(err), line=root.sourceline, field="dateGenerated") from None
    out = ListFile(path, "un-xml", dataset, published, {"UN_SC"})
    records = [(r, "person") for g in _kids(root, "INDIVIDUALS") for r in _kids(g, "INDIVIDUAL")]
    records += [(r, "company") for g in _kids(root, "ENTITIES") for r in _kids(g, "ENTITY")]
    for rec, etype in records:
        out.records += 1
        line = rec.sourceline
        did = _t(rec, "DATAID")
        parts = [_t(rec, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME",
                                       "FOURTH_NAME")]
        name = " ".join(p for p in parts if p)
        if not did or not name:
            out.bad("no DATAID" if not did else "no FIRST_NAME", line=line,
                    field="DATAID" if not did else "FIRST_NAME", record=did)
            continue
        try:
            since = parse_date(_t(rec, "LISTED_ON"))
        except ValueError as err:
            out.bad(str(err), line=line, field="LISTED_ON", record=did)
            continue
        party = Party(f"un:{did}", etype, name, dataset, line, _t(rec, "REFERENCE_NUMBER") or did)
        party.add_name(name, "legal")
        if _t(rec, "NAME_ORIGINAL_SCRIPT"):
            party.add_name(_t(rec, "NAME_ORIGINAL_SCRIPT"), "legal")
        prog = _t(rec, "UN_LIST_TYPE")
        party.add_listing("UN_SC", since, (prog,) if prog else ())
        for alias in _kids(rec, "INDIVIDUAL_ALIAS") + _kids(rec, "ENTITY_ALIAS"):
            value = _t(alias, "ALIAS_NAME")
            quality = _t(alias, "QUALITY").lower()
            party.add_name(value, "weak_alias" if quality == "low" else (
                "former" if quality.startswith("f.k.a") else "alias"))
        for addr in _kids(rec, "INDIVIDUAL_ADDRESS") + _kids(rec, "ENTITY_ADDRESS"):
            party.add_country(_t(addr, "COUNTRY"))
        for nat in _kids(rec, "NATIONALITY"):
            for v in _kids(nat, "VALUE"):
                party.add_country(clean(v.text))
        comments = _t(rec, "COMMENTS1")
        party.remarks = comments
        for m in _OWNED.finditer(comments):
            party.links.append(Link("un:owned-or-controlled-by (text)",
                                    target_name=clean(m[1]), note=clean(m[0])[:300]))
        out.parties.append(party)
    return out
