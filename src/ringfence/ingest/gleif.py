"""GLEIF: LEI-CDF 3.1 (Level 1), RR-CDF 2.1 (Level 2 relationships) and Reporting
Exceptions 2.1, as golden-copy XML, golden-copy CSV or API v1 JSON.

XML is streamed with ``lxml.etree.iterparse`` and each record cleared once read, so
memory does not grow with the file. The format of each file is sniffed from its content.

What each fact becomes (see docs/ingest.md for the reasons):

- LEI record → entity ``lei:<LEI>``; HQ country from ``HeadquartersAddress/Country``;
  jurisdiction from ``LegalJurisdiction`` (else the legal address); every name in every
  script (legal, other, transliterated); identifiers: the LEI, the register number
  (``RegistrationAuthorityEntityID``, recognised as USCC/OGRN/INN/UK company number when
  it validates), BICs from the API.
- ``IS_DIRECTLY_CONSOLIDATED_BY`` → parent holds ``control`` of a majority (more than
  50%, up to 100%) and ``shares`` of unknown size (0–100%): accounting consolidation
  says control, not how much equity.
- ``IS_ULTIMATELY_CONSOLIDATED_BY`` → evidence only (it restates a chain of direct
  edges); fund links (``IS_FUND-MANAGED_BY``, ``IS_SUBFUND_OF``, ``IS_FEEDER_TO``) →
  evidence only (not ownership).
- ``IS_INTERNATIONAL_BRANCH_OF`` → the head office holds 100% of the branch's shares
  (same legal person: whoever owns the head office owns the branch).
- Reporting exception for the direct parent → an undisclosed owner (see
  :func:`exception_holdings`); for the ultimate parent → evidence only.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from ringfence.ingest.ids import classify_identifier, guess_script, is_lei, lei_key
from ringfence.ingest.inputs import expand_paths, iter_json, open_binary, peek
from ringfence.ingest.stage import (
    ANY_SHARE,
    MAJORITY,
    NOT_MAJORITY,
    WHOLE,
    FileStats,
    ProgressHook,
    Stage,
)
from ringfence.model import HoldingKind, Share
from ringfence.model.countries import normalise_country

__all__ = [
    "EXCEPTION_REASONS",
    "RELATIONSHIP_TYPES",
    "exception_holdings",
    "read_gleif",
    "relationship_holdings",
]

NS_LEI = "http://www.gleif.org/data/schema/leidata/2016"
NS_RR = "http://www.gleif.org/data/schema/rr/2016"
NS_REPEX = "http://www.gleif.org/data/schema/repex/2016"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

ENTITY_CATEGORIES = {"GENERAL", "BRANCH", "FUND", "SOLE_PROPRIETOR",
                     "RESIDENT_GOVERNMENT_ENTITY", "INTERNATIONAL_ORGANIZATION"}
RELATIONSHIP_TYPES = {"IS_DIRECTLY_CONSOLIDATED_BY", "IS_ULTIMATELY_CONSOLIDATED_BY",
                      "IS_INTERNATIONAL_BRANCH_OF", "IS_FUND-MANAGED_BY", "IS_SUBFUND_OF",
                      "IS_FEEDER_TO"}
RELATIONSHIP_STATUSES = {"ACTIVE", "INACTIVE", "NULL", ""}
EXCEPTION_CATEGORIES = {"DIRECT_ACCOUNTING_CONSOLIDATION_PARENT",
                        "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT"}
_NON_PUBLIC = {"NON_PUBLIC", "BINDING_LEGAL_COMMITMENTS", "LEGAL_OBSTACLES",
               "DISCLOSURE_DETRIMENTAL", "DISCOLSURE_DETRIMENTAL", "DETRIMENT_NOT_EXCLUDED",
               "CONSENT_NOT_OBTAINED"}
EXCEPTION_REASONS = _NON_PUBLIC | {"NATURAL_PERSONS", "NON_CONSOLIDATING", "NO_KNOWN_PERSON",
                                   "NO_LEI"}
_NAME_KINDS = {
    "ALTERNATIVE_LANGUAGE_LEGAL_NAME": "alias",
    "PREVIOUS_LEGAL_NAME": "former",
    "TRADING_OR_OPERATING_NAME": "trade",
    "PREFERRED_ASCII_TRANSLITERATED_LEGAL_NAME": "transliteration",
    "AUTO_ASCII_TRANSLITERATED_LEGAL_NAME": "transliteration",
}


class Bad(ValueError):
    """A record that cannot be read; ``field`` names the offending field."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


# -- semantics shared with the BODS reader ------------------------------------------------

