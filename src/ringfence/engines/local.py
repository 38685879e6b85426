"""The in-process engine: a snapshot and a policy in, a verdict for every entity out.

It reads the snapshot's arrays, resolves the policy on the evaluation date, runs
:func:`ringfence.attribution.attribute`, and keeps the result for look-ups and proofs.
Another engine (e.g. Spark) answers the same :class:`VerdictBook` contract.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ringfence.attribution import AttributionResult, attribute
from ringfence.attribution.graph import EntityTable, HoldingTable
from ringfence.exc import NotFoundError
from ringfence.policy import LoadedPolicy, Propagation, ResolvedPolicy, load_policy, resolve
from ringfence.snapshot import Snapshot, open_snapshot

__all__ = ["EntityVerdict", "VerdictBook", "evaluate", "verdicts", "verdicts_of"]


@dataclass(frozen=True, slots=True)
class EntityVerdict:
    entity: str
    verdict: str  # restricted | clear | uncertain
    lower: float
    upper: float

    def as_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "verdict": self.verdict, "lower": self.lower,
                "upper": self.upper}


class VerdictBook:
    """Every entity's verdict under one policy, as of one date, on one snapshot."""

    def __init__(self, snapshot: Snapshot, policy: ResolvedPolicy,
                 result: AttributionResult) -> None:
        self.snapshot = snapshot
        self.policy = policy
        self.result = result
        self.as_of = policy.as_of
        entities, _ = snapshot.graph()
        self._ids = entities.ids
        self._index = entities.index()
        self._names = result.verdicts()

    @property
    def snapshot_id(self) -> str:
        return self.snapshot.id

    def __len__(self) -> int:
        return len(self._ids)

    def _at(self, i: int) -> EntityVerdict:
        return EntityVerdict(self._ids[i], self._names[i], float(self.result.lower[i]),
                             float(self.result.upper[i]))

    def get(self, entity_id: str) -> EntityVerdict | None:
        i = self._index.get(entity_id)
        return None if i is None else self._at(i)

    def __getitem__(self, entity_id: str) -> EntityVerdict:
        found = self.get(entity_id)
        if found is None:
            raise NotFoundError(f"no entity {entity_id!r} in snapshot {self.snapshot_id}")
        return found

    def items(self) -> Iterator[EntityVerdict]:
        for i in np.argsort(np.array(self._ids, dtype=object), kind="stable"):
            yield self._at(int(i))

    def counts(self) -> dict[str, int]:
        names, counts = np.unique(np.array(self._names, dtype=object), return_counts=True)
        out = {"restricted": 0, "uncertain": 0, "clear": 0}
        out.update({str(k): int(v) for k, v in zip(names, counts, strict=True)})
        return out

    def explain(self, entity_id: str) -> dict[str, Any]:
        """The proof of ``entity_id``'s verdict as data, each edge with its source.

        Besides the proof's own ``steps`` (cascade/control) or ``paths`` (look-through),
        a graph view for renderers: ``nodes`` (every entity the proof names, with its
        verdict, country and why it is an origin) and ``edges`` (each holding once).
        """
        from ringfence.attribution import prove

        i = self._index.get(entity_id)
        if i is None:
            raise NotFoundError(f"no entity {entity_id!r} in snapshot {self.snapshot_id}")
        data: dict[str, Any] = prove(self.result, i).as_dict()
        _attach_sources(data, self.snapshot)
        edges: dict[tuple[str, str, str, int], dict[str, Any]] = {}
        reasons: dict[str, list[str]] = {}
        for step in data.get("steps", []):
            reasons.setdefault(step["entity"], []).extend(
                r["text"] + ("" if r.get("certain", True) else " (possible)")
                for r in step.get("reasons", []))
            for e in step.get("edges", []):
                edges.setdefault((e["owner"], e["owned"], e["kind"], e["row"]), e)
        for path in data.get("paths", []):
            for e in path.get("edges", []):
                edges.setdefault((e["owner"], e["owned"], e["kind"], e["row"]), e)
            if path.get("entities"):
                reasons.setdefault(path["entities"][0], []).extend(
                    r["text"] for r in path.get("origin_reasons", []))
        named = {entity_id} | {k[0] for k in edges} | {k[1] for k in edges}
        info = self._entity_info(named)
        nodes = []
        for eid in sorted(named):
            v = self.get(eid)
            nodes.append({"entity": eid, "verdict": v.verdict if v else "clear",
                          **info.get(eid, {}),
                          "origin_reasons": sorted(set(reasons.get(eid, [])))})
        me = self._at(i)
        return {
            **self.header(),
            **data,
            "lower": me.lower,
            "upper": me.upper,
            "nodes": nodes,
            "edges": list(edges.values()),
        }

    def _entity_info(self, ids: set[str]) -> dict[str, dict[str, str]]:
        import pyarrow as pa
        import pyarrow.compute as pc

        table = self.snapshot.entities_table(["id", "name", "hq_country", "jurisdiction"])
        picked = table.filter(pc.is_in(table.column("id"), value_set=pa.array(sorted(ids))))
        return {row["id"]: {"name": row["name"] or "", "hq_country": row["hq_country"] or "",
                            "jurisdiction": row["jurisdiction"] or ""}
                for row in picked.to_pylist()}

    def header(self) -> dict[str, Any]:
        return {"snapshot": self.snapshot_id, "as_of": self.as_of.isoformat(),
                "policy": self.policy.as_dict()}


def _attach_sources(node: Any, snapshot: Snapshot) -> None:
    """Replace holding row numbers in a proof with the holding's provenance."""
    if isinstance(node, dict):
        if "row" in node and isinstance(node["row"], int) and "source" not in node:
            node["source"] = snapshot.holding_source(node["row"])
        for value in node.values():
            _attach_sources(value, snapshot)
    elif isinstance(node, list):
        for value in node:
            _attach_sources(value, snapshot)


def evaluate(snapshot: Snapshot | str | Path, policy: LoadedPolicy | str | Path,
             as_of: dt.date | None = None) -> VerdictBook:
    """Attribute every entity of ``snapshot`` under ``policy`` as of ``as_of`` (today)."""
    snap = snapshot if isinstance(snapshot, Snapshot) else open_snapshot(snapshot)
    loaded = policy if isinstance(policy, LoadedPolicy) else load_policy(policy)
    when = as_of or dt.date.today()
    resolved = resolve(loaded, when)
    entities, holdings = snap.graph()
    order = (snap.graph_order()
             if resolved.settings.ownership.propagation == Propagation.LOOK_THROUGH else None)
    result = attribute(entities, holdings, resolved.settings, when, order=order)
    return VerdictBook(snap, resolved, result)


def verdicts(snapshot_dir: str | Path, policy_ref: str | Path,
             as_of: dt.date | None = None) -> dict[str, dict[str, Any]]:
    """Plain mapping entity id → ``{verdict, lower, upper}`` (for callers that want data)."""
    book = evaluate(snapshot_dir, policy_ref, as_of)
    return {v.entity: v.as_dict() for v in book.items()}


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
