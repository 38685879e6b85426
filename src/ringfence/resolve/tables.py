"""The tab-separated data tables name screening reads (the lexicons, the Wade–Giles table,
the Russian parts): ``#`` comment lines, a header naming the fields, then one row a line.
A table that silently lost rows would silently lose matches, so every problem fails
closed with an :class:`~ringfence.exc.IngestError` naming the file, the line and the
field."""

from __future__ import annotations

from collections.abc import Iterator

from ringfence.exc import IngestError, Problem

__all__ = ["table_error", "table_rows"]


def table_error(what: str, location: str, line: int, field: str | None,
                reason: str) -> IngestError:
    """The error of a bad line: "bad WHAT: location:line field: reason"."""
    problem = Problem(location=location, line=line, field=field, reason=reason)
    return IngestError(f"bad {what}: {problem}", problems=[problem])


def table_rows(text: str, fields: tuple[str, ...], *, location: str,
               what: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, field → stripped cell) of each row of ``text``, after its header.
    Fails on a wrong header, a row with another number of fields, an empty cell, or no
    header at all; ``what`` names the table in the message."""
    header = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cells = raw.split("\t")
        if not header:
            if tuple(cells) != fields:
                raise table_error(what, location, number, None,
                                  f"header must be {'/'.join(fields)}")
            header = True
            continue
        if len(cells) != len(fields):
            raise table_error(what, location, number, None,
                              f"{len(cells)} fields, expected {len(fields)}")
        row = dict(zip(fields, (c.strip() for c in cells), strict=True))
        for field in fields:
            if not row[field]:
                raise table_error(what, location, number, field, "empty")
        yield number, row
    if not header:
        raise table_error(what, location, 0, None, "no header line")
