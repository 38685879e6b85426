"""Beneficial Ownership Data Standard 0.4 and 0.3 (and the 0.2 spellings still seen),
as a JSON array or JSON Lines of statements.

- Entity and person statements → entities; a record's latest statement wins (by
  ``statementDate``, then file order). 0.4 records are ``recordId``; a 0.3 statement that
  ``replacesStatements`` continues the record of the statement it replaces.
- Relationship / ownership-or-control statements → holdings, one per interest:
  ``shareholding`` → shares, ``votingRights`` → votes, ``appointmentOfBoard``,
  ``otherInfluenceOrControl`` and the other control interests → control. Shares are exact
  or ranges with each version's exclusivity rules (see :func:`~ringfence.ingest.shares.
  bods_share`); UK PSC bands read from the PSC slug (``25-to-50`` is more than 25, at
  most 50). No share given → 0–100%.
- ``directOrIndirect: indirect`` interests are evidence, never holdings: the chain of
  direct relationships carries them; counting both would double count.
- An unspecified interested party, or an unknown/anonymous entity, is an owner of type
  ``unknown`` holding the interest (0–100% when no share is given). GLEIF reporting
  exceptions and relationships republished as BODS are read with the GLEIF reader's
  rules, so the same fact from both sources meets on the same edge.
- Closed records end: a closed relationship's holdings end on the closing statement's
  date; a 0.3 statement replaced by another ends when the replacement is dated.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ringfence.ingest.gleif import (
    EXCEPTION_REASONS,
    Bad,
    exception_holdings,
    relationship_holdings,
)
from ringfence.ingest.ids import classify_identifier, country_code, guess_script, lei_key
from ringfence.ingest.jsonfiles import read_json_records
from ringfence.ingest.shares import ShareError, band_from_bounds, bods_share, psc_band
from ringfence.ingest.stage import ANY_SHARE, MAJORITY, FileStats, ProgressHook, Stage
from ringfence.model import HoldingKind, Share
from ringfence.model.exceptions import owner_label

__all__ = ["BODS_SUFFIXES", "INTEREST_KINDS", "read_bods"]

_ENTITY_TYPES = {
    "registeredentity": "company", "legalentity": "company", "arrangement": "company",
    "state": "state", "statebody": "state",
    "anonymousentity": "unknown", "unknownentity": "unknown",
}
_PERSON_TYPES = {"knownperson", "anonymousperson", "unknownperson"}

# interest type (lower case, hyphens removed) → holding kind, or None for "not a holding"
INTEREST_KINDS: dict[str, HoldingKind | None] = {
    "shareholding": HoldingKind.SHARES,
    "votingrights": HoldingKind.VOTES,
    "appointmentofboard": HoldingKind.CONTROL,
    "otherinfluenceorcontrol": HoldingKind.CONTROL,
    "controlviacompanyrulesorarticles": HoldingKind.CONTROL,
    "controlbylegalframework": HoldingKind.CONTROL,
    "rightsgrantedbycontract": HoldingKind.CONTROL,
    "conditionalrightsgrantedbycontract": HoldingKind.CONTROL,
    "unknowninterest": HoldingKind.SHARES,
    "unpublishedinterest": HoldingKind.SHARES,
    # interests that are not ownership or control of the company itself
    "seniormanagingofficial": None, "settlor": None, "trustee": None, "protector": None,
    "beneficiaryoflegalarrangement": None, "rightstosurplusassetsondissolution": None,
    "rightstoprofitorincome": None, "enjoymentanduseofassets": None,
    "righttoprofitorincomefromassets": None, "nominee": None, "nominator": None,
    "boardmember": None, "boardchair": None,
    # 0.2/0.3 spellings
    "settloroftrust": None, "trusteeoftrust": None, "protectoroftrust": None,
    "beneficiaryoftrust": None, "otherinfluenceorcontroloftrust": HoldingKind.CONTROL,
    "rightstosurplusassets": None, "influenceorcontrol": HoldingKind.CONTROL,
}
_DIRECTNESS = {"direct", "indirect", "unknown", ""}
_RECORD_STATUS = {"new", "updated", "closed", ""}
_GLEIF_REL = re.compile(r"(IS_[A-Z_-]+_BY|IS_[A-Z_-]+_OF|IS_FEEDER_TO)")
_GLEIF_REASON = re.compile(r"Exception Reason:\s*([A-Z][A-Z_ ]+[A-Z])")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?")


def _date(value: object, fld: str) -> str:
    """BODS date (0.3 allows YYYY and YYYY-MM; date-times are cut to the date)."""
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        raise Bad(fld, f"not a date: {value!r}")
    m = _DATE.match(value.strip())
    if not m:
        raise Bad(fld, f"not an ISO date: {value!r}")
    text = m.group(0)
    if len(text) == 4:
        text += "-01-01"
    elif len(text) == 7:
        text += "-01"
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise Bad(fld, f"not a real date: {value!r}") from None
    return text


def _str(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


class _Reader:
    def __init__(self, stage: Stage) -> None:
        self.stage = stage
        self.rec_of_03: dict[str, str] = {}  # 0.3 statement id → record (chain root)

    # -- statements ------------------------------------------------------------------
    def statement(self, st: dict[str, Any], dataset: str, line: int) -> None:
        if "recordType" in st or "recordDetails" in st:
            version = "0.4"
            rtype = _str(st.get("recordType"))
            details = st.get("recordDetails")
            if not isinstance(details, dict):
                raise Bad("recordDetails", "missing or not an object")
            rec = _str(st.get("recordId"))
            if not rec:
                raise Bad("recordId", "missing recordId")
            sid = _str(st.get("statementId"))
            status = _str(st.get("recordStatus"))
            if status not in _RECORD_STATUS:
                raise Bad("recordStatus", f"unknown record status {status!r}")
            kind = {"entity": "entity", "person": "person",
                    "relationship": "relationship"}.get(rtype)
            if kind is None:
                raise Bad("recordType", f"unknown record type {rtype!r}")
        elif "statementType" in st or "statementID" in st:
            pub = st.get("publicationDetails")
            version = _str(pub.get("bodsVersion")) if isinstance(pub, dict) else ""
            version = version or "0.3"
            stype = _str(st.get("statementType"))
            kind = {"entityStatement": "entity", "personStatement": "person",
                    "ownershipOrControlStatement": "relationship"}.get(stype)
            if kind is None:
                raise Bad("statementType", f"unknown statement type {stype!r}")
            details = st
            sid = _str(st.get("statementID"))
            if not sid:
                raise Bad("statementID", "missing statementID")
            replaces = st.get("replacesStatements") or []
            if not isinstance(replaces, list):
                raise Bad("replacesStatements", "must be a list of statement ids")
            rec = sid
            if kind != "relationship":
                for old in replaces:
                    if isinstance(old, str):
                        rec = self.rec_of_03.get(old, old)
                        break
                self.rec_of_03[sid] = rec
            status = "closed" if _str(st.get("recordStatus")) == "closed" else ""
        else:
            raise Bad("recordType", "neither a BODS 0.4 record (recordType) nor a 0.3 "
                      "statement (statementType)")
        date = _date(st.get("statementDate"), "statementDate")
        if kind == "relationship":
            self.relationship(details, version=version, rec=rec, sid=sid, date=date,
                              closed=status == "closed", dataset=dataset, line=line)
            if version.startswith("0.3"):
                for old in st.get("replacesStatements") or []:
                    if isinstance(old, str):
                        self.stage.close_record(old, date or "0001-01-01")
        else:
            self.party(details, kind=kind, version=version, rec=rec, sid=sid, date=date,
                       dataset=dataset, line=line)

    def _country(self, value: object, fld: str, dataset: str, line: int, rec: str) -> str:
        """ISO alpha-2 of a country given as code, object or name; ``""`` when absent. A
        value that names no country is a problem (never silently dropped): reported with
        its field, and the record is kept with the country left empty."""
        code = country_code(value)
        if code is None:
            self.stage.problem(dataset, f"unrecognised country {value!r} (not an ISO "
                               "3166 code or a known country name); left empty", line=line,
                               field=fld, record=rec, raw=json.dumps(value)[:2000],
                               kept=True)
            return ""
        return code

    def party(self, d: dict[str, Any], *, kind: str, version: str, rec: str, sid: str,
              date: str, dataset: str, line: int) -> None:
        st = self.stage
        seq = st.next_seq()
        if kind == "entity":
            raw_type = d.get("entityType")
            tname = _str(raw_type.get("type")) if isinstance(raw_type, dict) else _str(raw_type)
            etype = _ENTITY_TYPES.get(tname.lower()) if tname else "company"
            if etype is None:
                raise Bad("entityType.type", f"unknown entity type {tname!r}")
            name = _str(d.get("name"))
            jur_key = "jurisdiction" if "jurisdiction" in d else "incorporatedInJurisdiction"
            juris = self._country(d.get(jur_key), jur_key, dataset, line, rec)
            hq = ""
            other_country = ""
            for i, addr in enumerate(d.get("addresses") or []):
                if not isinstance(addr, dict):
                    continue
                c = self._country(addr.get("country"), f"addresses[{i}].country", dataset,
                                  line, rec)
                if _str(addr.get("type")) == "business" and c and not hq:
                    hq = c
                elif c and not other_country:
                    other_country = c
            juris = juris or other_country
            idents: list[tuple[str, str]] = []
            for ident in d.get("identifiers") or []:
                if not isinstance(ident, dict):
                    continue
                hint = _str(ident.get("scheme")) or _str(ident.get("schemeName"))
                idents.append(classify_identifier(hint, _str(ident.get("id")), juris))
            lei = next((v for s, v in idents if s == "lei"), "")
            key = lei_key(lei) if lei else f"bods:{rec}"
            st.entity(rec=rec, key=key, seq=seq, etype=etype, name=name, hq=hq,
                      hq_rank=2 if hq else 0, juris=juris, vdate=date, dataset=dataset,
                      line=line, record=rec)
            st.name(seq, name, script=guess_script(name), kind="legal")
            for alt in d.get("alternateNames") or []:
                if isinstance(alt, str) and alt.strip():
                    st.name(seq, alt.strip(), script=guess_script(alt), kind="alias")
            for scheme, value in idents:
                st.ident(seq, scheme, value)
        else:
            ptype = _str(d.get("personType"))
            if ptype and ptype.lower() not in _PERSON_TYPES:
                raise Bad("personType", f"unknown person type {ptype!r}")
            names = [n for n in d.get("names") or [] if isinstance(n, dict)]
            full = [_str(n.get("fullName")) for n in names if _str(n.get("fullName"))]
            name = full[0] if full else ""
            country = ""
            for i, addr in enumerate(d.get("addresses") or []):
                if isinstance(addr, dict) and _str(addr.get("type")) == "residence":
                    country = self._country(addr.get("country"), f"addresses[{i}].country",
                                            dataset, line, rec)
                    if country:
                        break
            # residence (a residence address, else tax residence) and nationality are
            # kept apart: a person's ``hq`` is where they live, ``jurisdiction`` the
            # first nationality (policies read them as origin.persons / origin.nationals)
            found = {"taxResidencies": "", "nationalities": ""}
            for key_ in found:
                items = d.get(key_) or []
                for i, c in enumerate(items if isinstance(items, list) else [items]):
                    got = self._country(c, f"{key_}[{i}]", dataset, line, rec)
                    found[key_] = found[key_] or got
            country = country or found["taxResidencies"]
            st.entity(rec=rec, key=f"bods:{rec}", seq=seq, etype="person", name=name,
                      hq=country, hq_rank=2 if country else 0,
                      juris=found["nationalities"], vdate=date, dataset=dataset,
                      line=line, record=rec)
            for i, n in enumerate(full):
                st.name(seq, n, script=guess_script(n), kind="legal" if i == 0 else "alias")
        st.ref(rec, rec)
        if sid and sid != rec:
            st.ref(sid, rec)

    def _party_ref(self, value: object, fld: str) -> tuple[str, str, dict[str, Any] | None]:
        """``(mode, ref, unspecified)`` for a subject or interested party."""
        if isinstance(value, str) and value.strip():
            return "ref", value.strip(), None
        if isinstance(value, dict):
            for k in ("describedByEntityStatement", "describedByPersonStatement"):
                if _str(value.get(k)):
                    return "ref", _str(value.get(k)), None
            unspecified = value.get("unspecified")
            if isinstance(unspecified, dict):
                return "unknown", "", unspecified
            if any(k in value for k in ("reason", "unspecifiedReason", "description",
                                        "details")):
                return "unknown", "", value
        raise Bad(fld, "neither a record reference nor an unspecified record")

    def relationship(self, d: dict[str, Any], *, version: str, rec: str, sid: str,
                     date: str, closed: bool, dataset: str, line: int) -> None:
        st = self.stage
        s_mode, subject, _ = self._party_ref(d.get("subject"), "subject")
        if s_mode != "ref":
            st.notes.append(f"{dataset}:{line}: relationship {rec} with an unspecified "
                            "subject skipped (nothing to attach it to)")
            return
        o_mode, owner, unspecified = self._party_ref(d.get("interestedParty"),
                                                     "interestedParty")
        interests = d.get("interests")
        if interests is None:
            interests = []
        if not isinstance(interests, list):
            raise Bad("interests", "must be a list")
        gleif_reason = ""
        if unspecified is not None:
            text = " ".join(_str(unspecified.get(k)) for k in ("description", "details",
                                                                 "reason",
                                                                 "unspecifiedReason"))
            m = _GLEIF_REASON.search(text)
            if m:
                gleif_reason = m.group(1).replace(" ", "_")
                if gleif_reason not in EXCEPTION_REASONS:
                    raise Bad("interestedParty.description",
                              f"unknown GLEIF exception reason {gleif_reason!r}")
        seq = st.next_seq()
        rows: list[tuple[HoldingKind, Share, str, str, str, str, str]] = []
        # (kind, share, vfrom, vto, evidence, note, xgroup)
        for i, it in enumerate(interests):
            if not isinstance(it, dict):
                raise Bad(f"interests[{i}]", "must be an object")
            rows.extend(self._interest(it, i, version=version, rec=rec,
                                       gleif_reason=gleif_reason))
        if not rows:
            if gleif_reason:
                mode, holdings = exception_holdings(gleif_reason)
                rows = [(k, s, "", "", "", f"GLEIF exception {gleif_reason} via BODS",
                         "repex-direct") for k, s in holdings]
            else:
                rows = [(HoldingKind.SHARES, ANY_SHARE, "", "", "",
                         "relationship with no interests stated", "")]
        if gleif_reason:
            mode, _ = exception_holdings(gleif_reason)
            owner_mode, owner = mode, owner_label(
                "ultimate" if any(r[4] for r in rows) else "direct", gleif_reason)
        elif unspecified is not None:
            owner_mode, owner = "key", f"unknown:bods:{rec}"
            reason = _str(unspecified.get("reason")) or _str(unspecified.get(
                "unspecifiedReason")) or "no reason given"
            st.entity(rec=owner, key=owner, seq=st.next_seq(), etype="unknown",
                      name=f"Unspecified interested party ({reason})", vdate=date,
                      dataset=dataset, line=line, record=rec)
        else:
            owner_mode = o_mode
        for kind, share, vfrom, vto, evidence, note, xgroup in rows:
            if vfrom and vto and vto < vfrom:
                raise Bad("endDate", f"interest ends ({vto}) before it starts ({vfrom})")
            st.holding(hrec=rec, seq=seq, owner=owner, owned=subject, kind=kind,
                       share=share, owner_mode=owner_mode, owned_mode="ref", vdate=date,
                       vfrom=vfrom, vto=vto, dataset=dataset, line=line, record=rec,
                       note=note, evidence=evidence, xgroup=xgroup)
        if closed:
            st.close_record(rec, date or "0001-01-01")

    def _interest(self, it: dict[str, Any], i: int, *, version: str, rec: str,
                  gleif_reason: str
                  ) -> list[tuple[HoldingKind, Share, str, str, str, str, str]]:
        fld = f"interests[{i}]"
        itype = _str(it.get("type")) or "unknownInterest"  # optional in the schema
        norm = itype.replace("-", "").replace("_", "").lower()
        if norm not in INTEREST_KINDS:
            raise Bad(f"{fld}.type", f"unknown interest type {itype!r}")
        kind = INTEREST_KINDS[norm]
        direct = _str(it.get("directOrIndirect", it.get("interestLevel")))
        if direct not in _DIRECTNESS:
            raise Bad(f"{fld}.directOrIndirect", f"unknown value {direct!r}")
        details = _str(it.get("details"))
        vfrom = _date(it.get("startDate"), f"{fld}.startDate")
        vto = _date(it.get("endDate"), f"{fld}.endDate")
        note = f"BODS {itype}" + (f": {details[:200]}" if details else "")
        if kind is None:
            return [(HoldingKind.CONTROL, ANY_SHARE, vfrom, vto, f"bods:{itype}", note, "")]
        evidence = "bods:indirect" if direct == "indirect" else ""
        # GLEIF relationships and exceptions republished as BODS: GLEIF's rules
        gm = _GLEIF_REL.search(details)
        if gleif_reason or "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT" in details or (
                "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT" in details) or gm:
            if "ULTIMATE" in details or (gm and gm.group(1) ==
                                         "IS_ULTIMATELY_CONSOLIDATED_BY"):
                label = "gleif:IS_ULTIMATELY_CONSOLIDATED_BY" if gm else (
                    "gleif:ultimate-parent-exception")
                return [(HoldingKind.CONTROL, MAJORITY, vfrom, vto, label, note, "")]
            if gleif_reason:
                _, holdings = exception_holdings(gleif_reason)
                return [(k, s, vfrom, vto, evidence, note, "repex-direct")
                        for k, s in holdings]
            rtype = gm.group(1) if gm else "IS_DIRECTLY_CONSOLIDATED_BY"
            try:
                label, holdings = relationship_holdings(rtype)
            except Bad:
                label, holdings = "", [(kind, ANY_SHARE)]
            xg = "rr-direct" if rtype == "IS_DIRECTLY_CONSOLIDATED_BY" else ""
            return [(k, s, vfrom, vto, label or evidence, note, xg) for k, s in holdings]
        try:
            share = self._share(it, kind, details, version=version, rec=rec)
        except ShareError as err:
            raise Bad(f"{fld}.share", str(err)) from None
        if share is None:
            # no share stated: 0-100%. (A UK PSC "right to appoint and remove directors"
            # may be held jointly by several PSCs, so it is not a majority by itself.)
            share = ANY_SHARE
        return [(kind, share, vfrom, vto, evidence, note, "")]

    @staticmethod
    def _share(it: dict[str, Any], kind: HoldingKind, details: str, *, version: str,
               rec: str) -> Share | None:
        if kind is HoldingKind.SHARES:
            band = psc_band(details, "ownership-of-shares")
        elif kind is HoldingKind.VOTES:
            band = psc_band(details, "voting-rights")
        else:
            band = None
        if band is not None:
            return band
        raw = it.get("share")
        if (isinstance(raw, dict) and rec.startswith("GB-COH") and kind is not
                HoldingKind.CONTROL and "exclusiveMinimum" not in raw
                and "exclusiveMaximum" not in raw and raw.get("exact") in (None, "")):
            band = band_from_bounds(raw.get("minimum"), raw.get("maximum"))
            if band is not None:
                return band
        return bods_share(raw, version=version)


BODS_SUFFIXES = (".json", ".jsonl", ".ndjson", ".gz", ".zip")


def read_bods(paths: list[Path], stage: Stage, *, progress: ProgressHook | None = None,
              files: list[tuple[Path, str]] | None = None, lines: bool = False
              ) -> Iterator[FileStats]:
    """Read BODS files (JSON arrays or JSON Lines; directories are searched, or
    ``files``: the files and their labels, already found; ``lines``: JSON Lines known)."""
    reader = _Reader(stage)
    yield from read_json_records(
        paths, stage, fmt="bods", suffixes=BODS_SUFFIXES, files=files, lines=lines,
        noun="a statement", handle=reader.statement, progress=progress,
        record_id=lambda st: st.get("recordId") or st.get("statementID")
        or st.get("statementId"))
