"""Links between accounts from shared values, weighted by rarity, and the clusters they make.

A value shared by accounts of ``k`` distinct orgs weighs ``kind.weight`` while ``k`` is at
most ``kind.rare``, falls on a log scale, and weighs nothing from ``kind.common`` orgs up:
an open-source framework's system prompt, a VPN exit or a university NAT seen in hundreds
of unrelated orgs links nobody. Accounts of one org are always together (same customer).

A value whose weight reaches ``link_threshold`` joins its holders (star edges from the
first holder, so a value of 5,000 accounts costs 5,000 edges, not 12 million). Weaker
values join a pair only in combination: for values held by at most ``pair_limit``
accounts, each pair's weights are combined (noisy-or over kinds, the strongest value of
each kind) and the pair is joined when the combination reaches the threshold.
Components: scipy's ``connected_components`` over the joined pairs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ringfence.detect.config import DetectorConfig, LinkKind
from ringfence.detect.state import AccountState, FingerprintIndex

__all__ = ["LinkGraph", "rarity_weight"]


def rarity_weight(kind: LinkKind, n_orgs: int) -> float:
    """The weight of a value of ``kind`` shared by accounts of ``n_orgs`` distinct orgs."""
    if n_orgs <= kind.rare:
        return kind.weight
    if n_orgs >= kind.common:
        return 0.0
    fall = math.log(n_orgs / kind.rare) / math.log(kind.common / kind.rare)
    return kind.weight * (1.0 - fall)


@dataclass
class _ValueEdges:
    n_holders: int
    weight: float
    n_orgs: int


@dataclass
class LinkGraph:
    """Edges derived from the index, cached per value and refreshed when a value's holders
    change, plus the evidence each cluster's links rest on."""

    values: dict[tuple[str, Any], _ValueEdges] = field(default_factory=dict)

    def refresh(self, index: FingerprintIndex, accounts: Sequence[AccountState],
                config: DetectorConfig) -> None:
        for kind, value in sorted(index.take_changed(), key=lambda kv: (kv[0], str(kv[1]))):
            holders = index.holders(kind, value)
            orgs = {accounts[i].org_id for i in holders}
            spec = config.kinds[kind]
            self.values[(kind, value)] = _ValueEdges(len(holders),
                                                     rarity_weight(spec, len(orgs)), len(orgs))

    def components(self, index: FingerprintIndex, accounts: Sequence[AccountState],
                   config: DetectorConfig) -> tuple[np.ndarray, dict[tuple[int, int], dict[str,
                                                                                      float]]]:
        """(component label per account, the combined weight per kind of each cross-org
        pair that was joined through pair evidence)."""
        n = len(accounts)
        rows: list[int] = []
        cols: list[int] = []
        # same org: star edges from the org's first account
        first_of_org: dict[str, int] = {}
        for a in accounts:
            head = first_of_org.setdefault(a.org_id, a.idx)
            if head != a.idx:
                rows.append(head)
                cols.append(a.idx)
        pairs: dict[tuple[int, int], dict[str, float]] = {}
        tau = config.link_threshold
        for (kind, value), ve in self.values.items():
            if ve.weight <= 0.0 or ve.n_orgs < 2:
                continue
            holders = index.holders(kind, value)
            if ve.weight >= tau:
                head = holders[0]
                rows.extend([head] * (len(holders) - 1))
                cols.extend(holders[1:])
            elif len(holders) <= config.pair_limit:
                for i, x in enumerate(holders):
                    ox = accounts[x].org_id
                    for y in holders[i + 1:]:
                        if accounts[y].org_id == ox:
                            continue
                        key = (x, y) if x < y else (y, x)
                        per_kind = pairs.setdefault(key, {})
                        if ve.weight > per_kind.get(kind, 0.0):
                            per_kind[kind] = ve.weight
        joined: dict[tuple[int, int], dict[str, float]] = {}
        for key, per_kind in pairs.items():
            rest = 1.0
            for w in per_kind.values():
                rest *= 1.0 - w
            if 1.0 - rest >= tau:
                rows.append(key[0])
                cols.append(key[1])
                joined[key] = per_kind
        if n == 0:
            return np.zeros(0, dtype=np.int64), joined
        graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n))
        _, labels = connected_components(graph, directed=False)
        return labels, joined
