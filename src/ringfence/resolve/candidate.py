"""What the screening index holds of an entity, and what a search returns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ringfence.model import Entity
from ringfence.resolve.ids import ParsedId, parse_id
from ringfence.resolve.score import Comparison, Feature, Record

__all__ = ["Candidate", "EntityNames"]


@dataclass(frozen=True, slots=True)
class EntityNames:
    """What the index needs of one entity."""

    id: str
    names: tuple[str, ...]
    countries: frozenset[str] = frozenset()
    ids: tuple[ParsedId, ...] = ()
    # kind of each name, parallel to ``names`` (see ``Record.kinds``); empty: unknown
    kinds: tuple[str, ...] = ()

    @classmethod
    def with_kinds(
        cls,
        id: str,
        named: Iterable[tuple[str, str]],
        countries: frozenset[str] = frozenset(),
        ids: tuple[ParsedId, ...] = (),
    ) -> EntityNames:
        """From ``(name, kind)`` pairs, legal name first; a name recorded twice keeps its
        first kind, so a legal name that is also listed as an alias stays legal."""
        seen: dict[str, str] = {}
        for name, kind in named:
            if name and name not in seen:
                seen[name] = kind or "alias"
        return cls(id=id, names=tuple(seen), countries=countries, ids=ids,
                   kinds=tuple(seen.values()))

    @classmethod
    def from_entity(cls, entity: Entity) -> EntityNames:
        named = [(entity.name, "legal"), *((n.value, n.kind) for n in entity.names)]
        ids = []
        for ident in entity.identifiers:
            try:
                ids.append(parse_id(ident.scheme, ident.value))
            except Exception:  # an unknown scheme is kept out of matching, not fatal
                continue
        countries = frozenset(c.upper() for c in (entity.hq_country, entity.jurisdiction) if c)
        return cls.with_kinds(entity.id, named, countries, tuple(ids))

    def record(self) -> Record:
        return Record(names=self.names, countries=self.countries, ids=self.ids,
                      kinds=self.kinds)


@dataclass(frozen=True, slots=True)
class Candidate:
    entity_id: str
    name: str  # the entity's first (legal) name
    score: float
    match: bool
    explanation: tuple[Feature, ...]

    @classmethod
    def of(cls, entity: EntityNames, result: Comparison) -> Candidate:
        return cls(
            entity_id=entity.id,
            name=entity.names[0] if entity.names else "",
            score=result.score,
            match=result.match,
            explanation=result.explanation,
        )

    @property
    def disguise(self) -> tuple[Feature, ...]:
        """The ``normalised:*`` and ``token:confusable`` evidence on the query side: the
        declared name needed invisible characters removed or look-alike letters folded
        to match (see ``resolve.normalise``)."""
        return tuple(
            f
            for f in self.explanation
            if (f.feature.startswith("normalised:") and f.a) or f.feature == "token:confusable"
        )

    @property
    def matched_name(self) -> str:
        """Which name of the entity matched when it is not the legal name: "former name,
        until 2019-03-01: 'OLD NAME LTD'" (from the ``name_kind:`` evidence); "" for the
        legal name."""
        for f in self.explanation:
            if f.feature.startswith("name_kind:"):
                return f"{f.feature.removeprefix('name_kind:')}: {f.b!r}"
        return ""

    def disguise_evidence(self) -> list[dict[str, Any]]:
        return [f.as_dict() for f in self.disguise]
