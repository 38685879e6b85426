"""The per-snapshot ordering look-through sweeps in: strongly connected components in
topological order.

Computed once per snapshot over *every* shares holding, whatever its dates: the
condensation order of a graph stays valid for any subgraph (an edge of a subgraph never
runs from a later component to an earlier one), so one ordering serves every ``as_of``.
The snapshot layer can keep it beside the snapshot as ``.npy`` files
(:meth:`GraphOrder.save` / :meth:`GraphOrder.load`, or :meth:`arrays` /
:meth:`from_arrays` to store them elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from ringfence.attribution._kernels import csr, jit
from ringfence.attribution.graph import HoldingTable

__all__ = ["GraphOrder"]

I64 = npt.NDArray[np.int64]
_FIELDS = ("order", "comp_ptr", "comp")


@jit
def _condensation_order(labels: Any, n_comp: int, src: Any, dst: Any) -> Any:
    """Kahn's algorithm over the condensation: a topological rank for each component."""
    cs = labels[src]
    cd = labels[dst]
    keep = cs != cd
    cs = cs[keep]
    cd = cd[keep]
    indeg = np.zeros(n_comp, dtype=np.int64)
    for c in cd:
        indeg[c] += 1
    ptr, perm = csr(cs, n_comp)
    queue = np.empty(n_comp, dtype=np.int64)
    qn = 0
    for c in range(n_comp):
        if indeg[c] == 0:
            queue[qn] = c
            qn += 1
    rank = np.empty(n_comp, dtype=np.int64)
    head = 0
    while head < qn:
        c = queue[head]
        rank[c] = head
        head += 1
        for i in range(ptr[c], ptr[c + 1]):
            d = cd[perm[i]]
            indeg[d] -= 1
            if indeg[d] == 0:
                queue[qn] = d
                qn += 1
    return rank


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

    @classmethod
    def build(cls, n: int, owner: npt.NDArray[Any], owned: npt.NDArray[Any]) -> GraphOrder:
        """The ordering of ``n`` entities under the edges ``owner -> owned``."""
        src = np.asarray(owner, dtype=np.int64)
        dst = np.asarray(owned, dtype=np.int64)
        if n == 0:
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, np.zeros(1, dtype=np.int64), empty)
        ptr, perm = csr(src, n)  # counting sort: no COO->CSR conversion in SciPy
        indices = dst[perm].astype(np.int32)
        graph = csr_matrix((np.ones(len(src), dtype=np.int8), indices, ptr), shape=(n, n))
        n_comp, labels = connected_components(graph, directed=True, connection="strong")
        labels = labels.astype(np.int64)
        rank = _condensation_order(labels, n_comp, src, dst)
        comp = rank[labels]
        comp_ptr, order = csr(comp, n_comp)  # members of each component, in order
        return cls(order, comp_ptr, comp)

    @classmethod
    def for_holdings(cls, n: int, holdings: HoldingTable) -> GraphOrder:
        """The snapshot's ordering: every shares holding, whatever its dates."""
        eq = holdings.kind == 0
        return cls.build(n, holdings.owner[eq], holdings.owned[eq])

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

    def save(self, folder: str | Path) -> None:
        """Write ``order.npy``, ``comp_ptr.npy``, ``comp.npy`` into ``folder``."""
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        for name, arr in self.arrays().items():
            np.save(path / f"{name}.npy", arr)

    @classmethod
    def load(cls, folder: str | Path, *, mmap: bool = False) -> GraphOrder:
        path = Path(folder)
        return cls.from_arrays({name: np.load(path / f"{name}.npy",
                                              mmap_mode="r" if mmap else None)
                                for name in _FIELDS})