def exception_holdings(reason: str) -> tuple[str, list[tuple[HoldingKind, Share]]]:
    """What a direct-parent reporting exception says about the owner.

    Returns the owner mode (``unknown`` or ``persons``) and the holdings that owner has:

    - ``NON_PUBLIC`` (and the older detailed non-public reasons), ``NO_LEI``: a
      consolidating parent exists but is not disclosed → an undisclosed owner with
      ``control`` of a majority and ``shares`` of unknown size (like a named parent).
    - ``NATURAL_PERSONS``: controlled by natural persons with no consolidating entity
      between → an unnamed *person* owner (residence unknown) with ``control`` of a
      majority and ``shares`` of unknown size: company-HQ rules do not count persons,
      person rules see a person whose residence is unknown.
    - ``NON_CONSOLIDATING``: the owners are not obliged to consolidate it → no
      accounting control is known, ownership is → an undisclosed owner with ``shares``
      of unknown size and no ``control``.
    - ``NO_KNOWN_PERSON``: the entity asserts that no person (natural or legal)
      controls it: it is widely held → an undisclosed owner with ``shares`` in
      [0, 50%] (closed) and no ``control``. Whoever the unnamed holders are, none of
      them holds a majority (a majority holder would be a controller), so a ``> 50%``
      test clears it and an inclusive ``>= 50%`` test still sees that exactly half is
      possible.
    """
    if reason in _NON_PUBLIC or reason == "NO_LEI":
        return "unknown", [(HoldingKind.CONTROL, MAJORITY), (HoldingKind.SHARES, ANY_SHARE)]
    if reason == "NATURAL_PERSONS":
        return "persons", [(HoldingKind.CONTROL, MAJORITY), (HoldingKind.SHARES, ANY_SHARE)]
    if reason == "NON_CONSOLIDATING":
        return "unknown", [(HoldingKind.SHARES, ANY_SHARE)]
    if reason == "NO_KNOWN_PERSON":
        return "unknown", [(HoldingKind.SHARES, NOT_MAJORITY)]
    raise Bad("ExceptionReason", f"unknown reporting-exception reason {reason!r}")


def relationship_holdings(rtype: str) -> tuple[str, list[tuple[HoldingKind, Share]]]:
    """``(evidence_label, holdings)`` for a relationship type; a non-empty label means
    the edge is evidence only."""
    if rtype == "IS_DIRECTLY_CONSOLIDATED_BY":
        return "", [(HoldingKind.CONTROL, MAJORITY), (HoldingKind.SHARES, ANY_SHARE)]
    if rtype == "IS_INTERNATIONAL_BRANCH_OF":
        return "", [(HoldingKind.SHARES, WHOLE)]
    if rtype == "IS_ULTIMATELY_CONSOLIDATED_BY":
        return f"gleif:{rtype}", [(HoldingKind.CONTROL, MAJORITY)]
    if rtype in RELATIONSHIP_TYPES:
        return f"gleif:{rtype}", [(HoldingKind.CONTROL, ANY_SHARE)]
    raise Bad("RelationshipType", f"unknown relationship type {rtype!r}")


# -- records --------------------------------------------------------------------------------

@dataclass
class LeiRecord:
    lei: str
    legal_name: str = ""
    legal_lang: str = ""
    names: list[tuple[str, str, str]] = field(default_factory=list)  # (name, lang, type)
    hq_country: str = ""
    legal_country: str = ""
    jurisdiction: str = ""
    category: str = ""
    sub_category: str = ""
    ra_id: str = ""
    ra_entity_id: str = ""
    last_update: str = ""
    status: str = ""
    bics: list[str] = field(default_factory=list)


@dataclass
class RelRecord:
    child: str
    child_type: str
    parent: str
    parent_type: str
    rtype: str
    status: str = ""
    reg_status: str = ""
    start: str = ""
    end: str = ""
    last_update: str = ""
    quantifiers: list[str] = field(default_factory=list)


@dataclass
class ExcRecord:
    lei: str
    category: str
    reasons: list[str]
    reference: str = ""


def _date(value: str | None) -> str:
    """ISO date part of a GLEIF date or date-time; ``""`` when absent."""
    if not value:
        return ""
    v = value.strip()[:10]
    if len(v) != 10 or v[4] != "-" or v[7] != "-" or not (v[:4] + v[5:7] + v[8:]).isdigit():
        raise Bad("date", f"not an ISO date: {value!r}")
    return v


def _country(value: str, fld: str) -> str:
    try:
        return normalise_country(value or "")
    except ValueError as err:
        raise Bad(fld, str(err)) from None


def _exception_reason(lei: str, category: str, reasons: list[str]) -> str:
    """The checks every reporting exception passes, in order; its (first) reason."""
    if not is_lei(lei):
        raise Bad("LEI", f"not a valid LEI: {lei!r}")
    if category not in EXCEPTION_CATEGORIES:
        raise Bad("ExceptionCategory", f"unknown exception category {category!r}")
    if not reasons:
        raise Bad("ExceptionReason", "missing exception reason")
    for reason in reasons:
        if reason not in EXCEPTION_REASONS:
            raise Bad("ExceptionReason", f"unknown reporting-exception reason {reason!r}")
    return reasons[0]


