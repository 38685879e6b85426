"""The review load of a verdict book: how many verdicts of each kind, and why every
uncertain one is uncertain, grouped by cause with examples.

An operator reads it before publishing a snapshot (``ringfence attribute DIR
--summary``); the service's publish report carries the same object
(:func:`review_summary` over any :class:`~ringfence.engines.base.VerdictBook`).

A verdict is uncertain because something is restricted at the upper bound only. Its
proof (at the upper bound) names what: origins that are only possible (an undisclosed
parent under ``reporting_exceptions``, an unnamed owner under ``unknown_ownership``, a
person under ``persons``/``nationals: uncertain``), share ranges that straddle the
threshold, or equity no record names. Each uncertain verdict's causes are that set;
verdicts with the same causes form one group.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from ringfence.engines.base import VerdictBook
from ringfence.model import OriginReason, Proof, Verdict

__all__ = ["CauseGroup", "ReviewSummary", "causes_of", "review_summary"]

_ORIGIN_CAUSE = {
    "unknown_owner": "owner not named (unknown_ownership: review)",
    "person": "person resident in a restricted region (origin.persons: uncertain)",
    "national": "national of a restricted region (origin.nationals: uncertain)",
}
_EDGE_CAUSE = {
    "range": "share range across the threshold",
    "unaccounted_equity": "equity no record names (unaccounted_equity: unknown)",
}

_OWNER_TAGS = frozenset({"unknown_owner", "uncertain_owner", "uncertain_origin"})


def _origin_cause(r: OriginReason) -> str:
    if r.code == "reporting_exception":
        category, _, reason = r.detail.partition(" ")
        return f"GLEIF reporting exception {reason} ({category} parent)"
    return _ORIGIN_CAUSE.get(r.code, f"possible origin: {r.code}")


def causes_of(proof: Proof) -> tuple[str, ...]:
    """Why an uncertain verdict is uncertain, read from its upper-bound proof."""
    found: set[str] = set()
    for step in proof.steps:
        if step.channel == "origin" and not step.certain:
            found.update(_origin_cause(r) for r in step.reasons if not r.certain)
    for path in proof.paths:
        found.update(_origin_cause(r) for r in path.reasons if not r.certain)
    for edge in proof.edges():
        if _OWNER_TAGS.isdisjoint(edge.uncertain):  # else the owner is the cause
            found.update(_EDGE_CAUSE[t] for t in edge.uncertain if t in _EDGE_CAUSE)
    return tuple(sorted(found)) or ("other (see the proof)",)


@dataclass
class CauseGroup:
    """Uncertain verdicts that share one set of causes."""

    causes: tuple[str, ...]
    count: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return " + ".join(self.causes)

    def as_dict(self) -> dict[str, Any]:
        return {"causes": list(self.causes), "count": self.count,
                "examples": list(self.examples)}


@dataclass
class ReviewSummary:
    """Verdict counts and the uncertain verdicts grouped by cause (largest first).
    ``owners_left_out``: entities that stand for unnamed owners, not counted."""

    snapshot: str
    policy: dict[str, str]
    as_of: str
    counts: dict[str, int]
    groups: list[CauseGroup]
    owners_left_out: int = 0

    def by_cause(self) -> dict[str, int]:
        """Uncertain verdicts per single cause (a verdict with two causes counts in
        both)."""
        out: dict[str, int] = {}
        for g in self.groups:
            for c in g.causes:
                out[c] = out.get(c, 0) + g.count
        return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))

    def as_dict(self) -> dict[str, Any]:
        return {"snapshot": self.snapshot, "policy": self.policy, "as_of": self.as_of,
                "counts": self.counts, "owners_left_out": self.owners_left_out,
                "by_cause": self.by_cause(), "groups": [g.as_dict() for g in self.groups]}

    def render(self, names: Mapping[str, str] | None = None) -> str:
        c = self.counts
        total = sum(c.values())
        lines = [f"review load on snapshot {self.snapshot} · policy {self.policy['name']} "
                 f"{self.policy['version']} · as of {self.as_of}",
                 f"{total} entities: {c['restricted']} restricted, {c['uncertain']} "
                 f"uncertain, {c['clear']} clear"
                 + (f" ({self.owners_left_out} unnamed owners left out)"
                    if self.owners_left_out else "")]
        if self.groups:
            lines.append("uncertain, by cause:")
        for g in self.groups:
            lines.append(f"  {g.count:>7}  {g.label}")
            ex = ", ".join(f"{e} ({names[e]})" if names and names.get(e) else e
                           for e in g.examples)
            lines.append(f"           e.g. {ex}")
        return "\n".join(lines)


def review_summary(book: VerdictBook, *, exclude: Collection[str] = (),
                   examples: int = 3,
                   progress: Callable[[int, int], None] | None = None) -> ReviewSummary:
    """The review load of ``book``: counts and every uncertain verdict's causes.
    ``exclude``: entity ids not counted (the unnamed owners themselves)."""
    counts = {v.value: 0 for v in (Verdict.RESTRICTED, Verdict.UNCERTAIN, Verdict.CLEAR)}
    uncertain: list[str] = []
    skipped = 0
    for v in book.items():
        if v.entity in exclude:
            skipped += 1
            continue
        counts[v.verdict.value] += 1
        if v.verdict is Verdict.UNCERTAIN:
            uncertain.append(v.entity)
    groups: dict[tuple[str, ...], CauseGroup] = {}
    for k, eid in enumerate(uncertain):
        causes = causes_of(book.explain(eid).proof)
        g = groups.setdefault(causes, CauseGroup(causes))
        g.count += 1
        if len(g.examples) < examples:
            g.examples.append(eid)
        if progress is not None:
            progress(k + 1, len(uncertain))
    header = book.header()
    return ReviewSummary(
        snapshot=book.snapshot_id, policy=dict(header.get("policy", {})),
        as_of=book.as_of.isoformat(), counts=counts,
        groups=sorted(groups.values(), key=lambda g: (-g.count, g.label)),
        owners_left_out=skipped)

