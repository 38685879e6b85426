"""Why a verdict holds: the ownership chain down to origins, as data.

``prove(result, i)`` explains entity ``i`` at the bound that decides it: the lower bound
for *restricted* (what is certain), the upper bound for *uncertain* (what could be; each
piece that is not certain is marked) and for *clear* (nothing: the proof says no
restricted owner reaches the threshold even at the upper bound).

Cascade/control: a step per entity, naming the owners restricted in an earlier round
whose shares (or votes) carry it past the threshold, largest first until it is met; each
owner is explained in turn, down to origins. Rounds strictly fall along the chain, so
cycles end. Look-through: the ``k`` heaviest origin-to-entity paths with their products.
The caller (an engine) maps each edge's holding ``row`` to its source record; the
unaccounted part of an equity has no row and no source.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import replace
from typing import Any

import numpy as np

from ringfence.attribution._build import Channels, build_channels
from ringfence.attribution._kernels import meets
from ringfence.attribution.engine import AttributionResult, BoundResult
from ringfence.attribution.graph import (
    CONTROL,
    KIND_NAMES,
    NO_DATE_MAX,
    NO_DATE_MIN,
    SHARES,
    UNKNOWN,
    VOTES,
    HoldingTable,
)
from ringfence.attribution.origin import origin_reasons
from ringfence.model.records import HoldingKind
from ringfence.model.results import Proof, ProofEdge, ProofPath, ProofStep, Verdict
from ringfence.model.share import SCALE, Share
from ringfence.policy.schema import Propagation

__all__ = ["Proof", "ProofEdge", "ProofPath", "ProofStep", "prove"]

_EPOCH = dt.date(1970, 1, 1)


class _Ctx:
    def __init__(self, result: AttributionResult, lower: bool) -> None:
        self.r = result
        self.lower = lower
        self.b: BoundResult = result.low if lower else result.high
        self.n = len(result)
        self.ids = result.entities.ids
        self.origin = result.certain if lower else result.possible
        s = result.settings
        self.control = s.ownership.propagation is Propagation.CONTROL
        self.threshold = s.threshold_ppb
        self.inclusive = s.ownership.inclusive
        self.pair_round: dict[tuple[int, int], int] | None = None
        if self.b.pairs is not None:
            p_v, p_o, p_r = self.b.pairs
            self.pair_round = {(int(a), int(o)): int(k) for a, o, k in
                               zip(p_v.tolist(), p_o.tolist(), p_r.tolist(), strict=True)}

    def name(self, u: int, owned: int) -> str:
        return self.ids[u] if u < self.n else f"(unaccounted equity of {self.ids[owned]})"

    def local(self, v: int) -> tuple[HoldingTable, Channels]:
        sub = self.r.edges.into(np.array([v], dtype=np.int64))
        settings = self.r.settings
        ch = build_channels(self.n, self.origin, sub, lower=self.lower,
                            control=self.control,
                            unaccounted=settings.unaccounted_equity == "unknown")
        return sub, ch

    def round_of(self, u: int, witness: int, owned: int) -> int:
        if u >= self.n:  # a virtual owner (local id n): an origin of its own
            if witness < 0:
                return 0
            return 0 if witness == self.n + owned else -1
        if self.pair_round is not None:
            return self.pair_round.get((u, witness), -1)
        return int(self.b.round[u])

    def edge(self, sub: HoldingTable, i: int, owned: int) -> ProofEdge:
        lo, hi = int(sub.lo[i]), int(sub.hi[i])
        share = Share(lo, hi, bool(sub.lo_open[i]), bool(sub.hi_open[i]))
        u = int(sub.owner[i])
        unc = []
        if not self.lower:
            if not share.is_exact:
                unc.append("range")
            if not self.r.certain[u]:
                if int(self.r.entities.type[u]) == UNKNOWN:
                    unc.append("unknown_owner")
                else:
                    unc.append("uncertain_origin" if self.r.possible[u] else "uncertain_owner")
        return ProofEdge(self.name(u, owned), self.ids[owned], KIND_NAMES[int(sub.kind[i])],
                         share,
                         _day(int(sub.valid_from[i])), _day(int(sub.valid_to[i])),
                         int(sub.row[i]), tuple(unc))

    def virtual_edge(self, ch: Channels, v: int, chan: str) -> ProofEdge:
        if chan == "shares":
            k = int(np.flatnonzero(ch.s_src >= self.n)[0])
            val, opn = int(ch.s_val[k]), bool(ch.s_opn[k])
        else:
            k = int(np.flatnonzero(ch.v_src >= self.n)[0])
            val, opn = int(ch.v_val[k]), bool(ch.v_opn[k])
        return ProofEdge(self.name(self.n, v), self.ids[v], HoldingKind(chan),
                         Share(0, val, False, opn), None, None, None, ("unaccounted_equity",))


def _day(d: int) -> dt.date | None:
    if d in (NO_DATE_MIN, NO_DATE_MAX):
        return None
    return _EPOCH + dt.timedelta(days=d)


def prove(result: AttributionResult, i: int, *, k_paths: int = 5) -> Proof:
    """The proof of entity ``i``'s verdict (see the module docstring)."""
    verdict = result.verdict_of(i)
    lower = verdict is Verdict.RESTRICTED
    ctx = _Ctx(result, lower)
    own = result.settings.ownership
    b = ctx.b
    w = int(b.witness[i])
    head = Proof(
        entity=ctx.ids[i], verdict=verdict, bound="lower" if lower else "upper",
        propagation=own.propagation.value, threshold=float(own.threshold),
        inclusive=own.inclusive, aggregate=own.aggregate, value=float(b.value[i]),
        witness=(ctx.name(w, w - ctx.n) if w >= ctx.n else ctx.ids[w]) if w >= 0 else None,
    )
    if not b.restricted[i]:
        return replace(head, notes=(
            "not restricted even at the upper bound: restricted owners hold "
            f"{float(b.value[i]):.6g} at most", *_closed_exceptions(result, i)))
    if own.propagation is Propagation.LOOK_THROUGH:
        if ctx.origin[i]:
            return replace(head, steps=(_step(ctx, i, -1)[0],))
        return replace(head, paths=tuple(_paths(ctx, i, w, k_paths)))
    return replace(head, steps=tuple(_steps(ctx, i, w)))


