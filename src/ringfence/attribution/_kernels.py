"""numba passes NumPy cannot express: frontier fixed points and ordered sweeps.

Everything here takes and returns plain arrays; the meaning of each argument is set by
the callers in :mod:`ringfence.attribution.engine` and :mod:`.lookthrough`. The
look-through sweeps are in :mod:`._lt_kernels`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba as nb
import numpy as np

from ringfence.attribution.graph import SHARES

__all__ = [
    "cascade_all",
    "cascade_finish",
    "cascade_single",
    "csr",
    "csr3",
    "grow",
    "jit",
    "meets",
    "relabel_in",
    "shares_csr",
    "verdict_codes",
]

_F = TypeVar("_F", bound=Callable[..., Any])


def jit(fn: _F) -> _F:
    """``numba.njit`` (cached, GIL released), typed for mypy."""
    return cast(_F, nb.njit(cache=True, nogil=True)(fn))


@jit
def meets(total: int, n_open: int, threshold: int, inclusive: bool, lower: bool) -> bool:
    """Does a sum of interval ends meet the threshold, exactly?

    At the lower bound the true sum is ``>= total`` (``> total`` if any end is open): it
    meets ``> T`` iff ``total > T`` or ``total == T`` with an open end. At the upper bound the
    true sum is ``<= total`` (``< total`` if any end is open): ``>= T`` is possible iff
    ``total > T`` or ``total == T`` with no open end.
    """
    if total > threshold:
        return True
    if total < threshold:
        return False
    if lower:
        return inclusive or n_open > 0
    return inclusive and n_open == 0


@jit
def csr(key: Any, n: int) -> tuple[Any, Any]:
    """Counting sort: ``(ptr, perm)`` with rows of key ``k`` at ``perm[ptr[k]:ptr[k+1]]``."""
    ptr = np.zeros(n + 1, dtype=np.int64)
    for k in key:
        ptr[k + 1] += 1
    for i in range(n):
        ptr[i + 1] += ptr[i]
    fill = ptr[:-1].copy()
    perm = np.empty(len(key), dtype=np.int64)
    for e in range(len(key)):
        k = key[e]
        perm[fill[k]] = e
        fill[k] += 1
    return ptr, perm


@jit
def csr3(key: Any, n: int, a: Any, b: Any, c: Any) -> tuple[Any, Any, Any, Any]:
    """Counting sort of three columns by ``key``: ``(ptr, a, b, c)`` in key order."""
    ptr = np.zeros(n + 1, dtype=np.int64)
    for k in key:
        ptr[k + 1] += 1
    for i in range(n):
        ptr[i + 1] += ptr[i]
    fill = ptr[:-1].copy()
    oa = np.empty_like(a)
    ob = np.empty_like(b)
    oc = np.empty_like(c)
    for e in range(len(key)):
        k = key[e]
        j = fill[k]
        oa[j] = a[e]
        ob[j] = b[e]
        oc[j] = c[e]
        fill[k] = j + 1
    return ptr, oa, ob, oc


@jit
def shares_csr(owner: Any, owned: Any, kind: Any, lo: Any, hi: Any, lo_open: Any,
               hi_open: Any, n: int) -> tuple[Any, Any, Any, Any, Any, Any]:
    """Out-CSR of the shares holdings with both bounds' columns, in one pass."""
    ptr = np.zeros(n + 1, dtype=np.int64)
    for e in range(len(owner)):
        if kind[e] == SHARES:
            ptr[owner[e] + 1] += 1
    for i in range(n):
        ptr[i + 1] += ptr[i]
    m = ptr[n]
    fill = ptr[:-1].copy()
    dst = np.empty(m, dtype=np.int32)  # entity ids and ppb shares fit in int32
    olo = np.empty(m, dtype=np.int32)
    ohi = np.empty(m, dtype=np.int32)
    olo_open = np.empty(m, dtype=np.bool_)
    ohi_open = np.empty(m, dtype=np.bool_)
    for e in range(len(owner)):
        if kind[e] == SHARES:
            k = owner[e]
            j = fill[k]
            dst[j] = owned[e]
            olo[j] = lo[e]
            ohi[j] = hi[e]
            olo_open[j] = lo_open[e]
            ohi_open[j] = hi_open[e]
            fill[k] = j + 1
    return ptr, dst, olo, ohi, olo_open, ohi_open


