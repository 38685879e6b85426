"""Write a snapshot and publish it atomically.

Rows are streamed into Parquet files inside a hidden working folder beside the target.
:meth:`SnapshotWriter.publish` checks the whole snapshot (duplicate ids, dangling
references, over-full holdings), writes the manifest and the caches, and only then makes
it current through :mod:`ringfence.snapshot.publish`: sealed as a version (fsync'd,
checksummed) and switched in by one rename of the target's pointer. Any failure, or a
process killed at any step, leaves the previous snapshot current (or nothing, the first
time); a stale working folder is removed by the next writer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ringfence.attribution.graph import EntityTable, HoldingTable
from ringfence.attribution.ordering import GraphOrder
from ringfence.exc import ConflictError, IngestError, Problem
from ringfence.model import Entity, Holding
from ringfence.snapshot.graphcache import (
    GRAPH_ENTITY_COLUMNS,
    GRAPH_HOLDING_COLUMNS,
    build_graph,
    save_graph,
    save_order,
)
from ringfence.snapshot.publish import Hook, Publication
from ringfence.snapshot.schema import FILES, FORMAT_VERSION, SIDE_FILES
from ringfence.snapshot.validate import overfull_holdings

__all__ = ["Manifest", "SnapshotWriter", "SourceFile", "file_sha256"]



def file_sha256(path: Path, *, stop: threading.Event | None = None) -> str:
    """Hex SHA-256 of a file's bytes; ``""`` if ``stop`` is set before the end (an
    abandoned ingest does not wait for a multi-gigabyte input to be hashed)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(4 << 20), b""):
            if stop is not None and stop.is_set():
                return ""
            digest.update(block)
    return digest.hexdigest()


@dataclass
class SourceFile:
    """One input file, as the manifest records it."""

    path: str
    format: str
    sha256: str
    records: int = 0
    rejected: int = 0
    published: str = ""  # a designation list's publication date (ISO), when known

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "format": self.format,
                               "sha256": self.sha256, "records": self.records,
                               "rejected": self.rejected}
        if self.published:
            out["published"] = self.published
        return out


@dataclass
class Manifest:
    id: str
    created_at: str
    format_version: int
    counts: dict[str, int]
    files: dict[str, str]
    sources: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": self.created_at,
            "format_version": self.format_version,
            "counts": self.counts,
            "files": self.files,
            "sources": self.sources,
            "notes": self.notes,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        return cls(
            id=data["id"], created_at=data["created_at"],
            format_version=int(data["format_version"]), counts=dict(data["counts"]),
            files=dict(data["files"]), sources=list(data.get("sources", [])),
            notes=list(data.get("notes", [])),
        )