def _closed_exceptions(result: AttributionResult, i: int) -> list[str]:
    """The undisclosed parents of ``i`` the policy reads as no origin, each with why (the
    reporting exception, the setting, the evidence rule): a clear verdict cites them."""
    und = result.undisclosed
    if und is None or not und.mask.any():
        return []
    h = result.holdings
    owners = np.unique(h.owner[h.owned == i])
    return [und.why[int(u)] for u in owners.tolist()
            if und.mask[u] and not und.possible[u] and int(u) in und.why]


def _steps(ctx: _Ctx, start: int, witness: int) -> list[ProofStep]:
    out: list[ProofStep] = []
    done: set[int] = set()
    todo = [start]
    while todo:
        v = todo.pop()
        if v in done:
            continue
        done.add(v)
        step, owners = _step(ctx, v, witness)
        out.append(step)
        todo.extend(reversed(owners))
    return out


def _step(ctx: _Ctx, v: int, witness: int) -> tuple[ProofStep, list[int]]:
    """One entity's step and the owners it leans on (to explain next)."""
    certain = bool(ctx.r.low.restricted[v])
    rv = ctx.round_of(v, witness, -1)
    if ctx.origin[v] and (witness < 0 or witness == v):
        return ProofStep(ctx.ids[v], 0, "origin", 1.0, certain,
                         reasons=tuple(origin_reasons(ctx.r.entities, ctx.r.settings, v,
                                                     ctx.r.as_of,
                                                     undisclosed=ctx.r.undisclosed))), []
    sub, ch = ctx.local(v)
    for chan in ("shares", "votes"):
        src = ch.s_src if chan == "shares" else ch.v_src
        val = ch.s_val if chan == "shares" else ch.v_val
        opn = ch.s_opn if chan == "shares" else ch.v_opn
        rounds = np.array([ctx.round_of(int(u), witness, v) for u in src], dtype=np.int64)
        ok = np.flatnonzero((rounds >= 0) & (rounds < rv))
        ok = ok[np.lexsort((-opn[ok], -val[ok]))]
        total, n_open, chosen = 0, 0, []
        for k in ok.tolist():
            total += int(val[k])
            n_open += int(opn[k])
            if int(src[k]) not in chosen:
                chosen.append(int(src[k]))
            if meets(total, n_open, ctx.threshold, ctx.inclusive, ctx.lower):
                break
        else:
            continue
        edges: list[ProofEdge] = []
        for u in chosen:
            if u >= ctx.n:
                edges.append(ctx.virtual_edge(ch, v, chan))
                continue
            kinds = (SHARES,) if chan == "shares" else _vote_kinds(sub, u, v, ctx.lower)
            for j in np.flatnonzero((sub.owner == u) & np.isin(sub.kind, kinds)).tolist():
                edges.append(ctx.edge(sub, j, v))
        step = ProofStep(ctx.ids[v], rv, chan, min(total, SCALE) / SCALE, certain,
                         owners=tuple(ctx.name(u, v) for u in chosen), edges=tuple(edges))
        return step, [u for u in chosen if u < ctx.n]
    raise AssertionError(f"no proof found for entity {ctx.ids[v]}")  # engine invariant


