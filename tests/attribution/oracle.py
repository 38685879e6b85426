"""A brute-force attribution engine, written independently of the real one, for small graphs.

Open ends are handled with an infinitesimal: at the lower bound an open end ``(a`` is
``a + eps``; at the upper bound an open end ``b)`` is ``b - eps``. Values are polynomials in
eps (tuples of Fractions, lowest degree first) compared lexicographically, so "meets the
threshold" is simply ``value > T or (value == T and inclusive)`` at either bound.

- cascade/control: naive synchronous fixed point over all edges (round k+1 = entities that
  meet the threshold counting owners of rounds <= k);
- look-through on DAGs: the recursion ``w(v) = min(1, sum s * w(u))`` over all paths;
  on cyclic graphs (closed ends only): an exact linear solve over the entities reachable
  from origins;
- aggregation off: every origin alone, results OR-ed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction

SCALE = 1_000_000_000
Poly = tuple[Fraction, ...]


@dataclass
class H:
    owner: int
    owned: int
    kind: int  # 0 shares, 1 votes, 2 control
    lo: int
    hi: int
    lo_open: bool = False
    hi_open: bool = False


def poly(c: Fraction, e: int = 0) -> Poly:
    return (c, Fraction(e)) if e else (c,)


def padd(a: Poly, b: Poly) -> Poly:
    n = max(len(a), len(b))
    return tuple((a[i] if i < len(a) else 0) + (b[i] if i < len(b) else 0)  # type: ignore[misc]
                 for i in range(n))


def pmul(a: Poly, b: Poly) -> Poly:
    out = [Fraction(0)] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] += x * y
    return tuple(out)


def pcmp(a: Poly, b: Poly) -> int:
    d = padd(a, tuple(-x for x in b))
    for x in d:
        if x:
            return 1 if x > 0 else -1
    return 0


def pmax(a: Poly, b: Poly) -> Poly:
    return a if pcmp(a, b) >= 0 else b


def pmin(a: Poly, b: Poly) -> Poly:
    return a if pcmp(a, b) <= 0 else b


ZERO: Poly = (Fraction(0),)
ONE: Poly = (Fraction(1),)


def share(h: H, lower: bool) -> Poly:
    if lower:
        return poly(Fraction(h.lo, SCALE), 1 if h.lo_open else 0)
    return poly(Fraction(h.hi, SCALE), -1 if h.hi_open else 0)


def meets(value: Poly, t: Fraction, inclusive: bool) -> bool:
    c = pcmp(value, (t,))
    return c > 0 or (c == 0 and inclusive)


@dataclass
class Setup:
    n: int
    holdings: list[H]
    mode: str  # cascade | control | look_through
    threshold: int  # ppb
    inclusive: bool
    aggregate: bool
    unaccounted: bool


def with_virtual(s: Setup, lower: bool) -> tuple[int, list[H], list[int]]:
    """Holdings plus the unaccounted-equity owners (upper bound only): nodes n.., origins."""
    hs = list(s.holdings)
    if lower or not s.unaccounted:
        return s.n, hs, []
    extra: list[int] = []
    node = s.n
    for v in range(s.n):
        sh = [h for h in s.holdings if h.owned == v and h.kind == 0]
        if not sh:
            continue
        left = SCALE - sum(h.lo for h in sh)
        if left <= 0:
            continue
        opn = any(h.lo_open for h in sh)
        hs.append(H(node, v, 0, left, left, False, opn))
        vt = [h for h in s.holdings if h.owned == v and h.kind == 1]
        if vt and s.mode == "control":
            vleft = SCALE - sum(h.lo for h in vt)
            if vleft > 0:
                hs.append(H(node, v, 1, vleft, vleft, False, any(h.lo_open for h in vt)))
        extra.append(node)
        node += 1
    return node, hs, extra


def channel_values(n: int, hs: list[H], members: set[int], v: int, mode: str,
                   lower: bool) -> tuple[Poly, Poly]:
    """(shares, votes) held in v by ``members``."""
    sh = ZERO
    for h in hs:
        if h.owned == v and h.kind == 0 and h.owner in members:
            sh = padd(sh, share(h, lower))
    if mode != "control":
        return sh, ZERO
    has_votes = any(h.owned == v and h.kind == 1 for h in hs)
    vk = 1 if has_votes else 0
    vt = ZERO
    for u in members:
        a, c = ZERO, ZERO
        for h in hs:
            if h.owner == u and h.owned == v:
                if h.kind == vk:
                    a = padd(a, share(h, lower))
                elif h.kind == 2:
                    c = padd(c, share(h, lower))
        vt = padd(vt, pmax(a, c))
    return sh, vt


def fixed_point(n: int, hs: list[H], origin: set[int], s: Setup,
                lower: bool) -> tuple[dict[int, int], list[Poly]]:
    t = Fraction(s.threshold, SCALE)
    rnd = {o: 0 for o in origin}
    k = 0
    while True:
        members = set(rnd)
        new = []
        for v in range(n):
            if v in rnd:
                continue
            sh, vt = channel_values(n, hs, members, v, s.mode, lower)
            if meets(sh, t, s.inclusive) or meets(vt, t, s.inclusive):
                new.append(v)
        if not new:
            break
        for v in new:
            rnd[v] = k + 1
        k += 1
    members = set(rnd)
    vals = []
    for v in range(n):
        sh, vt = channel_values(n, hs, members, v, s.mode, lower)
        vals.append(pmin(pmax(sh, vt), ONE))
    return rnd, vals


def is_dag(n: int, hs: list[H]) -> bool:
    succ: dict[int, set[int]] = {}
    for h in hs:
        if h.kind == 0:
            succ.setdefault(h.owner, set()).add(h.owned)
    state = [0] * n

    def visit(u: int) -> bool:
        state[u] = 1
        for v in succ.get(u, ()):
            if state[v] == 1 or (state[v] == 0 and not visit(v)):
                return False
        state[u] = 2
        return True

    return all(state[u] or visit(u) for u in range(n))


def lookthrough(n: int, hs: list[H], origin: set[int], lower: bool) -> list[Poly] | None:
    eq = [h for h in hs if h.kind == 0]
    if is_dag(n, hs):
        memo: dict[int, Poly] = {}

        def w(v: int) -> Poly:
            if v in origin:
                return ONE
            if v not in memo:
                total = ZERO
                for h in eq:
                    if h.owned == v:
                        total = padd(total, pmul(share(h, lower), w(h.owner)))
                memo[v] = pmin(total, ONE)
            return memo[v]

        return [w(v) for v in range(n)]
    if any((h.lo_open if lower else h.hi_open) for h in eq):
        return None
    for v in range(n):
        if sum(h.lo if lower else h.hi for h in eq if h.owned == v) > SCALE:
            return None
    # entities reachable from origins through positive shares
    reach = set(origin)
    todo = list(origin)
    while todo:
        u = todo.pop()
        for h in eq:
            if h.owner == u and (h.lo if lower else h.hi) > 0 and h.owned not in reach:
                reach.add(h.owned)
                todo.append(h.owned)
    free = sorted(reach - origin)
    idx = {v: i for i, v in enumerate(free)}
    m = len(free)
    mat = [[Fraction(0)] * (m + 1) for _ in range(m)]
    for i in range(m):
        mat[i][i] = Fraction(1)
    for h in eq:
        if h.owned in idx:
            sv = Fraction(h.lo if lower else h.hi, SCALE)
            r = idx[h.owned]
            if h.owner in origin:
                mat[r][m] += sv
            elif h.owner in idx:
                mat[r][idx[h.owner]] -= sv
    for col in range(m):
        piv = next(r for r in range(col, m) if mat[r][col] != 0)
        mat[col], mat[piv] = mat[piv], mat[col]
        for r in range(m):
            if r != col and mat[r][col]:
                f = mat[r][col] / mat[col][col]
                mat[r] = [a - f * b for a, b in zip(mat[r], mat[col], strict=True)]
    out = [ONE if v in origin else ZERO for v in range(n)]
    for v, i in idx.items():
        out[v] = (mat[i][m] / mat[i][i],)
    return out


@dataclass
class Bound:
    restricted: list[bool]
    value: list[Fraction]
    round: list[int] | None


def bound(s: Setup, origin: set[int], lower: bool) -> Bound | None:
    n, hs, extra = with_virtual(s, lower)
    origin = set(origin) | set(extra)
    t = Fraction(s.threshold, SCALE)
    groups = [origin] if s.aggregate else [{o} for o in sorted(origin)]
    hit = [False] * n
    best = [Fraction(0)] * n
    rounds: list[int] | None = [-1] * n if s.aggregate and s.mode != "look_through" else None
    for g in groups:
        if s.mode == "look_through":
            w = lookthrough(n, hs, g, lower)
            if w is None:
                return None
            for v in range(n):
                hit[v] = hit[v] or v in g or meets(w[v], t, s.inclusive)
                best[v] = max(best[v], w[v][0])
        else:
            rnd, vals = fixed_point(n, hs, g, s, lower)
            for v in range(n):
                hit[v] = hit[v] or v in rnd
                best[v] = max(best[v], vals[v][0])
                if rounds is not None:
                    rounds[v] = rnd.get(v, -1)
    for o in origin:
        best[o] = Fraction(1)
    return Bound(hit[: s.n], best[: s.n], rounds[: s.n] if rounds else None)


def all_setups() -> itertools.product[tuple[str, bool, bool]]:
    return itertools.product(("cascade", "control", "look_through"), (True, False),
                             (True, False))