class SnapshotWriter:
    """Stream entities and holdings into a new snapshot at ``out``.

    Use as a context manager; leaving the block by an exception discards everything::

        with SnapshotWriter(out) as w:
            w.add_entities(entities)
            w.add_holdings(holdings)
            w.add_source(SourceFile(...))
            manifest = w.publish()
    """

    def __init__(self, out: Path, *, replace: bool = False, batch_rows: int = 200_000,
                 hook: Hook | None = None) -> None:
        self.out = Path(out)
        self.replace = replace
        self.batch_rows = batch_rows
        if (self.out.exists() or self.out.is_symlink()) and not replace:
            raise ConflictError(f"{self.out} already exists (pass replace/--force to swap it)")
        # hook: called with each publish step's name (tests kill the process there)
        self._pub = Publication(self.out, replace=replace, hook=hook, derived=("cache",))
        self.work = self._pub.work
        self._writers = {
            name: pq.ParquetWriter(self.work / f"{name}.parquet", schema)
            for name, schema in FILES.items()
        }
        self._buffers: dict[str, list[dict[str, Any]]] = {name: [] for name in FILES}
        self._counts = dict.fromkeys(FILES, 0)
        self._sources: list[SourceFile] = []
        self._notes: list[str] = []
        self._closed = False
        self._graph: tuple[EntityTable, HoldingTable] | None = None

    # -- adding rows -------------------------------------------------------------------
    def add_entities(self, entities: Iterable[Entity]) -> None:
        for e in entities:
            src = e.source
            self._row("entities", {
                "id": e.id, "name": e.name, "type": str(e.type), "hq_country": e.hq_country,
                "jurisdiction": e.jurisdiction, "lists": list(e.lists),
                "source_dataset": src.dataset if src else "",
                "source_record": src.record if src else "",
                "source_line": src.line if src else None,
            })
            for n in e.names:
                self._row("names", {"entity": e.id, "name": n.value, "lang": n.lang,
                                    "script": n.script, "kind": n.kind})
            for ident in e.identifiers:
                self._row("identifiers", {"entity": e.id, "scheme": ident.scheme,
                                          "value": ident.value})

    def add_holdings(self, holdings: Iterable[Holding]) -> None:
        for h in holdings:
            self._row("holdings", {
                "owner": h.owner, "owned": h.owned, "kind": str(h.kind),
                "lo": h.share.lo, "hi": h.share.hi,
                "lo_open": h.share.lo_open, "hi_open": h.share.hi_open,
                "valid_from": h.valid_from, "valid_to": h.valid_to,
                "source_dataset": h.source.dataset, "source_record": h.source.record,
                "source_line": h.source.line, "source_note": h.source.note,
            })

    def add_table(self, table: str, data: pa.Table | pa.RecordBatch) -> None:
        """Append columnar rows to ``table`` (a snapshot table or a side table such as
        ``evidence``) without building a dict per row: the fast path for large ingests.
        Columns are matched by name and cast to the table's schema."""
        schema = FILES.get(table) or SIDE_FILES.get(table)
        if schema is None:
            raise KeyError(f"no snapshot table {table!r}")
        if isinstance(data, pa.RecordBatch):
            data = pa.Table.from_batches([data])
        if data.num_rows == 0:
            self._writer(table)
            return
        data = data.select(schema.names).cast(schema)
        if table in FILES:
            self._flush(table)
        self._writer(table).write_table(data)
        self._counts[table] = self._counts.get(table, 0) + data.num_rows

    def _writer(self, table: str) -> pq.ParquetWriter:
        if table not in self._writers:
            self._writers[table] = pq.ParquetWriter(self.work / f"{table}.parquet",
                                                    SIDE_FILES[table])
        return self._writers[table]

    def add_source(self, source: SourceFile) -> None:
        self._sources.append(source)

    def add_note(self, note: str) -> None:
        self._notes.append(note)

    def _row(self, table: str, row: dict[str, Any]) -> None:
        buf = self._buffers[table]
        buf.append(row)
        if len(buf) >= self.batch_rows:
            self._flush(table)

    def _flush(self, table: str) -> None:
        buf = self._buffers[table]
        if buf:
            batch = pa.Table.from_pylist(buf, schema=FILES[table])
            self._writers[table].write_table(batch)
            self._counts[table] += len(buf)
            buf.clear()

    # -- finishing ---------------------------------------------------------------------
    def _close_files(self) -> None:
        if not self._closed:
            for name in FILES:
                self._flush(name)
            for w in self._writers.values():
                w.close()
            self._closed = True

    def check(self) -> list[Problem]:
        """Whole-snapshot checks; each problem names the holding's source line or record.

        Builds the arrays attribution reads on the way (the checks need the same mapping
        of holding ends to entity rows); a clean check keeps them for :meth:`publish`
        to cache beside the snapshot."""
        self._close_files()
        self._graph = None
        ents = pq.read_table(self.work / "entities.parquet",
                             columns=list(GRAPH_ENTITY_COLUMNS))
        # only the columns the checks read (a large snapshot's notes and sources stay on
        # disk); a problem's source columns are read when there is one
        hold_path = self.work / "holdings.parquet"
        hold = pq.read_table(hold_path, columns=list(GRAPH_HOLDING_COLUMNS))
        problems: list[Problem] = []
        ids = ents.column("id").combine_chunks()
        n, nid = hold.num_rows, len(ids)
        # one hash lookup answers both checks: each id looked up among the ids finds its
        # first occurrence (a later duplicate does not find itself), and the holding
        # ends find their entity rows (or nothing)
        lookup = pc.index_in(pa.chunked_array(
            [ids, *hold.column("owner").chunks, *hold.column("owned").chunks],
            type=pa.string()), value_set=ids).combine_chunks()
        first = np.asarray(lookup.slice(0, nid).to_numpy(zero_copy_only=False))
        again = np.flatnonzero(first != np.arange(nid))
        for eid in sorted(set(ids.take(pa.array(again, pa.int64())).to_pylist())):
            problems.append(Problem("entities", "duplicate entity id", record=eid,
                                    field="id"))
        rows = lookup.slice(nid)
        if rows.null_count:
            missing = np.flatnonzero(pc.is_null(rows).to_numpy(zero_copy_only=False))
            bad: list[tuple[int, str, str]] = []
            for col, part in (("owner", missing[missing < n]), ("owned", missing[missing >= n])):
                for i in part[:10_000]:  # at most 10,000 named per end
                    r = int(i) % n
                    val = hold.column(col)[r].as_py()
                    bad.append((r, col, f"unknown entity {val!r}"))
            return problems + self._holding_problems(hold_path, sorted(bad))
        entities, holdings = build_graph(ents, hold, rows, with_ids=False)
        overfull = overfull_holdings(holdings.owned.astype(np.int64),
                                     holdings.kind.astype(np.int64), holdings.lo,
                                     holdings.valid_from.astype(np.int64),
                                     holdings.valid_to.astype(np.int64))
        bad = [(int(i), "share",
                f"incoming {hold.column('kind')[int(i)].as_py()} of "
                f"{hold.column('owned')[int(i)].as_py()!r} sum "
                "past 100% on some date (ranges at their minimum)") for i in overfull]
        if bad:
            return problems + self._holding_problems(hold_path, bad)
        if not problems:
            self._graph = entities, holdings
        return problems

    @staticmethod
    def _holding_problems(path: Path, bad: list[tuple[int, str, str]]) -> list[Problem]:
        src = pq.read_table(path, columns=["source_dataset", "source_line", "source_record"])
        rows = src.take(pa.array([i for i, _, _ in bad], pa.int64())).to_pylist()
        return [Problem(location=r["source_dataset"] or "holdings", line=r["source_line"],
                        field=col, reason=reason, record=r["source_record"] or None)
                for r, (_, col, reason) in zip(rows, bad, strict=True)]

    def publish(self, *, check: bool = True) -> Manifest:
        """Check, write the manifest, and move the snapshot into place atomically."""
        self._close_files()
        if check:
            problems = self.check()
            if problems:
                raise IngestError(
                    f"{len(problems)} problem(s); nothing was published", problems=problems)
        files = {f"{name}.parquet": file_sha256(self.work / f"{name}.parquet")
                 for name in [*FILES, *(n for n in SIDE_FILES if n in self._writers)]}
        ident = hashlib.sha256(
            json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]
        manifest = Manifest(
            id=ident,
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            format_version=FORMAT_VERSION,
            counts=dict(self._counts),
            files=files,
            sources=[s.as_dict() for s in self._sources],
            notes=self._notes,
        )
        if self._graph is not None:
            # derived data for readers, stamped with the id: the arrays the check built
            # and the look-through ordering (a failure here only costs a reader the work)
            entities, holdings = self._graph
            save_graph(self.work / "cache" / "graph", ident, entities, holdings)
            save_order(self.work / "cache" / "order", ident,
                       GraphOrder.for_holdings(len(entities), holdings))
            self._graph = None
        (self.work / "manifest.json").write_text(json.dumps(manifest.as_dict(), indent=2) + "\n")
        self._pub.commit(ident, checksums=files)
        return manifest

    def abort(self) -> None:
        if not self._closed:
            for w in self._writers.values():
                with contextlib.suppress(Exception):
                    w.close()
            self._closed = True
        self._pub.abort()

    def __enter__(self) -> SnapshotWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None or self._pub.committed is None:
            self.abort()
