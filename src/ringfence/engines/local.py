"""The in-process engine: a snapshot and a policy in, a verdict for every entity out.

It reads the snapshot's arrays, resolves the policy on the evaluation date, runs
:func:`ringfence.attribution.attribute`, and keeps the result for look-ups and proofs.
Another engine (e.g. Spark) implements the same contract, :mod:`ringfence.engines.base`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ringfence.attribution import AttributionResult, attribute, prove, update
from ringfence.attribution.graph import (
    EntityTable,
    HoldingTable,
    holding_table,
)
from ringfence.engines.base import BookUpdate, VerdictChange
from ringfence.exc import NotFoundError
from ringfence.model import (
    EntityVerdict,
    Explanation,
    Holding,
    HoldingChanges,
    PolicyStamp,
    ProofEdge,
    ProofNode,
    SourceRef,
    Verdict,
)
from ringfence.policy import LoadedPolicy, Propagation, ResolvedPolicy, load_policy, resolve
from ringfence.snapshot import Snapshot, open_snapshot

__all__ = ["LocalEngine", "LocalVerdictBook", "evaluate", "explanation", "verdicts_of"]


class LocalVerdictBook:
    """Every entity's verdict under one policy, as of one date, on one snapshot: the
    local engine's :class:`~ringfence.engines.base.VerdictBook`."""

    def __init__(self, snapshot: Snapshot, policy: ResolvedPolicy,
                 result: AttributionResult) -> None:
        self.snapshot = snapshot
        self._policy = policy
        self.result = result
        entities, _ = snapshot.graph()
        self._ids = entities.ids
        self._index = entities.index()
        self._verdicts = result.verdicts()

    @property
    def policy(self) -> ResolvedPolicy:
        return self._policy

    @property
    def as_of(self) -> dt.date:
        return self._policy.as_of

    @property
    def snapshot_id(self) -> str:
        return self.snapshot.id

    def __len__(self) -> int:
        return len(self._ids)

    def _at(self, i: int) -> EntityVerdict:
        return EntityVerdict(self._ids[i], self._verdicts[i], float(self.result.lower[i]),
                             float(self.result.upper[i]))

    def _row(self, entity_id: str) -> int:
        i = self._index.get(entity_id)
        if i is None:
            raise NotFoundError(f"no entity {entity_id!r} in snapshot {self.snapshot_id}")
        return i

    def get(self, entity_id: str) -> EntityVerdict | None:
        i = self._index.get(entity_id)
        return None if i is None else self._at(i)

    def __getitem__(self, entity_id: str) -> EntityVerdict:
        return self._at(self._row(entity_id))

    def items(self) -> Iterator[EntityVerdict]:
        for i in np.argsort(np.array(self._ids, dtype=object), kind="stable"):
            yield self._at(int(i))

    def counts(self) -> dict[Verdict, int]:
        codes = np.bincount(self.result.verdict.astype(np.int64), minlength=3)
        from ringfence.attribution import VERDICT_NAMES

        out = {v: 0 for v in (Verdict.RESTRICTED, Verdict.UNCERTAIN, Verdict.CLEAR)}
        out.update({VERDICT_NAMES[c]: int(codes[c]) for c in range(3)})
        return out

    def uncertain_causes(self) -> dict[str, tuple[str, ...]]:
        """Every uncertain entity's causes in words (:mod:`ringfence.attribution.causes`)."""
        from ringfence.attribution.causes import uncertain_causes

        return {self._ids[i]: c for i, c in uncertain_causes(self.result).items()}

    def explain(self, entity_id: str) -> Explanation:
        """The proof of ``entity_id``'s verdict, each edge with its source, and a graph
        view for renderers (:func:`explanation`)."""
        i = self._row(entity_id)
        return explanation(self.result, i, me=self._at(i), get=self.get,
                           source=self.snapshot.holding_source, info=self._entity_info,
                           snapshot_id=self.snapshot_id, stamp=self.stamp())

    def _entity_info(self, ids: set[str]) -> dict[str, tuple[str, str, str]]:
        """Name, headquarters and registration of ``ids``: rows taken from the entities
        table read once per book (its rows are the book's rows), not a filter over the
        whole table at every proof (0.8 s a proof at 1M entities)."""
        rows = sorted(i for i in (self._index.get(e) for e in ids) if i is not None)
        picked = self.snapshot.entity_info.take(rows).to_pylist() if rows else []
        return {self._ids[r]: (p["name"] or "", p["hq_country"] or "", p["jurisdiction"] or "")
                for r, p in zip(rows, picked, strict=True)}

    def warm(self) -> None:
        """The entity columns and the holdings' sources a proof reads, read now (0.25 and
        ~0.4 s at 1M entities) rather than by the first proof asked for."""
        _ = self.snapshot.entity_info
        if self.snapshot.manifest.counts.get("holdings", 0):
            self.snapshot.holding_source(0)


    def stamp(self) -> PolicyStamp:
        p = self._policy
        return PolicyStamp(p.name, p.version, p.hash)

    def header(self) -> dict[str, Any]:
        return {"snapshot": self.snapshot_id, "as_of": self.as_of.isoformat(),
                "policy": self._policy.as_dict()}

    def with_changes(self, changes: HoldingChanges) -> BookUpdate:
        added = _holding_table(changes.added, self._index,
                               first_row=self.snapshot.manifest.counts.get("holdings", 0))
        up = update(self.result, added=added,
                    removed=np.array(list(changes.removed), dtype=np.int64), copy=True)
        book = LocalVerdictBook(self.snapshot, self._policy, up.result)
        flips = [VerdictChange(self[f.entity], book[f.entity]) for f in up.flips]
        return BookUpdate(book, flips, up.recomputed, up.downstream)


