"""The fan-out counter both the gateway and the detection package use: exact below its cap,
a bounded sketch above, mergeable across workers, and the one resale rule."""

from __future__ import annotations

import pickle
import random
import sys

import pytest

from ringfence.detect.fanout import DistinctCounter, FanOut, crosses


def test_exact_below_the_cap_and_repeats_do_not_count() -> None:
    c = DistinctCounter(cap=64)
    for i in range(64):
        c.add(f"u{i}")
        c.add(f"u{i}")
    assert c.count() == 64 and not c.approximate


@pytest.mark.parametrize("n", [500, 5_000, 50_000])
def test_sketch_past_the_cap_is_close_and_bounded(n: int) -> None:
    c = DistinctCounter(cap=64)
    for i in range(n):
        c.add(f"user-{i}")
    for _ in range(20):  # force a fresh estimate
        c.add("user-0")
    c._since = 16
    assert c.approximate
    assert abs(c.count() - n) / n < 0.1
    # memory no longer grows with the values: the registers are 1 KiB whatever n is
    assert c._set is None and sys.getsizeof(c._hll.reg) < 2048  # type: ignore[union-attr]


def test_merge_is_a_union_across_workers() -> None:
    a, b = DistinctCounter(cap=8), DistinctCounter(cap=8)
    for i in range(5):
        a.add(f"x{i}")
        b.add(f"x{i + 3}")
    a.merge(b)
    assert a.count() == 8  # x0..x7, overlap counted once
    big_a, big_b = DistinctCounter(cap=8), DistinctCounter(cap=8)
    for i in range(3000):
        big_a.add(f"v{i}")
        big_b.add(f"v{i + 1500}")
    big_a.merge(big_b)
    assert abs(big_a.count() - 4500) / 4500 < 0.1


def test_pickles_for_the_detectors_checkpoint() -> None:
    c = DistinctCounter(cap=4)
    for i in range(100):
        c.add(str(i))
    d = pickle.loads(pickle.dumps(c))
    assert d.count() == c.count() and d.approximate


def test_fanout_window_keys_and_rule() -> None:
    f = FanOut(window_seconds=60, max_keys=2)
    rng = random.Random(1)
    for i in range(40):
        counts = f.observe("acc", now=10.0, user=f"u{i}", country=rng.choice("ABCDEF"),
                           network=None)
    assert counts[0] == 40 and counts[1] <= 6
    assert crosses((40, 5, 0), min_users=30, min_countries=5, min_networks=10)
    assert crosses((40, 1, 10), min_users=30, min_countries=5, min_networks=10)
    assert not crosses((29, 9, 99), min_users=30, min_countries=5, min_networks=10)
    assert not crosses((40, 4, 9), min_users=30, min_countries=5, min_networks=10)
    # a new window starts from zero
    assert f.observe("acc", now=70.0, user="u0", country="A", network=None) == (1, 1, 0)
    # bounded: the least recently seen account is dropped
    f.observe("b", now=70.0, user="u", country=None, network=None)
    f.observe("c", now=70.0, user="u", country=None, network=None)
    assert f.counts("acc") is None and f.counts("c") == (1, 0, 0)


def test_workers_merge_their_counts_through_exports() -> None:
    import json

    w1, w2 = FanOut(window_seconds=3600), FanOut(window_seconds=3600)
    for i in range(20):  # each worker alone sees 20 users from 3 countries
        w1.observe("acc", now=5.0, user=f"a{i}", country="ABC"[i % 3], network=None)
        w2.observe("acc", now=5.0, user=f"b{i}", country="DEF"[i % 3], network=None)
    assert not crosses(w1.counts("acc") or (0, 0, 0), min_users=30, min_countries=5,
                       min_networks=10)
    shared = json.loads(json.dumps(w2.export(min_users=10)))  # through the database as JSON
    w1.absorb([shared])
    counts = w1.observe("acc", now=6.0, user="a0", country="A", network=None)
    assert counts[:2] == (40, 6)
    assert crosses(counts, min_users=30, min_countries=5, min_networks=10)
    # another window's export is ignored
    w1.absorb([{**shared, "window": 99}])
    assert w1.observe("acc", now=6.0, user="a0", country="A", network=None)[:2] == (20, 3)
