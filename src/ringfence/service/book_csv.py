"""The customer book as a CSV (``ringfence org import``): read and checked whole first.

Columns ``name,country,billing_country,identifiers,domains``; identifiers as
``scheme:value;…``, domains as ``a.com;b.com``. Every row is checked before any is
onboarded: the problems found (file, line, field, reason) are raised together as one
:class:`~ringfence.exc.IngestError`, so a bad row imports nothing.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from ringfence.exc import IngestError, Problem

__all__ = ["BookRow", "read_book_csv"]

_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


@dataclass(frozen=True)
class BookRow:
    """One organisation to onboard, with the line it came from."""

    line: int
    name: str
    country: str | None = None
    billing_country: str | None = None
    identifiers: list[dict[str, str]] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)


def _row(path: Path, line: int, row: dict[str, str | None],
         problems: list[Problem]) -> BookRow:
    def col(key: str) -> str:
        return (row.get(key) or "").strip()

    name = col("name")
    if not name:
        problems.append(Problem(str(path), "name is empty", line=line, field="name"))
    for key in ("country", "billing_country"):
        if col(key) and not _COUNTRY.match(col(key)):
            problems.append(Problem(str(path), f"{col(key)!r} is not an ISO 3166-1 alpha-2 "
                                    "code", line=line, field=key))
    ids = []
    for part in col("identifiers").split(";"):
        if part.strip():
            scheme, sep, value = part.partition(":")
            if not sep or not scheme.strip() or not value.strip():
                problems.append(Problem(str(path), f"{part!r} is not scheme:value",
                                        line=line, field="identifiers"))
            ids.append({"scheme": scheme.strip(), "value": value.strip()})
    return BookRow(line=line, name=name, country=col("country").upper() or None,
                   billing_country=col("billing_country").upper() or None, identifiers=ids,
                   domains=[d.strip() for d in col("domains").split(";") if d.strip()])


def read_book_csv(path: Path) -> list[BookRow]:
    """Every row of the CSV, or :class:`IngestError` listing every problem found."""
    problems: list[Problem] = []
    rows: list[BookRow] = []
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = path.read_bytes()[:err.start].count(b"\n") + 1
        raise IngestError(f"{path}: not valid UTF-8; nothing was imported", problems=[
            Problem(str(path), f"not valid UTF-8 (byte {err.object[err.start]:#04x})",
                    line=line)]) from None
    except OSError as err:
        raise IngestError(f"{path}: cannot be read ({err.strerror})", problems=[
            Problem(str(path), f"cannot be read ({err.strerror})")]) from None
    reader = csv.DictReader(text.splitlines(keepends=True))
    if not reader.fieldnames or "name" not in reader.fieldnames:
        raise IngestError(f"{path}: needs a header with at least a 'name' column",
                          problems=[Problem(str(path), "no 'name' column", line=1)])
    for line, row in enumerate(reader, start=2):
        rows.append(_row(path, line, row, problems))
    if problems:
        raise IngestError(f"{path}: {len(problems)} problem(s); nothing was imported",
                          problems=problems)
    return rows