class _Emitter:
    def __init__(self, stage: Stage, dataset: str) -> None:
        self.stage = stage
        self.dataset = dataset

    def lei(self, r: LeiRecord, line: int | None) -> None:
        if not is_lei(r.lei):
            raise Bad("LEI", f"not a valid LEI (format or check digits): {r.lei!r}")
        if r.category and r.category not in ENTITY_CATEGORIES:
            raise Bad("EntityCategory", f"unknown entity category {r.category!r}")
        if not r.legal_name:
            raise Bad("LegalName", "missing legal name")
        hq = _country(r.hq_country, "HeadquartersAddress/Country")
        if not hq:
            raise Bad("HeadquartersAddress/Country", "missing headquarters country")
        legal = _country(r.legal_country, "LegalAddress/Country")
        juris = _country(r.jurisdiction, "LegalJurisdiction") or legal
        st = self.stage
        seq = st.next_seq()
        key = lei_key(r.lei)
        etype = "state" if r.category == "RESIDENT_GOVERNMENT_ENTITY" else "company"
        st.entity(rec=key, key=key, seq=seq, etype=etype, name=r.legal_name, hq=hq,
                  hq_rank=3, juris=juris, vdate=_date(r.last_update), dataset=self.dataset,
                  line=line, record=r.lei)
        st.name(seq, r.legal_name, lang=r.legal_lang, script=guess_script(r.legal_name),
                kind="legal")
        for name, lang, ntype in r.names:
            st.name(seq, name, lang=lang, script=guess_script(name),
                    kind=_NAME_KINDS.get(ntype, "other"))
        st.ident(seq, "lei", r.lei)
        if r.ra_entity_id:
            scheme, value = classify_identifier(r.ra_id, r.ra_entity_id, juris)
            st.ident(seq, scheme, value)
        for bic in r.bics:
            st.ident(seq, "bic", bic)

    def _node(self, node: str, ntype: str, fld: str) -> str:
        if ntype not in ("LEI", "ISO_17442_COMPATIBLE", ""):
            raise Bad(f"{fld}/NodeIDType", f"unknown node id type {ntype!r}")
        if not is_lei(node):
            raise Bad(f"{fld}/NodeID", f"not a valid LEI: {node!r}")
        return lei_key(node)

    def relationship(self, r: RelRecord, line: int | None) -> None:
        child = self._node(r.child, r.child_type, "StartNode")
        parent = self._node(r.parent, r.parent_type, "EndNode")
        if child == parent:
            raise Bad("EndNode/NodeID", "a relationship from an entity to itself")
        if r.status not in RELATIONSHIP_STATUSES:
            raise Bad("RelationshipStatus", f"unknown relationship status {r.status!r}")
        label, holdings = relationship_holdings(r.rtype)
        start, end = _date(r.start), _date(r.end)
        ended = r.status == "INACTIVE" or r.reg_status == "RETIRED"
        if ended and not end:
            end = _date(r.last_update)
        if r.reg_status in ("ANNULLED", "DUPLICATE"):
            label = label or f"gleif:{r.reg_status.lower()}:{r.rtype}"
        if start and end and end <= start:
            label = label or f"gleif:ended-before-start:{r.rtype}"
        record = f"{r.child}|{r.rtype}|{r.parent}"
        note = f"GLEIF {r.rtype}"
        if r.quantifiers:
            note += " (quantifier " + ", ".join(r.quantifiers) + ", not used)"
        seq = self.stage.next_seq()
        for kind, share in holdings:
            self.stage.holding(
                hrec=f"rr:{record}", seq=seq, owner=parent, owned=child, kind=kind,
                share=share, owner_mode="lei", owned_mode="lei", vdate=_date(r.last_update),
                vfrom=start, vto=end, dataset=self.dataset, line=line, record=record,
                note=note, evidence=label,
                xgroup="rr-direct" if r.rtype == "IS_DIRECTLY_CONSOLIDATED_BY" else "")

    def exception(self, r: ExcRecord, line: int | None) -> None:
        reason = _exception_reason(r.lei, r.category, [x for x in r.reasons if x])
        child = lei_key(r.lei)
        direct = r.category.startswith("DIRECT")
        mode, holdings = exception_holdings(reason)
        label = "direct-parent" if direct else "ultimate-parent"
        record = f"{r.lei}|{r.category}|{reason}"
        note = f"GLEIF reporting exception {r.category} {reason}"
        if r.reference:
            note += f" ({r.reference})"
        seq = self.stage.next_seq()
        for kind, share in holdings:
            self.stage.holding(
                hrec=f"repex:{r.lei}:{label}", seq=seq, owner=label, owned=child, kind=kind,
                share=share, owner_mode=mode, owned_mode="lei", dataset=self.dataset,
                line=line, record=record, note=note,
                evidence="" if direct else f"gleif:ultimate-parent-exception:{reason}",
                xgroup="repex-direct" if direct else "")


