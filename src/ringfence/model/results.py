"""What an engine answers, as typed values: verdicts, bounds and proofs.

The engine produces these, and render, the use cases (simulate, what-if), the service and
the CLI read them as objects. ``as_dict`` gives the JSON form; only the edges of the
program (the CLI's ``--json``, the HTTP responses) call it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from ringfence.model.records import Holding, HoldingKind, SourceRef
from ringfence.model.share import Share

__all__ = ["EntityVerdict", "Explanation", "HoldingChanges", "OriginReason", "PolicyStamp",
           "Proof", "ProofEdge", "ProofNode", "ProofPath", "ProofStep", "Verdict",
           "source_dict"]


class Verdict(StrEnum):
    """An entity's verdict under a policy. A ``str`` subclass: ``"clear" == Verdict.CLEAR``."""

    CLEAR = "clear"  # not restricted even at the upper bound
    UNCERTAIN = "uncertain"  # restricted at the upper bound only
    RESTRICTED = "restricted"  # restricted at the lower bound

    @property
    def severity(self) -> int:
        """0 clear, 1 uncertain, 2 restricted: a stricter policy never lowers it."""
        return _SEVERITY[self]


_SEVERITY = {Verdict.CLEAR: 0, Verdict.UNCERTAIN: 1, Verdict.RESTRICTED: 2}


@dataclass(frozen=True, slots=True)
class EntityVerdict:
    """One entity's verdict and its restricted share at the lower and upper bound."""

    entity: str
    verdict: Verdict
    lower: float
    upper: float

    def as_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "verdict": self.verdict.value, "lower": self.lower,
                "upper": self.upper}


@dataclass(frozen=True, slots=True)
class PolicyStamp:
    """Which policy a result was computed under: name, version label, content hash."""

    name: str
    version: str
    hash: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version, "hash": self.hash}


@dataclass(frozen=True, slots=True)
class OriginReason:
    """Why one entity is an origin: ``code`` is stable, ``text`` reads as a sentence."""

    code: str  # headquarters | jurisdiction | state | person | national | list |
    # unknown_owner | reporting_exception
    text: str
    certain: bool
    detail: str = ""  # reporting_exception: the GLEIF reason and what the policy did

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"code": self.code, "text": self.text,
                                  "certain": self.certain}
        if self.detail:
            out["detail"] = self.detail
        return out


def source_dict(source: SourceRef | None) -> dict[str, Any] | None:
    if source is None:
        return None
    return {"dataset": source.dataset, "record": source.record, "line": source.line,
            "note": source.note}


@dataclass(frozen=True, slots=True)
class ProofEdge:
    """One holding in a proof: ``owner`` holds ``share`` of ``owned``'s ``kind``.

    ``row`` is the holding's row in the snapshot and ``source`` its provenance (the engine
    fills it in); both are ``None`` for the part of an entity's equity no record holds
    (``unaccounted_equity: unknown``), whose owner is a virtual, unnamed party.
    """

    owner: str
    owned: str
    kind: HoldingKind
    share: Share
    valid_from: dt.date | None
    valid_to: dt.date | None
    row: int | None
    # range | uncertain_origin | unknown_owner | uncertain_owner (restricted only at the
    # upper bound) | unaccounted_equity
    uncertain: tuple[str, ...] = ()
    source: SourceRef | None = None

    @property
    def key(self) -> tuple[str, str, str, int | None]:
        return (self.owner, self.owned, self.kind.value, self.row)

    def with_source(self, source: SourceRef | None) -> ProofEdge:
        return replace(self, source=source)

    def as_dict(self) -> dict[str, Any]:
        return {
            "owner": self.owner, "owned": self.owned, "kind": self.kind.value,
            "share": self.share.as_dict(), "share_text": str(self.share),
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "row": self.row, "uncertain": list(self.uncertain),
            "source": source_dict(self.source),
        }


