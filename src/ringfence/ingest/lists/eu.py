"""The EU consolidated list of financial sanctions, XML (Financial Sanctions Files 1.1:
root ``export``, namespace ``http://eu.europa.ec/fpi/fsd/export``).

Written from the published structure (no EU file could be shipped; tests use small
made-up files of that structure). Each ``sanctionEntity`` is one party on
``EU_CONSOLIDATED``: ``subjectType@code`` person or enterprise, ``nameAlias@wholeName``
(``strong="false"`` is a weak alias; ``nameLanguage`` kept as the language),
``regulation@programme`` as programme, ``@designationDate`` as listing date (else the
earliest regulation ``publicationDate``), ``citizenship``/``address@countryIso2Code``
(``00`` is unknown), ``identification`` (``regnumber``, ``swiftbic``, ``imo`` …
validated where the scheme is known). Associations are free text in ``remark``:
evidence. ``export@generationDate`` is the file's date.
"""

from __future__ import annotations

import re
from pathlib import Path

from ringfence.ingest.lists.common import (
    Link,
    ListFile,
    Party,
    children,
    clean,
    dated_xml_root,
    parse_date,
)

__all__ = ["read_eu"]

_TYPES = {"person": "person", "enterprise": "company", "p": "person", "e": "company"}
_ID_HINTS = {"regnumber": "", "swiftbic": "swift/bic", "bic": "swift/bic", "imo": "imo",
             "lei": "lei", "tax": ""}
_ASSOC = re.compile(r"(?i)(?:owned or controlled by|associated entities:?|subsidiary of)\s+"
                    r"([^;.]+)")


def read_eu(path: Path, *, dataset: str) -> ListFile:
    root, published = dated_xml_root(path, root_tag="export", date_attr="generationDate",
                                     what="EU FSF XML")
    out = ListFile(path, "eu-fsf-xml", dataset, published, {"EU_CONSOLIDATED"})
    for ent in children(root, "sanctionEntity"):
        out.records += 1
        line = ent.sourceline
        lid = ent.get("logicalId", "")
        st = children(ent, "subjectType")
        code = (st[0].get("code") or st[0].get("classificationCode") or "").lower() if st \
            else ""
        etype = _TYPES.get(code)
        if not lid or etype is None:
            out.bad(f"logicalId {lid!r} / subjectType {code!r} not readable", line=line,
                    field="subjectType" if lid else "logicalId", record=lid)
            continue
        party = Party(f"eu:{lid}", etype, "", dataset, line, lid)
        for na in children(ent, "nameAlias"):
            whole = clean(na.get("wholeName")) or " ".join(
                x for x in (clean(na.get("firstName")), clean(na.get("middleName")),
                            clean(na.get("lastName"))) if x)
            strong = na.get("strong", "true").lower() != "false"
            if not whole:
                continue
            kind = "legal" if not party.name and strong else ("alias" if strong
                                                              else "weak_alias")
            if kind == "legal":
                party.name = whole
            party.add_name(whole, kind)
        if not party.name and party.names:
            party.name = party.names[0][0]
        if not party.name:
            out.bad("no nameAlias with a name", line=line, field="nameAlias", record=lid)
            continue
        progs: list[str] = []
        dates = []
        for reg in children(ent, "regulation"):
            if reg.get("programme"):
                progs.append(clean(reg.get("programme")))
            if reg.get("publicationDate"):
                dates.append(reg.get("publicationDate"))
        try:
            since = parse_date(ent.get("designationDate", "")) or (
                min(d for d in (parse_date(x) for x in dates) if d) if dates else None)
        except ValueError as err:
            out.bad(str(err), line=line, field="designationDate", record=lid)
            continue
        party.add_listing("EU_CONSOLIDATED", since, tuple(dict.fromkeys(progs)))
        for tag in ("address", "citizenship"):
            for el in children(ent, tag):
                iso = (el.get("countryIso2Code") or "").upper()
                if iso and iso != "00":
                    party.add_country(iso)
        for idn in children(ent, "identification"):
            tcode = (idn.get("identificationTypeCode") or "").lower()
            if tcode in ("passport", "id", "ssn", "fiscalcode"):
                continue  # a person's papers
            hint = _ID_HINTS.get(tcode, tcode or "other")
            iso = (idn.get("countryIso2Code") or "").upper()
            party.add_id(hint or (idn.get("identificationTypeDescription") or "other"),
                         clean(idn.get("number")), "" if iso == "00" else iso)
        remark = " ".join(clean(r.text) for r in children(ent, "remark") if r.text)
        party.remarks = remark
        for m in _ASSOC.finditer(remark):
            party.links.append(Link("eu:association (text)", target_name=clean(m[1]),
                                    note=clean(m[0])[:300]))
        out.parties.append(party)
    return out