# -- XML ------------------------------------------------------------------------------------

def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


_L = f"{{{NS_LEI}}}"
_LEI_TAGS = {f"{_L}{t}": t for t in (
    "LEI", "LegalName", "OtherEntityName", "TransliteratedOtherEntityName", "Country",
    "LegalJurisdiction", "EntityCategory", "EntitySubCategory", "RegistrationAuthorityID",
    "RegistrationAuthorityEntityID", "EntityStatus", "LastUpdateDate")}
_LEI_ITER = tuple(_LEI_TAGS)
_HQ = f"{_L}HeadquartersAddress"
_LEGAL_ADDR = f"{_L}LegalAddress"


def _parse_lei_xml(elem: Any) -> LeiRecord:
    """The fields of one LEI record (lxml filters the elements: only the ~12 that are
    read reach Python)."""
    r = LeiRecord(lei="")
    tags = _LEI_TAGS
    for c in elem.iter(*_LEI_ITER):
        t = tags[c.tag]
        text = (c.text or "").strip()
        if t == "Country":
            ptag = c.getparent().tag
            if ptag == _HQ:
                r.hq_country = text
            elif ptag == _LEGAL_ADDR:
                r.legal_country = text
        elif t == "LEI":
            r.lei = text
        elif t == "LegalName":
            r.legal_name = text
            r.legal_lang = c.get(XML_LANG, "")
        elif t in ("OtherEntityName", "TransliteratedOtherEntityName"):
            if text:
                r.names.append((text, c.get(XML_LANG, ""), c.get("type", "")))
        elif t == "LegalJurisdiction":
            r.jurisdiction = text
        elif t == "EntityCategory":
            r.category = text
        elif t == "EntitySubCategory":
            r.sub_category = text
        elif t == "RegistrationAuthorityID":
            r.ra_id = text
        elif t == "RegistrationAuthorityEntityID":
            r.ra_entity_id = text
        elif t == "EntityStatus":
            r.status = text
        elif t == "LastUpdateDate":
            r.last_update = text
    return r


_R = f"{{{NS_RR}}}"
_RR_TAGS = {f"{_R}{t}": t for t in (
    "NodeID", "NodeIDType", "RelationshipType", "RelationshipStatus", "StartDate",
    "EndDate", "PeriodType", "QuantifierAmount", "QuantifierUnits", "RegistrationStatus",
    "LastUpdateDate")}
_RR_ITER = tuple(_RR_TAGS)
_START, _END = f"{_R}StartNode", f"{_R}EndNode"


def _parse_rr_xml(elem: Any) -> RelRecord:
    r = RelRecord(child="", child_type="", parent="", parent_type="", rtype="")
    tags = _RR_TAGS
    period: dict[str, str] = {}
    for c in elem.iter(*_RR_ITER):
        t = tags[c.tag]
        text = (c.text or "").strip()
        if t in ("NodeID", "NodeIDType"):
            ptag = c.getparent().tag
            if ptag == _START:
                if t == "NodeID":
                    r.child = text
                else:
                    r.child_type = text
            elif ptag == _END:
                if t == "NodeID":
                    r.parent = text
                else:
                    r.parent_type = text
        elif t in ("StartDate", "EndDate"):
            period[t] = text
        elif t == "PeriodType":  # the last child of a period: decide on it now
            if text == "RELATIONSHIP_PERIOD":
                r.start, r.end = period.get("StartDate", ""), period.get("EndDate", "")
            period = {}
        elif t == "RelationshipType":
            r.rtype = text
        elif t == "RelationshipStatus":
            r.status = text
        elif t == "QuantifierAmount":
            r.quantifiers.append(text)
        elif t == "QuantifierUnits" and r.quantifiers:
            r.quantifiers[-1] += f" {text}"
        elif t == "RegistrationStatus":
            r.reg_status = text
        elif t == "LastUpdateDate":
            r.last_update = text
    return r


_X = f"{{{NS_REPEX}}}"
_REPEX_TAGS = {f"{_X}{t}": t for t in ("LEI", "ExceptionCategory", "ExceptionReason",
                                        "ExceptionReference")}


def _parse_repex_xml(elem: Any) -> ExcRecord:
    r = ExcRecord(lei="", category="", reasons=[])
    refs = []
    tags = _REPEX_TAGS
    for c in elem:
        t = tags.get(c.tag)
        if t is None:
            continue
        text = (c.text or "").strip()
        if t == "LEI":
            r.lei = text
        elif t == "ExceptionCategory":
            r.category = text
        elif t == "ExceptionReason":
            r.reasons.append(text)
        else:
            refs.append(text)
    r.reference = "; ".join(refs)
    return r


# -- the hot paths: one record straight to staging rows ---------------------------------
#
# Same checks, same rows and the same order of checks as _Emitter.lei / .exception (the
# path every other format takes), without a record object, keyword calls or a method
# call per row. Every check runs before the first row is appended, so a bad record
# leaves nothing staged.

