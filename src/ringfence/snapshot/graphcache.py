"""The arrays attribution reads, built from a snapshot's tables and cached beside them.

A snapshot's entities and holdings become :class:`EntityTable` / :class:`HoldingTable`
(entity rows instead of id strings at holding ends, small integer codes for types,
countries, kinds and list names, dates as day numbers) and the look-through ordering
(:class:`GraphOrder`). Both are derived data, computed once per snapshot and kept under
``cache/graph`` and ``cache/order`` in the snapshot folder: the snapshot writer makes
them when it publishes (its final check needs the same row mapping), a reader makes them
when they are missing. A cache is used only when it is stamped with the snapshot's id
and its arrays have the shapes, types and row ranges the snapshot implies; otherwise it
is rebuilt. It carries no checksum of its own, so a snapshot opened with ``verify`` does
not read it.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ringfence.attribution.graph import (
    KIND_CODES,
    NO_DATE_MAX,
    NO_DATE_MIN,
    TYPE_CODES,
    EntityTable,
    HoldingTable,
)
from ringfence.attribution.ordering import GraphOrder
from ringfence.exc import IntegrityError
from ringfence.snapshot.publish import publish_folder

__all__ = ["GRAPH_ENTITY_COLUMNS", "GRAPH_HOLDING_COLUMNS", "build_graph", "end_rows",
           "load_graph", "load_order", "load_order_arrays", "save_graph", "save_order",
           "save_order_arrays"]

GRAPH_ENTITY_COLUMNS = ("id", "type", "hq_country", "jurisdiction", "lists")
GRAPH_HOLDING_COLUMNS = ("owner", "owned", "kind", "lo", "hi", "lo_open", "hi_open",
                         "valid_from", "valid_to")

_VERSION = 1
_TYPE_CODES = {t.value: code for t, code in TYPE_CODES.items()}
_KIND_CODES = {k.value: code for k, code in KIND_CODES.items()}
_ENTITY_ARRAYS = {"type": np.int8, "hq": np.int16, "jurisdiction": np.int16,
                  "list_ptr": np.int64, "list_idx": np.int32}
_HOLDING_ARRAYS = {"owner": np.int32, "owned": np.int32, "kind": np.int8, "lo": np.int64,
                   "hi": np.int64, "lo_open": np.bool_, "hi_open": np.bool_,
                   "valid_from": np.int32, "valid_to": np.int32}


def id_list(ids: pa.Array) -> list[str]:
    """Entity ids as Python strings (through NumPy: several times faster than
    ``Array.to_pylist()`` for strings)."""
    out: list[str] = ids.to_numpy(zero_copy_only=False).tolist()
    return out


def end_rows(hold: pa.Table, ids: pa.Array) -> pa.Array:
    """Entity row of every holding's owner then every holding's owned (``2 × rows``
    values, null where an id is not an entity): one hash lookup for both ends."""
    ends = pa.chunked_array(hold.column("owner").chunks + hold.column("owned").chunks,
                            type=pa.string())
    rows: pa.Array = pc.index_in(ends, value_set=ids).combine_chunks()
    return rows


def _codes(values: pa.ChunkedArray, vocab: dict[str, int]) -> np.ndarray:
    enc = pc.dictionary_encode(values.combine_chunks().fill_null(""))
    dictionary = enc.dictionary.to_pylist()
    mapping = np.array([vocab.setdefault(v, len(vocab)) for v in dictionary], dtype=np.int32)
    indices = enc.indices.to_numpy(zero_copy_only=False)
    return mapping[indices] if len(indices) else np.zeros(0, dtype=np.int32)


def build_graph(ents: pa.Table, hold: pa.Table, rows: pa.Array | None = None, *,
                with_ids: bool = True) -> tuple[EntityTable, HoldingTable]:
    """Arrays from the tables (columns :data:`GRAPH_ENTITY_COLUMNS` and
    :data:`GRAPH_HOLDING_COLUMNS`); ``rows`` is :func:`end_rows` when already computed
    (then ``hold`` needs no ``owner``/``owned`` columns). Every holding end must be an
    entity. ``with_ids=False`` leaves the entity ids out (``ids`` empty: for writing the
    cache, which does not store them, without millions of Python strings)."""
    ids = ents.column("id").combine_chunks()
    countries: dict[str, int] = {"": 0}
    lists_col = ents.column("lists").combine_chunks()
    list_vocab: dict[str, int] = {}
    flat = lists_col.flatten()
    list_idx = (_codes(pa.chunked_array([flat], type=pa.string()), list_vocab)
                if len(flat) else np.zeros(0, dtype=np.int32))
    offsets = lists_col.offsets.to_numpy()
    etable = EntityTable(
        ids=id_list(ids) if with_ids else (),
        type=_codes(ents.column("type"), _TYPE_CODES).astype(np.int8),
        hq=_codes(ents.column("hq_country"), countries).astype(np.int16),
        jurisdiction=_codes(ents.column("jurisdiction"), countries).astype(np.int16),
        countries=tuple(countries),
        list_ptr=(offsets - offsets[0]).astype(np.int64),
        list_idx=list_idx.astype(np.int32),
        list_names=tuple(list_vocab),
    )
    n = hold.num_rows
    if rows is None:
        rows = end_rows(hold, ids)
    if rows.null_count:
        raise IntegrityError("a holding's owner or owned is not an entity of the snapshot")
    both = np.asarray(rows.to_numpy(zero_copy_only=False), dtype=np.int32)

    def day(col: str, default: int) -> np.ndarray:
        arr = hold.column(col).combine_chunks().cast(pa.int32())
        return np.asarray(arr.fill_null(default).to_numpy(zero_copy_only=False),
                          dtype=np.int32)

    htable = HoldingTable(
        owner=both[:n],
        owned=both[n:],
        kind=_codes(hold.column("kind"), _KIND_CODES).astype(np.int8)
        if n else np.zeros(0, dtype=np.int8),
        lo=hold.column("lo").to_numpy().astype(np.int64),
        hi=hold.column("hi").to_numpy().astype(np.int64),
        lo_open=hold.column("lo_open").to_numpy().astype(np.bool_),
        hi_open=hold.column("hi_open").to_numpy().astype(np.bool_),
        valid_from=day("valid_from", NO_DATE_MIN),
        valid_to=day("valid_to", NO_DATE_MAX),
        row=np.arange(n, dtype=np.int64),
    )
    return etable, htable


def _replace_folder(folder: Path, fill: Callable[[Path], None], version: str) -> None:
    """Publish a new version of the cache ``folder`` (:mod:`ringfence.snapshot.publish`:
    fsync'd, checksummed, switched in by one rename); a folder that cannot be written (a
    read-only snapshot) just goes without the cache."""
    with contextlib.suppress(OSError):
        publish_folder(folder, fill, version=version)


def save_graph(folder: Path, snapshot_id: str, ents: EntityTable,
               holds: HoldingTable) -> None:
    def fill(tmp: Path) -> None:
        for name in _ENTITY_ARRAYS:
            np.save(tmp / f"e_{name}.npy", getattr(ents, name))
        for name in _HOLDING_ARRAYS:
            np.save(tmp / f"h_{name}.npy", getattr(holds, name))
        (tmp / "meta.json").write_text(json.dumps({
            "version": _VERSION, "snapshot": snapshot_id, "entities": len(ents),
            "holdings": len(holds.owner), "countries": list(ents.countries),
            "list_names": list(ents.list_names)}))

    _replace_folder(folder, fill, snapshot_id)


def load_graph(folder: Path, snapshot_id: str, ids: pa.Array, holdings: int | None = None
               ) -> tuple[EntityTable, HoldingTable] | None:
    """The cached arrays with ``ids`` as the entity ids, or ``None`` when absent or not
    exactly this snapshot's (``holdings``: the count the manifest gives)."""
    try:
        meta = json.loads((folder / "meta.json").read_text())
        if (meta.get("version") != _VERSION or meta.get("snapshot") != snapshot_id
                or meta.get("entities") != len(ids)
                or (holdings is not None and meta.get("holdings") != holdings)):
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
        codes_ok = (n == 0 or (
            max(arrays["e_hq"].max(), arrays["e_jurisdiction"].max()) < len(meta["countries"])
            and min(arrays["e_hq"].min(), arrays["e_jurisdiction"].min()) >= 0
            and arrays["e_type"].min() >= 0))
        lists_ok = (arrays["e_list_ptr"][0] == 0
                    and bool(np.all(np.diff(arrays["e_list_ptr"]) >= 0))
                    and (len(arrays["e_list_idx"]) == 0 or (
                        arrays["e_list_idx"].min() >= 0
                        and arrays["e_list_idx"].max() < len(meta["list_names"]))))
        if not (codes_ok and lists_ok):
            return None
        if arrays["e_list_ptr"][-1] != len(arrays["e_list_idx"]) or (m and (
                min(arrays["h_owner"].min(), arrays["h_owned"].min()) < 0
                or max(arrays["h_owner"].max(), arrays["h_owned"].max()) >= n)):
            return None
        ents = EntityTable(ids=id_list(ids), countries=tuple(meta["countries"]),
                           list_names=tuple(meta["list_names"]),
                           **{k: arrays[f"e_{k}"] for k in _ENTITY_ARRAYS})
        holds = HoldingTable(row=np.arange(m, dtype=np.int64),
                             **{k: arrays[f"h_{k}"] for k in _HOLDING_ARRAYS})
        return ents, holds
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_order_arrays(order: GraphOrder, folder: Path) -> None:
    """Write ``order.npy``, ``comp_ptr.npy``, ``comp.npy`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, arr in order.arrays().items():
        np.save(folder / f"{name}.npy", arr)


def load_order_arrays(folder: Path, *, mmap: bool = False) -> GraphOrder:
    """The ordering :func:`save_order_arrays` wrote (``mmap``: memory-mapped)."""
    return GraphOrder.from_arrays({
        name: np.load(folder / f"{name}.npy", mmap_mode="r" if mmap else None,
                      allow_pickle=False)
        for name in ("order", "comp_ptr", "comp")})


def save_order(folder: Path, snapshot_id: str, order: GraphOrder) -> None:
    def fill(tmp: Path) -> None:
        save_order_arrays(order, tmp)
        (tmp / "snapshot-id").write_text(snapshot_id)

    _replace_folder(folder, fill, snapshot_id)


def load_order(folder: Path, snapshot_id: str, n: int) -> GraphOrder | None:
    try:
        if (folder / "snapshot-id").read_text().strip() != snapshot_id:
            return None
        order = load_order_arrays(folder)
        return order if order.n == n else None
    except (OSError, ValueError):
        return None
