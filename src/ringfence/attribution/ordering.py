"""The per-snapshot ordering look-through sweeps in: strongly connected components in
topological order.

Computed once per snapshot over *every* shares holding, whatever its dates: the
condensation order of a graph stays valid for any subgraph (an edge of a subgraph never
runs from a later component to an earlier one), so one ordering serves every ``as_of``.
The snapshot layer keeps it beside the snapshot as ``.npy`` files
(:mod:`ringfence.snapshot.graphcache`, through :meth:`GraphOrder.arrays` and
:meth:`GraphOrder.from_arrays`); this module reads and writes no files.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from ringfence.attribution._kernels import csr, jit
from ringfence.attribution._lt_kernels import cyclic_blocks
from ringfence.attribution.graph import SHARES, HoldingTable

__all__ = ["GraphOrder"]

I64 = npt.NDArray[np.int64]
_FIELDS = ("order", "comp_ptr", "comp")


@jit
def _out_adjacency(n: int, owner: Any, owned: Any, kind: Any) -> tuple[Any, Any]:
    """Out-CSR ``(ptr, dst)`` of the edges ``owner -> owned`` (those of kind shares when ``kind``
    is not empty), by counting sort; ``dst`` is int32 (entity ids fit)."""
    every = len(kind) == 0
    ptr = np.zeros(n + 1, dtype=np.int64)
    for e in range(len(owner)):
        if every or kind[e] == SHARES:
            ptr[owner[e] + 1] += 1
    for i in range(n):
        ptr[i + 1] += ptr[i]
    fill = ptr[:-1].copy()
    dst = np.empty(ptr[n], dtype=np.int32)
    for e in range(len(owner)):
        if every or kind[e] == SHARES:
            u = owner[e]
            dst[fill[u]] = owned[e]
            fill[u] += 1
    return ptr, dst


@jit
def _scc_topological(n: int, ptr: Any, dst: Any) -> tuple[Any, int]:
    """Strongly connected components by Pearce's iterative variant of Tarjan over the
    out-CSR: one pass, O(V+E), one int32 word per node (``rindex``) read per edge.

    Components complete sinks first and are numbered downwards from ``n - 1``, so the
    numbers are already a topological order (sources first). Returns ``(comp, n_comp)``
    with every edge running from a component to itself or a later one.

    Entities that own nothing (most of an ownership graph: leaves) are marked first, in
    one sequential pass; the DFS completes a marked entity where it meets it, as a
    component of its own, without descending into it (no stack push, no random read of
    its CSR row). The numbering is the one a descent would give.
    """
    rindex = np.zeros(n, dtype=np.int32)  # 0 unvisited; DFS index; then component number
    for v in range(n):  # -1: a leaf not met yet
        if ptr[v + 1] == ptr[v]:
            rindex[v] = -1
    c = n - 1
    stack = np.empty(n, dtype=np.int32)  # visited, not yet in a component
    cs_v = np.empty(n, dtype=np.int32)  # the DFS call stack: node, next edge, root flag
    cs_e = np.empty(n, dtype=np.int64)
    cs_root = np.empty(n, dtype=np.bool_)
    sp = 0
    index = 1
    for s in range(n):
        if rindex[s] == -1:
            rindex[s] = c
            c -= 1
            continue
        if rindex[s] != 0:
            continue
        rindex[s] = index
        index += 1
        cs_v[0] = s
        cs_e[0] = ptr[s]
        cs_root[0] = True
        csp = 1
        while csp > 0:
            top = csp - 1
            v = cs_v[top]
            e = cs_e[top]
            end = ptr[v + 1]
            descended = False
            while e < end:
                w = dst[e]
                rw = rindex[w]
                if rw == -1:  # a leaf: a component of its own, complete at once
                    rindex[w] = c
                    c -= 1
                    e += 1
                    continue
                if rw == 0:
                    cs_e[top] = e  # re-read w's index when it returns
                    rindex[w] = index
                    index += 1
                    cs_v[csp] = w
                    cs_e[csp] = ptr[w]
                    cs_root[csp] = True
                    csp += 1
                    descended = True
                    break
                if rw < rindex[v]:
                    rindex[v] = rw
                    cs_root[top] = False
                e += 1
            if descended:
                continue
            csp -= 1
            if cs_root[top]:
                index -= 1
                rv = rindex[v]
                while sp > 0 and rv <= rindex[stack[sp - 1]]:
                    sp -= 1
                    rindex[stack[sp]] = c
                    index -= 1
                rindex[v] = c
                c -= 1
            else:
                stack[sp] = v
                sp += 1
    comp = np.empty(n, dtype=np.int64)
    for v in range(n):
        comp[v] = rindex[v] - c - 1
    return comp, n - 1 - c


@dataclass(frozen=True)
class GraphOrder:
    """Entities listed component by component, components in topological order.

    ``order[comp_ptr[c]:comp_ptr[c+1]]`` are the members of component ``c``; ``comp[v]``
    is the component of entity ``v``; every edge runs from a component to itself or a later
    one.
    """

    order: I64
    comp_ptr: I64
    comp: I64

    @property
    def n(self) -> int:
        return len(self.comp)

    @property
    def pos(self) -> I64:
        """Position of each entity in ``order``."""
        out = np.empty(self.n, dtype=np.int64)
        out[self.order] = np.arange(self.n, dtype=np.int64)
        return out

    @cached_property
    def cyclic(self) -> I64:
        """``(k, 2)``: first and past-the-last position of each component with more than
        one member (:func:`~ringfence.attribution._lt_kernels.cyclic_blocks`), made once
        per ordering."""
        out: I64 = cyclic_blocks(self.comp_ptr)
        return out

    @classmethod
    def build(cls, n: int, owner: npt.NDArray[Any], owned: npt.NDArray[Any]) -> GraphOrder:
        """The ordering of ``n`` entities under the edges ``owner -> owned``."""
        return cls._build(n, np.asarray(owner), np.asarray(owned), np.zeros(0, dtype=np.int8))

    @classmethod
    def _build(cls, n: int, owner: npt.NDArray[Any], owned: npt.NDArray[Any],
               kind: npt.NDArray[Any]) -> GraphOrder:
        if n == 0:
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, np.zeros(1, dtype=np.int64), empty)
        ptr, dst = _out_adjacency(n, owner, owned, kind)
        comp, n_comp = _scc_topological(n, ptr, dst)
        del ptr, dst
        comp_ptr, order = csr(comp, n_comp)  # members of each component, in id order
        return cls(order, comp_ptr, comp)

    @classmethod
    def for_holdings(cls, n: int, holdings: HoldingTable) -> GraphOrder:
        """The snapshot's ordering: every shares holding, whatever its dates."""
        return cls._build(n, holdings.owner, holdings.owned, holdings.kind)

    def with_sources(self, m: int) -> GraphOrder:
        """This ordering with ``m`` extra source entities ``n .. n+m-1`` placed first."""
        if m == 0:
            return self
        extra = np.arange(self.n, self.n + m, dtype=np.int64)
        return GraphOrder(
            order=np.concatenate((extra, self.order)),
            comp_ptr=np.concatenate((np.arange(m, dtype=np.int64), self.comp_ptr + m)),
            comp=np.concatenate((self.comp + m, np.arange(m, dtype=np.int64))),
        )

    def arrays(self) -> dict[str, I64]:
        return {name: getattr(self, name) for name in _FIELDS}

    @classmethod
    def from_arrays(cls, arrays: dict[str, Any]) -> GraphOrder:
        return cls(*(np.asarray(arrays[name], dtype=np.int64) for name in _FIELDS))