_NAME_KIND_OF = {**_NAME_KINDS}
_COUNTRY_CACHE: dict[str, str] = {}
_DATE_CACHE: dict[str, str] = {}


def _country_fast(value: str, fld: str) -> str:
    got = _COUNTRY_CACHE.get(value)
    if got is None:
        got = _country(value, fld)  # raises Bad for an unknown code
        if len(_COUNTRY_CACHE) < 10_000:
            _COUNTRY_CACHE[value] = got
    return got


def _date_fast(value: str) -> str:
    got = _DATE_CACHE.get(value)
    if got is None:
        got = _date(value)
        if len(_DATE_CACHE) > 100_000:
            _DATE_CACHE.clear()
        _DATE_CACHE[value] = got
    return got


def _lei_rows(elem: Any, line: int | None, em: _Emitter) -> None:
    lei = legal_name = legal_lang = hq_c = legal_c = juris_c = category = ""
    ra_id = ra_eid = last_update = ""
    names: list[tuple[str, str, str]] = []
    tags = _LEI_TAGS
    for c in elem.iter(*_LEI_ITER):
        t = tags[c.tag]
        text = c.text
        text = text.strip() if text else ""
        if t == "Country":
            ptag = c.getparent().tag
            if ptag == _HQ:
                hq_c = text
            elif ptag == _LEGAL_ADDR:
                legal_c = text
        elif t == "LEI":
            lei = text
        elif t == "LegalName":
            legal_name = text
            legal_lang = c.get(XML_LANG, "")
        elif t == "OtherEntityName" or t == "TransliteratedOtherEntityName":
            if text:
                names.append((text, c.get(XML_LANG, ""), c.get("type", "")))
        elif t == "LegalJurisdiction":
            juris_c = text
        elif t == "EntityCategory":
            category = text
        elif t == "RegistrationAuthorityID":
            ra_id = text
        elif t == "RegistrationAuthorityEntityID":
            ra_eid = text
        elif t == "LastUpdateDate":
            last_update = text
    if not is_lei(lei):
        raise Bad("LEI", f"not a valid LEI (format or check digits): {lei!r}")
    if category and category not in ENTITY_CATEGORIES:
        raise Bad("EntityCategory", f"unknown entity category {category!r}")
    if not legal_name:
        raise Bad("LegalName", "missing legal name")
    hq = _country_fast(hq_c, "HeadquartersAddress/Country")
    if not hq:
        raise Bad("HeadquartersAddress/Country", "missing headquarters country")
    legal = _country_fast(legal_c, "LegalAddress/Country")
    juris = _country_fast(juris_c, "LegalJurisdiction") or legal
    vdate = _date_fast(last_update)
    st = em.stage
    src = st.src
    st.seq += 1
    seq = st.seq
    key = "lei:" + lei
    etype = "state" if category == "RESIDENT_GOVERNMENT_ENTITY" else "company"
    st.rows("ent").append((src, key, key, seq, vdate, False, etype, legal_name, hq, 3, juris,
                           "", em.dataset, line, lei))
    nm = st.rows("nm")
    nm.append((src, seq, legal_name, legal_lang, guess_script(legal_name), "legal"))
    for name, lang, ntype in names:
        nm.append((src, seq, name, lang, guess_script(name), _NAME_KIND_OF.get(ntype, "other")))
    idn = st.rows("idn")
    idn.append((src, seq, "lei", lei))
    if ra_eid:
        scheme, value = classify_identifier(ra_id, ra_eid, juris)
        if scheme and value:
            idn.append((src, seq, scheme, value))


def _exception_rows_of(reason: str) -> tuple[str, list[tuple[str, int, int, bool, bool]]]:
    mode, holdings = exception_holdings(reason)
    return mode, [(str(k), s.lo, s.hi, s.lo_open, s.hi_open) for k, s in holdings]


_EXC_ROWS = {r: _exception_rows_of(r) for r in EXCEPTION_REASONS}


def _repex_rows(elem: Any, line: int | None, em: _Emitter) -> None:
    lei = category = ""
    reasons: list[str] = []
    refs: list[str] = []
    tags = _REPEX_TAGS
    for c in elem:
        t = tags.get(c.tag)
        if t is None:
            continue
        text = c.text
        text = text.strip() if text else ""
        if t == "LEI":
            lei = text
        elif t == "ExceptionCategory":
            category = text
        elif t == "ExceptionReason":
            if text:
                reasons.append(text)
        else:
            refs.append(text)
    reason = _exception_reason(lei, category, reasons)
    child = "lei:" + lei
    direct = category.startswith("DIRECT")
    mode, holdings = _EXC_ROWS[reason]
    label = "direct-parent" if direct else "ultimate-parent"
    record = f"{lei}|{category}|{reason}"
    note = f"GLEIF reporting exception {category} {reason}"
    reference = "; ".join(refs)
    if reference:
        note += f" ({reference})"
    evidence = "" if direct else f"gleif:ultimate-parent-exception:{reason}"
    xgroup = "repex-direct" if direct else ""
    st = em.stage
    src, dataset = st.src, em.dataset
    st.seq += 1
    seq = st.seq
    hold = st.rows("hold")
    hrec = f"repex:{lei}:{label}"
    for kind, lo, hi, lo_open, hi_open in holdings:
        hold.append((src, hrec, seq, "", label, mode, child, "lei", kind, lo, hi, lo_open,
                     hi_open, "", "", dataset, line, record, note, evidence, xgroup))


