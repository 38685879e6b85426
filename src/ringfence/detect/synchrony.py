"""Synchronised activity (SynchroTrap-style): one prompt skeleton sent by several unrelated
orgs in the same few minutes, far more often than that skeleton's own rate explains.

A central scheduler dealing a dataset to many accounts makes them send the same template in
the same short time bucket, round after round; independent users of a common template (an
open-source framework, "translate this") spread over the hour at the template's rate. Per
hour, for every prompt skeleton key used by at least ``min_orgs`` orgs, the distinct orgs per
``bucket_s`` bucket are counted; a bucket is a *burst* when its count is improbable (Poisson
upper tail below ``p_value``) at the key's mean over the hour's buckets and reaches
``min_orgs``. Each request of a burst counts as synchronised for its account; the
``synchronised_activity`` context signal (``signals.py``) reads the account's share, and
each burst is a shared value (kind ``sync``) that links the suspects in it, like a signup
batch: SynchroTrap's same action, same target, same time window.

This is a rate test, not a pairwise similarity: pairs of light accounts that each take a few
items a day rarely co-occur twice, but the round as a whole stands out.

A round deals *different* items (request-logs.md §3: "disjoint items"): a bucket whose
requests are mostly one and the same prompt is a common stimulus (a class working the
exercise on the board, a prompt passed around), not a scheduler, and is no burst. Each row
carries a hash of its prompt's normalised text; a burst needs at least half as many
distinct prompts as requests.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

__all__ = ["poisson_threshold", "synchronised_requests"]


def poisson_threshold(mean: float, p_value: float) -> int:
    """The smallest count c with P(X >= c) < p_value for X ~ Poisson(mean)."""
    if mean <= 0.0:
        return 1
    term = math.exp(-mean)  # P(X = 0)
    below = term
    c = 0
    while 1.0 - below >= p_value and c < 10_000:
        c += 1
        term *= mean / c
        below += term
    return c + 1


def synchronised_requests(entries: dict[int, list[tuple[int, int, int, int]]],
                          org_of: Sequence[str], *, buckets: int, min_orgs: int = 3,
                          p_value: float = 1e-4
                          ) -> tuple[dict[int, int], list[tuple[int, int, list[int]]]]:
    """(per account index, how many of its requests fell in a burst; the bursts as (key,
    bucket, accounts)). ``entries`` maps a skeleton key to the (bucket, account, request
    number, item: a hash of the prompt) of each request in one hour (a request may appear
    under two keys, its prefix and its suffix skeleton, and counts once); ``buckets`` is the
    number of buckets in the hour."""
    hit: dict[int, set[int]] = defaultdict(set)
    found: list[tuple[int, int, list[int]]] = []
    for key, rows in entries.items():
        if len(rows) < min_orgs:
            continue
        per_bucket: dict[int, set[str]] = defaultdict(set)
        items: dict[int, set[int]] = defaultdict(set)
        sent: dict[int, int] = defaultdict(int)
        for bucket, acc, _req, item in rows:
            per_bucket[bucket].add(org_of[acc])
            items[bucket].add(item)
            sent[bucket] += 1
        if len(set().union(*per_bucket.values())) < min_orgs:
            continue
        mean = sum(len(s) for s in per_bucket.values()) / buckets
        need = max(min_orgs, poisson_threshold(mean, p_value))
        bursts = {b for b, s in per_bucket.items()
                  if len(s) >= need and 2 * len(items[b]) >= sent[b]}
        if not bursts:
            continue
        members: dict[int, set[int]] = defaultdict(set)
        for bucket, acc, req, _item in rows:
            if bucket in bursts:
                hit[acc].add(req)
                members[bucket].add(acc)
        found.extend((key, b, sorted(accs)) for b, accs in sorted(members.items()))
    return {acc: len(reqs) for acc, reqs in hit.items()}, found
