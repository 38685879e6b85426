"""GLEIF golden-copy CSV (LEI, relationship and reporting-exception files)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ringfence.ingest.gleif.records import Bad, Emitter, ExcRecord, LeiRecord, RelRecord
from ringfence.ingest.inputs import open_binary
from ringfence.ingest.stage import (
    FileStats,
    ProgressHook,
)

__all__ = [
    "read_csv",
]


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
    event = "Entity.LegalEntityEvents.LegalEntityEvent"  # named as the XML, like the names
    for k in range(1, 6):
        if (c.get(row, f"{event}.{k}.LegalEntityEventType") == "CHANGE_LEGAL_NAME"
                and c.get(row, f"{event}.{k}.event_status") == "COMPLETED"):
            r.renamed = max(r.renamed,
                            c.get(row, f"{event}.{k}.LegalEntityEventEffectiveDate")[:10])
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


def read_csv(path: Path, em: Emitter, stats: FileStats,
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
