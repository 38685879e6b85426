"""Look-through: the effective restricted share, shares multiplied along every path.

``w(origin) = 1``; ``w(v) = min(1, sum over shares edges u->v of s(u,v) * w(u))``, the
least fixed point (cycles included). Floats in one sweep over the snapshot's
:class:`~ringfence.attribution.ordering.GraphOrder`; every entity whose ``w`` lands within
``NEAR`` of the threshold is re-checked exactly with :class:`fractions.Fraction` over its
ancestors (Gaussian elimination inside cycles), and a tie is settled by the open ends: at
the lower bound a tie passes ``> T`` when some open lower end can raise ``w`` (an open end
on a path of positive shares from an origin); at the upper bound a tie meets ``>= T``
unless some open upper end must lower it. The clamp at 1 applies at every entity: no
entity can be more than wholly owned, which keeps upper bounds (ranges at their maximum
may sum past 1) meaningful.
"""

from __future__ import annotations

from collections import deque
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from ringfence.attribution._build import Channels
from ringfence.attribution._kernels import csr
from ringfence.attribution._lt_kernels import lt_single, lt_sweep_both
from ringfence.attribution.ordering import GraphOrder
from ringfence.model.share import SCALE

__all__ = ["NEAR", "InEdges", "exact_share", "lookthrough_both", "lookthrough_single"]

NEAR = 1e-9
TOL = 1e-15
MAX_SWEEPS = 100_000
F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]


class InEdges:
    """Shares edges of one bound grouped by owned entity: ``of(v)`` lists ``(owner, ppb,
    open)``. ``extra`` adds edges not in the CSR (the unaccounted-equity owners)."""

    def __init__(self, ptr: I64, src: npt.NDArray[np.integer[Any]],
                 val: npt.NDArray[np.integer[Any]], opn: npt.NDArray[Any]) -> None:
        self.ptr, self.src, self.val, self.opn = ptr, src, val, opn
        # unaccounted-equity owners: entity ent[k] held by node first_virtual + k
        self.ent: I64 = np.zeros(0, dtype=np.int64)
        self.left: I64 = self.ent
        self.lopen: B = np.zeros(0, dtype=np.bool_)
        self.first_virtual = len(ptr) - 1

    @classmethod
    def of_channels(cls, ch: Channels) -> InEdges:
        ptr, perm = csr(ch.s_dst, ch.n)
        return cls(ptr, ch.s_src[perm], ch.s_val[perm], ch.s_opn[perm])

    def of(self, v: int) -> list[tuple[int, int, bool]]:
        a, b = int(self.ptr[v]), int(self.ptr[v + 1])
        out = list(zip(self.src[a:b].tolist(), self.val[a:b].tolist(),
                       self.opn[a:b].astype(bool).tolist(), strict=True))
        k = int(np.searchsorted(self.ent, v))
        if k < len(self.ent) and self.ent[k] == v:
            out.append((self.first_virtual + k, int(self.left[k]), bool(self.lopen[k])))
        return out


def lookthrough_single(ch: Channels, order: GraphOrder, threshold: int, *, inclusive: bool,
                       lower: bool) -> tuple[B, F64, I64]:
    """Without aggregation, one bound: restricted mask, the largest effective share of a
    single origin, and that origin (the witness). Unaccounted-equity owners are nodes here
    (each is an origin of its own)."""
    ins = InEdges.of_channels(ch)
    out_ptr, out_perm = csr(ch.s_src, ch.n)
    ids = np.flatnonzero(ch.origin).astype(np.int64)
    w, witness = lt_single(ids, order.pos, order.comp, out_ptr, ch.s_dst[out_perm], ins.ptr,
                           ins.src, ins.val.astype(np.float64) / SCALE, TOL, MAX_SWEEPS)
    w[ch.origin] = 1.0
    witness[ch.origin] = ids
    restricted = _recheck(ins, ch.origin, w, witness, threshold, inclusive=inclusive,
                          lower=lower)
    return restricted, w, witness


