"""The what-if changes file: the holdings CSV contract plus an ``action`` column.

``add`` a holding, or ``remove`` the snapshot's holdings that match ``owner,owned,kind``
(and ``valid_from`` when given). A changed share is a ``remove`` and an ``add``. Every bad
row is reported (file, line, field) and nothing is applied when any row is bad.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ringfence.exc import IngestError, Problem
from ringfence.model import Holding, HoldingChanges, HoldingKind, SourceRef, parse_share
from ringfence.snapshot import Snapshot

__all__ = ["read_holding_changes"]

_NEED = ("action", "owner", "owned", "kind")


def read_holding_changes(path: Path, snapshot: Snapshot) -> HoldingChanges:
    """Read ``path`` against ``snapshot``: the holdings to add and the rows to remove."""
    problems: list[Problem] = []
    adds: list[Holding] = []
    removes: list[int] = []
    entities = set(snapshot.entities_table(["id"]).column("id").to_pylist())
    holdings = snapshot.holdings_table(["owner", "owned", "kind", "valid_from"])
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or not set(_NEED) <= set(reader.fieldnames):
                raise IngestError(f"{path}: needs columns action,owner,owned,kind "
                                  "(and share or share_min/share_max for add)",
                                  problems=[Problem(str(path), "missing columns", line=1)])
            for raw in reader:
                line = reader.line_num
                row = {k: (v or "").strip() for k, v in raw.items() if k}
                problem = _row(row, path, line, entities, holdings, adds, removes)
                if problem is not None:
                    problems.append(problem)
    except UnicodeDecodeError as err:
        raise IngestError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})",
                          problems=[Problem(str(path), "not UTF-8 text")]) from None
    if problems:
        raise IngestError(f"{len(problems)} bad change(s); nothing was applied",
                          problems=problems)
    return HoldingChanges(added=tuple(adds), removed=tuple(removes))


def _row(row: dict[str, str], path: Path, line: int, entities: set[str], holdings: pa.Table,
         adds: list[Holding], removes: list[int]) -> Problem | None:
    bad = next((c for c in ("owner", "owned") if row[c] not in entities), None)
    if bad:
        return Problem(str(path), f"unknown entity {row[bad]!r}", line=line, field=bad)
    try:
        kind = HoldingKind(row["kind"] or "shares")
    except ValueError:
        return Problem(str(path), f"unknown kind {row['kind']!r}", line=line, field="kind")
    if row["action"] == "remove":
        table = holdings
        mask = pc.and_(pc.equal(table.column("owner"), row["owner"]),
                       pc.and_(pc.equal(table.column("owned"), row["owned"]),
                               pc.equal(table.column("kind"), str(kind))))
        if row.get("valid_from"):
            try:
                since = dt.date.fromisoformat(row["valid_from"])
            except ValueError as err:
                return Problem(str(path), str(err), line=line, field="valid_from")
            mask = pc.and_(mask, pc.equal(table.column("valid_from"), since))
        hits = np.flatnonzero(mask.to_numpy(zero_copy_only=False))
        if len(hits) == 0:
            return Problem(str(path), "no such holding in the snapshot", line=line,
                           field="owner")
        removes.extend(int(h) for h in hits)
        return None
    if row["action"] == "add":
        try:
            share = parse_share(row.get("share", ""), row.get("share_min", ""),
                                row.get("share_max", ""))
            reason = share.validate()
            if reason:
                raise ValueError(reason)
            start = dt.date.fromisoformat(row["valid_from"]) if row.get("valid_from") else None
            end = dt.date.fromisoformat(row["valid_to"]) if row.get("valid_to") else None
        except ValueError as err:
            return Problem(str(path), str(err), line=line, field="share")
        adds.append(Holding(row["owner"], row["owned"], kind, share, start, end,
                            SourceRef(str(path), line=line)))
        return None
    return Problem(str(path), f"unknown action {row['action']!r} (add or remove)",
                   line=line, field="action")
