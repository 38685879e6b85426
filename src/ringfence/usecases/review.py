"""The review load of a verdict book: how many verdicts of each kind, and why every
uncertain one is uncertain, grouped by cause with examples.

An operator reads it before publishing a snapshot (``ringfence attribute DIR
--summary``); the service can put the same object in its publish report
(:func:`snapshot_review` over a snapshot and any
:class:`~ringfence.engines.base.VerdictBook`).

A verdict is uncertain because something is restricted at the upper bound only. Its
proof (at the upper bound) names what: origins that are only possible (an undisclosed
parent under ``reporting_exceptions``, an unnamed owner under ``unknown_ownership``, a
person under ``persons``/``nationals: uncertain``), share ranges that straddle the
threshold, or equity no record names. The book gives every uncertain verdict's causes
in one pass (:meth:`~ringfence.engines.base.VerdictBook.uncertain_causes`: every
possible-only origin upstream); verdicts with the same causes form one group.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from ringfence.attribution.causes import EQUITY, RANGE, cause_of_reason
from ringfence.engines.base import VerdictBook
from ringfence.model import Proof, Verdict
from ringfence.model.exceptions import parse_undisclosed
from ringfence.snapshot import Snapshot

__all__ = ["CauseGroup", "ReviewSummary", "causes_of", "review_summary", "snapshot_review",
           "unnamed_owners"]

_OWNER_TAGS = frozenset({"unknown_owner", "uncertain_owner", "uncertain_origin"})


def causes_of(proof: Proof) -> tuple[str, ...]:
    """Why an uncertain verdict is uncertain, read from its upper-bound proof (the causes
    the proof names; :meth:`VerdictBook.uncertain_causes` gives every cause upstream)."""
    found: set[str] = set()
    for step in proof.steps:
        if step.channel == "origin" and not step.certain:
            found.update(cause_of_reason(r) for r in step.reasons if not r.certain)
    for path in proof.paths:
        found.update(cause_of_reason(r) for r in path.reasons if not r.certain)
    for edge in proof.edges():
        if _OWNER_TAGS.isdisjoint(edge.uncertain):  # else the owner is the cause
            if "range" in edge.uncertain:
                found.add(RANGE)
            if "unaccounted_equity" in edge.uncertain:
                found.add(EQUITY)
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
                   examples: int = 3) -> ReviewSummary:
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
    all_causes = book.uncertain_causes()
    for eid in uncertain:
        causes = all_causes.get(eid) or causes_of(book.explain(eid).proof)
        g = groups.setdefault(causes, CauseGroup(causes))
        g.count += 1
        if len(g.examples) < examples:
            g.examples.append(eid)
    header = book.header()
    return ReviewSummary(
        snapshot=book.snapshot_id, policy=dict(header.get("policy", {})),
        as_of=book.as_of.isoformat(), counts=counts,
        groups=sorted(groups.values(), key=lambda g: (-g.count, g.label)),
        owners_left_out=skipped)



def unnamed_owners(snapshot: Snapshot) -> set[str]:
    """Entities that stand for owners a source does not name: type ``unknown``, and the
    unnamed persons of a NATURAL_PERSONS reporting exception. Not customers: a summary
    leaves them out."""
    table = snapshot.entities_table(["id", "type"])
    return {eid for eid, t in zip(table.column("id").to_pylist(),
                                  table.column("type").to_pylist(), strict=True)
            if t == "unknown" or (t == "person" and parse_undisclosed(eid) is not None)}


def snapshot_review(snapshot: Snapshot, book: VerdictBook, *,
                    examples: int = 3) -> ReviewSummary:
    """:func:`review_summary` of a book on ``snapshot``, its unnamed owners left out (what
    ``ringfence attribute --summary`` prints and what a publish report can carry)."""
    return review_summary(book, exclude=unnamed_owners(snapshot), examples=examples)
