"""GLEIF's records and what they become, shared by every GLEIF format and the BODS
reader: the code lists, the holdings a relationship or a reporting exception stands for,
and :class:`Emitter`, which checks a record and writes its staging rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from ringfence.ingest.ids import classify_identifier, guess_script, is_lei, lei_key
from ringfence.ingest.stage import (
    ANY_SHARE,
    MAJORITY,
    NOT_MAJORITY,
    WHOLE,
    Stage,
)
from ringfence.model import HoldingKind, Share
from ringfence.model.countries import normalise_country
from ringfence.model.exceptions import STATEMENTS, canonical_reason, owner_label
from ringfence.resolve.kinds import kind_token

__all__ = [
    "ENTITY_CATEGORIES",
    "EXCEPTION_CATEGORIES",
    "EXCEPTION_REASONS",
    "NAME_KINDS",
    "NS_LEI",
    "NS_REPEX",
    "NS_RR",
    "RELATIONSHIP_STATUSES",
    "RELATIONSHIP_TYPES",
    "XML_LANG",
    "Bad",
    "Emitter",
    "ExcRecord",
    "LeiRecord",
    "RelRecord",
    "check_country",
    "check_date",
    "exception_holdings",
    "exception_reason",
    "former_kind",
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
EXCEPTION_REASONS = set(STATEMENTS) | {"DISCOLSURE_DETRIMENTAL"}  # GLEIF's old spelling
NAME_KINDS = {
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
    """What a direct-parent reporting exception says about the owner, from its
    :data:`~ringfence.model.exceptions.STATEMENTS` entry.

    Returns the owner mode (``unknown`` or ``persons``) and the holdings that owner has:

    - a statement with a controller (NATURAL_PERSONS, NON_CONSOLIDATING, NON_PUBLIC and
      its detailed reasons, NO_LEI): ``control`` of a majority and ``shares`` of unknown
      size, held by an unnamed *person* owner (residence unknown) for NATURAL_PERSONS and
      by an undisclosed owner for the others;
    - NO_KNOWN_PERSON (nobody controls it: widely held): an undisclosed owner with
      ``shares`` in [0, 50%] (closed) and no ``control``. Whoever the unnamed holders are,
      none of them holds a majority (a majority holder would be a controller), so a
      ``> 50%`` test clears it and an inclusive ``>= 50%`` test still sees that exactly
      half is possible.

    The policy (``reporting_exceptions``) decides whether such an owner may be an origin.
    """
    try:
        st = STATEMENTS[canonical_reason(reason)]
    except KeyError:
        raise Bad("ExceptionReason", f"unknown reporting-exception reason {reason!r}") from None
    mode = "persons" if st.kind == "persons" else "unknown"
    if st.max_share == "half":
        return mode, [(HoldingKind.SHARES, NOT_MAJORITY)]
    holdings = [(HoldingKind.CONTROL, MAJORITY)] if st.control else []
    return mode, [*holdings, (HoldingKind.SHARES, ANY_SHARE)]


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


def former_kind(renamed: str) -> str:
    """The recorded kind of a previous legal name (``PREVIOUS_LEGAL_NAME``): ``former``,
    ended on ``renamed`` when the record has a completed ``CHANGE_LEGAL_NAME`` event
    (its latest effective date). GLEIF does not say which previous name a change ended,
    so every previous name gets the latest change as its end: none was the legal name
    from that day on (exact for a record with one previous name)."""
    if not renamed:
        return "former"
    try:
        return kind_token("former", "", renamed)
    except ValueError:
        raise Bad("LegalEntityEventEffectiveDate",
                  f"not a date: {renamed!r}") from None


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
    renamed: str = ""  # latest completed CHANGE_LEGAL_NAME event's date (YYYY-MM-DD)


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


def check_date(value: str | None) -> str:
    """ISO date part of a GLEIF date or date-time; ``""`` when absent."""
    if not value:
        return ""
    v = value.strip()[:10]
    if len(v) != 10 or v[4] != "-" or v[7] != "-" or not (v[:4] + v[5:7] + v[8:]).isdigit():
        raise Bad("date", f"not an ISO date: {value!r}")
    return v


def check_country(value: str, fld: str) -> str:
    try:
        return normalise_country(value or "")
    except ValueError as err:
        raise Bad(fld, str(err)) from None


def exception_reason(lei: str, category: str, reasons: list[str]) -> str:
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


class Emitter:
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
        hq = check_country(r.hq_country, "HeadquartersAddress/Country")
        if not hq:
            raise Bad("HeadquartersAddress/Country", "missing headquarters country")
        legal = check_country(r.legal_country, "LegalAddress/Country")
        juris = check_country(r.jurisdiction, "LegalJurisdiction") or legal
        former = former_kind(r.renamed)
        st = self.stage
        seq = st.next_seq()
        key = lei_key(r.lei)
        etype = "state" if r.category == "RESIDENT_GOVERNMENT_ENTITY" else "company"
        st.entity(rec=key, key=key, seq=seq, etype=etype, name=r.legal_name, hq=hq,
                  hq_rank=3, juris=juris, vdate=check_date(r.last_update), dataset=self.dataset,
                  line=line, record=r.lei)
        st.name(seq, r.legal_name, lang=r.legal_lang, script=guess_script(r.legal_name),
                kind="legal")
        for name, lang, ntype in r.names:
            kind = NAME_KINDS.get(ntype, "other")
            st.name(seq, name, lang=lang, script=guess_script(name),
                    kind=former if kind == "former" else kind)
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
        start, end = check_date(r.start), check_date(r.end)
        ended = r.status == "INACTIVE" or r.reg_status == "RETIRED"
        if ended and not end:
            end = check_date(r.last_update)
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
                share=share, owner_mode="lei", owned_mode="lei", vdate=check_date(r.last_update),
                vfrom=start, vto=end, dataset=self.dataset, line=line, record=record,
                note=note, evidence=label,
                xgroup="rr-direct" if r.rtype == "IS_DIRECTLY_CONSOLIDATED_BY" else "")

    def exception(self, r: ExcRecord, line: int | None) -> None:
        reason = exception_reason(r.lei, r.category, [x for x in r.reasons if x])
        child = lei_key(r.lei)
        direct = r.category.startswith("DIRECT")
        mode, holdings = exception_holdings(reason)
        label = "direct-parent" if direct else "ultimate-parent"
        owner = owner_label("direct" if direct else "ultimate", reason)
        record = f"{r.lei}|{r.category}|{reason}"
        note = f"GLEIF reporting exception {r.category} {reason}"
        if r.reference:
            note += f" ({r.reference})"
        seq = self.stage.next_seq()
        for kind, share in holdings:
            self.stage.holding(
                hrec=f"repex:{r.lei}:{label}", seq=seq, owner=owner, owned=child, kind=kind,
                share=share, owner_mode=mode, owned_mode="lei", dataset=self.dataset,
                line=line, record=record, note=note,
                evidence="" if direct else f"gleif:ultimate-parent-exception:{reason}",
                xgroup="repex-direct" if direct else "")