def _vote_kinds(sub: HoldingTable, u: int, v: int, lower: bool) -> tuple[int, ...]:
    """The holdings behind the vote-channel value of pair (u, v): the larger side."""
    has_votes = bool((sub.kind == VOTES).any())
    vk = VOTES if has_votes else SHARES
    col = sub.lo if lower else sub.hi
    mine = sub.owner == u
    a = int(col[mine & (sub.kind == vk)].sum())
    c = int(col[mine & (sub.kind == CONTROL)].sum())
    return (vk,) if a >= c else (CONTROL,)


def _paths(ctx: _Ctx, v: int, witness: int, k: int) -> list[ProofPath]:
    """Best-first search up the in-edges: products only fall as a path grows, so paths
    come off the heap heaviest first."""
    def is_origin(u: int) -> bool:
        if u >= ctx.n:
            return True
        return u == witness if witness >= 0 else bool(ctx.origin[u])

    heap: list[tuple[float, int, int, tuple[tuple[int, int, Any], ...]]] = [(-1.0, 0, v, ())]
    out: list[ProofPath] = []
    tick = 1
    budget = 100_000
    while heap and len(out) < k and budget > 0:
        budget -= 1
        neg, _, x, chain = heapq.heappop(heap)
        if is_origin(x) and chain:
            out.append(_as_path(ctx, -neg, chain))
            continue
        if x >= ctx.n:
            continue
        on_path = {x} | {c[0] for c in chain}
        sub, ch = ctx.local(x)
        for j in range(len(ch.s_src)):
            u = int(ch.s_src[j])
            s = int(ch.s_val[j]) / SCALE
            if s <= 0 or u in on_path:
                continue
            if u >= ctx.n and witness >= 0 and witness != ctx.n + x:
                continue  # another origin's test: this unaccounted part is not in it
            ref: Any
            if u >= ctx.n:
                ref = ctx.virtual_edge(ch, x, "shares")
            else:
                rows = np.flatnonzero((sub.owner == u) & (sub.kind == SHARES))
                ref = [ctx.edge(sub, int(r), x) for r in rows.tolist()]
            heapq.heappush(heap, (neg * s, tick, u, ((u, x, ref), *chain)))
            tick += 1
    return out


def _as_path(ctx: _Ctx, product: float, chain: tuple[tuple[int, int, Any], ...]) -> ProofPath:
    edges: list[ProofEdge] = []
    for _, _, ref in chain:
        edges.extend(ref if isinstance(ref, list) else [ref])
    first = chain[0][0]
    names = [ctx.name(first, chain[0][1])] + [ctx.ids[x] for _, x, _ in chain]
    reasons = () if first >= ctx.n else tuple(
        origin_reasons(ctx.r.entities, ctx.r.settings, first, ctx.r.as_of,
                       undisclosed=ctx.r.undisclosed))
    return ProofPath(product, tuple(names), tuple(edges), reasons)
