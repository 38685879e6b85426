"""Open a published snapshot: its manifest, its tables, and the arrays engines read."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ringfence.attribution.graph import NO_DATE_MAX, NO_DATE_MIN, EntityTable, HoldingTable
from ringfence.attribution.ordering import GraphOrder
from ringfence.exc import IntegrityError, NotFoundError
from ringfence.snapshot.schema import FILES, FORMAT_VERSION
from ringfence.snapshot.writer import Manifest, file_sha256

__all__ = ["Snapshot", "open_snapshot"]

_TYPES = ("company", "person", "state", "unknown")
_KINDS = ("shares", "votes", "control")


def open_snapshot(path: str | Path, *, verify: bool = False) -> Snapshot:
    """Open the snapshot at ``path``; ``verify`` re-checks every file's checksum."""
    root = Path(path)
    manifest_path = root / "manifest.json"
    if not manifest_path.is_file():
        raise NotFoundError(f"no snapshot at {root} (no manifest.json)")
    data = json.loads(manifest_path.read_text())
    manifest = Manifest.from_dict(data)
    if manifest.format_version != FORMAT_VERSION:
        raise IntegrityError(
            f"{root}: snapshot format {manifest.format_version}, this ringfence reads "
            f"{FORMAT_VERSION}")
    if verify:
        for name, digest in manifest.files.items():
            if file_sha256(root / name) != digest:
                raise IntegrityError(f"{root / name}: checksum differs from the manifest")
    return Snapshot(root, manifest)


@dataclass(frozen=True)
class Snapshot:
    root: Path
    manifest: Manifest

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

    @cached_property
    def _graph(self) -> tuple[EntityTable, HoldingTable]:
        return _build_graph(self.entities_table(["id", "type", "hq_country", "jurisdiction",
                                                 "lists"]),
                            self.holdings_table(["owner", "owned", "kind", "lo", "hi",
                                                 "lo_open", "hi_open", "valid_from",
                                                 "valid_to"]))

    def graph(self) -> tuple[EntityTable, HoldingTable]:
        """The entity and holding arrays attribution reads (built once, then cached)."""
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
        stamp = folder / "snapshot-id"
        entities, holdings = self.graph()
        try:
            if stamp.read_text().strip() == self.id:
                order = GraphOrder.load(folder)
                if order.n == len(entities):
                    return order
        except (OSError, ValueError):
            pass
        order = GraphOrder.for_holdings(len(entities), holdings)
        try:
            tmp = folder.with_name(f".order-{os.getpid()}")
            order.save(tmp)
            (tmp / "snapshot-id").write_text(self.id)
            if folder.exists():
                shutil.rmtree(folder)
            os.replace(tmp, folder)
        except OSError:
            shutil.rmtree(folder.with_name(f".order-{os.getpid()}"), ignore_errors=True)
        return order

    def holding_source(self, row: int) -> dict[str, Any]:
        """Provenance of holding ``row``: dataset, record, line, note."""
        t = self.holdings_table().slice(row, 1).to_pylist()[0]
        return {k.removeprefix("source_"): t[k] for k in
                ("source_dataset", "source_record", "source_line", "source_note")}

    def entity_rows(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.entities_table().to_pylist()
        return rows


def _codes(values: pa.ChunkedArray, vocab: dict[str, int]) -> np.ndarray:
    enc = pc.dictionary_encode(values.combine_chunks().fill_null(""))
    dictionary = enc.dictionary.to_pylist()
    mapping = np.array([vocab.setdefault(v, len(vocab)) for v in dictionary], dtype=np.int32)
    indices = enc.indices.to_numpy(zero_copy_only=False)
    return mapping[indices] if len(indices) else np.zeros(0, dtype=np.int32)


def _build_graph(ents: pa.Table, hold: pa.Table) -> tuple[EntityTable, HoldingTable]:
    ids = ents.column("id").combine_chunks()
    type_vocab = {t: i for i, t in enumerate(_TYPES)}
    countries: dict[str, int] = {"": 0}
    lists_col = ents.column("lists").combine_chunks()
    list_vocab: dict[str, int] = {}
    flat = lists_col.flatten()
    list_idx = (_codes(pa.chunked_array([flat], type=pa.string()), list_vocab)
                if len(flat) else np.zeros(0, dtype=np.int32))
    offsets = lists_col.offsets.to_numpy()
    etable = EntityTable(
        ids=ids.to_pylist(),
        type=_codes(ents.column("type"), type_vocab).astype(np.int8),
        hq=_codes(ents.column("hq_country"), countries).astype(np.int16),
        jurisdiction=_codes(ents.column("jurisdiction"), countries).astype(np.int16),
        countries=tuple(countries),
        list_ptr=offsets.astype(np.int64),
        list_idx=list_idx.astype(np.int32),
        list_names=tuple(list_vocab),
    )
    # Map holding ends to entity rows with a hash join in Arrow, not a Python dict.
    owner = pc.index_in(hold.column("owner"), value_set=ids).to_numpy(zero_copy_only=False)
    owned = pc.index_in(hold.column("owned"), value_set=ids).to_numpy(zero_copy_only=False)
    kind_vocab = {k: i for i, k in enumerate(_KINDS)}

    def day(col: str, default: int) -> np.ndarray:
        arr = hold.column(col).combine_chunks().cast(pa.int32())
        return np.asarray(arr.fill_null(default).to_numpy(zero_copy_only=False),
                          dtype=np.int32)

    n = hold.num_rows
    htable = HoldingTable(
        owner=np.asarray(owner, dtype=np.int32),
        owned=np.asarray(owned, dtype=np.int32),
        kind=_codes(hold.column("kind"), kind_vocab).astype(np.int8) if n else
        np.zeros(0, dtype=np.int8),
        lo=hold.column("lo").to_numpy().astype(np.int64),
        hi=hold.column("hi").to_numpy().astype(np.int64),
        lo_open=hold.column("lo_open").to_numpy().astype(np.bool_),
        hi_open=hold.column("hi_open").to_numpy().astype(np.bool_),
        valid_from=day("valid_from", NO_DATE_MIN),
        valid_to=day("valid_to", NO_DATE_MAX),
        row=np.arange(n, dtype=np.int64),
    )
    return etable, htable
