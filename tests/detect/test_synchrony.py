"""Synchronised bursts (detect/synchrony.py): a round dealing different items to accounts
of several orgs in one bucket is a burst; the same number of orgs sending one identical
prompt in that bucket (a class working the exercise on the board) is not; a key spread
evenly over the hour is not."""

from __future__ import annotations

from ringfence.detect.synchrony import poisson_threshold, synchronised_requests

ORGS = [f"org{i}" for i in range(12)]


def _rows(items: list[int], bucket: int = 5) -> list[tuple[int, int, int, int]]:
    return [(bucket, acc, 100 + acc, item) for acc, item in enumerate(items)]


def test_round_of_different_items_is_a_burst() -> None:
    hits, bursts = synchronised_requests({7: _rows([1, 2, 3, 4, 5, 6])}, ORGS, buckets=12)
    assert [(k, b) for k, b, _ in bursts] == [(7, 5)]
    assert bursts[0][2] == [0, 1, 2, 3, 4, 5]
    assert hits == {acc: 1 for acc in range(6)}


def test_one_identical_prompt_from_many_orgs_is_no_burst() -> None:
    hits, bursts = synchronised_requests({7: _rows([9] * 6)}, ORGS, buckets=12)
    assert bursts == [] and hits == {}


def test_mostly_identical_prompts_are_no_burst() -> None:
    # 6 requests, 2 distinct items: fewer than half as many items as requests
    hits, bursts = synchronised_requests({7: _rows([9, 9, 9, 9, 9, 1])}, ORGS, buckets=12)
    assert bursts == [] and hits == {}


def test_key_spread_over_the_hour_is_no_burst() -> None:
    rows = [(b, b, b, b) for b in range(12)]  # one org per bucket, all buckets
    hits, bursts = synchronised_requests({7: rows}, ORGS, buckets=12)
    assert bursts == [] and hits == {}


def test_poisson_threshold_grows_with_the_mean() -> None:
    assert poisson_threshold(0.1, 1e-4) < poisson_threshold(2.0, 1e-4)
    assert poisson_threshold(0.0, 1e-4) == 1
