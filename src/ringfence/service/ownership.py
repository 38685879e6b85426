"""The owners above a proof, for the ownership picture.

A proof stops at the first origins it needs (TikTok Ltd. is itself headquartered in
China, so TikTok Inc.'s proof ends there); an analyst also wants to see who stands above
them (ByteDance). :func:`context` walks the holdings in force upwards from every entity
the proof names, a few levels and a bounded number of edges, and returns them as proof
edges (share, dates, source) and nodes (verdict, name, country) for ``render.proof_svg``
to draw as context. The in-index (holdings by owned entity) is built once per snapshot.
"""

from __future__ import annotations

import datetime as dt
import threading

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ringfence.attribution.graph import KIND_NAMES, NO_DATE_MAX, NO_DATE_MIN, date_to_day
from ringfence.model import Explanation, ProofEdge, ProofNode, Share, SourceRef, Verdict
from ringfence.service.live import Live
from ringfence.snapshot import Snapshot

__all__ = ["context", "warm"]

_EPOCH = dt.date(1970, 1, 1)
_INDEX: dict[str, tuple[np.ndarray, np.ndarray, dict[str, int]]] = {}
_LOCK = threading.Lock()


def warm(snapshot: Snapshot) -> None:
    """Build the snapshot's holdings-by-owned index and read the entity columns the
    ownership picture uses, ahead of the first organisation page (0.6 s at 1M entities);
    the service calls it when it evaluates a new snapshot, off the request path."""
    _index_of(snapshot)
    _ = snapshot.entity_info


def _in_index(live: Live) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    return _index_of(live.snapshot)


def _index_of(snapshot: Snapshot) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    sid = snapshot.id
    with _LOCK:
        got = _INDEX.get(sid)
        if got is None:
            entities, holdings = snapshot.graph()
            owned = np.asarray(holdings.owned, dtype=np.int64)
            order = np.argsort(owned, kind="stable")
            ptr = np.zeros(len(entities) + 1, dtype=np.int64)
            np.cumsum(np.bincount(owned, minlength=len(entities)), out=ptr[1:])
            _INDEX.clear()  # one snapshot at a time
            got = _INDEX[sid] = (order, ptr, entities.index())
        return got


def _day(d: int) -> dt.date | None:
    return None if d in (NO_DATE_MIN, NO_DATE_MAX) else _EPOCH + dt.timedelta(days=d)


def context(live: Live, ex: Explanation, *, depth: int = 4, max_edges: int = 40
            ) -> tuple[tuple[ProofEdge, ...], tuple[ProofNode, ...]]:
    """Holdings in force into the proof's entities and upwards, ``depth`` levels at most."""
    order, ptr, index = _in_index(live)
    entities, holdings = live.snapshot.graph()
    ids = entities.ids
    day = date_to_day(ex.as_of, default=0)
    seen = {index[n.entity] for n in ex.nodes if n.entity in index}
    frontier = sorted(seen)
    edges: list[ProofEdge] = []
    for _ in range(depth):
        nxt: list[int] = []
        for v in frontier:
            for h in order[ptr[v]:ptr[v + 1]]:
                if not holdings.valid_from[h] <= day < holdings.valid_to[h]:
                    continue  # not in force on the proof's date
                u = int(holdings.owner[h])
                row = int(holdings.row[h])
                src = live.snapshot.holding_source(row)
                edges.append(ProofEdge(
                    ids[u], ids[v], KIND_NAMES[int(holdings.kind[h])],
                    Share(int(holdings.lo[h]), int(holdings.hi[h]), bool(holdings.lo_open[h]),
                          bool(holdings.hi_open[h])),
                    _day(int(holdings.valid_from[h])), _day(int(holdings.valid_to[h])), row,
                    source=SourceRef(dataset=src["dataset"] or "", record=src["record"] or "",
                                     line=src["line"], note=src["note"] or "")))
                if u not in seen:
                    seen.add(u)
                    nxt.append(u)
                if len(edges) >= max_edges:
                    return tuple(edges), _nodes(live, seen)
        frontier = nxt
    return tuple(edges), _nodes(live, seen)


def _info(live: Live) -> pa.Table:
    return live.snapshot.entity_info  # read once per snapshot, shared with the engine's proofs


def _nodes(live: Live, rows: set[int]) -> tuple[ProofNode, ...]:
    entities, _ = live.snapshot.graph()
    table = _info(live)
    order = sorted(rows)
    picked = table.take(pa.array(order, pa.int64()))  # the graph's rows are the file's
    wanted = [entities.ids[i] for i in order]
    if picked.column("id").to_pylist() != wanted:  # never expected; stay right regardless
        picked = table.filter(pc.is_in(table.column("id"), value_set=pa.array(wanted)))
    out = []
    for r in picked.to_pylist():
        v = live.book.get(r["id"])
        out.append(ProofNode(r["id"], v.verdict if v else Verdict.CLEAR, r["name"] or "",
                             r["hq_country"] or "", r["jurisdiction"] or ""))
    return tuple(out)
