"""The arrays attribution reads: entities and holdings as columns, no Python objects.

The snapshot reader builds these from Parquet; tests build them from model records with
:func:`from_records`. Entity ``i`` is row ``i``; holdings point at rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from ringfence.model import Entity, EntityType, Holding, HoldingKind
from ringfence.model.exceptions import Undisclosed, parse_undisclosed

__all__ = [
    "AIRCRAFT",
    "COMPANY",
    "CONTROL",
    "KIND_CODES",
    "KIND_NAMES",
    "NO_DATE_MAX",
    "NO_DATE_MIN",
    "PERSON",
    "SHARES",
    "STATE",
    "TYPE_CODES",
    "TYPE_NAMES",
    "UNKNOWN",
    "VESSEL",
    "VOTES",
    "EntityTable",
    "HoldingTable",
    "date_to_day",
    "from_records",
    "holding_table",
]

# The integer codes of entity types and holding kinds in the arrays (and the graph
# cache): named here once, used by every module that reads the arrays. Vessels and
# aircraft (codes 4, 5) are origins only through a designation list: no residence or
# headquarters rule reads them; they can be owned like any entity.
COMPANY, PERSON, STATE, UNKNOWN, VESSEL, AIRCRAFT = 0, 1, 2, 3, 4, 5
SHARES, VOTES, CONTROL = 0, 1, 2
TYPE_NAMES: tuple[EntityType, ...] = (EntityType.COMPANY, EntityType.PERSON,
                                      EntityType.STATE, EntityType.UNKNOWN,
                                      EntityType.VESSEL, EntityType.AIRCRAFT)  # by code
KIND_NAMES: tuple[HoldingKind, ...] = (HoldingKind.SHARES, HoldingKind.VOTES,
                                       HoldingKind.CONTROL)  # by code
TYPE_CODES = {t: code for code, t in enumerate(TYPE_NAMES)}
KIND_CODES = {k: code for code, k in enumerate(KIND_NAMES)}
NO_DATE_MIN = np.iinfo(np.int32).min  # valid_from unbounded
NO_DATE_MAX = np.iinfo(np.int32).max  # valid_to unbounded
_EPOCH = dt.date(1970, 1, 1)

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
I16 = npt.NDArray[np.int16]
I8 = npt.NDArray[np.int8]
B = npt.NDArray[np.bool_]


def date_to_day(value: dt.date | None, *, default: int) -> int:
    return default if value is None else (value - _EPOCH).days


@dataclass(frozen=True)
class EntityTable:
    """One row per entity.

    ``hq`` and ``jurisdiction`` are codes into ``countries`` (code 0 is ``""``, unknown).
    Designation lists are a CSR: the list-name codes of entity ``i`` are
    ``list_idx[list_ptr[i]:list_ptr[i+1]]``, codes into ``list_names``.
    """

    ids: Sequence[str]
    type: I8
    hq: I16
    jurisdiction: I16
    countries: tuple[str, ...]
    list_ptr: I64
    list_idx: I32
    list_names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.type)

    def index(self) -> dict[str, int]:
        return {eid: i for i, eid in enumerate(self.ids)}

    @cached_property
    def undisclosed(self) -> dict[int, Undisclosed]:
        """The undisclosed parents among the entities (row → what its id states), parsed
        once per table: the scan reads every person's and unknown owner's id (0.7 s at 10M
        entities), which no policy changes."""
        out: dict[int, Undisclosed] = {}
        cand = np.flatnonzero((self.type == UNKNOWN) | (self.type == PERSON))
        for i in cand.tolist():
            u = parse_undisclosed(self.ids[i])
            if u is not None:
                out[i] = u
        return out


@dataclass(frozen=True)
class HoldingTable:
    """One row per holding; shares in parts per billion (see :mod:`ringfence.model.share`).

    ``row`` is the holding's row number in the snapshot, for provenance in proofs.
    Dates are days since 1970-01-01, ``NO_DATE_MIN`` / ``NO_DATE_MAX`` when unbounded;
    validity is half-open ``[valid_from, valid_to)``.
    """

    owner: I32
    owned: I32
    kind: I8
    lo: I64
    hi: I64
    lo_open: B
    hi_open: B
    valid_from: npt.NDArray[np.int32]
    valid_to: npt.NDArray[np.int32]
    row: I64

    def __len__(self) -> int:
        return len(self.owner)

    def in_force(self, as_of: dt.date) -> B:
        day = date_to_day(as_of, default=0)
        return (self.valid_from <= day) & (day < self.valid_to)

    def take(self, mask_or_index: npt.NDArray[np.bool_] | I64) -> HoldingTable:
        return HoldingTable(
            owner=self.owner[mask_or_index], owned=self.owned[mask_or_index],
            kind=self.kind[mask_or_index], lo=self.lo[mask_or_index],
            hi=self.hi[mask_or_index], lo_open=self.lo_open[mask_or_index],
            hi_open=self.hi_open[mask_or_index], valid_from=self.valid_from[mask_or_index],
            valid_to=self.valid_to[mask_or_index], row=self.row[mask_or_index],
        )


def from_records(
    entities: Iterable[Entity], holdings: Iterable[Holding]
) -> tuple[EntityTable, HoldingTable]:
    """Build the arrays from model records (small inputs: tests, cases, the CLI on CSV)."""
    ents = list(entities)
    countries: dict[str, int] = {"": 0}
    lists: dict[str, int] = {}
    ptr = [0]
    idx: list[int] = []
    for e in ents:
        countries.setdefault(e.hq_country, len(countries))
        countries.setdefault(e.jurisdiction, len(countries))
        for name in e.lists:
            idx.append(lists.setdefault(name, len(lists)))
        ptr.append(len(idx))
    table = EntityTable(
        ids=[e.id for e in ents],
        type=np.array([TYPE_CODES[e.type] for e in ents], dtype=np.int8),
        hq=np.array([countries[e.hq_country] for e in ents], dtype=np.int16),
        jurisdiction=np.array([countries[e.jurisdiction] for e in ents], dtype=np.int16),
        countries=tuple(countries),
        list_ptr=np.array(ptr, dtype=np.int64),
        list_idx=np.array(idx, dtype=np.int32),
        list_names=tuple(lists),
    )
    return table, holding_table(holdings, table.index())


def holding_table(holdings: Iterable[Holding], index: dict[str, int], *,
                  first_row: int = 0) -> HoldingTable:
    """Model holdings as arrays, their ends looked up in ``index`` (id → row); rows are
    numbered from ``first_row``."""
    hs = list(holdings)
    return HoldingTable(
        owner=np.array([index[h.owner] for h in hs], dtype=np.int32),
        owned=np.array([index[h.owned] for h in hs], dtype=np.int32),
        kind=np.array([KIND_CODES[h.kind] for h in hs], dtype=np.int8),
        lo=np.array([h.share.lo for h in hs], dtype=np.int64),
        hi=np.array([h.share.hi for h in hs], dtype=np.int64),
        lo_open=np.array([h.share.lo_open for h in hs], dtype=np.bool_),
        hi_open=np.array([h.share.hi_open for h in hs], dtype=np.bool_),
        valid_from=np.array([date_to_day(h.valid_from, default=NO_DATE_MIN) for h in hs],
                            dtype=np.int32),
        valid_to=np.array([date_to_day(h.valid_to, default=NO_DATE_MAX) for h in hs],
                          dtype=np.int32),
        row=np.arange(first_row, first_row + len(hs), dtype=np.int64),
    )
