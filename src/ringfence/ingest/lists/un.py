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
    Link,
    ListFile,
    Party,
    children,
    clean,
    dated_xml_root,
    local,
    parse_date,
)

__all__ = ["read_un"]

_OWNED = re.compile(r"(?i)owned or controlled(?:,? directly or indirectly,?)? by\s+([^.;]+)")


def _t(elem: Any, name: str) -> str:
    for c in elem:
        if local(c.tag) == name:
            return clean(c.text)
    return ""


def read_un(path: Path, *, dataset: str) -> ListFile:
    root, published = dated_xml_root(path, root_tag="CONSOLIDATED_LIST", date_attr="dateGenerated",
                                     what="UN XML")
    out = ListFile(path, "un-xml", dataset, published, {"UN_SC"})
    records = [(r, "person") for g in children(root, "INDIVIDUALS")
               for r in children(g, "INDIVIDUAL")]
    records += [(r, "company") for g in children(root, "ENTITIES") for r in children(g, "ENTITY")]
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
        for alias in children(rec, "INDIVIDUAL_ALIAS") + children(rec, "ENTITY_ALIAS"):
            value = _t(alias, "ALIAS_NAME")
            quality = _t(alias, "QUALITY").lower()
            party.add_name(value, "weak_alias" if quality == "low" else (
                "former" if quality.startswith("f.k.a") else "alias"))
        for addr in children(rec, "INDIVIDUAL_ADDRESS") + children(rec, "ENTITY_ADDRESS"):
            party.add_country(_t(addr, "COUNTRY"))
        for nat in children(rec, "NATIONALITY"):
            for v in children(nat, "VALUE"):
                party.add_country(clean(v.text))
        comments = _t(rec, "COMMENTS1")
        party.remarks = comments
        for m in _OWNED.finditer(comments):
            party.links.append(Link("un:owned-or-controlled-by (text)",
                                    target_name=clean(m[1]), note=clean(m[0])[:300]))
        out.parties.append(party)
    return out