def _rr_rows(elem: Any, line: int | None, em: _Emitter) -> None:
    em.relationship(_parse_rr_xml(elem), line)


_XML_KINDS = {
    "LEIData": (_q(NS_LEI, "LEIRecord"), _lei_rows, "lei"),
    "RelationshipData": (_q(NS_RR, "RelationshipRecord"), _rr_rows, "rr"),
    "ReportingExceptionData": (_q(NS_REPEX, "Exception"), _repex_rows, "repex"),
}


def _xml_root(head: bytes) -> str:
    text = head.decode("utf-8", "replace")
    for name in _XML_KINDS:
        if f":{name}" in text or f"<{name}" in text:
            return name
    return ""


def _read_xml(path: Path, kind: str, em: _Emitter, stats: FileStats,
              progress: ProgressHook | None) -> None:
    with open_binary(path) as (fh, counter, _size):
        parse_xml_stream(fh, kind, em, stats,
                         None if progress is None else
                         (lambda records: progress(em.dataset, counter.count, records)))


def parse_xml_stream(fh: Any, kind: str, em: _Emitter, stats: FileStats,
                     progress: Callable[[int], None] | None = None, *,
                     ignore_error: Callable[[int | None], bool] | None = None) -> None:
    """Stream the records of one GLEIF XML document (``kind`` its root element name)
    from ``fh`` into ``em``'s stage. ``progress(records)`` is called every 2,000
    records. A syntax error on a line for which ``ignore_error(line)`` is true is not
    reported (a part of a split file reads the file's closing tags too; only the last
    part reports on them)."""
    tag, handle, _what = _XML_KINDS[kind]
    stage = em.stage
    context = etree.iterparse(fh, events=("end",), tag=tag, huge_tree=True,
                              remove_blank_text=True, resolve_entities=False,
                              no_network=True)
    records = stats.records
    try:
        for _event, elem in context:
            line = elem.sourceline
            records += 1
            try:
                handle(elem, line, em)
            except Bad as bad:
                stats.rejected += 1
                stage.problem(em.dataset, bad.reason, line=line, field=bad.field,
                              record=_record_id(elem),
                              raw=etree.tostring(elem, encoding="unicode")[:2000])
            elem.clear()
            parent = elem.getparent()
            if parent is not None:
                while elem.getprevious() is not None:
                    del parent[0]
            if records % 1000 == 0:
                stage.flush_full()
                if progress is not None and records % 2000 == 0:
                    progress(records)
    except etree.XMLSyntaxError as err:
        line = err.lineno if hasattr(err, "lineno") else None
        if ignore_error is None or not ignore_error(line):
            stage.problem(em.dataset, f"malformed XML: {err.msg}", line=line)
            stats.rejected += 1
    finally:
        stats.records = records
    if progress is not None:
        progress(records)


def _record_id(elem: Any) -> str | None:
    for child in elem.iter():
        if isinstance(child.tag, str) and child.tag.endswith(("}LEI", "}NodeID")):
            return (child.text or "").strip() or None
    return None


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


def _read_api_json(path: Path, em: _Emitter, stats: FileStats) -> None:
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


# -- golden-copy CSV ------------------------------------------------------------------------

def _norm(h: str) -> str:
    return h.strip().lower().replace(":", "").replace("_", "").replace(" ", "")


class _Cols:
    def __init__(self, header: list[str]) -> None:
        self.index = {_norm(h): i for i, h in enumerate(header)}

    def get(self, row: list[str], *names: str) -> str:
        for name in names:
            i = self.index.get(_norm(name))
            if i is not None and i < len(row):
                return row[i].strip()
        return ""

    def has(self, name: str) -> bool:
        return _norm(name) in self.index

    def numbered(self, prefix: str, suffix: str, n: int = 5) -> list[tuple[int, str]]:
        out = []
        for k in range(1, n + 1):
            i = self.index.get(_norm(f"{prefix}.{k}{suffix}"))
            if i is not None:
                out.append((k, f"{prefix}.{k}{suffix}"))
        return out


