"""numba passes of look-through: the ordered float sweep over strongly connected
components and the per-origin sweep (aggregation off). Plain arrays in and out; the
meaning of each argument is set by :mod:`ringfence.attribution.lookthrough`."""

from __future__ import annotations

from typing import Any

import numpy as np

from ringfence.attribution._kernels import jit

__all__ = ["lt_single", "lt_sweep"]


@jit
def _self_solve(s: float, a_self: float) -> float:
    """``w = min(1, s + a_self * w)``, least solution: a self-holding (treasury shares)
    scales the others up to the outstanding equity."""
    if a_self <= 0.0:
        return min(s, 1.0)
    if a_self >= 1.0:
        return 1.0 if s > 0.0 else 0.0
    return min(s / (1.0 - a_self), 1.0)


@jit
def lt_sweep(order: Any, comp_ptr: Any, in_ptr: Any, in_src: Any, in_val: Any,
             scale: float, origin: Any, base: Any, tol: float,
             max_sweeps: int) -> tuple[Any, Any]:
    """Look-through in one pass over components in topological order.

    ``order`` lists nodes component by component (``comp_ptr`` delimits them), sources
    first. A singleton is one sum over its in-edges; a cycle is swept (Gauss-Seidel, from
    zero, so the iterates rise monotonically to the least fixed point of the clamped map)
    until no value moves more than ``tol``. Values are clamped to [0, 1]. Shares are
    ``in_val / scale``; ``base`` is a constant input per entity (held by origins outside
    the graph). Returns ``w`` and the number of cyclic components that hit ``max_sweeps``.
    """
    n = len(origin)
    w = np.zeros(n, dtype=np.float64)
    for v in range(n):  # origins hold 1 from the start: one read per edge below
        if origin[v]:
            w[v] = 1.0
    inv = 1.0 / scale
    unconverged = 0
    for c in range(len(comp_ptr) - 1):
        a, b = comp_ptr[c], comp_ptr[c + 1]
        if b - a == 1:
            v = order[a]
            if origin[v]:
                continue
            s = base[v]
            a_self = 0.0
            for e in range(in_ptr[v], in_ptr[v + 1]):
                u = in_src[e]
                if u == v:
                    a_self += in_val[e] * inv
                else:
                    s += in_val[e] * inv * w[u]
            w[v] = _self_solve(s, a_self)
            continue
        for sweep in range(max_sweeps):
            delta = 0.0
            for i in range(a, b):
                v = order[i]
                if origin[v]:
                    continue
                s = base[v]
                for e in range(in_ptr[v], in_ptr[v + 1]):
                    s += in_val[e] * inv * w[in_src[e]]
                s = min(s, 1.0)
                d = abs(s - w[v])
                if d > delta:
                    delta = d
                w[v] = s
            if delta <= tol:
                break
            if sweep == max_sweeps - 1:
                unconverged += 1
    return w, unconverged


@jit
def lt_single(origin_ids: Any, pos: Any, comp: Any, out_ptr: Any, out_dst: Any,
              in_ptr: Any, in_src: Any, in_val: Any, tol: float,
              max_sweeps: int) -> tuple[Any, Any]:
    """Look-through without aggregation: for each origin alone, its effective share in each
    descendant (every other entity, origins included, counts as ordinary). Returns per
    entity the largest share over origins and the origin giving it (-1 none).

    Cost: the sum over origins of their descendant counts (times sweeps inside cycles).
    """
    n = len(pos)
    best = np.zeros(n, dtype=np.float64)
    who = np.full(n, -1, dtype=np.int64)
    w = np.zeros(n, dtype=np.float64)
    seen = np.zeros(n, dtype=np.bool_)
    stack = np.empty(n, dtype=np.int64)
    desc = np.empty(n, dtype=np.int64)
    for o in origin_ids:
        # descendants of o
        nd = 0
        ns = 1
        stack[0] = o
        seen[o] = True
        while ns > 0:
            ns -= 1
            u = stack[ns]
            desc[nd] = u
            nd += 1
            for e in range(out_ptr[u], out_ptr[u + 1]):
                v = out_dst[e]
                if not seen[v]:
                    seen[v] = True
                    stack[ns] = v
                    ns += 1
        d = desc[:nd]
        d = d[np.argsort(pos[d], kind="mergesort")]
        w[o] = 1.0
        # sweep components in order; w of non-descendants is 0 (seen is False)
        i = 0
        while i < nd:
            j = i + 1
            while j < nd and comp[d[j]] == comp[d[i]]:
                j += 1
            if j - i == 1:
                v = d[i]
                if v != o:
                    s = 0.0
                    a_self = 0.0
                    for e in range(in_ptr[v], in_ptr[v + 1]):
                        u = in_src[e]
                        if u == v:
                            a_self += in_val[e]
                        elif seen[u]:
                            s += in_val[e] * w[u]
                    w[v] = _self_solve(s, a_self)
                i = j
                continue
            for _ in range(max_sweeps):
                delta = 0.0
                for t in range(i, j):
                    v = d[t]
                    if v == o:
                        continue
                    s = 0.0
                    for e in range(in_ptr[v], in_ptr[v + 1]):
                        u = in_src[e]
                        if seen[u]:
                            s += in_val[e] * w[u]
                    s = min(s, 1.0)
                    dd = abs(s - w[v])
                    if dd > delta:
                        delta = dd
                    w[v] = s
                if delta <= tol:
                    break
            i = j
        for t in range(nd):
            v = d[t]
            if w[v] > best[v]:
                best[v] = w[v]
                who[v] = o
            w[v] = 0.0
            seen[v] = False
    return best, who
