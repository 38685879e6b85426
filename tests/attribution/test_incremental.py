"""Incremental updates equal a full recompute, on random graphs and random changes."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest
from oracle import H
from randgraph import random_graph, random_share, table

from ringfence.attribution import attribute
from ringfence.attribution.engine import AttributionResult
from ringfence.attribution.incremental import update

AS_OF = dt.date(2025, 1, 1)


def same(a: AttributionResult, b: AttributionResult) -> None:
    assert a.verdict.tolist() == b.verdict.tolist()
    for x, y in ((a.low, b.low), (a.high, b.high)):
        assert x.restricted.tolist() == y.restricted.tolist()
        assert np.allclose(x.value, y.value, atol=1e-12)
        assert x.round.tolist() == y.round.tolist()
        assert x.witness.tolist() == y.witness.tolist()
        if x.pairs is not None:
            assert y.pairs is not None
            assert [p.tolist() for p in x.pairs] == [p.tolist() for p in y.pairs]


@pytest.mark.parametrize("mode", ["cascade", "control", "look_through"])
@pytest.mark.parametrize("aggregate", [True, False])
def test_incremental_equals_full(mode: str, aggregate: bool) -> None:
    rng = random.Random(f"incr-{mode}-{aggregate}")
    for _ in range(60):
        ents, holds, settings, setup = random_graph(rng, mode=mode, aggregate=aggregate,
                                                    inclusive=rng.random() < 0.5,
                                                    n=rng.randint(3, 12))
        rows = list(range(len(setup.holdings)))
        current = dict(zip(rows, setup.holdings, strict=True))
        result = attribute(ents, holds, settings, AS_OF)
        next_row = len(rows)
        for _step in range(4):
            removed = rng.sample(sorted(current), k=min(len(current), rng.randint(0, 2)))
            added_rows, added = [], []
            for r in removed:
                del current[r]
                if rng.random() < 0.5:  # a modification: same row, new share
                    added_rows.append(r)
            for _ in range(rng.randint(0, 2)):
                added_rows.append(next_row)
                next_row += 1
            for _r in added_rows:
                kind = 0 if mode != "control" else rng.choice((0, 1, 2))
                h = H(rng.randrange(setup.n), rng.randrange(setup.n), kind,
                      *random_share(rng, True))
                added.append(h)
            for r, h in zip(added_rows, added, strict=True):
                current[r] = h
            upd = update(result, added=table(added, added_rows), removed=removed,
                         copy=rng.random() < 0.5, compact_at=rng.choice((0, 3, 100)))
            full = attribute(ents, table(list(current.values()), list(current)), settings,
                             AS_OF)
            before = result.verdict.copy() if upd.result is not result else None
            same(upd.result, full)
            flipped = {f.index for f in upd.flips}
            if before is not None:
                assert flipped == set(np.flatnonzero(before != full.verdict).tolist())
            result = upd.result
