"""The vote channel's pair grouping: the numba paths against a plain dictionary."""

from __future__ import annotations

import numpy as np

from ringfence.attribution._build import I32_MAX, build_channels, combine_votes, vote_csr
from ringfence.attribution.graph import NO_DATE_MAX, NO_DATE_MIN, HoldingTable


def _table(rng: np.random.Generator, n: int, m: int) -> HoldingTable:
    lo = rng.integers(0, 5, m) * 250_000_000
    return HoldingTable(
        owner=rng.integers(0, n, m).astype(np.int32),
        owned=rng.integers(0, n, m).astype(np.int32),
        kind=rng.choice(np.array([0, 1, 2], dtype=np.int8), m, p=[0.6, 0.2, 0.2]),
        lo=lo, hi=np.minimum(lo + 250_000_000, 1_000_000_000),
        lo_open=rng.random(m) < 0.3, hi_open=rng.random(m) < 0.3,
        valid_from=np.full(m, NO_DATE_MIN, dtype=np.int32),
        valid_to=np.full(m, NO_DATE_MAX, dtype=np.int32), row=np.arange(m, dtype=np.int64))


def _reference(h: HoldingTable, n: int, lower: bool) -> dict[tuple[int, int], tuple[int, bool]]:
    """Per (owner, owned): max(votes-or-shares sum, control sum), open as documented."""
    val = h.lo if lower else h.hi
    opn = h.lo_open if lower else h.hi_open
    has_votes = {int(d) for d, k in zip(h.owned, h.kind, strict=True) if k == 1}
    any_ctl = bool((h.kind == 2).any())
    sides: dict[tuple[int, int], list[list[int]]] = {}
    for e in range(len(h)):
        k, d = int(h.kind[e]), int(h.owned[e])
        if k == 0 and d in has_votes:
            continue
        side = sides.setdefault((int(h.owner[e]), d), [[0, 0], [0, 0]])[1 if k == 2 else 0]
        side[0] += int(val[e])
        side[1] |= int(opn[e])
    out = {}
    for pair, ((sv, ov), (sc, oc)) in sides.items():
        if not any_ctl or sv > sc:
            out[pair] = (sv, bool(ov))
        elif sc > sv:
            out[pair] = (sc, bool(oc))
        else:
            out[pair] = (sv, bool(ov or oc) if lower else bool(ov and oc))
    return out


def test_vote_pairs_match_a_dictionary() -> None:
    rng = np.random.default_rng(2)
    for trial in range(300):
        n = int(rng.integers(1, 12))
        h = _table(rng, n, int(rng.integers(0, 80)))
        if trial % 3 == 0:  # no control rights at all
            h = h.take(np.flatnonzero(h.kind != 2))
        origin = np.zeros(n, dtype=np.bool_)
        for lower in (True, False):
            ref = _reference(h, n, lower)
            fast = vote_csr(n, h, lower=lower)
            assert fast is not None
            ptr, dst, val, opn = fast
            got = {(u, int(dst[i])): (int(val[i]), bool(opn[i]))
                   for u in range(n) for i in range(ptr[u], ptr[u + 1])}
            assert got == {k: (min(v, I32_MAX), o) for k, (v, o) in ref.items()}
            for i in range(n):  # rows sorted by owned, one entry per pair
                assert (np.diff(dst[ptr[i]:ptr[i + 1]]) > 0).all()
            for by_owner in (False, True):
                ch = build_channels(n, origin, h, lower=lower, control=True,
                                    unaccounted=False, by_owner=by_owner)
                got = {(int(s), int(d)): (int(v), bool(o)) for s, d, v, o in
                       zip(ch.v_src, ch.v_dst, ch.v_val, ch.v_opn, strict=True)}
                assert got == ref
                assert len(got) == len(ch.v_src)


def test_combine_votes_without_repeats_keeps_the_input() -> None:
    src = np.array([2, 0, 1], dtype=np.int64)
    dst = np.array([0, 1, 1], dtype=np.int64)
    val = np.array([5, 6, 7], dtype=np.int64)
    opn = np.array([True, False, True])
    out = combine_votes(src, dst, val, opn, np.zeros(3, dtype=np.bool_), 3, lower=True)
    assert [a.tolist() for a in out] == [[2, 0, 1], [0, 1, 1], [5, 6, 7], [1, 0, 1]]
