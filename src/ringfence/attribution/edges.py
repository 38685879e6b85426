"""The holdings a result reads, kept so that a change costs what it touches.

:class:`LiveEdges` is the holdings in force (``base``), less the ones removed since
(``dead``), plus the ones added since (``extra``, kept small; :meth:`compacted` folds it
in). Neighbour look-ups go through CSR indexes built once on ``base``, never a scan of all
edges.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from ringfence.attribution._kernels import csr, jit
from ringfence.attribution.graph import HoldingTable

__all__ = ["LiveEdges", "concat"]

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
_COLS = ("owner", "owned", "kind", "lo", "hi", "lo_open", "hi_open", "valid_from",
         "valid_to", "row")


def concat(a: HoldingTable, b: HoldingTable) -> HoldingTable:
    return HoldingTable(*(np.concatenate((getattr(a, c), getattr(b, c))) for c in _COLS))


def empty_like(a: HoldingTable) -> HoldingTable:
    return a.take(np.zeros(0, dtype=np.int64))


@jit
def _gather(nodes: Any, ptr: Any, perm: Any, dead: Any) -> Any:
    """Edge ids (via ``perm``) of ``nodes``' CSR rows, dead ones left out."""
    total = 0
    for v in nodes:
        total += ptr[v + 1] - ptr[v]
    out = np.empty(total, dtype=np.int64)
    k = 0
    for v in nodes:
        for i in range(ptr[v], ptr[v + 1]):
            e = perm[i]
            if not dead[e]:
                out[k] = e
                k += 1
    return out[:k]


@jit
def _reach(seeds: Any, n: int, ptr: Any, perm: Any, other: Any, dead: Any,
           x_key: Any, x_other: Any) -> Any:
    """Every node reachable from ``seeds`` (seeds included) along live edges: base CSR
    rows ``ptr``/``perm`` whose far end is ``other[e]``, plus extra edges sorted by
    ``x_key``."""
    seen = np.zeros(n, dtype=np.bool_)
    stack = np.empty(n, dtype=np.int64)
    out = np.empty(n, dtype=np.int64)
    ns = 0
    no = 0
    for s in seeds:
        if not seen[s]:
            seen[s] = True
            stack[ns] = s
            ns += 1
    while ns > 0:
        ns -= 1
        u = stack[ns]
        out[no] = u
        no += 1
        for i in range(ptr[u], ptr[u + 1]):
            e = perm[i]
            if dead[e]:
                continue
            v = other[e]
            if not seen[v]:
                seen[v] = True
                stack[ns] = v
                ns += 1
        j = np.searchsorted(x_key, u)
        while j < len(x_key) and x_key[j] == u:
            v = x_other[j]
            if not seen[v]:
                seen[v] = True
                stack[ns] = v
                ns += 1
            j += 1
    return np.sort(out[:no])


class LiveEdges:
    """``base`` less ``dead`` plus ``extra``: the holdings in force, over ``n`` entities."""

    def __init__(self, n: int, base: HoldingTable, dead: B | None = None,
                 extra: HoldingTable | None = None) -> None:
        self.n = n
        self.base = base
        self.dead = np.zeros(len(base), dtype=np.bool_) if dead is None else dead
        self.extra = empty_like(base) if extra is None else extra

    def __len__(self) -> int:
        return len(self.base) - int(self.dead.sum()) + len(self.extra)

    @cached_property
    def _ends(self) -> tuple[I64, I64]:
        """(owner, owned) of ``base`` as int64, the dtype the kernels take."""
        return self.base.owner.astype(np.int64), self.base.owned.astype(np.int64)

    @cached_property
    def _in(self) -> tuple[I64, I64]:
        return csr(self._ends[1], self.n)

    @cached_property
    def _out(self) -> tuple[I64, I64]:
        return csr(self._ends[0], self.n)

    @cached_property
    def _row_sorted(self) -> tuple[I64, I64]:
        order = np.argsort(self.base.row, kind="stable")
        return self.base.row[order], order

    def share_indexes(self, other: LiveEdges) -> None:
        """Reuse ``other``'s indexes (same ``base``)."""
        for name in ("_ends", "_in", "_out", "_row_sorted"):
            if name in other.__dict__:
                self.__dict__[name] = other.__dict__[name]

    def materialize(self) -> HoldingTable:
        keep = np.flatnonzero(~self.dead)
        base = self.base if len(keep) == len(self.base) else self.base.take(keep)
        return concat(base, self.extra) if len(self.extra) else base

    def into(self, nodes: I64) -> HoldingTable:
        """The live holdings whose owned entity is in ``nodes`` (sorted ids)."""
        ptr, perm = self._in
        ids = _gather(np.asarray(nodes, dtype=np.int64), ptr, perm, self.dead)
        base = self.base.take(ids)
        if not len(self.extra):
            return base
        x = np.flatnonzero(np.isin(self.extra.owned, nodes))
        return concat(base, self.extra.take(x)) if len(x) else base

    def downstream(self, seeds: I64) -> I64:
        """Seeds and every entity they own, directly or not (sorted)."""
        ptr, perm = self._out
        order = np.argsort(self.extra.owner, kind="stable")
        found: I64 = _reach(np.asarray(seeds, dtype=np.int64), self.n, ptr, perm,
                            self._ends[1], self.dead,
                            self.extra.owner[order].astype(np.int64),
                            self.extra.owned[order].astype(np.int64))
        return found

    def upstream(self, seeds: I64) -> I64:
        """Seeds and every entity owning them, directly or not (sorted)."""
        ptr, perm = self._in
        order = np.argsort(self.extra.owned, kind="stable")
        found: I64 = _reach(np.asarray(seeds, dtype=np.int64), self.n, ptr, perm,
                            self._ends[0], self.dead,
                            self.extra.owned[order].astype(np.int64),
                            self.extra.owner[order].astype(np.int64))
        return found

    def find_rows(self, rows: I64) -> tuple[I64, I64]:
        """Base and extra indices of live holdings with these ``row`` numbers."""
        rows = np.asarray(rows, dtype=np.int64)
        srt, order = self._row_sorted
        at = np.searchsorted(srt, rows)
        at_ok = at < len(srt)
        hit = np.zeros(len(rows), dtype=np.bool_)
        hit[at_ok] = srt[at[at_ok]] == rows[at_ok]
        base_ids = order[at[hit]]
        # rows may repeat in base (never in a snapshot); take every match
        base_ids = base_ids[~self.dead[base_ids]]
        extra_ids = np.flatnonzero(np.isin(self.extra.row, rows))
        return base_ids, extra_ids
