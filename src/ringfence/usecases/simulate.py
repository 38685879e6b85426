"""Simulate: a draft policy beside the live one, and every verdict that would flip.

This is what a compliance lead reads before switching: counts by direction, then each
entity (or customer) that flips with the reason in words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ringfence.engines.base import Engine, VerdictBook
from ringfence.model import EntityVerdict
from ringfence.policy import LoadedPolicy
from ringfence.policy.diff import diff_policies
from ringfence.snapshot import Snapshot

__all__ = ["Flip", "SimulationReport", "simulate"]


@dataclass
class Flip:
    entity: str
    name: str
    live: EntityVerdict
    draft: EntityVerdict
    reason: str
    customers: list[str] = field(default_factory=list)

    @property
    def direction(self) -> str:
        return f"{self.live.verdict} → {self.draft.verdict}"

    @property
    def stricter(self) -> bool:
        return self.draft.verdict.severity > self.live.verdict.severity

    def as_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "name": self.name, "live": self.live.as_dict(),
                "draft": self.draft.as_dict(), "direction": self.direction,
                "reason": self.reason, "customers": self.customers}


@dataclass
class SimulationReport:
    live: dict[str, str]
    draft: dict[str, str]
    as_of: dt.date
    snapshot: str
    setting_changes: list[str]
    population: int
    flips: list[Flip]
    unresolved_customers: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.flips:
            out[f.direction] = out.get(f.direction, 0) + 1
        return dict(sorted(out.items()))

    def as_dict(self) -> dict[str, Any]:
        return {"snapshot": self.snapshot, "as_of": self.as_of.isoformat(),
                "live": self.live, "draft": self.draft,
                "setting_changes": self.setting_changes, "population": self.population,
                "counts": self.counts(), "flips": [f.as_dict() for f in self.flips],
                "unresolved_customers": self.unresolved_customers}

    def render(self) -> str:
        lines = [
            f"simulate on snapshot {self.snapshot} as of {self.as_of}",
            f"  live:  {self.live['name']} ({self.live['version']})",
            f"  draft: {self.draft['name']} ({self.draft['version']})",
        ]
        if self.setting_changes:
            lines.append("settings that differ:")
            lines += [f"  • {c}" for c in self.setting_changes]
        lines.append(f"{len(self.flips)} of {self.population} would flip"
                     + (": " + ", ".join(f"{k}: {v}" for k, v in self.counts().items())
                        if self.flips else ""))
        for f in self.flips:
            who = f" (customers: {', '.join(f.customers)})" if f.customers else ""
            lines.append(f"  {f.direction:26} {f.entity} {f.name}{who}")
            lines.append(f"      {f.reason}")
        if self.unresolved_customers:
            lines.append("customers whose entity is not in the snapshot (not evaluated): "
                         + ", ".join(self.unresolved_customers))
        return "\n".join(lines)


def _share(v: EntityVerdict) -> str:
    return f"{v.lower:.1%}" if v.lower == v.upper else f"{v.lower:.1%}–{v.upper:.1%}"


def _owners(book: VerdictBook, entity: str) -> str:
    """The first-level owners in the proof of ``entity`` under ``book``'s policy, each
    with its share."""
    owners = [f"{e.owner} {e.share}" for e in book.explain(entity).edges
              if e.owned == entity][:4]
    return f" via {', '.join(owners)}" if owners else ""


def _reason(live_book: VerdictBook, draft_book: VerdictBook, lv: EntityVerdict,
            dv: EntityVerdict) -> str:
    ls, ds = live_book.policy.settings, draft_book.policy.settings
    lt = f"{'≥' if ls.ownership.inclusive else '>'}{float(ls.ownership.threshold):.0%}"
    dt_ = f"{'≥' if ds.ownership.inclusive else '>'}{float(ds.ownership.threshold):.0%}"
    draft_stricter = dv.verdict.severity > lv.verdict.severity
    stricter_side, held = (draft_book, dv) if draft_stricter else (live_book, lv)
    text = (f"restricted share {_share(lv)} against {lt} under live; {_share(dv)} against "
            f"{dt_} under draft")
    return text + _owners(stricter_side, held.entity)


def simulate(snapshot: Snapshot, *, live: LoadedPolicy, draft: LoadedPolicy,
             as_of: dt.date, engine: Engine,
             customers: list[tuple[str, str]] | None = None) -> SimulationReport:
    """Evaluate both policies on one snapshot and list every verdict that differs."""
    snap = snapshot
    live_book = engine.evaluate(snap, live, as_of)
    draft_book = engine.evaluate(snap, draft, as_of)
    table = snap.entities_table(["id", "name"])
    names = dict(zip(table.column("id").to_pylist(), table.column("name").to_pylist(),
                     strict=True))
    by_entity: dict[str, list[str]] = {}
    unresolved: list[str] = []
    if customers is not None:
        for customer, entity in customers:
            if entity and entity in names:
                by_entity.setdefault(entity, []).append(customer)
            else:
                unresolved.append(customer)
        population = len(customers)
        candidates = sorted(by_entity)
    else:
        population = len(live_book)
        candidates = [v.entity for v in live_book.items()]
    flips = []
    for entity in candidates:
        lv, dv = live_book[entity], draft_book[entity]
        if lv.verdict != dv.verdict:
            flips.append(Flip(entity, names.get(entity) or "", lv, dv,
                              _reason(live_book, draft_book, lv, dv),
                              by_entity.get(entity, [])))
    flips.sort(key=lambda f: (not f.stricter, f.direction, f.entity))
    changes = [c.words for c in diff_policies(live_book.policy, draft_book.policy)]
    return SimulationReport(
        live=live_book.policy.as_dict(), draft=draft_book.policy.as_dict(), as_of=as_of,
        snapshot=snap.id, setting_changes=changes, population=population, flips=flips,
        unresolved_customers=unresolved)
