"""The canonical model every reader produces and every engine reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from ringfence.model.share import Share

__all__ = [
    "Entity",
    "EntityType",
    "Holding",
    "HoldingKind",
    "Identifier",
    "Name",
    "SourceRef",
]


class EntityType(StrEnum):
    COMPANY = "company"
    PERSON = "person"
    STATE = "state"
    UNKNOWN = "unknown"  # an owner registries say exists but do not name
    VESSEL = "vessel"  # a ship a designation list names (property, not a person)
    AIRCRAFT = "aircraft"  # an aircraft a designation list names


class HoldingKind(StrEnum):
    SHARES = "shares"  # equity
    VOTES = "votes"  # voting rights
    CONTROL = "control"  # control without equity: board, golden share, VIE, consolidation


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a fact came from: dataset, file, line or record id, and when it was read."""

    dataset: str
    record: str = ""
    line: int | None = None
    note: str = ""  # free text kept verbatim, e.g. the URL and "as of" date of a CSV row

    def __str__(self) -> str:
        parts = [self.dataset]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.record:
            parts.append(f"record {self.record}")
        if self.note:
            parts.append(self.note)
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Name:
    value: str
    lang: str = ""
    script: str = ""
    kind: str = "legal"  # legal | alias | former | trade | transliteration


@dataclass(frozen=True, slots=True)
class Identifier:
    scheme: str  # lei, cn_uscc, ru_ogrn, ru_inn, sg_uen, bic, gb_crn, reg_XX
    value: str


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    type: EntityType
    name: str = ""
    hq_country: str = ""  # ISO alpha-2 of headquarters; a person's residence
    jurisdiction: str = ""  # ISO alpha-2 of registration
    lists: tuple[str, ...] = ()
    names: tuple[Name, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    source: SourceRef | None = None


@dataclass(frozen=True, slots=True)
class Holding:
    """``owner`` holds ``share`` of ``owned``'s equity, votes or control, over a period.

    Validity is half-open: ``[valid_from, valid_to)``; ``None`` is unbounded.
    """

    owner: str
    owned: str
    kind: HoldingKind
    share: Share
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    source: SourceRef = field(default_factory=lambda: SourceRef("unknown"))

    def in_force(self, as_of: dt.date) -> bool:
        if self.valid_from is not None and as_of < self.valid_from:
            return False
        return not (self.valid_to is not None and as_of >= self.valid_to)
