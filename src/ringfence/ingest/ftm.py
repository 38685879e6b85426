"""FollowTheMoney entities as JSON Lines (``{"id", "schema", "properties": {...}}``).

- ``Company``, ``Organization``, ``LegalEntity`` → company; ``PublicBody`` → state;
  ``Person`` → person. FtM has no headquarters property: ``mainCountry`` ("country of
  origin") stands in with low rank, ``jurisdiction`` is the registration country;
  persons take ``country`` or ``nationality``. Ids: ``lei:<LEI>`` when ``leiCode`` is a
  valid LEI, else ``ftm:<id>``.
- ``Ownership`` (``owner`` → ``asset``): ``percentage`` is free text (``"51"``,
  ``"25–50%"``, ``"more than 50%"``), read by
  :func:`~ringfence.ingest.shares.text_share`; absent → 0–100%. An ``ownershipType``
  of ``indirect`` or ``ultimate`` is evidence, not a holding.
- ``Control`` (``controller`` → ``controlled``): ``controlType`` voting → votes,
  indirect → evidence, anything else → control; 0–100% unless ``percentage`` says.
- ``Directorship`` is evidence only (a director does not own or control the company).
- Other schemata (addresses, sanctions, …) are counted and skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ringfence.ingest.gleif import Bad
from ringfence.ingest.ids import classify_identifier, country_code, guess_script, lei_key
from ringfence.ingest.jsonfiles import read_json_records
from ringfence.ingest.shares import ShareError, text_share
from ringfence.ingest.stage import ANY_SHARE, FileStats, ProgressHook, Stage
from ringfence.model import HoldingKind, Share

__all__ = ["read_ftm"]

_PARTIES = {"Company": "company", "Organization": "company", "LegalEntity": "company",
            "PublicBody": "state", "Person": "person"}
_IDS = {"leiCode": "lei", "uscCode": "cn_uscc", "innCode": "ru_inn", "ogrnCode": "ru_ogrn",
        "swiftBic": "bic"}
_EDGES = {"Ownership": ("owner", "asset"), "Control": ("controller", "controlled"),
          "Directorship": ("director", "organization")}


def _values(props: dict[str, Any], name: str) -> list[str]:
    v = props.get(name)
    if v is None:
        return []
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise Bad(f"properties.{name}", "must be a list of strings")
    return [x.strip() for x in v if x.strip()]


def _first(props: dict[str, Any], name: str) -> str:
    vals = _values(props, name)
    return vals[0] if vals else ""


def _country(props: dict[str, Any], name: str, stage: Stage, dataset: str, line: int,
             eid: str) -> str:
    """The first value of ``name`` that is a country; a value that names no country is a
    problem (never silently dropped), reported with its field; the entity is kept."""
    found = ""
    for v in _values(props, name):
        c = country_code(v)
        if c is None:
            stage.problem(dataset, f"unrecognised country {v!r} (not an ISO 3166 code or a "
                          "known country name); left empty", line=line,
                          field=f"properties.{name}", record=eid, raw=v[:2000], kept=True)
        elif c and not found:
            found = c
    return found


def _date(value: str, fld: str) -> str:
    if not value:
        return ""
    v = value[:10]
    if len(v) == 4 and v.isdigit():
        return f"{v}-01-01"
    if len(v) == 7:
        return f"{v}-01"
    if len(v) != 10 or v[4] != "-" or v[7] != "-":
        raise Bad(fld, f"not an ISO date: {value!r}")
    return v


class _Reader:
    def __init__(self, stage: Stage) -> None:
        self.stage = stage
        self.skipped: dict[str, int] = {}

    def entity(self, e: dict[str, Any], dataset: str, line: int) -> None:
        eid = e.get("id")
        schema = e.get("schema")
        if not isinstance(eid, str) or not eid:
            raise Bad("id", "missing entity id")
        if not isinstance(schema, str) or not schema:
            raise Bad("schema", "missing schema")
        props = e.get("properties") or {}
        if not isinstance(props, dict):
            raise Bad("properties", "must be an object")
        if schema in _PARTIES:
            self.party(eid, schema, props, dataset, line)
        elif schema in _EDGES:
            self.edge(eid, schema, props, dataset, line)
        else:
            self.skipped[schema] = self.skipped.get(schema, 0) + 1

    def party(self, eid: str, schema: str, props: dict[str, Any], dataset: str,
              line: int) -> None:
        st = self.stage
        etype = _PARTIES[schema]
        names = _values(props, "name")
        juris = _country(props, "jurisdiction", st, dataset, line, eid)
        if etype == "person":
            country = _country(props, "country", st, dataset, line, eid)
            hq = _country(props, "nationality", st, dataset, line, eid)
            hq = country or hq
            rank = 2 if hq else 0
        else:
            hq = _country(props, "mainCountry", st, dataset, line, eid)
            rank = 1 if hq else 0
        idents: list[tuple[str, str]] = []
        for prop, scheme in _IDS.items():
            for v in _values(props, prop):
                idents.append(classify_identifier(scheme, v, juris))
        for v in _values(props, "registrationNumber"):
            idents.append(classify_identifier("", v, juris))
        lei = next((v for s, v in idents if s == "lei"), "")
        key = lei_key(lei) if lei else f"ftm:{eid}"
        seq = st.next_seq()
        name = names[0] if names else ""
        st.entity(rec=eid, key=key, seq=seq, etype=etype, name=name, hq=hq, hq_rank=rank,
                  juris=juris, vdate=_first(props, "modifiedAt")[:10], dataset=dataset,
                  line=line, record=eid)
        for i, n in enumerate(names):
            st.name(seq, n, script=guess_script(n), kind="legal" if i == 0 else "alias")
        for prop, kind in (("alias", "alias"), ("previousName", "former"),
                           ("weakAlias", "weak_alias"), ("abbreviation", "short")):
            for n in _values(props, prop):
                st.name(seq, n, script=guess_script(n), kind=kind)
        for scheme, value in idents:
            st.ident(seq, scheme, value)
        st.ref(eid, eid)

    def edge(self, eid: str, schema: str, props: dict[str, Any], dataset: str,
             line: int) -> None:
        owner_prop, owned_prop = _EDGES[schema]
        owner, owned = _first(props, owner_prop), _first(props, owned_prop)
        if not owner:
            raise Bad(f"properties.{owner_prop}", "missing")
        if not owned:
            raise Bad(f"properties.{owned_prop}", "missing")
        vfrom = _date(_first(props, "startDate"), "properties.startDate")
        vto = _date(_first(props, "endDate"), "properties.endDate")
        if vfrom and vto and vto <= vfrom:
            raise Bad("properties.endDate", f"ends ({vto}) before it starts ({vfrom})")
        evidence = ""
        kind = HoldingKind.SHARES
        detail = ""
        if schema == "Ownership":
            otype = _first(props, "ownershipType").lower()
            if otype in ("indirect", "ultimate"):
                evidence = f"ftm:ownership:{otype}"
            detail = otype
        elif schema == "Control":
            ctype = _first(props, "controlType").lower()
            kind = HoldingKind.VOTES if ctype == "voting" else HoldingKind.CONTROL
            if ctype == "indirect":
                evidence = "ftm:control:indirect"
            detail = ctype
        else:
            kind, evidence = HoldingKind.CONTROL, "ftm:directorship"
        share: Share = ANY_SHARE
        pct = _first(props, "percentage")
        if pct:
            try:
                share = text_share(pct)
            except ShareError as err:
                raise Bad("properties.percentage", str(err)) from None
        note = f"FtM {schema}" + (f" ({detail})" if detail else "")
        if _first(props, "sourceUrl"):
            note += f" {_first(props, 'sourceUrl')}"
        self.stage.holding(hrec=eid, seq=self.stage.next_seq(), owner=owner, owned=owned,
                           kind=kind, share=share, vdate=_first(props, "modifiedAt")[:10],
                           vfrom=vfrom, vto=vto, dataset=dataset, line=line, record=eid,
                           note=note, evidence=evidence)


def read_ftm(paths: list[Path], stage: Stage, *, progress: ProgressHook | None = None
             ) -> Iterator[FileStats]:
    """Read FollowTheMoney JSON Lines files (directories are searched)."""
    reader = _Reader(stage)
    yield from read_json_records(
        paths, stage, fmt="ftm", suffixes=(".json", ".jsonl", ".ijson", ".ftm", ".gz"),
        noun="an entity", handle=reader.entity, progress=progress,
        record_id=lambda e: e.get("id"))
    for schema, n in sorted(reader.skipped.items()):
        stage.notes.append(f"ftm: {n} {schema} entities skipped (not parties or edges)")