def lookthrough_both(n: int, ins: tuple[InEdges, InEdges], origins: tuple[B, B],
                     order: GraphOrder, ranked: tuple[I64, npt.NDArray[np.int32],
                                                      npt.NDArray[Any], npt.NDArray[Any]],
                     threshold: int, *, inclusive: bool,
                     leftover: tuple[I64, I64, npt.NDArray[Any]] | None,
                     ) -> tuple[tuple[B, F64, I32, int], tuple[B, F64, I32, int]]:
    """Aggregated look-through at both bounds: one sweep over ``ranked`` (the in-CSR
    renumbered by position in ``order``: ptr, owner positions, lower and upper shares)
    for the two, then the exact re-check of the entities near the threshold over ``ins``
    (the same edges by entity id, lower and upper). ``origins``: certain and possible.
    The unaccounted-equity owners (``leftover``: entity, ppb, open; upper bound only)
    enter as a constant input per entity. Per bound: restricted, ``w``, round,
    unconverged cycles."""
    certain, possible = origins
    base = np.zeros(0)
    possible_x = possible
    if leftover is not None and len(leftover[0]):
        ent, left, lopen = leftover
        base = np.zeros(n)
        base[ent] = left / SCALE
        ins[1].ent, ins[1].left, ins[1].lopen = ent, left, lopen
        possible_x = np.concatenate((possible, np.ones(len(ent), dtype=np.bool_)))
    (w_lo, w_hi, hit_lo, hit_hi, rnd_lo, rnd_hi, near, near_hi,
     unconverged) = lt_sweep_both(order.order, order.comp_ptr, *ranked, float(SCALE),
                                  certain.view(np.uint8) | (possible.view(np.uint8) << 1),
                                  base, threshold / SCALE, NEAR, TOL, MAX_SWEEPS,
                                  order.cyclic)
    out = []
    for k, (hit, w, rnd, origin) in enumerate(((hit_lo, w_lo, rnd_lo, certain),
                                               (hit_hi, w_hi, rnd_hi, possible_x))):
        ids = near[near_hi == k]  # in id order
        _settle(ins[k], origin, ids, hit, threshold, inclusive=inclusive, lower=k == 0)
        rnd[ids] = np.where(hit[ids], 1, -1)
        out.append((hit, w, rnd, int(unconverged[k])))
    return out[0], out[1]


def _settle(ins: InEdges, origin: B, near: I64, restricted: B, threshold: int, *,
            inclusive: bool, lower: bool) -> None:
    """Aggregation on: decide the entities ``near`` the threshold exactly, in place."""
    for v in near.tolist():
        hit = _decide(exact_share(ins, origin, v, lower=lower), threshold,
                      inclusive=inclusive, lower=lower)
        if hit is not None:
            restricted[v] = hit


def _recheck(ins: InEdges, origin: B, w: F64, witness: I64, threshold: int, *,
             inclusive: bool, lower: bool) -> B:
    """Aggregation off: restricted mask from the floats, every entity near the threshold
    decided exactly, origin by origin (the first that passes is the witness)."""
    t = threshold / SCALE
    restricted = (w > t) | origin
    near = np.flatnonzero((np.abs(w - t) <= NEAR) & ~origin)
    for v in near.tolist():
        found: list[bool | None] = []
        for o in _ancestor_origins(ins, origin, v):
            found.append(_decide(exact_share(ins, origin, v, lower=lower, only=o),
                                 threshold, inclusive=inclusive, lower=lower))
            if found[-1]:
                witness[v] = o
                break
        hit = True if any(found) else (None if None in found else False)
        if hit is not None:
            restricted[v] = hit
    return restricted


def _decide(exact: tuple[Fraction, bool] | None, threshold: int, *, inclusive: bool,
            lower: bool) -> bool | None:
    if exact is None:
        return None
    w, moves = exact
    t = Fraction(threshold, SCALE)
    if w != t:
        return w > t
    return (inclusive or moves) if lower else (inclusive and not moves)


def _ancestor_origins(ins: InEdges, origin: B, v: int) -> list[int]:
    seen = {v}
    todo = deque([v])
    found = []
    while todo:
        x = todo.popleft()
        for u, _, _ in ins.of(x):
            if u not in seen:
                seen.add(u)
                todo.append(u)
                if origin[u]:
                    found.append(u)
    return found


