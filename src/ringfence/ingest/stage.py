"""The staging area readers write into: columnar rows on disk, not Python objects.

Every reader turns its records into rows of a few staging tables (entities, names,
identifiers, references, holdings, closings), buffered in columns and streamed to
Parquet in a working folder, so memory stays bounded whatever the input size.
:mod:`ringfence.ingest.merge` then resolves versions, references and identities with
DuckDB and writes the snapshot.

Row meaning:

- ``ent``: one version of one entity record. ``rec`` is the record identity that
  versions share (latest ``vdate``, then latest ``seq``, wins); ``key`` is the entity id
  the record proposes (``lei:…`` when it has a valid LEI). ``stub`` rows stand for an
  entity known only by a global identifier; readers do not stage them: the merge makes
  one for every ``lei``-mode holding end with no record in its source (a GLEIF
  relationship end or exception subject with no Level 1 record). A real row always
  beats a stub.
- ``ref``: ``ref`` (a statement id or record id used in references) → ``rec``.
- ``hold``: one interest of one version of one relationship record ``hrec``. Each end's
  ``*_mode`` says what it holds: ``key`` (an entity id), ``ref`` (resolved through
  ``ref``), ``lei`` (an entity id that stands for itself: a stub entity when no
  record has it), or for owners ``unknown``/``persons``: an owner the source says exists but
  does not name; the merge makes it an entity ``unknown:<owned id>:<label>`` (type
  ``unknown``) or ``persons:<owned id>:<label>`` (type ``person``), so two sources
  reporting the same undisclosed parent of the same company meet on one id.
  ``evidence`` is empty for a holding, else the relation it is evidence of
  (indirect or ultimate edges, fund links): kept in the snapshot's evidence side
  table, never counted.
- ``close``: relationship record ``hrec`` closed on ``date``.
- ``cln``: a name of entity version ``seq`` that had control or invisible characters
  (:func:`ringfence.resolve.remove_hidden`): ``original`` as written with each removed
  character shown as ``\\uXXXX``, ``stored`` the name the snapshot keeps, ``removed`` the
  characters by code point and name. The merge writes these to the snapshot's
  ``cleaned_names`` side table; nothing is changed silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ringfence.exc import Problem
from ringfence.model import SCALE, HoldingKind, Share
from ringfence.resolve import remove_hidden

__all__ = ["STAGE_SCHEMAS", "FileStats", "ProgressHook", "Stage", "hidden"]

ProgressHook = Callable[[str, int, int], None]
"""``hook(label, bytes_done, records_done)`` for one input file; called often."""

STAGE_SCHEMAS: dict[str, pa.Schema] = {
    "ent": pa.schema([
        ("src", pa.int32()), ("rec", pa.string()), ("key", pa.string()),
        ("seq", pa.int64()), ("vdate", pa.string()), ("stub", pa.bool_()),
        ("type", pa.string()), ("name", pa.string()), ("hq", pa.string()),
        ("hq_rank", pa.int8()), ("juris", pa.string()), ("lists", pa.string()),
        ("dataset", pa.string()), ("line", pa.int64()), ("record", pa.string()),
    ]),
    "nm": pa.schema([
        ("src", pa.int32()), ("seq", pa.int64()), ("name", pa.string()),
        ("lang", pa.string()), ("script", pa.string()), ("kind", pa.string()),
    ]),
    "idn": pa.schema([
        ("src", pa.int32()), ("seq", pa.int64()), ("scheme", pa.string()),
        ("value", pa.string()),
    ]),
    "ref": pa.schema([("src", pa.int32()), ("ref", pa.string()), ("rec", pa.string())]),
    "hold": pa.schema([
        ("src", pa.int32()), ("hrec", pa.string()), ("seq", pa.int64()),
        ("vdate", pa.string()), ("owner", pa.string()), ("owner_mode", pa.string()),
        ("owned", pa.string()), ("owned_mode", pa.string()), ("kind", pa.string()),
        ("lo", pa.int64()), ("hi", pa.int64()), ("lo_open", pa.bool_()),
        ("hi_open", pa.bool_()), ("vfrom", pa.string()), ("vto", pa.string()),
        ("dataset", pa.string()), ("line", pa.int64()), ("record", pa.string()),
        ("note", pa.string()), ("evidence", pa.string()), ("xgroup", pa.string()),
    ]),
    "close": pa.schema([("src", pa.int32()), ("hrec", pa.string()), ("date", pa.string())]),
    "cln": pa.schema([
        ("src", pa.int32()), ("seq", pa.int64()), ("field", pa.string()),
        ("original", pa.string()), ("stored", pa.string()), ("removed", pa.string()),
        ("dataset", pa.string()), ("line", pa.int64()), ("record", pa.string()),
    ]),
}

MAX_KEPT_PROBLEMS = 100_000


def hidden(value: str) -> tuple[str, str, str] | None:
    """``None`` when ``value`` has no control or invisible character, else ``(stored,
    shown, removed)``: the value without them (:func:`ringfence.resolve.remove_hidden`),
    the value as written with each removed or replaced character shown as ``\\uXXXX`` (a
    tab or line break becomes a space), and the removed characters by code point and
    name, ``; ``-joined."""
    if value.isascii() and value.isprintable():
        return None
    stored, removed = remove_hidden(value)
    if stored == value:
        return None
    kept = iter(stored)
    nxt = next(kept, None)
    shown: list[str] = []
    for ch in value:  # stored is value minus the removed characters, in order
        if ch == nxt or (nxt == " " and ch in "\t\n\r"):
            shown.append(ch if ch == nxt else f"\\u{ord(ch):04x}")
            nxt = next(kept, None)
        else:
            shown.append(f"\\u{ord(ch):04x}")
    return stored, "".join(shown), "; ".join(removed)


@dataclass
class FileStats:
    path: str
    format: str
    dataset: str
    records: int = 0
    rejected: int = 0
    published: str = ""  # ISO date a designation list file was published, if known


@dataclass
class _Buffer:
    rows: list[tuple[Any, ...]]


@dataclass
class Stage:
    """Buffered columnar staging tables under ``work``; see the module docstring."""

    work: Path
    batch_rows: int = 100_000
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    kept_count: int = 0
    rejects: list[dict[str, Any]] = field(default_factory=list)
    files: list[FileStats] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    src: int = 0
    seq: int = 0

    def __post_init__(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        self._buf = {name: _Buffer([]) for name in STAGE_SCHEMAS}
        self._origin: tuple[int, str, int | None, str] = (0, "", None, "")
        self._cleaned: set[tuple[int, str]] = set()
        self._writers: dict[str, pq.ParquetWriter] = {}
        self.counts = dict.fromkeys(STAGE_SCHEMAS, 0)
        # staging files written by other processes (parallel readers), with the number
        # of lines to add to their ``line`` column (a part read from the middle of a file
        # counts lines from its own start)
        self.parts: dict[str, list[tuple[Path, int]]] = {name: [] for name in STAGE_SCHEMAS}

    # -- rows ------------------------------------------------------------------------
    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def rows(self, table: str) -> list[tuple[Any, ...]]:
        """The row buffer of ``table``, for hot loops that append positional tuples in
        the schema's column order; call :meth:`flush_full` every so often."""
        return self._buf[table].rows

    def flush_full(self) -> None:
        for name, buf in self._buf.items():
            if len(buf.rows) >= self.batch_rows:
                self._flush(name)

    def add_part(self, table: str, path: Path, rows: int, line_offset: int = 0) -> None:
        """A staging file of ``table`` written elsewhere (same schema)."""
        self.parts[table].append((path, line_offset))
        self.counts[table] += rows

    def _append(self, table: str, values: tuple[Any, ...]) -> None:
        rows = self._buf[table].rows
        rows.append(values)
        if len(rows) >= self.batch_rows:
            self._flush(table)

    def entity(self, *, rec: str, key: str, seq: int, etype: str, name: str = "",
               hq: str = "", hq_rank: int = 0, juris: str = "", lists: str = "",
               vdate: str = "", stub: bool = False, dataset: str = "",
               line: int | None = None, record: str = "") -> None:
        self._origin = (seq, dataset, line, record)
        name = self.clean(seq, name, "name")
        self._append("ent", (self.src, rec, key, seq, vdate, stub, etype, name, hq, hq_rank,
                             juris, lists, dataset, line, record))

    def name(self, seq: int, name: str, *, lang: str = "", script: str = "",
             kind: str = "legal") -> None:
        name = self.clean(seq, name, f"names[{kind}]")
        if name:
            self._append("nm", (self.src, seq, name, lang, script, kind))

    def clean(self, seq: int, value: str, field: str, *, dataset: str | None = None,
              line: int | None = None, record: str | None = None) -> str:
        """``value`` without control and invisible characters (what the snapshot keeps),
        the removal staged in ``cln`` with where it came from (the entity version
        ``seq``; its dataset, line and record are those :meth:`entity` was last given
        unless passed). A value is recorded once per entity version."""
        found = hidden(value)
        if found is None:
            return value
        stored, shown, removed = found
        if (seq, value) not in self._cleaned:
            if self._cleaned and next(iter(self._cleaned))[0] != seq:
                self._cleaned.clear()
            self._cleaned.add((seq, value))
            o_seq, o_dataset, o_line, o_record = self._origin
            same = o_seq == seq
            self._append("cln", (
                self.src, seq, field, shown, stored, removed,
                dataset if dataset is not None else (o_dataset if same else ""),
                line if line is not None else (o_line if same else None),
                record if record is not None else (o_record if same else "")))
        return stored

    def ident(self, seq: int, scheme: str, value: str) -> None:
        if scheme and value:
            self._append("idn", (self.src, seq, scheme, value))

    def ref(self, ref: str, rec: str) -> None:
        self._append("ref", (self.src, ref, rec))

    def holding(self, *, hrec: str, seq: int, owner: str, owned: str, kind: HoldingKind,
                share: Share, owner_mode: str = "ref", owned_mode: str = "ref",
                vdate: str = "", vfrom: str = "", vto: str = "", dataset: str = "",
                line: int | None = None, record: str = "", note: str = "",
                evidence: str = "", xgroup: str = "") -> None:
        self._append("hold", (self.src, hrec, seq, vdate, owner, owner_mode, owned,
                              owned_mode, str(kind), share.lo, share.hi, share.lo_open,
                              share.hi_open, vfrom, vto, dataset, line, record, note,
                              evidence, xgroup))

    def close_record(self, hrec: str, date: str) -> None:
        self._append("close", (self.src, hrec, date))

    # -- problems ----------------------------------------------------------------------
    def problem(self, location: str, reason: str, *, line: int | None = None,
                field: str | None = None, record: str | None = None,
                raw: str = "", kept: bool = False) -> None:
        """Record a bad record. Kept in memory up to a cap; always counted. ``kept``: the
        record itself is still staged with the bad field left empty (strict mode fails
        all the same; ``--skip-bad`` publishes it and lists the problem)."""
        self.problem_count += 1
        if kept:
            self.kept_count += 1
        if len(self.problems) < MAX_KEPT_PROBLEMS:
            p = Problem(location, reason, line=line, field=field, record=record)
            self.problems.append(p)
            self.rejects.append({**p.as_dict(), "raw": raw[:2000]})

    # -- files ---------------------------------------------------------------------------
    def _flush(self, table: str) -> None:
        buf = self._buf[table]
        if not buf.rows:
            return
        schema = STAGE_SCHEMAS[table]
        columns = list(zip(*buf.rows, strict=True))
        batch = pa.table({name: pa.array(col, type=schema.field(name).type)
                          for name, col in zip(schema.names, columns, strict=True)},
                         schema=schema)
        if table not in self._writers:
            self._writers[table] = pq.ParquetWriter(self.work / f"{table}.parquet", schema)
        self._writers[table].write_table(batch)
        self.counts[table] += len(buf.rows)
        buf.rows.clear()

    def finish(self) -> dict[str, Path]:
        """Flush and close; every staging table exists afterwards (maybe empty)."""
        paths: dict[str, Path] = {}
        for name, schema in STAGE_SCHEMAS.items():
            self._flush(name)
            if name not in self._writers:
                self._writers[name] = pq.ParquetWriter(self.work / f"{name}.parquet", schema)
            self._writers[name].close()
            paths[name] = self.work / f"{name}.parquet"
        self._writers = {}
        return paths


# -- shares ------------------------------------------------------------------------------

ANY_SHARE = Share(0, SCALE)
MAJORITY = Share(SCALE // 2, SCALE, lo_open=True)
NOT_MAJORITY = Share(0, SCALE // 2)
"""[0, 50%], closed: exactly half does not control under a ``> 50%`` test, but does
under an inclusive ``>= 50%`` one."""
WHOLE = Share(SCALE, SCALE)
