"""GLEIF golden-copy XML (LEI-CDF, RR-CDF, RepEx), streamed with ``lxml.etree.iterparse``:
each record goes straight to staging rows and is cleared once read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree

from ringfence.ingest.gleif.records import (
    ENTITY_CATEGORIES,
    EXCEPTION_REASONS,
    NAME_KINDS,
    NS_LEI,
    NS_REPEX,
    NS_RR,
    XML_LANG,
    Bad,
    Emitter,
    RelRecord,
    check_country,
    check_date,
    exception_holdings,
    exception_reason,
    former_kind,
)
from ringfence.ingest.ids import classify_identifier, guess_script, is_lei
from ringfence.ingest.inputs import open_binary
from ringfence.ingest.stage import (
    FileStats,
    ProgressHook,
)
from ringfence.model.exceptions import owner_label

__all__ = [
    "XML_KINDS",
    "parse_xml_stream",
    "read_xml",
    "xml_root",
]


# -- XML ------------------------------------------------------------------------------------

def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


_L = f"{{{NS_LEI}}}"
_LEI_TAGS = {f"{_L}{t}": t for t in (
    "LEI", "LegalName", "OtherEntityName", "TransliteratedOtherEntityName", "Country",
    "LegalJurisdiction", "EntityCategory", "EntitySubCategory", "RegistrationAuthorityID",
    "RegistrationAuthorityEntityID", "EntityStatus", "LastUpdateDate",
    "LegalEntityEventType", "LegalEntityEventEffectiveDate")}
_LEI_ITER = tuple(_LEI_TAGS)
_HQ = f"{_L}HeadquartersAddress"
_LEGAL_ADDR = f"{_L}LegalAddress"


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


# -- the hot paths: one record straight to staging rows ---------------------------------
#
# Same checks, same rows and the same order of checks as Emitter.lei / .exception (the
# path every other format takes), without a record object, keyword calls or a method
# call per row. Every check runs before the first row is appended, so a bad record
# leaves nothing staged.

_NAME_KIND_OF = {**NAME_KINDS}
_COUNTRY_CACHE: dict[str, str] = {}
_DATE_CACHE: dict[str, str] = {}


def _country_fast(value: str, fld: str) -> str:
    got = _COUNTRY_CACHE.get(value)
    if got is None:
        got = check_country(value, fld)  # raises Bad for an unknown code
        if len(_COUNTRY_CACHE) < 10_000:
            _COUNTRY_CACHE[value] = got
    return got


def _date_fast(value: str) -> str:
    got = _DATE_CACHE.get(value)
    if got is None:
        got = check_date(value)
        if len(_DATE_CACHE) > 100_000:
            _DATE_CACHE.clear()
        _DATE_CACHE[value] = got
    return got


def _lei_rows(elem: Any, line: int | None, em: Emitter) -> None:
    lei = legal_name = legal_lang = hq_c = legal_c = juris_c = category = ""
    ra_id = ra_eid = last_update = event = renamed = ""
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
        elif t == "LegalEntityEventType":
            event = text if c.getparent().get("event_status", "") == "COMPLETED" else ""
        elif t == "LegalEntityEventEffectiveDate" and event == "CHANGE_LEGAL_NAME":
            renamed = max(renamed, text[:10])
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
    former = former_kind(renamed)
    st = em.stage
    src = st.src
    st.seq += 1
    seq = st.seq
    key = "lei:" + lei
    etype = "state" if category == "RESIDENT_GOVERNMENT_ENTITY" else "company"
    clean = st.clean  # control and invisible characters out, recorded (Stage.clean)
    legal_name = clean(seq, legal_name, "LegalName", dataset=em.dataset, line=line, record=lei)
    if not legal_name.strip():
        raise Bad("LegalName", "legal name has only control or invisible characters")
    st.rows("ent").append((src, key, key, seq, vdate, False, etype, legal_name, hq, 3, juris,
                           "", em.dataset, line, lei))
    nm = st.rows("nm")
    nm.append((src, seq, legal_name, legal_lang, guess_script(legal_name), "legal"))
    for name, lang, ntype in names:
        name = clean(seq, name, ntype or "OtherEntityName", dataset=em.dataset, line=line,
                     record=lei)
        if name:
            kind = _NAME_KIND_OF.get(ntype, "other")
            nm.append((src, seq, name, lang, guess_script(name),
                       former if kind == "former" else kind))
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


def _repex_rows(elem: Any, line: int | None, em: Emitter) -> None:
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
    reason = exception_reason(lei, category, reasons)
    child = "lei:" + lei
    direct = category.startswith("DIRECT")
    mode, holdings = _EXC_ROWS[reason]
    label = "direct-parent" if direct else "ultimate-parent"
    owner = owner_label("direct" if direct else "ultimate", reason)
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
        hold.append((src, hrec, seq, "", owner, mode, child, "lei", kind, lo, hi, lo_open,
                     hi_open, "", "", dataset, line, record, note, evidence, xgroup))


def _rr_rows(elem: Any, line: int | None, em: Emitter) -> None:
    em.relationship(_parse_rr_xml(elem), line)


XML_KINDS = {
    "LEIData": (_q(NS_LEI, "LEIRecord"), _lei_rows, "lei"),
    "RelationshipData": (_q(NS_RR, "RelationshipRecord"), _rr_rows, "rr"),
    "ReportingExceptionData": (_q(NS_REPEX, "Exception"), _repex_rows, "repex"),
}


def xml_root(head: bytes) -> str:
    text = head.decode("utf-8", "replace")
    for name in XML_KINDS:
        if f":{name}" in text or f"<{name}" in text:
            return name
    return ""


def read_xml(path: Path, kind: str, em: Emitter, stats: FileStats,
              progress: ProgressHook | None) -> None:
    with open_binary(path) as (fh, counter, _size):
        parse_xml_stream(fh, kind, em, stats,
                         None if progress is None else
                         (lambda records: progress(em.dataset, counter.count, records)))


def parse_xml_stream(fh: Any, kind: str, em: Emitter, stats: FileStats,
                     progress: Callable[[int], None] | None = None, *,
                     ignore_error: Callable[[int | None], bool] | None = None) -> None:
    """Stream the records of one GLEIF XML document (``kind`` its root element name)
    from ``fh`` into ``em``'s stage. ``progress(records)`` is called every 2,000
    records. A syntax error on a line for which ``ignore_error(line)`` is true is not
    reported (a part of a split file reads the file's closing tags too; only the last
    part reports on them)."""
    tag, handle, _what = XML_KINDS[kind]
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
