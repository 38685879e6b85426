"""Policy and snapshot analysis for the console, over the book's customers: a draft
policy beside the live one (``usecases.simulate``, as ``ringfence simulate``), and the
difference between two published snapshots under the live policy (who changed verdict).
Both evaluate whole books through the runtime's evaluator (the engine contract); they are
analyses run on request, not on any request path."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import yaml
from sqlalchemy import select

from ringfence.exc import InputError, NotFoundError
from ringfence.policy import LoadedPolicy, load_policy, parse_policy, shipped_policies
from ringfence.service.runtime import Runtime
from ringfence.snapshot import Snapshot, open_snapshot
from ringfence.store.tables import organizations, snapshots
from ringfence.usecases import SimulationReport, simulate

__all__ = ["SnapshotChange", "customers", "draft_policy", "simulate_draft", "snapshot_diff"]


@dataclass(frozen=True, slots=True)
class SnapshotChange:
    org_id: str
    name: str
    entity_id: str
    before: str | None
    after: str | None


class _RuntimeEngine:
    """The runtime's evaluator as an :class:`~ringfence.engines.base.Engine`."""

    name = "runtime"

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def evaluate(self, snapshot: Snapshot, policy: LoadedPolicy, as_of: dt.date) -> Any:
        return self.rt.evaluate(snapshot, policy, as_of)


def customers(rt: Runtime) -> list[tuple[str, str, str]]:
    """The book's organisations: (id, name, matched entity or "")."""
    with rt.engine.connect() as conn:
        rows = conn.execute(select(organizations.c.id, organizations.c.name,
                                   organizations.c.entity_id)).all()
    return [(r.id, r.name, r.entity_id or "") for r in rows]


def draft_policy(*, shipped: str = "", text: str = "") -> LoadedPolicy:
    """A draft: a shipped policy by name, or a policy file's text (YAML, validated)."""
    if text.strip():
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as err:
            raise InputError(f"the draft is not YAML: {err}", details={"field": "draft"}) \
                from None
        return parse_policy(data, where="draft")
    if shipped not in shipped_policies():
        raise InputError(f"no shipped policy {shipped!r}", details={"field": "shipped"})
    return load_policy(shipped)


def simulate_draft(rt: Runtime, draft: LoadedPolicy) -> SimulationReport:
    """Who in the book flips, and why, if ``draft`` replaced the live policy today."""
    live = rt.require_live()
    return simulate(live.snapshot, live=live.loaded, draft=draft, as_of=live.resolved.as_of,
                    engine=_RuntimeEngine(rt),
                    customers=[(o, e) for o, _n, e in customers(rt)])


def _snapshot_at(rt: Runtime, seq: int) -> Snapshot:
    with rt.engine.connect() as conn:
        row = conn.execute(select(snapshots.c.path, snapshots.c.id)
                           .where(snapshots.c.seq == seq)).first()
    if row is None:
        raise NotFoundError(f"no published snapshot #{seq}", details={"seq": seq})
    snap = open_snapshot(row.path)
    if snap.id != row.id:
        raise NotFoundError(f"snapshot #{seq} ({row.id}) is no longer at {row.path} (it "
                            f"holds {snap.id} now)", details={"seq": seq})
    return snap


def snapshot_diff(rt: Runtime, *, before: int, after: int) -> list[SnapshotChange]:
    """The book's organisations whose matched entity has another verdict on snapshot
    ``after`` than on ``before`` (publish sequence numbers), under the live policy."""
    live = rt.require_live()
    as_of = live.resolved.as_of
    old = rt.evaluate(_snapshot_at(rt, before), live.loaded, as_of)
    new = rt.evaluate(_snapshot_at(rt, after), live.loaded, as_of)
    out = []
    for org_id, name, entity in customers(rt):
        if not entity:
            continue
        a, b = old.get(entity), new.get(entity)
        va, vb = (a.verdict.value if a else None), (b.verdict.value if b else None)
        if va != vb:
            out.append(SnapshotChange(org_id, name, entity, va, vb))
    return out