def explanation(result: AttributionResult, i: int, *, me: EntityVerdict,
                get: Callable[[str], EntityVerdict | None],
                source: Callable[[int], dict[str, Any]],
                info: Callable[[set[str]], dict[str, tuple[str, str, str]]],
                snapshot_id: str, stamp: PolicyStamp) -> Explanation:
    """The proof of entity ``i`` of ``result`` (whose verdict is ``me``), each edge with
    its source (``source(row)``: dataset, record, line, note), and a graph view for
    renderers: every entity the proof names (verdict by ``get``, name and countries by
    ``info``, why it is an origin) and each holding once. Shared by every engine: an
    engine brings its own look-ups."""
    def with_source(edge: ProofEdge) -> ProofEdge:
        if edge.row is None:  # the unaccounted part of an equity: no record holds it
            return edge
        src = source(edge.row)
        return edge.with_source(SourceRef(dataset=src["dataset"] or "",
                                          record=src["record"] or "", line=src["line"],
                                          note=src["note"] or ""))

    proof = prove(result, i).map_edges(with_source)
    edges: dict[tuple[str, str, str, int | None], ProofEdge] = {}
    reasons: dict[str, list[str]] = {}
    for step in proof.steps:
        reasons.setdefault(step.entity, []).extend(
            r.text + ("" if r.certain else " (possible)") for r in step.reasons)
        for e in step.edges:
            edges.setdefault(e.key, e)
    for path in proof.paths:
        for e in path.edges:
            edges.setdefault(e.key, e)
        if path.entities:
            reasons.setdefault(path.entities[0], []).extend(r.text for r in path.reasons)
    named = {me.entity} | {k[0] for k in edges} | {k[1] for k in edges}
    names = info(named)
    nodes = []
    for eid in sorted(named):
        v = get(eid)
        name, hq, jur = names.get(eid, ("", "", ""))
        nodes.append(ProofNode(eid, v.verdict if v else Verdict.CLEAR, name, hq, jur,
                               tuple(sorted(set(reasons.get(eid, []))))))
    return Explanation(snapshot=snapshot_id, as_of=result.as_of, policy=stamp, proof=proof,
                       lower=me.lower, upper=me.upper, nodes=tuple(nodes),
                       edges=tuple(edges.values()))


