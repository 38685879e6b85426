"""The 10M fast paths against the paths they replace, on random graphs with cycles,
ranges, open ends, votes, control rights and uncertain origins: identical output, array
by array (the oracle tests check the semantics; these check nothing moved)."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest
from randgraph import random_graph

from ringfence.attribution import attribute
from ringfence.attribution._build import vote_csr
from ringfence.attribution._kernels import cascade_all, cascade_single
from ringfence.attribution._lt_kernels import lt_sweep, lt_sweep_both
from ringfence.attribution.engine import Prepared, prepare
from ringfence.attribution.graph import NO_DATE_MAX, NO_DATE_MIN, HoldingTable
from ringfence.attribution.ordering import GraphOrder

SCALE = 1_000_000_000


def _table(rng: np.random.Generator, n: int, m: int) -> HoldingTable:
    """Shares, votes and control holdings between ``n`` entities (self-holdings and
    cycles included), a tenth of them ranges, some zero shares with open ends."""
    lo = rng.integers(0, 9, m) * 125_000_000
    hi = np.where(rng.random(m) < 0.1, np.minimum(lo + 250_000_000, SCALE), lo)
    zero = rng.random(m) < 0.05
    lo[zero] = hi[zero] = 0
    return HoldingTable(
        owner=rng.integers(0, n, m).astype(np.int32),
        owned=rng.integers(0, n, m).astype(np.int32),
        kind=rng.choice(np.array([0, 1, 2], dtype=np.int8), m, p=[0.8, 0.1, 0.1]),
        lo=lo, hi=hi, lo_open=rng.random(m) < 0.2, hi_open=rng.random(m) < 0.2,
        valid_from=np.full(m, NO_DATE_MIN, dtype=np.int32),
        valid_to=np.full(m, NO_DATE_MAX, dtype=np.int32), row=np.arange(m, dtype=np.int64))


def _both(n: int, h: HoldingTable, origin: np.ndarray, *, lower: bool, threshold: int,
          inclusive: bool) -> list[tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]]:
    ptr, dst, lo, hi, lo_open, hi_open = Prepared(n, None, h).shares_out
    s = (ptr, dst, lo, lo_open) if lower else (ptr, dst, hi, hi_open)
    out = []
    for distinct in (False, True):
        v = vote_csr(n, h, lower=lower, distinct=distinct)
        assert v is not None
        args = (n, origin, *s, *v, threshold, inclusive, lower)
        acc_s, _, acc_v, _, rnd = cascade_all(*args)
        shown = np.minimum(np.maximum(acc_s, acc_v) if len(acc_v) else acc_s, SCALE)
        p_v, p_o, p_as, _, p_r, best, _ = cascade_single(*args)
        key = np.lexsort((p_o, p_v))
        out.append(((rnd, shown), (p_v[key], p_o[key], p_as[key], p_r[key], best)))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_vote_channel_of_distinct_entities_only_gives_the_same_frontier(seed: int) -> None:
    """Control: the vote channel limited to entities with votes or control holdings
    (``distinct``) gives the rounds, reported shares and (entity, origin) pairs of the
    full vote channel, aggregated or not, at both bounds."""
    rng = np.random.default_rng(seed)
    for _ in range(25):
        n = int(rng.integers(1, 30))
        h = _table(rng, n, int(rng.integers(0, 3 * n + 1)))
        origin = rng.random(n) < 0.25
        threshold = int(rng.choice([0, 250_000_000, 500_000_000, 1_000_000_000]))
        for lower in (True, False):
            for inclusive in (True, False):
                (full_a, full_s), (fast_a, fast_s) = _both(
                    n, h, origin, lower=lower, threshold=threshold, inclusive=inclusive)
                for a, b in zip(full_a + full_s, fast_a + fast_s, strict=True):
                    np.testing.assert_array_equal(a, b)


def test_distinct_vote_channel_skips_plain_shares_entities() -> None:
    """The point of ``distinct``: an entity held through shares only has no vote rows."""
    h = HoldingTable(
        owner=np.array([0, 1, 0], dtype=np.int32), owned=np.array([1, 2, 2], dtype=np.int32),
        kind=np.array([0, 0, 1], dtype=np.int8),
        lo=np.array([6, 3, 4], dtype=np.int64) * 100_000_000,
        hi=np.array([6, 3, 4], dtype=np.int64) * 100_000_000,
        lo_open=np.zeros(3, dtype=np.bool_), hi_open=np.zeros(3, dtype=np.bool_),
        valid_from=np.full(3, NO_DATE_MIN, dtype=np.int32),
        valid_to=np.full(3, NO_DATE_MAX, dtype=np.int32), row=np.arange(3, dtype=np.int64))
    full = vote_csr(3, h, lower=True)
    fast = vote_csr(3, h, lower=True, distinct=True)
    assert full is not None and fast is not None
    assert full[1].tolist() == [1, 2]  # 0 -> 1 (shares carry votes), 0 -> 2 (votes)
    assert fast[1].tolist() == [2]  # entity 2 has votes holdings; entity 1 does not


@pytest.mark.parametrize("seed", range(30))
def test_both_bounds_in_one_sweep_match_one_bound_at_a_time(seed: int) -> None:
    """Look-through: the two-bound sweep gives each bound's values, restricted masks,
    rounds and near-threshold entities exactly as a sweep of that bound alone, on random
    graphs with cycles, self-holdings, ranges, overlapping origins and leftover equity."""
    rng = np.random.default_rng(100 + seed)
    for _ in range(20):
        n = int(rng.integers(1, 40))
        h = _table(rng, n, int(rng.integers(0, 3 * n + 1)))
        h = h.take(np.flatnonzero(h.kind == 0))
        certain = rng.random(n) < 0.15
        possible = certain | (rng.random(n) < 0.15)
        order = GraphOrder.build(n, h.owner, h.owned)
        prep = Prepared(n, None, h)
        r_ptr, r_src, r_lo, r_hi = prep.ranked(order)
        base = np.where(rng.random(n) < 0.3, rng.integers(0, 9, n) / 8, 0.0)
        with_base = bool(rng.random() < 0.5)
        t = float(rng.choice([0.25, 0.5, 0.375, 1.0]))
        got = lt_sweep_both(order.order, order.comp_ptr, r_ptr, r_src, r_lo, r_hi,
                            float(SCALE), certain.view(np.uint8) | (possible.view(np.uint8) << 1),
                            base if with_base else np.zeros(0), t, 1e-9, 1e-15, 100_000,
                            order.cyclic if seed % 2 else None)  # cached or made inside
        at = order.order
        for k, (val, origin) in enumerate(((r_lo, certain), (r_hi, possible))):
            b = base if (k == 1 and with_base) else np.zeros(n)
            # the one-bound sweep (the Spark engine's level tasks run it), by position
            w_pos, _ = lt_sweep(np.arange(n, dtype=np.int64), order.comp_ptr, r_ptr, r_src,
                                val, float(SCALE), origin[at], b[at], 1e-15, 100_000)
            w = np.empty(n)
            w[at] = w_pos
            np.testing.assert_array_equal(got[k], w)
            np.testing.assert_array_equal(got[2 + k], (w > t) | origin)
            rnd = np.where(w > t, 1, -1)
            rnd[origin] = 0
            np.testing.assert_array_equal(got[4 + k], rnd)
            near = np.flatnonzero((np.abs(w - t) <= 1e-9) & ~origin)
            np.testing.assert_array_equal(got[6][got[7] == k], near)


def test_prepared_vote_channel_serves_every_control_policy() -> None:
    """Control's vote CSRs kept in ``Prepared`` give each policy run on it what a run
    from the holdings alone gives (random graphs, both bounds, any threshold)."""
    as_of = dt.date(2025, 1, 1)
    rng = random.Random(4)
    for _ in range(40):
        ents, holds, _, _ = random_graph(rng, mode="control", aggregate=True,
                                         inclusive=False)
        prep = prepare(len(ents), holds, as_of)
        for _ in range(3):  # several policies on one Prepared
            _, _, pol, _ = random_graph(random.Random(rng.random()), mode="control",
                                        aggregate=rng.random() < 0.5,
                                        inclusive=rng.random() < 0.5, n=len(ents))
            alone = attribute(ents, holds, pol, as_of)
            shared = attribute(ents, holds, pol, as_of, prepared=prep)
            np.testing.assert_array_equal(alone.verdict, shared.verdict)
            np.testing.assert_array_equal(alone.lower, shared.lower)
            np.testing.assert_array_equal(alone.upper, shared.upper)
