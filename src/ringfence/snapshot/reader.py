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

    @cached_property
    def _graph(self) -> tuple[EntityTable, HoldingTable]:
        ids = self.entities_table(["id"]).column("id").combine_chunks()
        folder = self.root / "cache" / "graph"
        cached = None if self.verified else _load_graph(folder, self.id, ids)
        if cached is not None:
            return cached
        graph = _build_graph(self.entities_table(["id", "type", "hq_country",
                                                  "jurisdiction", "lists"]),
                             self.holdings_table(["owner", "owned", "kind", "lo", "hi",
                                                  "lo_open", "hi_open", "valid_from",
                                                  "valid_to"]))
        _save_graph(folder, self.id, *graph)
        return graph

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


_GRAPH_CACHE_VERSION = 1
_ENTITY_ARRAYS = {"type": np.int8, "hq": np.int16, "jurisdiction": np.int16,
                  "list_ptr": np.int64, "list_idx": np.int32}
_HOLDING_ARRAYS = {"owner": np.int32, "owned": np.int32, "kind": np.int8, "lo": np.int64,
                   "hi": np.int64, "lo_open": np.bool_, "hi_open": np.bool_,
                   "valid_from": np.int32, "valid_to": np.int32}


def _id_list(ids: pa.Array) -> list[str]:
    # through NumPy: several times faster than Array.to_pylist() for strings
    out: list[str] = ids.to_numpy(zero_copy_only=False).tolist()
    return out


def _save_graph(folder: Path, snapshot_id: str, ents: EntityTable,
                holds: HoldingTable) -> None:
    tmp = folder.with_name(f".graph-{os.getpid()}")
    try:
        tmp.mkdir(parents=True, exist_ok=True)
        for name in _ENTITY_ARRAYS:
            np.save(tmp / f"e_{name}.npy", getattr(ents, name))
        for name in _HOLDING_ARRAYS:
            np.save(tmp / f"h_{name}.npy", getattr(holds, name))
        (tmp / "meta.json").write_text(json.dumps({
            "version": _GRAPH_CACHE_VERSION, "snapshot": snapshot_id,
            "entities": len(ents), "holdings": len(holds.owner),
            "countries": list(ents.countries), "list_names": list(ents.list_names)}))
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)


def _load_graph(folder: Path, snapshot_id: str, ids: pa.Array
                ) -> tuple[EntityTable, HoldingTable] | None:
    """The cached arrays, or ``None`` when absent or not exactly this snapshot's."""
    try:
        meta = json.loads((folder / "meta.json").read_text())
        if (meta.get("version") != _GRAPH_CACHE_VERSION or meta.get("snapshot") != snapshot_id
                or meta.get("entities") != len(ids)):
            return None
        n, m = int(meta["entities"]), int(meta["holdings"])
        arrays: dict[str, np.ndarray] = {}
        for prefix, specs in (("e", _ENTITY_ARRAYS), ("h", _HOLDING_ARRAYS)):
            for name, dtype in specs.items():
                arr = np.load(folder / f"{prefix}_{name}.npy", allow_pickle=False)
                want = {"list_ptr": n + 1, "list_idx": len(arr)}.get(
                    name, n if prefix == "e" else m)
                if arr.dtype != dtype or arr.shape != (want,):
                    return None
                arrays[f"{prefix}_{name}"] = arr
        if arrays["e_list_ptr"][-1] != len(arrays["e_list_idx"]) or (m and (
                min(arrays["h_owner"].min(), arrays["h_owned"].min()) < 0
                or max(arrays["h_owner"].max(), arrays["h_owned"].max()) >= n)):
            return None
        ents = EntityTable(ids=_id_list(ids), countries=tuple(meta["countries"]),
                           list_names=tuple(meta["list_names"]),
                           **{k: arrays[f"e_{k}"] for k in _ENTITY_ARRAYS})
        holds = HoldingTable(row=np.arange(m, dtype=np.int64),
                             **{k: arrays[f"h_{k}"] for k in _HOLDING_ARRAYS})
        return ents, holds
    except (OSError, ValueError, KeyError, TypeError):
        return None


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
        ids=_id_list(ids),
        type=_codes(ents.column("type"), type_vocab).astype(np.int8),
        hq=_codes(ents.column("hq_country"), countries).astype(np.int16),
        jurisdiction=_codes(ents.column("jurisdiction"), countries).astype(np.int16),
        countries=tuple(countries),
        list_ptr=offsets.astype(np.int64),
        list_idx=list_idx.astype(np.int32),
        list_names=tuple(list_vocab),
    )
    # Map holding ends to entity rows with a hash join in Arrow, not a Python dict.
    # (both ends in one call: the hash table of the ids is built once)
    n = hold.num_rows
    ends = pa.chunked_array(hold.column("owner").chunks + hold.column("owned").chunks,
                            type=pa.string())
    rows = pc.index_in(ends, value_set=ids).to_numpy(zero_copy_only=False)
    owner, owned = rows[:n], rows[n:]
    kind_vocab = {k: i for i, k in enumerate(_KINDS)}

    def day(col: str, default: int) -> np.ndarray:
        arr = hold.column(col).combine_chunks().cast(pa.int32())
        return np.asarray(arr.fill_null(default).to_numpy(zero_copy_only=False),
                          dtype=np.int32)

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
