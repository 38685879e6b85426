"""OFAC conventions shared by its CSV and XML layouts: list of an entry, remarks, types.

The legacy layouts (``sdn.csv``/``cons_prim.csv``, ``SDN.XML``/``consolidated.xml``)
carry no list name per entry. An SDN file is the SDN list. In a consolidated (non-SDN)
file the list follows from the programmes, checked against the Enhanced XML of the same
list, which does name each entry's lists: UKRAINE-EO13662 → SSI, NS-PLC → PLC,
CMIC-EO13959 → CMIC, FSE-* → FSE, 561-Related → CAPTA, and the programmes of the
menu-based sanctions (RUSSIA-EO14024, CAATSA - RUSSIA, BURMA-EO14014,
ILLICIT-DRUGS-EO14059) → NS_MBS when no other list explains the entry. A consolidated
entry can also be on SDN (72 of 443 in the January 2025 file); the legacy layout cannot
say which, so no SDN membership is made up from it: read SDN.XML or the Enhanced file for
that (a note counts the entries concerned).
"""

from __future__ import annotations

import re

from ringfence.ingest.lists.common import Link, Party, clean, id_hint

__all__ = ["SDN_TYPES", "add_listings", "cons_lists", "parse_remarks"]

SDN_TYPES = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft",
             "entity": "company", "": "company"}

_MBS = {"RUSSIA-EO14024", "CAATSA - RUSSIA", "BURMA-EO14014", "ILLICIT-DRUGS-EO14059"}


def cons_lists(programmes: tuple[str, ...]) -> tuple[list[str], bool]:
    """Lists of an entry of a legacy consolidated file, and whether some programme is
    left unexplained (the entry may also be on SDN)."""
    out: list[str] = []
    other = False
    for p in programmes:
        if p == "UKRAINE-EO13662":
            out.append("SSI")
        elif p == "NS-PLC":
            out.append("PLC")
        elif p.startswith("CMIC"):
            out.append("CMIC")
        elif p.startswith("FSE"):
            out.append("FSE")
        elif p == "561-Related":
            out.append("CAPTA")
        elif p not in _MBS:
            other = True
    if not out and any(p in _MBS for p in programmes):
        out.append("NS_MBS")
    elif any(p in _MBS for p in programmes):
        other = True
    return list(dict.fromkeys(out)), other


_ID = re.compile(
    r"^(Registration ID|Registration Number|Tax ID No\.|SWIFT/BIC|Unified Social Credit Code "
    r"\(USCC\)|Legal Entity Number|Vessel Registration Identification|Company Number|"
    r"Business Registration Number|Public Registration Number|Government Gazette Number|"
    r"Commercial Registry Number|C\.R\. No\.|National ID No\.|Passport|Identification Number)"
    r"\s+(.+?)(?:\s+\(([^()]*)\))?\.?$")
_AKA = re.compile(r"^([anf])\.k\.a\.?,?\s*'(.+)'\.?$")
_LINK = re.compile(r"^\(?Linked To:\s*(.+?)\.?\)?$")
_NATION = re.compile(r"^(?:nationality|citizen|Nationality of Registration)\s+(.+?)\.?$",
                     re.I)
_OWNED = re.compile(r"(?i)\bowned (?:or controlled )?by\b\s*(.+)")


def add_listings(party: Party, programmes: tuple[str, ...], *, sdn: bool) -> bool:
    """List ``party`` on SDN (an SDN file) or on the lists its programmes name (a legacy
    consolidated file); returns whether some programme was left unexplained."""
    if sdn:
        party.add_listing("SDN", None, programmes)
        return False
    lists, other = cons_lists(programmes)
    for lst in lists:
        party.add_listing(lst, None, programmes)
    return other


def parse_remarks(party: Party, remarks: str, *, relation_prefix: str = "ofac") -> None:
    """Identifiers, weak aliases, nationalities and ties out of OFAC free-text remarks
    (``; ``-separated), into ``party``; the rest stays in ``party.remarks``."""
    party.remarks = remarks
    for raw in re.split(r";\s+", remarks):
        part = raw.strip().rstrip(".").strip()
        if not part:
            continue
        m = _AKA.match(part)
        if m:
            party.add_name(m[2], "former" if m[1] == "f" else "weak_alias")
            continue
        m = _LINK.match(part)
        if m:
            party.links.append(Link(f"{relation_prefix}:linked-to", target_name=clean(m[1]),
                                    note=f"Linked To: {clean(m[1])}"))
            continue
        m = _ID.match(part)
        if m:
            value = m[2]
            if m[1] == "Vessel Registration Identification":
                value = value.removeprefix("IMO").strip()
            country = ""
            if m[3]:
                from ringfence.ingest.ids import country_code

                country = country_code(m[3]) or ""
            party.add_id(id_hint(m[1]), value, country)
            continue
        m = _NATION.match(part)
        if m:
            party.add_country(m[1])
            continue
        m = _OWNED.search(part)
        if m and not part.lower().startswith(("transactions prohibited", "secondary")):
            party.links.append(Link(f"{relation_prefix}:owned-or-controlled-by (text)",
                                    target_name=clean(m[1]), note=part[:300]))
