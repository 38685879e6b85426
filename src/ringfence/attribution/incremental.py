"""Change: recompute only what a changed holding can reach, and say which verdicts flipped.

Only entities downstream of a changed holding's *owned* entity can change (every test
reads an entity's owners, never its subsidiaries). Let ``D`` be those entities: the owned
ends of the changed holdings and everything they own, directly or not, in the new graph
(a path of the old graph from a changed edge is, past its last changed edge, a path of
unchanged edges, so the new graph suffices). ``U`` = ``D`` and all its owners, up to the
roots, is closed upwards, so evaluating the whole engine on ``U`` alone gives exactly the
values a full run gives there (rounds and witnesses included): ``update`` does that and
writes ``D`` back. Its cost is ``|U|`` plus the holdings into ``U``, not the graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from ringfence.attribution.edges import LiveEdges, concat
from ringfence.attribution.engine import (
    VERDICT_NAMES,
    AttributionResult,
    BoundResult,
    _verdicts,
    evaluate,
)
from ringfence.attribution.graph import HoldingTable
from ringfence.model.results import Verdict

__all__ = ["Flip", "Update", "update"]

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Flip:
    """Entity ``entity`` (row ``index``) went from verdict ``old`` to ``new``."""

    index: int
    entity: str
    old: Verdict
    new: Verdict

    def as_dict(self) -> dict[str, object]:
        return {"entity": self.entity, "old": self.old.value, "new": self.new.value}


@dataclass(frozen=True)
class Update:
    result: AttributionResult
    flips: list[Flip]
    recomputed: int  # |U|: entities evaluated
    downstream: int  # |D|: entities whose verdict could change


def update(previous: AttributionResult, *, added: HoldingTable | None = None,
           removed: Sequence[int] | I64 = (), copy: bool = False,
           compact_at: int = 4096) -> Update:
    """Apply a change of holdings to ``previous`` and recompute what it can reach.

    ``removed``: ``row`` numbers of holdings gone (or replaced); ``added``: new or
    replacing holdings (a modified holding is its row removed and re-added). Holdings not
    in force on the result's date are ignored. With ``copy=False`` (the default, the fast
    path) ``previous`` is updated in place and returned; ``copy=True`` leaves it intact.
    Added holdings collect in a side table until ``compact_at`` of them, then fold in.
    """
    n = len(previous)
    old_edges = previous.edges
    base_ids, extra_ids = old_edges.find_rows(np.asarray(removed, dtype=np.int64))
    new = (added.take(np.flatnonzero(added.in_force(previous.as_of)))
           if added is not None else None)

    dead = old_edges.dead.copy() if copy else old_edges.dead
    dead[base_ids] = True
    keep = np.ones(len(old_edges.extra), dtype=np.bool_)
    keep[extra_ids] = False
    extra = old_edges.extra.take(np.flatnonzero(keep)) if len(extra_ids) else old_edges.extra
    if new is not None and len(new):
        extra = concat(extra, new)
    edges = LiveEdges(n, old_edges.base, dead, extra)
    edges.share_indexes(old_edges)

    seeds = np.unique(np.concatenate((
        old_edges.base.owned[base_ids], old_edges.extra.owned[extra_ids],
        new.owned if new is not None else np.zeros(0, dtype=np.int32),
    )).astype(np.int64))
    if len(extra) > compact_at:
        edges = LiveEdges(n, edges.materialize())
    result = previous if not copy else _copy(previous)
    result.edges = edges
    if len(seeds) == 0:
        return Update(result, [], 0, 0)

    down = edges.downstream(seeds)
    up = edges.upstream(down)
    sub = edges.into(up)
    local = replace(sub, owner=np.searchsorted(up, sub.owner).astype(np.int32),
                    owned=np.searchsorted(up, sub.owned).astype(np.int32))
    low, high = evaluate(len(up), local, previous.certain[up], previous.possible[up],
                         previous.settings)

    at = np.searchsorted(up, down)  # positions of D within U
    before = result.verdict[down].copy()
    _write(result.low, low, up, down, at, n)
    _write(result.high, high, up, down, at, n)
    result.verdict[down] = _verdicts(result.low.restricted[down], result.high.restricted[down])
    changed = np.flatnonzero(result.verdict[down] != before)
    ids = previous.entities.ids
    flips = [Flip(int(down[i]), ids[int(down[i])], VERDICT_NAMES[int(before[i])],
                  VERDICT_NAMES[int(result.verdict[down[i]])]) for i in changed.tolist()]
    return Update(result, flips, len(up), len(down))


def _local_to_global(ids: I64, up: I64, n: int) -> I64:
    """Local node ids of a sub-evaluation (virtual owners ``m + e``) to global ones."""
    m = len(up)
    out = ids.copy()
    real = (ids >= 0) & (ids < m)
    out[real] = up[ids[real]]
    virt = ids >= m
    out[virt] = n + up[ids[virt] - m]
    return out


def _write(dst: BoundResult, src: BoundResult, up: I64, down: I64, at: I64, n: int) -> None:
    dst.restricted[down] = src.restricted[at]
    dst.value[down] = src.value[at]
    dst.round[down] = src.round[at]
    dst.witness[down] = _local_to_global(src.witness[at], up, n)
    dst.unconverged = max(dst.unconverged, src.unconverged)
    if dst.pairs is not None and src.pairs is not None:
        p_v, p_o, p_r = dst.pairs
        keep = ~np.isin(p_v, down)
        s_v, s_o, s_r = src.pairs
        g_v = up[s_v]
        mine = np.isin(g_v, down)
        v = np.concatenate((p_v[keep], g_v[mine]))
        o = np.concatenate((p_o[keep], _local_to_global(s_o[mine], up, n)))
        r = np.concatenate((p_r[keep], s_r[mine]))
        order = np.lexsort((o, r, v))
        dst.pairs = (v[order], o[order], r[order])


def _copy(result: AttributionResult) -> AttributionResult:
    def bound(b: BoundResult) -> BoundResult:
        pairs = None if b.pairs is None else tuple(a.copy() for a in b.pairs)
        return BoundResult(b.restricted.copy(), b.value.copy(), b.round.copy(),
                           b.witness.copy(), pairs, b.unconverged)  # type: ignore[arg-type]

    out = AttributionResult(result.entities, result.edges, result.settings, result.as_of,
                            result.certain, result.possible, bound(result.low),
                            bound(result.high), result.undisclosed)
    return out
