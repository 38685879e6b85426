"""Links between accounts from shared values, weighted by rarity, and the clusters they make.

Two families of shared values:

- **identity** (payment instrument, signup device, normalised mailbox): link every holder.
  A value held by accounts of ``k`` distinct orgs weighs ``kind.weight`` up to
  ``kind.rare`` orgs, falls on a log scale and weighs nothing from ``kind.common`` orgs.
- **behaviour and context** (system prompt, tool schema, dominant prompt skeleton, signup
  IP block and window, card BIN and signup day, client IP, end-user id): link *suspects*
  only (accounts whose own content and context already score), and the rarity counts the
  orgs of the holders that are *not* suspects. "A shared attribute is evidence only in
  proportion to how rare it is among benign traffic": an open-source framework's system
  prompt held by 180 ordinary orgs weighs nothing, a sweep template held by 200 suspects
  and nobody else weighs fully, and ordinary holders of a value are never pulled into a
  suspect cluster by it.

Accounts of one org are always together (one customer). An identity value whose weight
reaches ``link_threshold`` joins its holders (star edges: a value of 5,000 accounts costs
5,000 edges, not 12 million). A behaviour value at that weight (a template) joins two of
these components only when they share a second one too (two campaigns that borrow one
public template stay apart). Weaker values join a pair only in combination (noisy-or over
kinds, the strongest value per kind) for values with at most ``pair_limit`` linkable
holders. Components: scipy's ``connected_components``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ringfence.detect.config import DetectorConfig, LinkKind
from ringfence.detect.state import AccountState, FingerprintIndex

__all__ = ["LinkGraph", "LinkValue", "rarity_weight"]


def rarity_weight(kind: LinkKind, n_orgs: int) -> float:
    """The weight of a value of ``kind`` whose rarity count is ``n_orgs`` orgs."""
    if n_orgs <= kind.rare:
        return kind.weight
    if n_orgs >= kind.common:
        return 0.0
    fall = math.log(n_orgs / kind.rare) / math.log(kind.common / kind.rare)
    return kind.weight * (1.0 - fall)


@dataclass(frozen=True, slots=True)
class LinkValue:
    """One shared value as evidence at a checkpoint."""

    kind: str
    value: Any
    weight: float
    linked: tuple[int, ...]  # the holders it may link (all, or the suspects)
    n_orgs: int  # orgs among the linked holders
    n_benign_orgs: int  # orgs of the holders that are not linked (behaviour kinds)


@dataclass
class LinkGraph:
    """The identity values' weights (cached, refreshed when holders change) and, at each
    checkpoint, the evidence values that linked the clusters."""

    identity: dict[tuple[str, Any], tuple[float, int]] = field(default_factory=dict)
    evidence: list[LinkValue] = field(default_factory=list)

    def refresh(self, index: FingerprintIndex, accounts: Sequence[AccountState],
                config: DetectorConfig) -> None:
        for kind, value in sorted(index.take_changed(), key=lambda kv: (kv[0], str(kv[1]))):
            spec = config.kinds[kind]
            if not spec.identity:
                continue
            orgs = {accounts[i].org_id for i in index.holders(kind, value)}
            self.identity[(kind, value)] = (rarity_weight(spec, len(orgs)), len(orgs))

    def components(self, index: FingerprintIndex, accounts: Sequence[AccountState],
                   suspects: set[int], config: DetectorConfig
                   ) -> tuple[np.ndarray, dict[tuple[int, int], dict[str, float]]]:
        """(component label per account, the per-kind weights of pairs joined only in
        combination). ``self.evidence`` lists the values used."""
        n = len(accounts)
        rows: list[int] = []
        cols: list[int] = []
        first_of_org: dict[str, int] = {}
        for a in accounts:
            head = first_of_org.setdefault(a.org_id, a.idx)
            if head != a.idx:
                rows.append(head)
                cols.append(a.idx)
        evidence: list[LinkValue] = []
        for (kind, value), (w, n_orgs) in self.identity.items():
            if w > 0.0 and n_orgs >= 2:
                evidence.append(LinkValue(kind, value, w, tuple(index.holders(kind, value)),
                                          n_orgs, 0))
        seen: set[tuple[str, Any]] = set()
        for s in sorted(suspects):
            for kind, value in index.shared_values_of(s):
                spec = config.kinds[kind]
                if spec.identity or (kind, value) in seen:
                    continue
                seen.add((kind, value))
                holders = index.holders(kind, value)
                linked = tuple(h for h in holders if h in suspects)
                if len(linked) < 2:
                    continue
                orgs = {accounts[h].org_id for h in linked}
                if len(orgs) < 2:
                    continue
                benign = {accounts[h].org_id for h in holders if h not in suspects} - orgs
                w = rarity_weight(spec, max(1, len(benign)))
                if w > 0.0:
                    evidence.append(LinkValue(kind, value, w, linked, len(orgs), len(benign)))
        pairs: dict[tuple[int, int], dict[str, float]] = {}
        tau = config.link_threshold
        templates: list[LinkValue] = []
        for ev in evidence:
            if ev.weight >= tau:
                spec = config.kinds[ev.kind]
                if not spec.identity and not spec.joins:
                    templates.append(ev)  # joined in stage 2
                    continue
                head = ev.linked[0]
                rows.extend([head] * (len(ev.linked) - 1))
                cols.extend(ev.linked[1:])
            elif len(ev.linked) <= config.pair_limit:
                for i, x in enumerate(ev.linked):
                    ox = accounts[x].org_id
                    for y in ev.linked[i + 1:]:
                        if accounts[y].org_id == ox:
                            continue
                        key = (x, y) if x < y else (y, x)
                        per_kind = pairs.setdefault(key, {})
                        if ev.weight > per_kind.get(ev.kind, 0.0):
                            per_kind[ev.kind] = ev.weight
        joined: dict[tuple[int, int], dict[str, float]] = {}
        for key, per_kind in pairs.items():
            rest = 1.0
            for w in per_kind.values():
                rest *= 1.0 - w
            if 1.0 - rest >= tau:
                rows.append(key[0])
                cols.append(key[1])
                joined[key] = per_kind
        self.evidence = evidence
        if n == 0:
            return np.zeros(0, dtype=np.int64), joined
        # stage 1: orgs, identities and combined weak pairs make the strong components
        graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n))
        _, strong = connected_components(graph, directed=False)
        # stage 2: strong behaviour values (templates, system prompts, tool schemas) join
        # two strong components only when they share at least two of them: one borrowed
        # template does not make two operations one, while a sweep's template and system
        # prompt, or a front's several templates, do
        held: dict[int, list[int]] = {}
        for vi, ev in enumerate(templates):
            for h in ev.linked:
                values = held.setdefault(int(strong[h]), [])
                if not values or values[-1] != vi:
                    values.append(vi)
        rep: dict[int, int] = {}
        for a in accounts:
            rep.setdefault(int(strong[a.idx]), a.idx)
        by_pair: dict[tuple[int, int], int] = {}
        for comp, vis in held.items():
            for pair in itertools.combinations(vis[:config.template_pairs_cap], 2):
                first = by_pair.setdefault(pair, comp)
                if first != comp:
                    rows.append(rep[first])
                    cols.append(rep[comp])
        graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n))
        _, labels = connected_components(graph, directed=False)
        return labels, joined
