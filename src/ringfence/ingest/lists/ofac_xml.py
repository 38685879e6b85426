"""OFAC XML: the legacy ``sdnList`` layout (``SDN.XML``, ``consolidated.xml``) and the
Enhanced ``sanctionsData`` layout (``SDN_ENHANCED.XML``, ``CONS_ENHANCED.XML``; ``.zip``
accepted).

Legacy: one ``sdnEntry`` per party; its list is SDN in an SDN file and follows from
its programmes in a consolidated file (:mod:`.ofac_rules`); no listing dates;
``Publish_Date`` (MM/DD/YYYY) is the file's date. ``(Linked To: NAME)`` in remarks is
evidence.

Enhanced: every ``entity`` names its lists with the date it was put on each
(``sanctionsList@datePublished``); names carry their alias type, low-quality flag and
translations in other scripts; identity documents and features are typed; and
``relationships`` state ties between entries by id. ``Owned or Controlled By`` (and its
reverse ``Owns, controls, or operates``) become holdings: control of a majority and an
equity stake of unknown size, as for a GLEIF consolidation (the list says owned *or*
controlled, not how much is owned). Every other relationship type is evidence.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ringfence.ingest.lists.common import (
    FEATURE_TYPES,
    BadFile,
    Link,
    ListFile,
    Party,
    clean,
    id_hint,
    local,
    parse_date,
    read_bytes,
    xml_root,
)
from ringfence.ingest.lists.ofac_rules import SDN_TYPES, add_listings, parse_remarks

__all__ = ["ENHANCED_LISTS", "read_ofac_xml"]

ENHANCED_LISTS = {
    "SDN List": "SDN",
    "Sectoral Sanctions Identifications List": "SSI",
    "Non-SDN Palestinian Legislative Council List": "PLC",
    "Non-SDN CMIC List": "CMIC",
    "Non-SDN Menu-Based Sanctions List": "NS_MBS",
    "FSE List": "FSE",
    "CAPTA List": "CAPTA",
}
_NON_SDN = {"SSI", "PLC", "CMIC", "NS_MBS", "FSE", "CAPTA"}
_OWNED_BY = "Owned or Controlled By"
_OWNS = "Owns, controls, or operates"
_SCRIPTS = {"Latin": "Latn", "Cyrillic": "Cyrl", "Chinese Simplified": "Hans",
            "Chinese Traditional": "Hant", "Arabic": "Arab", "Korean": "Kore"}


def _kids(elem: Any, name: str) -> list[Any]:
    return [c for c in elem if local(c.tag) == name]


def _kid(elem: Any, name: str) -> Any:
    for c in elem:
        if local(c.tag) == name:
            return c
    return None


def _text(elem: Any, name: str) -> str:
    c = _kid(elem, name)
    return clean(c.text) if c is not None else ""


def _path(elem: Any, *names: str) -> list[Any]:
    out = [elem]
    for n in names:
        out = [k for e in out for k in _kids(e, n)]
    return out


def read_ofac_xml(path: Path, *, dataset: str) -> ListFile:
    data = read_bytes(path, member_hint=".xml")
    root = xml_root(data)
    kind = local(root.tag)
    if kind == "sdnList":
        return _legacy(root, path, dataset)
    if kind == "sanctionsData":
        return _enhanced(root, path, dataset)
    raise BadFile(f"root element <{kind}> is not an OFAC list (sdnList or sanctionsData)",
                  line=root.sourceline)


# -- legacy -------------------------------------------------------------------------------

def _legacy(root: Any, path: Path, dataset: str) -> ListFile:
    info = _kid(root, "publshInformation")
    published = None
    if info is not None and _text(info, "Publish_Date"):
        try:
            published = parse_date(_text(info, "Publish_Date"), dayfirst=False)
        except ValueError as err:
            raise BadFile(str(err), line=info.sourceline, field="Publish_Date") from None
    sdn = "cons" not in path.name.lower()
    # a legacy consolidated file is no complete statement of NS_MBS (see .ofac_rules)
    out = ListFile(path, "ofac-xml", dataset, published,
                   {"SDN"} if sdn else set(_NON_SDN - {"NS_MBS"}))
    unexplained = 0
    for entry in _kids(root, "sdnEntry"):
        out.records += 1
        line = entry.sourceline
        uid = _text(entry, "uid")
        stype = _text(entry, "sdnType").lower()
        last, first = _text(entry, "lastName"), _text(entry, "firstName")
        if not uid.isdigit():
            out.bad(f"uid {uid!r} is not a number", line=line, field="uid")
            continue
        if stype not in SDN_TYPES or not last:
            out.bad(f"unknown sdnType {stype!r}" if last else "no lastName", line=line,
                    field="sdnType" if last else "lastName", record=uid)
            continue
        vtype = SDN_TYPES[stype]
        name = f"{last}, {first}" if first else last
        party = Party(f"ofac:{uid}", vtype, name, dataset, line, uid)
        party.add_name(name, "legal")
        progs = tuple(clean(p.text) for p in _path(entry, "programList", "program") if p.text)
        unexplained += add_listings(party, progs, sdn=sdn)
        for aka in _path(entry, "akaList", "aka"):
            al, af = _text(aka, "lastName"), _text(aka, "firstName")
            weak = _text(aka, "category").lower() == "weak"
            akind = "former" if _text(aka, "type").lower().startswith("f") else "alias"
            party.add_name(f"{al}, {af}" if af else al, "weak_alias" if weak else akind)
        for addr in _path(entry, "addressList", "address"):
            party.add_country(_text(addr, "country"))
        for tag, sub in (("nationalityList", "nationality"), ("citizenshipList", "citizenship")):
            for n in _path(entry, tag, sub):
                party.add_country(_text(n, "country"))
        vessel = _kid(entry, "vesselInfo")
        if vessel is not None:
            party.add_country(_text(vessel, "vesselFlag"))
        for ident in _path(entry, "idList", "id"):
            itype, number = _text(ident, "idType"), _text(ident, "idNumber")
            hint = id_hint(itype)
            if hint == itype and FEATURE_TYPES.match(itype):
                continue
            if hint == "imo":
                number = number.removeprefix("IMO").strip()
            from ringfence.ingest.ids import country_code

            party.add_id(hint, number, country_code(_text(ident, "idCountry")) or "")
        remarks = _text(entry, "remarks")
        if remarks:
            parse_remarks(party, remarks)
        out.parties.append(party)
    if unexplained:
        out.notes.append(f"{path.name}: {unexplained} consolidated entr(y/ies) carry "
                         "programmes no non-SDN list explains; they may also be on SDN, "
                         "which this layout does not say (read SDN data for that)")
    return out


# -- Enhanced -----------------------------------------------------------------------------

def _enhanced(root: Any, path: Path, dataset: str) -> ListFile:
    info = _kid(root, "publicationInfo")
    published = None
    covers: set[str] = set()
    if info is not None:
        try:
            published = parse_date(_text(info, "dataAsOf"))
        except ValueError as err:
            raise BadFile(str(err), line=info.sourceline, field="dataAsOf") from None
        for flt in _path(info, "filters", "sanctionsLists", "sanctionsList"):
            name = clean(flt.text)
            covers |= _NON_SDN if name == "Consolidated List" else (
                {ENHANCED_LISTS[name]} if name in ENHANCED_LISTS else set())
    refs: dict[str, tuple[str, str, str]] = {}  # refId -> (type, value, isoCode/code)
    for rv in _path(root, "referenceValues", "referenceValue"):
        refs[rv.get("refId", "")] = (_text(rv, "type"), _text(rv, "value"),
                                     _text(rv, "isoCode") if _text(rv, "type") == "COUNTRY"
                                     else _text(rv, "code"))
    out = ListFile(path, "ofac-enhanced-xml", dataset, published, covers or {"SDN"})
    ents = _path(root, "entities", "entity")
    known = {e.get("id", "") for e in ents}
    stubs: dict[str, Party] = {}
    for ent in ents:
        out.records += 1
        party = _entity(ent, refs, dataset, out)
        if party is None:
            continue
        out.parties.append(party)
        for rel in _path(ent, "relationships", "relationship"):
            rtype = _text(rel, "type")
            other = _kid(rel, "relatedEntity")
            oid = other.get("entityId", "") if other is not None else ""
            if not oid:
                out.bad("relationship without relatedEntity@entityId", line=rel.sourceline,
                        field="relatedEntity", record=party.record)
                continue
            target = f"ofac:{oid}"
            holding = rtype in (_OWNED_BY, _OWNS)
            party.links.append(Link(f"ofac:{rtype}", target=target, holding=holding,
                                    reverse=rtype == _OWNS,
                                    note=f"OFAC Enhanced XML relationship {rel.get('id', '')}"
                                         f": {party.name} — {rtype} — {clean(other.text)}"))
            if oid not in known and oid not in stubs:
                # a related entry not in this file (often on SDN only): named, not listed
                stub = Party(target, "company", clean(other.text), dataset, rel.sourceline,
                             oid)
                stub.add_name(clean(other.text), "legal")
                stubs[oid] = stub
    out.parties.extend(stubs.values())
    return out


def _entity(ent: Any, refs: dict[str, tuple[str, str, str]], dataset: str,
            out: ListFile) -> Party | None:
    eid = ent.get("id", "")
    line = ent.sourceline
    etype = _text(_kid(ent, "generalInfo"), "entityType").lower() \
        if _kid(ent, "generalInfo") is not None else ""
    if not eid.isdigit() or etype not in SDN_TYPES:
        out.bad(f"entity id {eid!r} / entityType {etype!r} not readable", line=line,
                field="entityType", record=eid)
        return None
    names = _path(ent, "names", "name")
    primary = ""
    collected: list[tuple[str, str, str]] = []
    for nm in names:
        is_primary = _text(nm, "isPrimary") == "true"
        low = _text(nm, "isLowQuality") == "true"
        alias = _text(nm, "aliasType")
        kind = "legal" if is_primary else ("weak_alias" if low else (
            "former" if alias == "F.K.A." else "alias"))
        for tr in _path(nm, "translations", "translation"):
            full = _text(tr, "formattedFullName")
            script_el = _kid(tr, "script")
            script = refs.get(script_el.get("refId", ""), ("", "", ""))[2] \
                if script_el is not None else ""
            script = script or _SCRIPTS.get(clean(script_el.text) if script_el is not None
                                            else "", "")
            tr_primary = _text(tr, "isPrimary") == "true"
            if is_primary and tr_primary and not primary:
                primary = full
            # a translation of the primary name in another script is the legal name too
            collected.append((full, kind if tr_primary or is_primary else "transliteration",
                              script))
    if not primary:
        out.bad("no primary name", line=line, field="names", record=eid)
        return None
    party = Party(f"ofac:{eid}", SDN_TYPES[etype], primary, dataset, line, eid)
    for value, kind, script in collected:
        party.add_name(value, kind, script)
    progs = tuple(clean(p.text) for p in _path(ent, "sanctionsPrograms", "sanctionsProgram"))
    for sl in _path(ent, "sanctionsLists", "sanctionsList"):
        name = ENHANCED_LISTS.get(clean(sl.text))
        if name is None:
            continue
        try:
            since = parse_date(sl.get("datePublished", ""))
        except ValueError as err:
            out.bad(str(err), line=sl.sourceline, field="datePublished", record=eid)
            return None
        party.add_listing(name, since, progs)
    for addr in _path(ent, "addresses", "address"):
        c = _kid(addr, "country")
        if c is not None:
            party.add_country(refs.get(c.get("refId", ""), ("", "", ""))[2] or clean(c.text))
    for feat in _path(ent, "features", "feature"):
        ftype = _text(feat, "type")
        value = _text(feat, "value")
        if ftype == "SWIFT/BIC":
            party.add_id("swift/bic", value)
        elif ftype in ("Nationality Country", "Nationality of Registration",
                       "Citizenship Country", "Vessel Flag"):
            party.add_country(value)
        elif ftype == "Vessel Registration Identification" or ftype == "IMO":
            party.add_id("imo", value.removeprefix("IMO").strip())
    for doc in _path(ent, "identityDocuments", "identityDocument"):
        dtype, number = _text(doc, "type"), _text(doc, "documentNumber")
        if dtype in ("Passport", "National ID No.", "Driver's License No."):
            continue  # a person's papers: not an identifier entities are merged or screened on
        c = _kid(doc, "issuingCountry")
        country = refs.get(c.get("refId", ""), ("", "", ""))[2] if c is not None else ""
        party.add_id(id_hint(dtype), number, country)
    return party
