"""Open a published snapshot: its manifest, its tables, and the arrays engines read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ringfence.attribution.graph import EntityTable, HoldingTable
from ringfence.attribution.ordering import GraphOrder
from ringfence.exc import IntegrityError, NotFoundError
from ringfence.snapshot.graphcache import (
    GRAPH_ENTITY_COLUMNS,
    GRAPH_HOLDING_COLUMNS,
    build_graph,
    end_rows,
    load_graph,
    load_order,
    save_graph,
    save_order,
)
from ringfence.snapshot.publish import CHECKSUMS, current, verify_version
from ringfence.snapshot.schema import FILES, FORMAT_VERSION
from ringfence.snapshot.writer import Manifest, file_sha256

__all__ = ["Snapshot", "open_snapshot"]

_SOURCE_COLUMNS = ("source_dataset", "source_record", "source_line", "source_note")

def open_snapshot(path: str | Path, *, verify: bool = False) -> Snapshot:
    """Open the snapshot at ``path``; ``verify`` re-checks every file's checksum.

    ``path`` is a pointer (:mod:`ringfence.snapshot.publish`): it is followed once, and
    the snapshot reads the version folder it named then, which a later publish never
    changes."""
    root = current(path)
    manifest_path = root / "manifest.json"
    if not manifest_path.is_file():
        raise NotFoundError(f"no snapshot at {root} (no manifest.json)")
    try:
        manifest = Manifest.from_dict(json.loads(manifest_path.read_text()))
    except (ValueError, TypeError, KeyError, AttributeError) as err:  # not JSON, not ours
        raise IntegrityError(f"{manifest_path}: not a readable snapshot manifest: {err}",
                             details={"file": str(manifest_path)}) from None
    if manifest.format_version != FORMAT_VERSION:
        raise IntegrityError(
            f"{root}: snapshot format {manifest.format_version}, this ringfence reads "
            f"{FORMAT_VERSION}")
    if verify:
        for name, digest in manifest.files.items():
            if not (root / name).is_file():
                raise IntegrityError(f"{root / name}: missing (the manifest lists it)",
                                     details={"file": str(root / name)})
            if file_sha256(root / name) != digest:
                raise IntegrityError(f"{root / name}: checksum differs from the manifest",
                                     details={"file": str(root / name)})
        if (root / CHECKSUMS).exists():
            verify_version(root, derived=("cache",))
    return Snapshot(root, manifest, verified=verify)


@dataclass(frozen=True)
class Snapshot:
    root: Path
    manifest: Manifest
    verified: bool = False
    """Opened with ``verify``: derived caches are rebuilt from the checked files, not
    read (they carry no checksum of their own)."""

    @property
    def id(self) -> str:
        return self.manifest.id

    def _table(self, name: str, columns: list[str] | None = None) -> pa.Table:
        if name not in FILES:
            raise KeyError(name)
        return pq.read_table(self.root / f"{name}.parquet", columns=columns)

    def entities_table(self, columns: list[str] | None = None) -> pa.Table:
        return self._table("entities", columns)

    def holdings_table(self, columns: list[str] | None = None) -> pa.Table:
        return self._table("holdings", columns)

    def names_table(self) -> pa.Table:
        return self._table("names")

    def identifiers_table(self) -> pa.Table:
        return self._table("identifiers")

    def evidence_about(self, entity_id: str) -> list[dict[str, Any]]:
        """Evidence rows (never counted) that name ``entity_id`` at either end: a
        designation list's "Linked To:" and free-text ownership statements, indirect
        and ultimate edges. Empty when the snapshot has no evidence table."""
        import pyarrow.compute as pc

        path = self.root / "evidence.parquet"
        if not path.exists():
            return []
        table = pq.read_table(path)
        mask = pc.or_(pc.equal(table["owned"], entity_id), pc.equal(table["owner"], entity_id))
        rows: list[dict[str, Any]] = table.filter(mask).to_pylist()
        return rows

    @cached_property
    def _graph(self) -> tuple[EntityTable, HoldingTable]:
        folder = self.root / "cache" / "graph"
        if not self.verified:
            ids = self.entities_table(["id"]).column("id").combine_chunks()
            cached = load_graph(folder, self.id, ids,
                                self.manifest.counts.get("holdings"))
            if cached is not None:
                self._still_here()
                return cached
        # one read of the entities serves the id lookup and the entity arrays; the id
        # strings of holding ends (the bulk of the input) are mapped to rows and dropped
        # before the other holding columns are read
        ents = self.entities_table(list(GRAPH_ENTITY_COLUMNS))
        rows = end_rows(self.holdings_table(["owner", "owned"]),
                        ents.column("id").combine_chunks())
        graph = build_graph(ents, self.holdings_table([c for c in GRAPH_HOLDING_COLUMNS
                                                       if c not in ("owner", "owned")]),
                            rows)
        self._still_here()
        save_graph(folder, self.id, *graph)
        return graph

    def _still_here(self) -> None:
        """Fail closed when the folder was replaced (``ingest --force``) while its files
        were being read: arrays from two snapshots must never be mixed."""
        try:
            current = json.loads((self.root / "manifest.json").read_text()).get("id")
        except (OSError, ValueError):
            current = None
        if current != self.id:
            raise IntegrityError(f"{self.root} was replaced while snapshot {self.id} was "
                                 "being read from it; open it again")

    def graph(self) -> tuple[EntityTable, HoldingTable]:
        """The entity and holding arrays attribution reads.

        Built from the Parquet tables once per snapshot and cached in ``cache/graph``
        beside them (NumPy arrays stamped with the snapshot id); later opens read the
        entity ids from Parquet and the rest from the cache. Like the ordering, the cache
        is derived data: checked against the manifest and rebuilt when missing, stale or
        malformed; a read-only snapshot folder goes without it."""
        return self._graph

    def graph_order(self) -> GraphOrder:
        """The snapshot's ordering for look-through (strongly connected components in
        topological order, over every shares holding whatever its dates).

        Computed once and cached in ``cache/order`` beside the snapshot's files; the
        cache is derived data, checked against the manifest id, and rebuilt when missing.
        A read-only snapshot folder simply goes without the cache.
        """
        return self._order

    @cached_property
    def _order(self) -> GraphOrder:
        folder = self.root / "cache" / "order"
        entities, holdings = self.graph()
        order = None if self.verified else load_order(folder, self.id, len(entities))
        if order is None:
            order = GraphOrder.for_holdings(len(entities), holdings)
            save_order(folder, self.id, order)
        return order

    @cached_property
    def entity_info(self) -> pa.Table:
        """Every entity's id, name, headquarters and registration, in the file's (and the
        graph's) row order: read once per opened snapshot and kept, for proofs and
        pictures that name a few entities at a time."""
        return self.entities_table(["id", "name", "hq_country", "jurisdiction"])

    @cached_property
    def _sources(self) -> pa.Table:
        return self.holdings_table(list(_SOURCE_COLUMNS))

    def holding_source(self, row: int) -> dict[str, Any]:
        """Provenance of holding ``row``: dataset, record, line, note. The four source
        columns are read once per opened snapshot and kept (a proof or a picture asks for
        a few rows at a time; reading the whole holdings file each time cost ~0.7 s a row at
        1M entities)."""
        t = self._sources.slice(row, 1).to_pylist()[0]
        return {k.removeprefix("source_"): t[k] for k in _SOURCE_COLUMNS}