@jit
def relabel_in(order: Any, ptr: Any, src: Any, lo: Any, hi: Any) -> tuple[Any, Any, Any, Any]:
    """An in-CSR renumbered by position in ``order``: row ``p`` holds the in-edges of
    ``order[p]``, owners given by their positions. A sweep in order then reads its rows
    front to back."""
    n = len(order)
    pos = np.empty(n, dtype=np.int64)
    for p in range(n):
        pos[order[p]] = p
    nptr = np.zeros(n + 1, dtype=np.int64)
    for p in range(n):
        v = order[p]
        nptr[p + 1] = nptr[p] + ptr[v + 1] - ptr[v]
    m = nptr[n]
    nsrc = np.empty(m, dtype=np.int32)
    nlo = np.empty(m, dtype=lo.dtype)
    nhi = np.empty(m, dtype=hi.dtype)
    for p in range(n):
        v = order[p]
        j = nptr[p]
        for e in range(ptr[v], ptr[v + 1]):
            nsrc[j] = pos[src[e]]
            nlo[j] = lo[e]
            nhi[j] = hi[e]
            j += 1
    return nptr, nsrc, nlo, nhi


@jit
def cascade_all(n: int, origin: Any, s_ptr: Any, s_dst: Any, s_val: Any, s_opn: Any,
                v_ptr: Any, v_dst: Any, v_val: Any, v_opn: Any, threshold: int,
                inclusive: bool, lower: bool) -> tuple[Any, Any, Any, Any, Any]:
    """Least fixed point with aggregation, by frontier: every out-edge of a restricted
    entity is read once. Channel ``s`` (shares) and ``v`` (votes; empty in cascade mode).

    Returns per entity the shares sum and open count from restricted owners, the same for
    votes, and the round (0 origins, k+1 when crossed by owners of rounds <= k, -1 never).
    """
    acc_s = np.zeros(n, dtype=np.int64)
    cnt_s = np.zeros(n, dtype=np.int32)
    nv = n if len(v_dst) else 0  # no vote channel (cascade mode): no vote accumulators
    acc_v = np.zeros(nv, dtype=np.int64)
    cnt_v = np.zeros(nv, dtype=np.int32)
    rnd = np.full(n, -1, dtype=np.int32)
    # one queue of restricted entities in the order they became so; waves are runs of it
    n_orig = 0
    for i in range(n):
        if origin[i]:
            n_orig += 1
    queue = np.empty(max(1024, 2 * n_orig), dtype=np.int32)
    qn = 0
    for i in range(n):
        if origin[i]:
            rnd[i] = 0
            queue[qn] = i
            qn += 1
    head = 0
    k = 0
    while head < qn:
        end = qn
        while head < end:
            u = queue[head]
            head += 1
            for e in range(s_ptr[u], s_ptr[u + 1]):
                v = s_dst[e]
                acc_s[v] += s_val[e]
                cnt_s[v] += s_opn[e]
                if rnd[v] < 0 and meets(acc_s[v], cnt_s[v], threshold, inclusive, lower):
                    rnd[v] = k + 1
                    if qn == len(queue):
                        queue = grow(queue, 2 * qn, 0)
                    queue[qn] = v
                    qn += 1
            if nv == 0:
                continue
            for e in range(v_ptr[u], v_ptr[u + 1]):
                v = v_dst[e]
                acc_v[v] += v_val[e]
                cnt_v[v] += v_opn[e]
                if rnd[v] < 0 and meets(acc_v[v], cnt_v[v], threshold, inclusive, lower):
                    rnd[v] = k + 1
                    if qn == len(queue):
                        queue = grow(queue, 2 * qn, 0)
                    queue[qn] = v
                    qn += 1
        k += 1
    return acc_s, cnt_s, acc_v, cnt_v, rnd


