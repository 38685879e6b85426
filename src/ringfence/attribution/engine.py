"""attribute(): every entity's verdict under one policy as of one date, with both bounds.

Lower bound: every share at the low end of its range, only certain origins. Upper bound:
every share at the high end, possible origins too (and, under ``unaccounted_equity:
unknown``, the equity no record covers as a possible origin). Restricted when restricted
at the lower bound; clear when not restricted at the upper bound; uncertain otherwise.
Every test is monotone in each share and in the set of origins, so the two evaluations
bracket every reading of the data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

from ringfence.attribution._build import I32_MAX, Channels, build_channels, vote_csr
from ringfence.attribution._kernels import (
    cascade_all,
    cascade_finish,
    cascade_single,
    relabel_in,
    shares_csr,
    verdict_codes,
)
from ringfence.attribution.edges import LiveEdges
from ringfence.attribution.graph import SHARES, EntityTable, HoldingTable
from ringfence.attribution.lookthrough import InEdges, lookthrough_both, lookthrough_single
from ringfence.attribution.ordering import GraphOrder
from ringfence.attribution.origin import origins
from ringfence.attribution.undisclosed import UndisclosedReading, read_undisclosed
from ringfence.exc import InputError
from ringfence.model.results import Verdict
from ringfence.model.share import SCALE
from ringfence.policy.schema import PolicySettings, Propagation

__all__ = ["CLEAR", "RESTRICTED", "UNCERTAIN", "VERDICT_NAMES", "AttributionResult",
           "BoundResult", "Prepared", "attribute", "evaluate", "prepare", "verdict_names"]

CLEAR, UNCERTAIN, RESTRICTED = 0, 1, 2
VERDICT_NAMES = (Verdict.CLEAR, Verdict.UNCERTAIN, Verdict.RESTRICTED)  # by code

B = npt.NDArray[np.bool_]
F64 = npt.NDArray[np.float64]
I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]


def verdict_names(codes: I8) -> list[Verdict]:
    """Verdict codes as :class:`Verdict` values."""
    return [VERDICT_NAMES[c] for c in np.asarray(codes).tolist()]


@dataclass
class BoundResult:
    """One bound's evaluation, per entity (virtual owners excluded).

    ``round``: cascade/control, the wave in which the entity became restricted (0 for
    origins, k+1 when owners restricted by wave k carried it past the threshold, -1 never);
    look-through, 0 origins, 1 other restricted, -1 not. ``witness`` (aggregation off): the
    origin whose own restricted set restricts the entity (an id ``n + e`` is the unknown
    holder of entity ``e``'s unaccounted equity), else -1. ``pairs`` (aggregation off,
    cascade/control): the restricted (entity, origin, round) triples.
    """

    restricted: B
    value: F64
    round: I32
    witness: I64
    pairs: tuple[I64, I64, I32] | None = None
    unconverged: int = 0


@dataclass
class AttributionResult:
    """Verdicts and bounds for every entity of one snapshot under one policy on one date.

    ``lower`` / ``upper``: the restricted share at each bound (cascade: the sum of shares
    held by restricted owners; control: the larger of that and the votes sum; look-through:
    the effective share; 1.0 for origins; capped at 1.0). ``holdings`` are the holdings in
    force on ``as_of``, the ones the verdicts read (``edges`` keeps them for updates).
    """

    entities: EntityTable
    edges: LiveEdges
    settings: PolicySettings
    as_of: dt.date
    certain: B
    possible: B
    low: BoundResult
    high: BoundResult
    undisclosed: UndisclosedReading | None = None
    verdict: I8 = field(init=False)

    def __post_init__(self) -> None:
        self.verdict = _verdicts(self.low.restricted, self.high.restricted)

    @property
    def holdings(self) -> HoldingTable:
        """The holdings in force the verdicts read (materialized after updates)."""
        return self.edges.materialize()

    @property
    def lower(self) -> F64:
        return self.low.value

    @property
    def upper(self) -> F64:
        return self.high.value

    def __len__(self) -> int:
        return len(self.verdict)

    def verdict_of(self, i: int) -> Verdict:
        return VERDICT_NAMES[int(self.verdict[i])]

    def verdicts(self) -> list[Verdict]:
        return verdict_names(self.verdict)


def _verdicts(low: B, high: B) -> I8:
    out: I8 = verdict_codes(low, high, CLEAR, UNCERTAIN, RESTRICTED)
    return out


CSR = tuple[I64, npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.int32], B, B]


class Prepared:
    """The policy-independent part of a run: the holdings in force on ``as_of`` and their
    shares CSRs (out-edges for cascade/control, in-edges for look-through; both bounds'
    columns, int32) and control's vote CSRs, built on first use and reused by every
    policy run on them."""

    def __init__(self, n: int, as_of: dt.date | None, live: HoldingTable) -> None:
        self.n, self.as_of, self.live = n, as_of, live

    @cached_property
    def shares_out(self) -> CSR:
        h = self.live
        out: CSR = shares_csr(h.owner, h.owned, h.kind, h.lo, h.hi, h.lo_open, h.hi_open,
                              self.n)
        return out

    @cached_property
    def shares_in(self) -> CSR:
        h = self.live
        out: CSR = shares_csr(h.owned, h.owner, h.kind, h.lo, h.hi, h.lo_open, h.hi_open,
                              self.n)
        return out

    def ranked(self, order: GraphOrder) -> tuple[I64, npt.NDArray[np.int32],
                                                 npt.NDArray[np.int32], npt.NDArray[np.int32]]:
        """``shares_in`` renumbered by position in ``order`` (look-through sweeps it front
        to back); kept for the last order asked for."""
        cached = self.__dict__.get("_ranked")
        if cached is None or cached[0] is not order:
            ptr, src, lo, hi, _, _ = self.shares_in
            cached = (order, relabel_in(order.order, ptr, src, lo, hi))
            self.__dict__["_ranked"] = cached
        out: tuple[I64, npt.NDArray[np.int32], npt.NDArray[np.int32],
                   npt.NDArray[np.int32]] = cached[1]
        return out

    def votes_out(self, *, lower: bool) -> tuple[I64, I32, I32, B] | None:
        """Control's vote channel of one bound as an out-CSR (:func:`vote_csr`, the
        entities whose votes can differ from their shares only): policy-independent, so
        built on first use and kept like the shares CSRs. ``None``: values that do not fit
        the packed form (the caller takes :func:`build_channels`)."""
        key = "_votes_lower" if lower else "_votes_upper"
        if key not in self.__dict__:
            self.__dict__[key] = vote_csr(self.n, self.live, lower=lower, distinct=True)
        out: tuple[I64, I32, I32, B] | None = self.__dict__[key]
        return out

    def leftover(self) -> tuple[I64, I64, B]:
        """Per entity with a shares holding: (entity, 1 - sum of lower ends, any open),
        where that is positive: the equity no record covers."""
        ptr, _, lo, _, lo_open, _ = self.shares_in
        c = np.zeros(len(lo) + 1, dtype=np.int64)
        np.cumsum(lo, out=c[1:])
        o = np.zeros(len(lo) + 1, dtype=np.int64)
        np.cumsum(lo_open, out=o[1:])
        total = c[ptr[1:]] - c[ptr[:-1]]
        has = ptr[1:] > ptr[:-1]
        ent = np.flatnonzero(has & (total < SCALE))
        return ent, SCALE - total[ent], (o[ptr[ent + 1]] - o[ptr[ent]]) > 0


def prepare(n: int, holdings: HoldingTable, as_of: dt.date) -> Prepared:
    """Filter the holdings in force on ``as_of`` (see :class:`Prepared`)."""
    mask = holdings.in_force(as_of)
    live = holdings if mask.all() else holdings.take(np.flatnonzero(mask))
    return Prepared(n, as_of, live)


def attribute(entities: EntityTable, holdings: HoldingTable, settings: PolicySettings,
              as_of: dt.date, *, order: GraphOrder | None = None,
              prepared: Prepared | None = None) -> AttributionResult:
    """Verdict, bounds and proof material for every entity, as of ``as_of``.

    ``order``: the snapshot's :class:`GraphOrder` when cached (look-through only; built
    from the holdings in force when not given). ``prepared``: :func:`prepare` of these
    holdings on this date, when several policies run on them.
    """
    n = len(entities)
    if order is not None and order.n != n:
        raise InputError(f"graph order is for {order.n} entities, the snapshot has {n}")
    if prepared is None or prepared.as_of != as_of or prepared.n != n:
        if prepared is not None:
            raise InputError("prepared holdings are for another date or snapshot")
        prepared = prepare(n, holdings, as_of)
    undisclosed = read_undisclosed(entities, prepared.live, settings)
    certain, possible = origins(entities, settings, as_of, undisclosed=undisclosed)
    low, high = evaluate(n, prepared.live, certain, possible, settings, order=order,
                         prepared=prepared)
    return AttributionResult(entities, LiveEdges(n, prepared.live), settings, as_of, certain,
                             possible, low, high, undisclosed)


def evaluate(n: int, live: HoldingTable, certain: B, possible: B, settings: PolicySettings,
             *, order: GraphOrder | None = None, prepared: Prepared | None = None,
             ) -> tuple[BoundResult, BoundResult]:
    """Both bounds over ``n`` entities and the holdings ``live`` (all in force)."""
    prep = prepared if prepared is not None else Prepared(n, None, live)
    prop = settings.ownership.propagation
    if prop is Propagation.LOOK_THROUGH:
        if order is None:
            eq = live.kind == SHARES
            order = GraphOrder.build(n, live.owner[eq], live.owned[eq])
        if settings.ownership.aggregate:
            return _lookthrough_both(prep, certain, possible, settings, order=order)
        return (
            _lookthrough(prep, certain, settings, lower=True, order=order),
            _lookthrough(prep, possible, settings, lower=False, order=order),
        )
    # one out-CSR of the shares holdings serves both bounds
    return (
        _cascade(prep, certain, settings, lower=True),
        _cascade(prep, possible, settings, lower=False),
    )


def _lookthrough_both(prep: Prepared, certain: B, possible: B, settings: PolicySettings,
                      *, order: GraphOrder) -> tuple[BoundResult, BoundResult]:
    """Aggregated look-through: both bounds in one sweep (:func:`lookthrough_both`)."""
    own = settings.ownership
    n = prep.n
    ptr, src, lo, hi, lo_open, hi_open = prep.shares_in
    ins = (InEdges(ptr, src, lo, lo_open), InEdges(ptr, src, hi, hi_open))
    unaccounted = settings.unaccounted_equity == "unknown"
    bounds = lookthrough_both(n, ins, (certain, possible), order, prep.ranked(order),
                              settings.threshold_ppb, inclusive=own.inclusive,
                              leftover=prep.leftover() if unaccounted else None)
    none = np.full(n, -1, dtype=np.int64)
    low, high = (BoundResult(hit, w, rnd, none if k == 0 else none.copy(), None, unconv)
                 for k, (hit, w, rnd, unconv) in enumerate(bounds))
    return low, high


def _lookthrough(prep: Prepared, origin: B, settings: PolicySettings, *, lower: bool,
                 order: GraphOrder) -> BoundResult:
    """Look-through without aggregation, one bound: each origin alone."""
    own = settings.ownership
    n, live = prep.n, prep.live
    ch = build_channels(n, origin, live, lower=lower, control=False,
                        unaccounted=settings.unaccounted_equity == "unknown")
    hit, w, witness = lookthrough_single(ch, order.with_sources(ch.n - n),
                                         settings.threshold_ppb, inclusive=own.inclusive,
                                         lower=lower)
    rnd = np.where(hit, 1, -1).astype(np.int32)
    rnd[ch.origin] = 0
    return BoundResult(hit[:n], np.minimum(w[:n], 1.0), rnd[:n], _global_ids(witness[:n], ch))


def _cascade(prep: Prepared, origin: B, settings: PolicySettings, *,
             lower: bool) -> BoundResult:
    """Cascade or control at one bound: with aggregation one frontier pass over entities,
    without it over (entity, origin) pairs. One out-CSR of the shares holdings
    (``prep.shares_out``) serves both bounds."""
    n, live, csr_all = prep.n, prep.live, prep.shares_out
    own = settings.ownership
    control = own.propagation is Propagation.CONTROL
    unaccounted = settings.unaccounted_equity == "unknown"
    fast = prep.votes_out(lower=lower) if control and (lower or not unaccounted) else None
    ch = build_channels(n, origin, live, lower=lower, control=control and fast is None,
                        unaccounted=unaccounted, shares=False, by_owner=True)
    ptr, dst, lo, hi, lo_open, hi_open = csr_all
    val, opn = (lo, lo_open) if lower else (hi, hi_open)
    m = ch.n - n
    if m:  # virtual owners n..n+m-1, one shares edge each, after every real entity
        ptr = np.concatenate((ptr, ptr[-1] + np.arange(1, m + 1, dtype=np.int64)))
        dst = np.concatenate((dst, ch.s_dst.astype(np.int32)))
        val = np.concatenate((val, ch.s_val.astype(np.int32)))
        opn = np.concatenate((opn, ch.s_opn.astype(np.bool_)))
    s = (ptr, dst, val, opn)
    if fast is not None:  # the vote channel built straight as an out-CSR
        v = fast
    elif len(ch.v_src):  # vote pairs come grouped by owner: the out-CSR's rows already
        v_ptr = np.zeros(ch.n + 1, dtype=np.int64)
        np.cumsum(np.bincount(ch.v_src, minlength=ch.n), out=v_ptr[1:])
        v = (v_ptr, ch.v_dst.astype(np.int32),
             np.minimum(ch.v_val, I32_MAX).astype(np.int32),  # saturate, never wrap
             ch.v_opn.astype(np.bool_))
    else:  # no vote channel (cascade): the kernels skip it, no n-sized index to build
        v = (np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32),
             np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.bool_))
    args = (ch.n, ch.origin, *s, *v, settings.threshold_ppb, own.inclusive, lower)
    if own.aggregate:
        acc_s, _, acc_v, _, rnd = cascade_all(*args)
        restricted, value = cascade_finish(n, acc_s, acc_v, rnd, ch.origin, SCALE)
        return BoundResult(restricted, value, rnd[:n], np.full(n, -1, dtype=np.int64))
    p_v, p_o, _, _, p_r, best, _ = cascade_single(*args)
    hit = (p_r >= 0) & (p_v < n)
    p_v, p_o, p_r = p_v[hit], p_o[hit], p_r[hit]
    sort = np.lexsort((p_o, p_r, p_v))
    p_v, p_o, p_r = p_v[sort], p_o[sort], p_r[sort]
    first = np.ones(len(p_v), dtype=np.bool_)
    first[1:] = p_v[1:] != p_v[:-1]
    rnd = np.full(n, -1, dtype=np.int32)
    witness = np.full(n, -1, dtype=np.int64)
    rnd[p_v[first]] = p_r[first]
    witness[p_v[first]] = p_o[first]
    value = np.minimum(best[:n], SCALE) / SCALE
    value[ch.origin[:n]] = 1.0
    return BoundResult(rnd >= 0, value, rnd, _global_ids(witness, ch),
                       (p_v, _global_ids(p_o, ch), p_r.astype(np.int32)))


def _global_ids(ids: I64, ch: Channels) -> I64:
    """Node ids with virtual owners renamed ``n + e`` (e: the entity they hold)."""
    n = ch.n_real
    virt = ids >= n
    if not virt.any():
        return ids
    out = ids.copy()
    out[virt] = n + ch.virtual_of[ids[virt] - n]
    return out