def _csv_lei(c: _Cols, row: list[str]) -> LeiRecord:
    r = LeiRecord(
        lei=c.get(row, "LEI"),
        legal_name=c.get(row, "Entity.LegalName"),
        legal_lang=c.get(row, "Entity.LegalName.xmllang"),
        hq_country=c.get(row, "Entity.HeadquartersAddress.Country"),
        legal_country=c.get(row, "Entity.LegalAddress.Country"),
        jurisdiction=c.get(row, "Entity.LegalJurisdiction"),
        category=c.get(row, "Entity.EntityCategory"),
        ra_id=c.get(row, "Entity.RegistrationAuthority.RegistrationAuthorityID"),
        ra_entity_id=c.get(row, "Entity.RegistrationAuthority.RegistrationAuthorityEntityID"),
        last_update=c.get(row, "Registration.LastUpdateDate"),
        status=c.get(row, "Entity.EntityStatus"),
    )
    for base in ("Entity.OtherEntityNames.OtherEntityName",
                 "Entity.TransliteratedOtherEntityNames.TransliteratedOtherEntityName"):
        for k in range(1, 6):
            name = c.get(row, f"{base}.{k}")
            if name:
                r.names.append((name, c.get(row, f"{base}.{k}.xmllang"),
                                c.get(row, f"{base}.{k}.type")))
    return r


def _csv_rel(c: _Cols, row: list[str]) -> RelRecord:
    r = RelRecord(
        child=c.get(row, "Relationship.StartNode.NodeID"),
        child_type=c.get(row, "Relationship.StartNode.NodeIDType"),
        parent=c.get(row, "Relationship.EndNode.NodeID"),
        parent_type=c.get(row, "Relationship.EndNode.NodeIDType"),
        rtype=c.get(row, "Relationship.RelationshipType"),
        status=c.get(row, "Relationship.RelationshipStatus"),
        reg_status=c.get(row, "Registration.RegistrationStatus"),
        last_update=c.get(row, "Registration.LastUpdateDate"),
    )
    for k in range(1, 6):  # slot order is not stable: look for RELATIONSHIP_PERIOD
        ptype = c.get(row, f"Relationship.Period.{k}.periodType",
                      f"Relationship.RelationshipPeriods.{k}.PeriodType")
        if ptype == "RELATIONSHIP_PERIOD":
            r.start = c.get(row, f"Relationship.Period.{k}.startDate",
                            f"Relationship.RelationshipPeriods.{k}.StartDate")
            r.end = c.get(row, f"Relationship.Period.{k}.endDate",
                          f"Relationship.RelationshipPeriods.{k}.EndDate")
        amount = c.get(row, f"Relationship.Quantifiers.{k}.QuantifierAmount")
        if amount:
            r.quantifiers.append(
                f"{amount} {c.get(row, f'Relationship.Quantifiers.{k}.QuantifierUnits')}"
                .strip())
    return r


def _csv_exc(c: _Cols, row: list[str]) -> ExcRecord:
    reasons = [c.get(row, "ExceptionReason", "Exception.ExceptionReason")]
    refs = [c.get(row, "ExceptionReference", "Exception.ExceptionReference")]
    for k in range(1, 6):
        reasons.append(c.get(row, f"ExceptionReason.{k}", f"Exception.ExceptionReason.{k}"))
        refs.append(c.get(row, f"ExceptionReference.{k}",
                          f"Exception.ExceptionReference.{k}"))
    return ExcRecord(lei=c.get(row, "LEI", "Exception.LEI"),
                     category=c.get(row, "ExceptionCategory", "Exception.ExceptionCategory"),
                     reasons=[x for x in reasons if x],
                     reference="; ".join(x for x in refs if x))


def _read_csv(path: Path, em: _Emitter, stats: FileStats,
              progress: ProgressHook | None) -> None:
    stage = em.stage
    with open_binary(path) as (fh, counter, _):
        text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
        reader = csv.reader(text)
        try:
            header = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as err:
            stage.problem(em.dataset, f"unreadable CSV header: {err}", line=1)
            return
        c = _Cols(header)
        if c.has("Relationship.StartNode.NodeID"):
            what = "rr"
        elif c.has("ExceptionCategory") or c.has("Exception.ExceptionCategory"):
            what = "repex"
        elif c.has("LEI") and c.has("Entity.LegalName"):
            what = "lei"
        else:
            stage.problem(em.dataset, "not a GLEIF golden-copy CSV: header has none of "
                          "Entity.LegalName, Relationship.StartNode.NodeID, "
                          "ExceptionCategory", line=1)
            return
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except (csv.Error, UnicodeDecodeError) as err:
                stage.problem(em.dataset, f"unreadable CSV: {err}", line=reader.line_num)
                stats.rejected += 1
                break
            line = reader.line_num
            stats.records += 1
            try:
                if len(row) != len(header):
                    raise Bad("", f"{len(row)} cells, header has {len(header)}")
                if what == "lei":
                    em.lei(_csv_lei(c, row), line)
                elif what == "rr":
                    em.relationship(_csv_rel(c, row), line)
                else:
                    em.exception(_csv_exc(c, row), line)
            except Bad as bad:
                stats.rejected += 1
                stage.problem(em.dataset, bad.reason, line=line, field=bad.field or None,
                              record=row[0] if row else None, raw=",".join(row)[:2000])
            if progress is not None and stats.records % 5000 == 0:
                progress(em.dataset, counter.count, stats.records)
        text.detach()
        if progress is not None:
            progress(em.dataset, counter.count, stats.records)