@dataclass(frozen=True, slots=True)
class ProofStep:
    """Why one entity is restricted at the bound: it is an origin (``reasons``), or the
    ``owners`` listed (restricted in earlier rounds) hold ``total`` of its ``channel``."""

    entity: str
    round: int
    channel: str  # origin | shares | votes
    total: float
    certain: bool  # restricted at the lower bound too
    reasons: tuple[OriginReason, ...] = ()
    owners: tuple[str, ...] = ()
    edges: tuple[ProofEdge, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity, "round": self.round, "channel": self.channel,
            "total": self.total, "certain": self.certain,
            "reasons": [r.as_dict() for r in self.reasons], "owners": list(self.owners),
            "edges": [e.as_dict() for e in self.edges],
        }


@dataclass(frozen=True, slots=True)
class ProofPath:
    """One origin-to-entity path and the product of its shares (look-through)."""

    product: float
    entities: tuple[str, ...]
    edges: tuple[ProofEdge, ...]
    reasons: tuple[OriginReason, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"product": self.product, "entities": list(self.entities),
                "edges": [e.as_dict() for e in self.edges],
                "origin_reasons": [r.as_dict() for r in self.reasons]}


@dataclass(frozen=True, slots=True)
class Proof:
    """Why entity ``entity`` has ``verdict``: the steps (cascade, control) or the heaviest
    paths (look-through) at the bound that decides it."""

    entity: str
    verdict: Verdict
    bound: str  # lower | upper
    propagation: str
    threshold: float
    inclusive: bool
    aggregate: bool
    value: float  # the restricted share at that bound
    witness: str | None = None  # aggregation off: the origin that alone restricts
    steps: tuple[ProofStep, ...] = ()
    paths: tuple[ProofPath, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def edges(self) -> list[ProofEdge]:
        """Every edge the proof names, in order of appearance."""
        return [e for s in self.steps for e in s.edges] + [
            e for p in self.paths for e in p.edges]

    def map_edges(self, fn: Any) -> Proof:
        """The same proof with ``fn`` applied to each edge (e.g. to attach sources)."""
        steps = tuple(replace(s, edges=tuple(fn(e) for e in s.edges)) for s in self.steps)
        paths = tuple(replace(p, edges=tuple(fn(e) for e in p.edges)) for p in self.paths)
        return replace(self, steps=steps, paths=paths)

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity, "verdict": self.verdict.value, "bound": self.bound,
            "propagation": self.propagation, "threshold": self.threshold,
            "inclusive": self.inclusive, "aggregate": self.aggregate, "value": self.value,
            "witness": self.witness, "steps": [s.as_dict() for s in self.steps],
            "paths": [p.as_dict() for p in self.paths], "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class ProofNode:
    """An entity a proof names, as a renderer draws it."""

    entity: str
    verdict: Verdict
    name: str = ""
    hq_country: str = ""
    jurisdiction: str = ""
    origin_reasons: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "verdict": self.verdict.value, "name": self.name,
                "hq_country": self.hq_country, "jurisdiction": self.jurisdiction,
                "origin_reasons": list(self.origin_reasons)}


@dataclass(frozen=True, slots=True)
class Explanation:
    """An entity's proof with what a reader needs around it: the snapshot, date and
    policy, the entity's bounds, and a graph view (each node once, each edge once, every
    edge with its source)."""

    snapshot: str
    as_of: dt.date
    policy: PolicyStamp
    proof: Proof
    lower: float
    upper: float
    nodes: tuple[ProofNode, ...]
    edges: tuple[ProofEdge, ...]

    @property
    def entity(self) -> str:
        return self.proof.entity

    @property
    def verdict(self) -> Verdict:
        return self.proof.verdict

    def node(self, entity: str) -> ProofNode | None:
        return next((n for n in self.nodes if n.entity == entity), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "snapshot": self.snapshot, "as_of": self.as_of.isoformat(),
            "policy": self.policy.as_dict(), **self.proof.as_dict(),
            "lower": self.lower, "upper": self.upper,
            "nodes": [n.as_dict() for n in self.nodes],
            "edges": [e.as_dict() for e in self.edges],
        }


@dataclass(frozen=True, slots=True)
class HoldingChanges:
    """Holdings to add (model records) and holdings to remove (their snapshot rows): the
    question "what if these holdings changed?" put to an engine."""

    added: Sequence[Holding] = ()
    removed: Sequence[int] = ()
