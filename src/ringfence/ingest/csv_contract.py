"""The CSV contract: ``entities.csv``, ``holdings.csv`` and optional ``names.csv``,
``identifiers.csv``.

Every row is checked and every problem reported with file, line, column and reason.
Rows are kept in memory (CSV inputs are curated files, not registry dumps); the large
formats stream through their own readers.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ringfence.exc import Problem
from ringfence.ingest.stage import hidden
from ringfence.model import (
    Entity,
    EntityType,
    Holding,
    HoldingKind,
    Identifier,
    Name,
    SourceRef,
    parse_share,
)
from ringfence.model.countries import normalise_country
from ringfence.resolve.kinds import kind_token

__all__ = ["CsvBatch", "read_csv_contract"]

ENTITY_COLUMNS = ("id", "name", "type", "hq_country", "jurisdiction", "lists")
RESERVED_PREFIXES = ("unknown:", "persons:")  # the merge's undisclosed owners
HOLDING_COLUMNS = ("owner", "owned", "kind", "share", "share_min", "share_max",
                   "valid_from", "valid_to", "source")
NAME_COLUMNS = ("entity", "name", "lang", "script", "kind", "valid_from", "valid_to")
IDENTIFIER_COLUMNS = ("entity", "scheme", "value")
NAME_KINDS = {"legal", "alias", "former", "weak_alias", "trade", "transliteration", "other",
              "short"}


@dataclass
class CsvBatch:
    """What the CSV files hold: good records, and a problem for every bad row."""

    entities: list[Entity] = field(default_factory=list)
    holdings: list[Holding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rejected_rows: list[tuple[str, int, dict[str, str], str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)  # files not usable whole (see _rows)
    # names whose control or invisible characters were removed, as rows of the snapshot's
    # ``cleaned_names`` side table (entity, field, original, stored, removed, source_*)
    cleaned: list[dict[str, object]] = field(default_factory=list)


class _NotUtf8(Exception):
    def __init__(self, line: int, err: UnicodeDecodeError) -> None:
        super().__init__(f"not UTF-8 text: {err.reason} (byte {err.start + 1} of the line)")
        self.line = line


def _utf8_lines(raw: IO[bytes]) -> Iterator[str]:
    """The file's lines decoded one by one, so a byte that is not UTF-8 is named by its
    own line (a text stream decodes ahead in blocks and names no line)."""
    for n, line in enumerate(raw, 1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as err:
            raise _NotUtf8(n, err) from None
        yield text.removeprefix("\ufeff") if n == 1 else text


def _rows(path: Path, required: tuple[str, ...], batch: CsvBatch,
          optional: tuple[str, ...] = ()) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of ``path`` with their line numbers. A file that cannot be used whole
    (unreadable, a missing column, not UTF-8) is one problem, and is listed in
    ``batch.failed`` so rows elsewhere that refer to it are not reported one by one."""
    try:
        fh = path.open("rb")
    except OSError as err:
        batch.problems.append(Problem(str(path), f"cannot read: {err.strerror}"))
        batch.failed.add(str(path))
        return
    with fh:
        reader = csv.DictReader(_utf8_lines(fh))
        count = 0
        try:
            header = reader.fieldnames or []
            missing = [c for c in required if c not in header and c not in optional]
            if missing:
                batch.problems.append(Problem(
                    str(path), f"missing column(s): {', '.join(missing)}", line=1))
                batch.failed.add(str(path))
                return
            for row in reader:
                count += 1
                if None in row:  # more cells than header columns
                    batch.problems.append(Problem(str(path), "more cells than columns",
                                                  line=reader.line_num))
                    continue
                yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}
        except _NotUtf8 as err:
            batch.problems.append(Problem(str(path), str(err), line=err.line))
            batch.failed.add(str(path))
        except csv.Error as err:
            batch.problems.append(Problem(str(path), f"unreadable CSV: {err}",
                                          line=reader.line_num))
            batch.failed.add(str(path))
        batch.counts[path.name] = count


def _date(value: str) -> dt.date | None:
    if not value:
        return None
    return dt.date.fromisoformat(value)


