"""numba passes of look-through: the ordered float sweep over strongly connected
components and the per-origin sweep (aggregation off). Plain arrays in and out; the
meaning of each argument is set by :mod:`ringfence.attribution.lookthrough`."""

from __future__ import annotations

from typing import Any

import numpy as np

from ringfence.attribution._kernels import jit

__all__ = ["cyclic_blocks", "lt_single", "lt_sweep", "lt_sweep_both"]


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
    """Look-through at one bound in one pass over components in topological order (the
    Spark engine's level tasks, which feed lower levels' values in as ``base``).

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


def lt_sweep_both(order: Any, comp_ptr: Any, in_ptr: Any, in_src: Any, in_lo: Any,
                  in_hi: Any, scale: float, origin: Any, base_hi: Any,
                  threshold: float, near: float, tol: float,
                  max_sweeps: int, cyclic: Any = None) -> tuple[Any, ...]:
    """Look-through at both bounds in one pass over components in topological order.

    The in-CSR is renumbered by position (``in_src`` are owners' positions, rows in
    position order); ``order[p]`` is the entity at position ``p``, ``comp_ptr`` delimits
    components, sources first; ``in_lo`` / ``in_hi`` are each bound's shares (ppb),
    ``origin`` (by entity) has bit 0 set for a certain origin (the lower bound's), bit 1
    for a possible one (the upper bound's): one read for both. A singleton is one sum
    over its in-edges; a cycle is swept (Gauss-Seidel, from zero, so the iterates rise
    monotonically to the least fixed point of the clamped map) until no value moves more
    than ``tol``, each bound on its own. Values are clamped to [0, 1]. ``base_hi`` (by
    entity, empty for none): a constant input of the upper bound per entity (the
    unaccounted equity's holder). ``cyclic``: :func:`cyclic_blocks` of ``comp_ptr`` when
    cached (made here when not given).

    Both bounds are read from one interleaved array, so each owner costs one random read
    for the two, and every value is computed by the same operations in the same order as
    a sweep of one bound alone. Returns, by entity, each bound's ``w``, its
    ``w > threshold`` or origin mask and round (0 origin, 1 restricted, -1 not), the
    entities within ``near`` of the threshold (not origins) for the exact re-check, and
    the number of cyclic components that hit ``max_sweeps`` at each bound.

    Each value is written by entity as the sweep makes it (no second pass to put the
    position-ordered values back in entity order). The arrays the sweep writes are
    allocated and filled here, front to back, before it runs (:func:`_touched`).
    """
    n = len(order)
    if cyclic is None:
        cyclic = cyclic_blocks(comp_ptr)
    wp = _touched((n, 2), np.float64)  # by position: (lower, upper)
    w_lo = _touched(n, np.float64)  # by entity, written in random order
    w_hi = _touched(n, np.float64)
    unconverged = _lt_sweep_pos(wp, w_lo, w_hi, order, cyclic, in_ptr, in_src, in_lo, in_hi,
                                scale, origin, base_hi, tol, max_sweeps)
    del wp
    hit_lo = np.empty(n, dtype=np.bool_)
    hit_hi = np.empty(n, dtype=np.bool_)
    rnd_lo = np.empty(n, dtype=np.int32)
    rnd_hi = np.empty(n, dtype=np.int32)
    near_ids, near_k = _lt_outcome(w_lo, w_hi, origin, threshold, near, hit_lo, hit_hi,
                                   rnd_lo, rnd_hi)
    return (w_lo, w_hi, hit_lo, hit_hi, rnd_lo, rnd_hi, near_ids, near_k, unconverged)


def _touched(shape: Any, dtype: Any) -> Any:
    """A zero-filled array whose pages are all mapped, in order, before a kernel writes it
    at random: fresh memory is mapped on first touch, and first touches in random order
    cost this VM about a third of the sweep (measured at 10M, see BENCHMARKS.md);
    ``np.zeros`` maps lazily."""
    out = np.empty(shape, dtype=dtype)
    out.fill(0)
    return out


def cyclic_blocks(comp_ptr: Any) -> Any:
    """``(k, 2)`` int64: the first and past-the-last position of every component with
    more than one member, in order (most components of an ownership graph are single
    entities, which the sweep then takes without reading ``comp_ptr``)."""
    ptr = np.asarray(comp_ptr, dtype=np.int64)
    big = np.flatnonzero(ptr[1:] - ptr[:-1] > 1)
    return np.stack((ptr[big], ptr[big + 1]), axis=1) if len(big) else np.zeros(
        (0, 2), dtype=np.int64)


@jit
def _lt_sweep_pos(wp: Any, w_lo: Any, w_hi: Any, order: Any, cyclic: Any, in_ptr: Any,
                  in_src: Any, in_lo: Any, in_hi: Any, scale: float, origin: Any,
                  base_hi: Any, tol: float, max_sweeps: int) -> Any:
    """The sweep of :func:`lt_sweep_both`: positions front to back into ``wp`` (zeros, by
    position, the values later rows read), a cyclic block (``cyclic``) swept where it
    starts; each value is written to ``w_lo`` / ``w_hi`` (by entity) as it is made, so
    there is no second pass to put them back in entity order."""
    n = len(order)
    has_base = len(base_hi) > 0
    inv = 1.0 / scale
    unconverged = np.zeros(2, dtype=np.int64)
    j = 0
    nxt = cyclic[0, 0] if len(cyclic) else n
    a = 0
    while a < n:
        if a == nxt:
            b = cyclic[j, 1]
            _lt_cycle(wp, order, a, b, in_ptr, in_src, in_lo, in_hi, inv, origin, base_hi,
                      has_base, tol, max_sweeps, unconverged)
            for i in range(a, b):
                w_lo[order[i]] = wp[i, 0]
                w_hi[order[i]] = wp[i, 1]
            j += 1
            nxt = cyclic[j, 0] if j < len(cyclic) else n
            a = b
            continue
        v = order[a]
        f = origin[v]
        o_lo, o_hi = (f & 1) != 0, (f & 2) != 0
        x = 1.0  # an origin holds 1
        y = 1.0
        if not (o_lo and o_hi):
            s_lo = 0.0
            s_hi = base_hi[v] if has_base else 0.0
            self_lo = 0.0
            self_hi = 0.0
            for e in range(in_ptr[a], in_ptr[a + 1]):
                u = in_src[e]
                if u == a:
                    self_lo += in_lo[e] * inv
                    self_hi += in_hi[e] * inv
                else:
                    s_lo += in_lo[e] * inv * wp[u, 0]
                    s_hi += in_hi[e] * inv * wp[u, 1]
            if not o_lo:
                x = _self_solve(s_lo, self_lo)
            if not o_hi:
                y = _self_solve(s_hi, self_hi)
        wp[a, 0] = x
        wp[a, 1] = y
        w_lo[v] = x
        w_hi[v] = y
        a += 1
    return unconverged


@jit
def _lt_cycle(wp: Any, order: Any, a: int, b: int, in_ptr: Any, in_src: Any, in_lo: Any,
              in_hi: Any, inv: float, origin: Any, base_hi: Any, has_base: bool, tol: float,
              max_sweeps: int, unconverged: Any) -> None:
    """One cyclic component (positions ``a .. b-1``), each bound swept on its own."""
    for i in range(a, b):  # origins in a cycle hold 1 before it is swept
        if origin[order[i]] & 1:
            wp[i, 0] = 1.0
        if origin[order[i]] & 2:
            wp[i, 1] = 1.0
    for k in range(2):
        val = in_lo if k == 0 else in_hi
        bit = 1 << k
        for sweep in range(max_sweeps):
            delta = 0.0
            for i in range(a, b):
                if origin[order[i]] & bit:
                    continue
                s = base_hi[order[i]] if k == 1 and has_base else 0.0
                for e in range(in_ptr[i], in_ptr[i + 1]):
                    s += val[e] * inv * wp[in_src[e], k]
                s = min(s, 1.0)
                d = abs(s - wp[i, k])
                if d > delta:
                    delta = d
                wp[i, k] = s
            if delta <= tol:
                break
            if sweep == max_sweeps - 1:
                unconverged[k] += 1


@jit
def _lt_outcome(w_lo: Any, w_hi: Any, origin: Any, threshold: float, near: float,
                hit_lo: Any, hit_hi: Any, rnd_lo: Any, rnd_hi: Any) -> tuple[Any, Any]:
    """Restricted masks and rounds per entity, and the entities within ``near`` of the
    threshold, in id order, with the bound (0 lower, 1 upper). Branch-free loops (the
    compiler vectorises them); the near entities, a few hundred in 10M, are counted
    first and collected in a second pass only when there are any."""
    n = len(w_lo)
    count = 0
    for v in range(n):
        f = origin[v]
        x = w_lo[v]
        y = w_hi[v]
        o0 = (f & 1) != 0
        o1 = (f & 2) != 0
        h0 = x > threshold
        h1 = y > threshold
        hit_lo[v] = h0 | o0
        hit_hi[v] = h1 | o1
        rnd_lo[v] = 0 if o0 else (1 if h0 else -1)
        rnd_hi[v] = 0 if o1 else (1 if h1 else -1)
        count += ((abs(x - threshold) <= near) & ~o0) + ((abs(y - threshold) <= near) & ~o1)
    near_ids = np.empty(count, dtype=np.int64)
    near_k = np.empty(count, dtype=np.int8)
    nn = 0
    if count == 0:
        return near_ids, near_k
    for v in range(n):
        f = origin[v]
        for k in range(2):
            x = w_lo[v] if k == 0 else w_hi[v]
            if (f >> k) & 1 == 0 and abs(x - threshold) <= near:
                near_ids[nn] = v
                near_k[nn] = k
                nn += 1
    return near_ids, near_k


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
