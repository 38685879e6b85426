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
from ringfence.policy import LoadedPolicy, ResolvedPolicy, load_policy, resolve
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
        """The proof of ``entity_id``'s verdict as data, each edge with its source."""
        i = self._index.get(entity_id)
        if i is None:
            raise NotFoundError(f"no entity {entity_id!r} in snapshot {self.snapshot_id}")
        from ringfence.attribution import prove  # type: ignore[attr-defined]

        proof = prove(self.result, i)
        data: dict[str, Any] = proof.as_dict()
        _attach_sources(data, self.snapshot)
        return {
            "snapshot": self.snapshot_id,
            "as_of": self.as_of.isoformat(),
            "policy": self.policy.as_dict(),
            **data,
        }

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
    result = attribute(entities, holdings, resolved.settings, when)
    return VerdictBook(snap, resolved, result)


def verdicts(snapshot_dir: str | Path, policy_ref: str | Path,
             as_of: dt.date | None = None) -> dict[str, dict[str, Any]]:
    """Plain mapping entity id → ``{verdict, lower, upper}`` (for callers that want data)."""
    book = evaluate(snapshot_dir, policy_ref, as_of)
    return {v.entity: v.as_dict() for v in book.items()}