def read_csv_contract(
    entities_path: Path,
    holdings_path: Path,
    *,
    names_path: Path | None = None,
    identifiers_path: Path | None = None,
    dataset: str | None = None,
) -> CsvBatch:
    """Read and check the CSV files. Nothing is dropped silently: every row is either a
    record or a problem (``batch.rejected_rows`` keeps the raw row for a rejects file).
    Holdings whose owner or owned entity was rejected are rejected too."""
    batch = CsvBatch()
    ds_e = dataset or entities_path.name
    ds_h = dataset or holdings_path.name

    def reject(path: Path, line: int, row: dict[str, str], col: str, reason: str) -> None:
        batch.problems.append(Problem(str(path), reason, line=line, field=col,
                                      record=row.get("id") or None))
        batch.rejected_rows.append((str(path), line, row, f"{col}: {reason}"))

    def clean(path: Path, line: int, entity: str, col: str, value: str) -> str:
        found = hidden(value)
        if found is None:
            return value
        stored, shown, removed = found
        batch.cleaned.append({
            "entity": entity, "field": col, "original": shown, "stored": stored,
            "removed": removed, "source_dataset": dataset or path.name,
            "source_record": entity, "source_line": line})
        return stored

    extra_names: dict[str, list[Name]] = {}
    extra_ids: dict[str, list[Identifier]] = {}
    if names_path is not None:
        for line, row in _rows(names_path, NAME_COLUMNS, batch, optional=(
                "lang", "script", "kind", "valid_from", "valid_to")):
            kind = row.get("kind") or "alias"
            name = clean(names_path, line, row.get("entity", ""), "name", row["name"])
            try:
                token, dates_bad = kind_token(kind, row.get("valid_from", ""),
                                              row.get("valid_to", "")), ""
            except ValueError as err:
                token, dates_bad = "", str(err)
            if not row["entity"]:
                reject(names_path, line, row, "entity", "empty entity id")
            elif not name:
                reject(names_path, line, row, "name", "empty name")
            elif kind not in NAME_KINDS:
                reject(names_path, line, row, "kind",
                       f"unknown name kind {kind!r} (one of {', '.join(sorted(NAME_KINDS))})")
            elif not token:
                col = "valid_from" if dates_bad.startswith("since") else "valid_to"
                reject(names_path, line, row, col, dates_bad.split(": ", 1)[1])
            else:
                extra_names.setdefault(row["entity"], []).append(
                    Name(name, row.get("lang", ""), row.get("script", ""), token))
    if identifiers_path is not None:
        for line, row in _rows(identifiers_path, IDENTIFIER_COLUMNS, batch):
            if not row["entity"] or not row["scheme"] or not row["value"]:
                col = next(c for c in IDENTIFIER_COLUMNS if not row[c])
                reject(identifiers_path, line, row, col, f"empty {col}")
            else:
                extra_ids.setdefault(row["entity"], []).append(
                    Identifier(row["scheme"].lower(), row["value"]))

    seen: dict[str, int] = {}
    for line, row in _rows(entities_path, ENTITY_COLUMNS, batch):
        eid = row["id"]
        if not eid:
            reject(entities_path, line, row, "id", "empty id")
            continue
        if eid in seen:
            reject(entities_path, line, row, "id",
                   f"duplicate id {eid!r} (first on line {seen[eid]})")
            continue
        if eid.startswith(RESERVED_PREFIXES):
            reject(entities_path, line, row, "id",
                   f"ids starting {' or '.join(RESERVED_PREFIXES)} are reserved for the "
                   "owners a registry says exist but does not name (the merge makes them)")
            continue
        try:
            etype = EntityType(row["type"].lower())
        except ValueError:
            reject(entities_path, line, row, "type",
                   f"unknown type {row['type']!r} (company, person, state, unknown, "
                   "vessel, aircraft)")
            continue
        countries = {}
        bad = False
        for col in ("hq_country", "jurisdiction"):
            try:
                countries[col] = normalise_country(row[col])
            except ValueError as err:
                reject(entities_path, line, row, col, str(err))
                bad = True
                break
        if bad:
            continue
        lists = tuple(x.strip() for x in row["lists"].split(";") if x.strip())
        legal = clean(entities_path, line, eid, "name", row["name"]).strip()
        names = [Name(legal, kind="legal")] if legal else []
        names += extra_names.get(eid, [])
        seen[eid] = line
        batch.entities.append(Entity(
            id=eid, type=etype, name=legal, hq_country=countries["hq_country"],
            jurisdiction=countries["jurisdiction"], lists=lists, names=tuple(names),
            identifiers=tuple(extra_ids.get(eid, [])),
            source=SourceRef(ds_e, record=eid, line=line),
        ))

    entities_whole = str(entities_path) not in batch.failed
    for eid in set(extra_names) | set(extra_ids):
        if eid not in seen and entities_whole:
            where = names_path if eid in extra_names else identifiers_path
            batch.problems.append(Problem(str(where), f"unknown entity {eid!r}",
                                          field="entity"))

    for line, row in _rows(holdings_path, HOLDING_COLUMNS, batch):
        problem: tuple[str, str] | None = None
        for col in ("owner", "owned"):
            if not row[col]:
                problem = (col, "empty entity id")
            elif row[col] not in seen and entities_whole:
                problem = (col, f"unknown entity {row[col]!r}")
            if problem:
                break
        if problem is None and row["owner"] == row["owned"]:
            problem = ("owned", "an entity cannot hold itself")
        hkind: HoldingKind | None = None
        if problem is None:
            try:
                hkind = HoldingKind(row["kind"].lower() or "shares")
            except ValueError:
                problem = ("kind", f"unknown kind {row['kind']!r} (shares, votes or control)")
        share = None
        if problem is None:
            try:
                share = parse_share(row["share"], row["share_min"], row["share_max"])
                reason = share.validate()
                if reason:
                    problem = ("share", reason)
            except ValueError as err:
                col = "share" if row["share"] else "share_min/share_max"
                problem = (col, str(err))
        dates: list[dt.date | None] = []
        if problem is None:
            for col in ("valid_from", "valid_to"):
                try:
                    dates.append(_date(row[col]))
                except ValueError:
                    problem = (col, f"not an ISO date (YYYY-MM-DD): {row[col]!r}")
                    break
        if problem is None and dates[0] and dates[1] and dates[0] >= dates[1]:
            problem = ("valid_to", "valid_to must be after valid_from")
        if problem is not None:
            reject(holdings_path, line, row, *problem)
            continue
        assert hkind is not None and share is not None
        batch.holdings.append(Holding(
            owner=row["owner"], owned=row["owned"], kind=hkind, share=share,
            valid_from=dates[0], valid_to=dates[1],
            source=SourceRef(ds_h, line=line, note=row["source"]),
        ))
    return batch