def exact_share(ins: InEdges, origin: B, v: int, *, lower: bool,
                only: int | None = None) -> tuple[Fraction, bool] | None:
    """``w(v)`` exactly, and whether open ends move it off that value (up at the lower
    bound, down at the upper). ``only``: the single origin counted (aggregation off; other
    origins count as ordinary entities). None when a cycle has no unique solution in
    [0, 1] (the float value stands).
    """
    def is_origin(x: int) -> bool:
        return x == only if only is not None else bool(origin[x])

    # ancestors, not climbing above origins
    nodes = [v]
    index = {v: 0}
    todo = deque([v])
    while todo:
        x = todo.popleft()
        if is_origin(x):
            continue
        for u, _, _ in ins.of(x):
            if u not in index:
                index[u] = len(nodes)
                nodes.append(u)
                todo.append(u)
    k = len(nodes)
    rows: list[list[tuple[int, Fraction, bool]]] = [[] for _ in range(k)]
    src_l, dst_l = [], []
    for i, x in enumerate(nodes):
        if is_origin(x):
            continue
        for u, val_, opn_ in ins.of(x):
            j = index[u]
            rows[i].append((j, Fraction(val_, SCALE), opn_))
            src_l.append(j)
            dst_l.append(i)
    members, comp_order = _components(k, src_l, dst_l)
    val: list[Fraction] = [Fraction(0)] * k
    raw: list[Fraction] = [Fraction(0)] * k
    for c in comp_order:
        block = members[c]
        if len(block) == 1 and not any(j == block[0] for j, _, _ in rows[block[0]]):
            i = block[0]
            if is_origin(nodes[i]):
                val[i] = raw[i] = Fraction(1)
            else:
                total = Fraction(0)
                for j, s, _ in rows[i]:
                    total += s * val[j]
                raw[i] = total
                val[i] = min(raw[i], Fraction(1))
            continue
        solved = _solve_block(block, rows, val, [is_origin(nodes[i]) for i in block])
        if solved is None:
            return None
        for i, sol in zip(block, solved, strict=True):
            val[i] = raw[i] = sol
    # open ends: the least set of entities whose value they move
    moves = [False] * k
    changed = True
    while changed:
        changed = False
        for i in range(k):
            if moves[i] or is_origin(nodes[i]):
                continue
            if lower:
                if raw[i] >= 1:
                    continue
                hit = any((o and (val[j] > 0 or moves[j])) or ((s > 0 or o) and moves[j])
                          for j, s, o in rows[i])
            else:
                if raw[i] > 1:
                    continue
                hit = any(s > 0 and val[j] > 0 and (o or moves[j]) for j, s, o in rows[i])
            if hit:
                moves[i] = changed = True
    return val[0], moves[0]


def _components(k: int, src: list[int], dst: list[int]) -> tuple[list[list[int]], list[int]]:
    """The strong components of the ancestor graph (``src -> dst`` over ``k`` nodes) and
    a topological order of them. Most ancestor graphs near the threshold are acyclic:
    a Kahn pass orders them as singletons without building a sparse matrix (the exact
    values do not depend on which topological order); a cycle or self-holding leaves
    nodes unordered and takes SciPy's strong components."""
    succ: list[list[int]] = [[] for _ in range(k)]
    indeg = [0] * k
    for a, b in zip(src, dst, strict=True):
        succ[a].append(b)
        indeg[b] += 1
    ready = [i for i in range(k) if indeg[i] == 0]
    out: list[int] = []
    while ready:
        i = ready.pop()
        out.append(i)
        for j in succ[i]:
            indeg[j] -= 1
            if indeg[j] == 0:
                ready.append(j)
    if len(out) == k:
        return [[i] for i in out], list(range(k))
    n_comp, labels = connected_components(
        csr_matrix((np.ones(len(src)), (src, dst)), shape=(k, k)),
        directed=True, connection="strong")
    members: list[list[int]] = [[] for _ in range(n_comp)]
    for i, c in enumerate(labels.tolist()):
        members[c].append(i)
    return members, _topo(n_comp, labels, src, dst)


def _topo(n_comp: int, labels: npt.NDArray[np.int32], src: list[int],
          dst: list[int]) -> list[int]:
    succ: list[set[int]] = [set() for _ in range(n_comp)]
    indeg = [0] * n_comp
    for a, b in zip(src, dst, strict=True):
        ca, cb = int(labels[a]), int(labels[b])
        if ca != cb and cb not in succ[ca]:
            succ[ca].add(cb)
            indeg[cb] += 1
    queue = deque(c for c in range(n_comp) if indeg[c] == 0)
    out = []
    while queue:
        c = queue.popleft()
        out.append(c)
        for d in succ[c]:
            indeg[d] -= 1
            if indeg[d] == 0:
                queue.append(d)
    return out


def _solve_block(block: list[int], rows: list[list[tuple[int, Fraction, bool]]],
                 val: list[Fraction], is_origin: list[bool]) -> list[Fraction] | None:
    """Solve ``x = A x + b`` on a cycle exactly; None unless the solution is unique and
    within [0, 1] (then it is the least fixed point of the clamped map too)."""
    pos = {i: r for r, i in enumerate(block)}
    m = len(block)
    mat = [[Fraction(0)] * (m + 1) for _ in range(m)]
    for r, i in enumerate(block):
        mat[r][r] += 1
        if is_origin[r]:
            mat[r][m] = Fraction(1)
            continue
        for j, s, _ in rows[i]:
            if j in pos:
                mat[r][pos[j]] -= s
            else:
                mat[r][m] += s * val[j]
    for col in range(m):
        piv = next((r for r in range(col, m) if mat[r][col] != 0), None)
        if piv is None:
            return None
        mat[col], mat[piv] = mat[piv], mat[col]
        p = mat[col][col]
        for r in range(m):
            if r != col and mat[r][col] != 0:
                f = mat[r][col] / p
                mat[r] = [a - f * b for a, b in zip(mat[r], mat[col], strict=True)]
    out = [mat[r][m] / mat[r][r] for r in range(m)]
    if any(x < 0 or x > 1 for x in out):
        return None
    return out
