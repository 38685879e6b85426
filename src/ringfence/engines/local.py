"""The in-process engine: a snapshot and a policy in, a verdict for every entity out.

It reads the snapshot's arrays, resolves the policy on the evaluation date, runs
:func:`ringfence.attribution.attribute`, and keeps the result for look-ups and proofs.
Another engine (e.g. Spark) answers the same :class:`VerdictBook` contract.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ringfence.attribution import AttributionResult, attribute
from ringfence.exc import NotFoundError
from ringfence.policy import LoadedPolicy, Propagation, ResolvedPolicy, load_policy, resolve
from ringfence.snapshot import Snapshot, open_snapshot

__all__ = ["EntityVerdict", "VerdictBook", "evaluate", "verdicts"]


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
        evidence = [{"relation": r["relation"], "owner": r["owner"], "owned": r["owned"],
                     "source": f"{r['source_dataset']} line {r['source_line']}"
                               if r["source_line"] is not None else r["source_dataset"],
                     "note": r["source_note"]}
                    for r in self.snapshot.evidence_about(entity_id)[:200]]
        return {
            **self.header(),
            **data,
            "lower": me.lower,
            "upper": me.upper,
            "nodes": nodes,
            "edges": list(edges.values()),
            "evidence": evidence,
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