def _holding_table(holdings: Any, index: dict[str, int], *, first_row: int) -> HoldingTable:
    hs: list[Holding] = list(holdings)
    missing = sorted({x for h in hs for x in (h.owner, h.owned) if x not in index})
    if missing:
        raise NotFoundError(f"no entity {missing[0]!r} in the snapshot"
                            + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
    return holding_table(hs, index, first_row=first_row)


class LocalEngine:
    """The in-process engine (NumPy/numba): a batch run is one :func:`attribute` call."""

    name = "local"

    def evaluate(self, snapshot: Snapshot, policy: LoadedPolicy, as_of: dt.date
                 ) -> LocalVerdictBook:
        resolved = resolve(policy, as_of)
        entities, holdings = snapshot.graph()
        order = (snapshot.graph_order()
                 if resolved.settings.ownership.propagation == Propagation.LOOK_THROUGH
                 else None)
        result = attribute(entities, holdings, resolved.settings, as_of, order=order)
        return LocalVerdictBook(snapshot, resolved, result)


def evaluate(snapshot: Snapshot | str | Path, policy: LoadedPolicy | str | Path,
             as_of: dt.date | None = None) -> LocalVerdictBook:
    """Attribute every entity of ``snapshot`` under ``policy`` as of ``as_of`` (today),
    opening the snapshot and loading the policy when given paths or names."""
    snap = snapshot if isinstance(snapshot, Snapshot) else open_snapshot(snapshot)
    loaded = policy if isinstance(policy, LoadedPolicy) else load_policy(policy)
    return LocalEngine().evaluate(snap, loaded, as_of or dt.date.today())


def verdicts_of(snapshot: Snapshot | str | Path, policy: LoadedPolicy | str | Path,
                entity_ids: Iterable[str], as_of: dt.date | None = None
                ) -> dict[str, EntityVerdict]:
    """The verdicts of ``entity_ids`` only (unknown ids are left out).

    An entity's verdict depends only on the entities that own it, directly or through
    others (every propagation rule reads holdings *into* an entity), so attribution runs
    on that upward closure alone: a screening query's few candidates cost their owners'
    graph, not the whole snapshot's (``evaluate``)."""
    snap = snapshot if isinstance(snapshot, Snapshot) else open_snapshot(snapshot)
    loaded = policy if isinstance(policy, LoadedPolicy) else load_policy(policy)
    when = as_of or dt.date.today()
    resolved = resolve(loaded, when)
    entities, holdings = snap.graph()
    wanted = set(entity_ids)
    start = np.array([i for i, eid in enumerate(entities.ids) if eid in wanted], dtype=np.int64)
    if not len(start):
        return {}
    keep = _owners_closure(len(entities), holdings, start)
    sub_entities, sub_holdings = _subgraph(entities, holdings, keep)
    result = attribute(sub_entities, sub_holdings, resolved.settings, when)
    names = result.verdicts()
    out: dict[str, EntityVerdict] = {}
    for j, eid in enumerate(sub_entities.ids):
        if eid in wanted:
            out[eid] = EntityVerdict(eid, names[j], float(result.lower[j]),
                                     float(result.upper[j]))
    return out


def _owners_closure(n: int, holdings: HoldingTable, start: np.ndarray) -> np.ndarray:
    """Sorted positions of ``start`` and of every entity with a holding path into it
    (whatever the holdings' dates: a superset is harmless)."""
    owned = np.asarray(holdings.owned, dtype=np.int64)
    owner = np.asarray(holdings.owner, dtype=np.int64)
    order = np.argsort(owned, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(owned, minlength=n), out=ptr[1:])
    owners_sorted = owner[order]
    seen = np.zeros(n, dtype=bool)
    seen[start] = True
    frontier = start
    while len(frontier):
        nxt = [owners_sorted[ptr[i]:ptr[i + 1]] for i in frontier]
        cand = np.unique(np.concatenate(nxt)) if nxt else np.zeros(0, np.int64)
        cand = cand[~seen[cand]]
        seen[cand] = True
        frontier = cand
    return np.flatnonzero(seen)


def _subgraph(entities: EntityTable, holdings: HoldingTable, keep: np.ndarray
              ) -> tuple[EntityTable, HoldingTable]:
    remap = np.full(len(entities), -1, dtype=np.int64)
    remap[keep] = np.arange(len(keep))
    lists = [entities.list_idx[entities.list_ptr[i]:entities.list_ptr[i + 1]] for i in keep]
    ptr = np.zeros(len(keep) + 1, dtype=entities.list_ptr.dtype)
    np.cumsum([len(x) for x in lists], out=ptr[1:])
    sub_e = EntityTable(
        ids=[entities.ids[i] for i in keep], type=entities.type[keep], hq=entities.hq[keep],
        jurisdiction=entities.jurisdiction[keep], countries=entities.countries,
        list_ptr=ptr,
        list_idx=(np.concatenate(lists).astype(entities.list_idx.dtype) if lists and ptr[-1]
                  else np.zeros(0, dtype=entities.list_idx.dtype)),
        list_names=entities.list_names)
    mask = (remap[holdings.owned] >= 0) & (remap[holdings.owner] >= 0)
    sub_h = holdings.take(mask)
    sub_h = replace(sub_h, owner=remap[sub_h.owner].astype(sub_h.owner.dtype),
                    owned=remap[sub_h.owned].astype(sub_h.owned.dtype))
    return sub_e, sub_h