# -- entry point ----------------------------------------------------------------------------

def sniff(path: Path) -> str:
    """``xml:<root>``, ``json``, ``csv`` or ``""`` for a GLEIF file."""
    head = peek(path).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        root = _xml_root(head)
        return f"xml:{root}" if root else ""
    if head.startswith((b"{", b"[")):
        return "json"
    if head:
        return "csv"
    return ""


def read_gleif(paths: list[Path], stage: Stage, *, progress: ProgressHook | None = None,
               workers: int | None = None) -> Iterator[FileStats]:
    """Read GLEIF files (any mix of the formats above; directories are searched).

    XML is read by ``workers`` processes (default: :func:`parallel.worker_count`, 2 for
    large inputs on a machine with 2+ CPUs); see :mod:`ringfence.ingest.parallel`."""
    from ringfence.ingest import parallel

    files = expand_paths(paths, (".xml", ".json", ".csv", ".zip", ".gz"))
    kinds: list[str] = []
    xml_bytes = 0
    for path, _label in files:
        try:
            kinds.append(sniff(path))
        except OSError:
            kinds.append("")
            continue
        if kinds[-1].startswith("xml:"):
            xml_bytes += path.stat().st_size
    n = workers if workers is not None else parallel.worker_count(xml_bytes)
    if n > 1 and xml_bytes:
        yield from _read_parallel(files, kinds, stage, progress, n)
        return
    for (path, label), kind in zip(files, kinds, strict=True):
        yield _read_one(path, label, kind, stage, progress)


def _read_parallel(files: list[tuple[Path, str]], kinds: list[str], stage: Stage,
                   progress: ProgressHook | None, workers: int) -> Iterator[FileStats]:
    from ringfence.ingest import parallel

    all_stats: list[FileStats] = []
    parts: list[parallel.XmlPart] = []
    in_main: list[tuple[int, Path, str, str, int]] = []
    parts_dir = stage.work.parent / "parts"
    for i, ((path, label), kind) in enumerate(zip(files, kinds, strict=True)):
        dataset = f"gleif:{label}"
        if not kind.startswith("xml:"):
            all_stats.append(FileStats(str(path), "gleif", dataset))
            in_main.append((i, path, label, kind, stage.seq))
            stage.seq += parallel.SEQ_SPAN
            continue
        root = kind[4:]
        all_stats.append(FileStats(str(path), f"gleif-{_XML_KINDS[root][2]}-xml", dataset))
        try:
            plan = parallel.plan_parts(path, root, parallel.PART_BYTES)
        except OSError:
            plan = None
        plan_or_whole: list[list[tuple[int, int]] | None] = list(plan) if plan else [None]
        for segments in plan_or_whole:
            index = len(parts)
            parts.append(parallel.XmlPart(
                index=index, path=str(path), kind=root, dataset=dataset, src=stage.src,
                seq_base=stage.seq, work=str(parts_dir / f"p{stage.src}-{index}"),
                segments=segments, last=plan is None or segments is plan[-1],
                file_index=i))
            stage.seq += parallel.SEQ_SPAN

    def main_files() -> None:
        saved = stage.seq
        for i, path, label, kind, base in in_main:
            stage.seq = base
            got = _read_one(path, label, kind, stage, progress)
            got.records += all_stats[i].records
            all_stats[i] = got
        stage.seq = saved

    parallel.run_parts(parts, stage, all_stats, workers=workers, progress=progress,
                       in_main=main_files)
    yield from all_stats


def _read_one(path: Path, label: str, kind: str, stage: Stage,
              progress: ProgressHook | None) -> FileStats:
    dataset = f"gleif:{label}"
    stats = FileStats(str(path), "gleif", dataset)
    em = _Emitter(stage, dataset)
    try:
        if not kind:
            kind = sniff(path)
        if kind.startswith("xml:"):
            stats.format = f"gleif-{_XML_KINDS[kind[4:]][2]}-xml"
            _read_xml(path, kind[4:], em, stats, progress)
        elif kind == "json":
            stats.format = "gleif-api-json"
            _read_api_json(path, em, stats)
        elif kind == "csv":
            stats.format = "gleif-csv"
            _read_csv(path, em, stats, progress)
        else:
            stage.problem(dataset, "not a GLEIF file (LEI-CDF, RR-CDF or RepEx XML, "
                          "golden-copy CSV, or API JSON)")
            stats.rejected += 1
    except OSError as err:
        stage.problem(dataset, f"cannot read: {err}")
        stats.rejected += 1
    return stats