@jit
def cascade_single(n: int, origin: Any, s_ptr: Any, s_dst: Any, s_val: Any, s_opn: Any,
                   v_ptr: Any, v_dst: Any, v_val: Any, v_opn: Any, threshold: int,
                   inclusive: bool, lower: bool) -> tuple[Any, Any, Any, Any, Any, Any, Any]:
    """Without aggregation: each origin ``o`` alone, with the entities it alone makes
    restricted. State is kept per (entity, origin) pair reached; a pair is restricted when
    the shares (or votes) held in the entity by that origin's restricted set meet the
    threshold. Above a majority threshold each entity has at most one such origin per
    channel, so the pair count stays near the edge count.

    Returns the pairs (entity, origin, shares sum, votes sum, round) and, per entity, the
    largest pair sum (max over both channels) for reporting.
    """
    cap = max(16, 2 * n)
    p_v = np.empty(cap, dtype=np.int64)
    p_o = np.empty(cap, dtype=np.int64)
    p_as = np.zeros(cap, dtype=np.int64)
    p_cs = np.zeros(cap, dtype=np.int32)
    p_av = np.zeros(cap, dtype=np.int64)
    p_cv = np.zeros(cap, dtype=np.int32)
    p_r = np.full(cap, -1, dtype=np.int32)
    slot = nb.typed.Dict.empty(key_type=nb.types.int64, value_type=nb.types.int64)
    np_ = 0
    frontier = np.empty(16, dtype=np.int64)
    nf = 0
    for i in range(n):
        if origin[i]:
            if np_ == cap:
                cap *= 2
                p_v = grow(p_v, cap, 0)
                p_o = grow(p_o, cap, 0)
                p_as = grow(p_as, cap, 0)
                p_cs = grow(p_cs, cap, 0)
                p_av = grow(p_av, cap, 0)
                p_cv = grow(p_cv, cap, 0)
                p_r = grow(p_r, cap, -1)
            slot[i * n + i] = np_
            p_v[np_] = i
            p_o[np_] = i
            p_r[np_] = 0
            if nf == len(frontier):
                frontier = grow(frontier, 2 * nf, 0)
            frontier[nf] = np_
            nf += 1
            np_ += 1
    nxt = np.empty(len(frontier), dtype=np.int64)
    n_chan = 2 if len(v_dst) else 1
    k = 0
    while nf > 0:
        nn = 0
        for f in range(nf):
            p = frontier[f]
            u = p_v[p]
            o = p_o[p]
            for chan in range(n_chan):  # no vote channel: v_ptr may be empty
                ptr = s_ptr if chan == 0 else v_ptr
                dst = s_dst if chan == 0 else v_dst
                val = s_val if chan == 0 else v_val
                opn = s_opn if chan == 0 else v_opn
                for e in range(ptr[u], ptr[u + 1]):
                    v = dst[e]
                    key = v * n + o
                    if key in slot:
                        q = slot[key]
                    else:
                        if np_ == cap:
                            cap *= 2
                            p_v = grow(p_v, cap, 0)
                            p_o = grow(p_o, cap, 0)
                            p_as = grow(p_as, cap, 0)
                            p_cs = grow(p_cs, cap, 0)
                            p_av = grow(p_av, cap, 0)
                            p_cv = grow(p_cv, cap, 0)
                            p_r = grow(p_r, cap, -1)
                        q = np_
                        np_ += 1
                        slot[key] = q
                        p_v[q] = v
                        p_o[q] = o
                    if chan == 0:
                        p_as[q] += val[e]
                        p_cs[q] += opn[e]
                        hit = meets(p_as[q], p_cs[q], threshold, inclusive, lower)
                    else:
                        p_av[q] += val[e]
                        p_cv[q] += opn[e]
                        hit = meets(p_av[q], p_cv[q], threshold, inclusive, lower)
                    if hit and p_r[q] < 0:
                        p_r[q] = k + 1
                        if nn == len(nxt):
                            nxt = grow(nxt, 2 * nn, 0)
                        nxt[nn] = q
                        nn += 1
        if len(frontier) < len(nxt):
            frontier = np.empty(len(nxt), dtype=np.int64)
        frontier, nxt = nxt, frontier
        nf = nn
        k += 1
    best = np.zeros(n, dtype=np.int64)
    for q in range(np_):
        b = max(p_as[q], p_av[q])
        if b > best[p_v[q]]:
            best[p_v[q]] = b
    return (p_v[:np_].copy(), p_o[:np_].copy(), p_as[:np_].copy(), p_av[:np_].copy(),
            p_r[:np_].copy(), best, np.int64(np_))


@jit
def cascade_finish(n: int, acc_s: Any, acc_v: Any, rnd: Any, origin: Any,
                   scale: int) -> tuple[Any, Any]:
    """Per real entity (``< n``): restricted (round >= 0) and the reported share, the
    larger channel's sum capped at ``scale``, as a fraction (1.0 for origins); one pass."""
    restricted = np.empty(n, dtype=np.bool_)
    value = np.empty(n, dtype=np.float64)
    has_v = len(acc_v) > 0
    for i in range(n):
        restricted[i] = rnd[i] >= 0
        if origin[i]:
            value[i] = 1.0
            continue
        a = acc_s[i]
        if has_v and acc_v[i] > a:
            a = acc_v[i]
        if a > scale:
            a = scale
        value[i] = a / scale
    return restricted, value


@jit
def verdict_codes(low: Any, high: Any, clear: int, uncertain: int, restricted: int) -> Any:
    """Verdict per entity: restricted at the lower bound, else uncertain when restricted
    at the upper bound, else clear."""
    out = np.empty(len(low), dtype=np.int8)
    for i in range(len(low)):
        out[i] = restricted if low[i] else (uncertain if high[i] else clear)
    return out


@jit
def grow(a: Any, cap: int, fill: int) -> Any:
    out = np.full(cap, fill, dtype=a.dtype)
    out[: len(a)] = a
    return out
