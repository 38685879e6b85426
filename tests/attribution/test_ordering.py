"""GraphOrder: a valid component order, saved and loaded as .npy; prepared runs reused."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import numpy as np
import pytest
from randgraph import random_graph

from ringfence.attribution import GraphOrder, attribute
from ringfence.attribution.engine import prepare
from ringfence.exc import InputError
from ringfence.snapshot.graphcache import load_order_arrays, save_order_arrays

AS_OF = dt.date(2025, 1, 1)


def test_order_is_topological_and_round_trips(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    n = 300
    owner = rng.integers(0, n, 600)
    owned = rng.integers(0, n, 600)
    order = GraphOrder.build(n, owner, owned)
    assert sorted(order.order.tolist()) == list(range(n))
    assert (order.comp[owner] <= order.comp[owned]).all()
    for c in range(len(order.comp_ptr) - 1):
        members = order.order[order.comp_ptr[c]:order.comp_ptr[c + 1]]
        assert (order.comp[members] == c).all()
    save_order_arrays(order, tmp_path)
    loaded = load_order_arrays(tmp_path, mmap=True)
    for name, arr in order.arrays().items():
        assert np.array_equal(arr, getattr(loaded, name))


def test_cached_order_and_prepared_give_the_same_result() -> None:
    rng = random.Random(11)
    for _ in range(30):
        ents, holds, pol, _ = random_graph(rng, mode="look_through", aggregate=True,
                                           inclusive=rng.random() < 0.5)
        plain = attribute(ents, holds, pol, AS_OF)
        order = GraphOrder.for_holdings(len(ents), holds)
        prep = prepare(len(ents), holds, AS_OF)
        cached = attribute(ents, holds, pol, AS_OF, order=order, prepared=prep)
        assert plain.verdict.tolist() == cached.verdict.tolist()
        assert np.allclose(plain.lower, cached.lower)
    with pytest.raises(InputError):
        attribute(ents, holds, pol, dt.date(2020, 1, 1), prepared=prep)


def test_components_match_scipy_strong_components() -> None:
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    rng = np.random.default_rng(5)
    for n, m in ((1, 0), (5, 0), (2, 2), (50, 40), (200, 260), (400, 1200), (600, 300)):
        owner = rng.integers(0, n, m)
        owned = rng.integers(0, n, m)
        order = GraphOrder.build(n, owner, owned)
        assert (order.comp[owner] <= order.comp[owned]).all()
        g = csr_matrix((np.ones(m), (owner, owned)), shape=(n, n))
        k, labels = connected_components(g, directed=True, connection="strong")
        assert len(order.comp_ptr) - 1 == k
        pairs = {(int(a), int(b)) for a, b in zip(labels, order.comp, strict=True)}
        assert len(pairs) == k  # the same partition
        for c in range(k):  # members of a component in id order
            members = order.order[order.comp_ptr[c]:order.comp_ptr[c + 1]]
            assert (np.diff(members) > 0).all()


def test_cyclic_blocks_are_the_components_with_several_members() -> None:
    """``GraphOrder.cyclic``: the look-through sweep takes every other position as a
    single entity, so it must list every component of two or more members, in order."""
    rng = np.random.default_rng(9)
    for n, m in ((1, 0), (6, 0), (2, 2), (40, 60), (300, 200), (300, 900)):
        owner = rng.integers(0, n, m)
        owned = rng.integers(0, n, m)
        order = GraphOrder.build(n, owner, owned)
        sizes = np.diff(order.comp_ptr)
        want = [[int(order.comp_ptr[c]), int(order.comp_ptr[c + 1])]
                for c in range(len(sizes)) if sizes[c] > 1]
        assert order.cyclic.shape == (len(want), 2)
        assert order.cyclic.tolist() == want
    dag = GraphOrder.build(3, np.array([0, 1]), np.array([1, 2]))
    assert dag.cyclic.shape == (0, 2)
