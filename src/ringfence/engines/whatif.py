"""What if: apply changed holdings to a snapshot's verdicts and list what flips.

An analyst's question ("what if ByteDance sold down to 40%?") answered by the incremental
engine: only entities downstream of the changed holdings are recomputed. The changes file
is the holdings CSV contract plus an ``action`` column: ``add`` a holding, or ``remove``
the snapshot's holdings that match ``owner,owned,kind`` (and ``valid_from`` when given).
A changed share is a ``remove`` and an ``add``.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.compute as pc

from ringfence.attribution import update
from ringfence.attribution.graph import KIND_CODES, NO_DATE_MAX, NO_DATE_MIN, HoldingTable
from ringfence.attribution.graph import date_to_day as _day
from ringfence.engines.local import VerdictBook, evaluate
from ringfence.exc import IngestError, Problem
from ringfence.model import HoldingKind, parse_share

__all__ = ["WhatIf", "what_if"]


@dataclass
class WhatIf:
    book: VerdictBook
    flips: list[dict[str, Any]]
    recomputed: int
    downstream: int
    added: int
    removed: int

    def as_dict(self) -> dict[str, Any]:
        return {**self.book.header(), "added": self.added, "removed": self.removed,
                "downstream": self.downstream, "recomputed": self.recomputed,
                "flips": self.flips}


def _read_changes(path: Path, index: dict[str, int], book: VerdictBook
                  ) -> tuple[HoldingTable, list[int]]:
    problems: list[Problem] = []
    adds: list[dict[str, Any]] = []
    removes: list[int] = []
    holdings = book.snapshot.holdings_table(["owner", "owned", "kind", "valid_from"])
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        need = {"action", "owner", "owned", "kind"}
        if not reader.fieldnames or not need <= set(reader.fieldnames):
            raise IngestError(f"{path}: needs columns action,owner,owned,kind "
                              "(and share or share_min/share_max for add)",
                              problems=[Problem(str(path), "missing columns", line=1)])
        for row in reader:
            line = reader.line_num
            row = {k: (v or "").strip() for k, v in row.items() if k}
            bad = next((c for c in ("owner", "owned") if row[c] not in index), None)
            if bad:
                problems.append(Problem(str(path), f"unknown entity {row[bad]!r}", line=line,
                                        field=bad))
                continue
            try:
                kind = HoldingKind(row["kind"] or "shares")
            except ValueError:
                problems.append(Problem(str(path), f"unknown kind {row['kind']!r}", line=line,
                                        field="kind"))
                continue
            if row["action"] == "remove":
                mask = pc.and_(pc.equal(holdings.column("owner"), row["owner"]),
                               pc.and_(pc.equal(holdings.column("owned"), row["owned"]),
                                       pc.equal(holdings.column("kind"), str(kind))))
                if row.get("valid_from"):
                    mask = pc.and_(mask, pc.equal(holdings.column("valid_from"),
                                                  dt.date.fromisoformat(row["valid_from"])))
                hits = np.flatnonzero(mask.to_numpy(zero_copy_only=False))
                if len(hits) == 0:
                    problems.append(Problem(str(path), "no such holding in the snapshot",
                                            line=line, field="owner"))
                removes.extend(int(h) for h in hits)
            elif row["action"] == "add":
                try:
                    share = parse_share(row.get("share", ""), row.get("share_min", ""),
                                        row.get("share_max", ""))
                    reason = share.validate()
                    if reason:
                        raise ValueError(reason)
                    start = dt.date.fromisoformat(row["valid_from"]) \
                        if row.get("valid_from") else None
                    end = dt.date.fromisoformat(row["valid_to"]) \
                        if row.get("valid_to") else None
                except ValueError as err:
                    problems.append(Problem(str(path), str(err), line=line, field="share"))
                    continue
                adds.append({"owner": index[row["owner"]], "owned": index[row["owned"]],
                             "kind": KIND_CODES[kind], "share": share, "from": start,
                             "to": end})
            else:
                problems.append(Problem(str(path), f"unknown action {row['action']!r} "
                                        "(add or remove)", line=line, field="action"))
    if problems:
        raise IngestError(f"{len(problems)} bad change(s); nothing was applied",
                          problems=problems)
    base = book.snapshot.manifest.counts.get("holdings", 0)
    added = HoldingTable(
        owner=np.array([a["owner"] for a in adds], dtype=np.int32),
        owned=np.array([a["owned"] for a in adds], dtype=np.int32),
        kind=np.array([a["kind"] for a in adds], dtype=np.int8),
        lo=np.array([a["share"].lo for a in adds], dtype=np.int64),
        hi=np.array([a["share"].hi for a in adds], dtype=np.int64),
        lo_open=np.array([a["share"].lo_open for a in adds], dtype=np.bool_),
        hi_open=np.array([a["share"].hi_open for a in adds], dtype=np.bool_),
        valid_from=np.array([_day(a["from"], default=NO_DATE_MIN) for a in adds],
                            dtype=np.int32),
        valid_to=np.array([_day(a["to"], default=NO_DATE_MAX) for a in adds],
                          dtype=np.int32),
        row=np.arange(base, base + len(adds), dtype=np.int64),
    )
    return added, removes


def what_if(snapshot: str | Path, changes: Path, *, policy: str | Path,
            as_of: dt.date) -> WhatIf:
    """Evaluate ``snapshot`` under ``policy``, apply ``changes``, list the flips."""
    book = evaluate(snapshot, policy, as_of)
    entities, _ = book.snapshot.graph()
    added, removed = _read_changes(changes, entities.index(), book)
    result = update(book.result, added=added, removed=np.array(removed, dtype=np.int64),
                    copy=True)
    new_book = VerdictBook(book.snapshot, book.policy, result.result)
    flips = []
    for f in result.flips:
        v = new_book[f.entity]
        old = book[f.entity]
        flips.append({"entity": f.entity, "old": f.old, "new": f.new,
                      "old_share": [old.lower, old.upper], "new_share": [v.lower, v.upper]})
    return WhatIf(new_book, flips, result.recomputed, result.downstream, len(added),
                  len(removed))
