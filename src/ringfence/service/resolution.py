"""Resolving a declared organisation to a snapshot entity: the seam to ``ringfence.resolve``.

:class:`ExactResolver` is the built-in fallback: an exact identifier match (scheme and
value, normalised) is confident; an exact normalised-name match to a single entity is
confident when the declared country agrees with the entity's headquarters or registration
(or none was declared), and ambiguous otherwise; several entities with the name are
ambiguous. :func:`make_resolver` uses the screening package's resolver when it offers one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ringfence.decide import Match
from ringfence.snapshot import Snapshot

__all__ = ["Declaration", "ExactResolver", "Resolver", "make_resolver", "normalise_name"]


@dataclass(frozen=True)
class Declaration:
    name: str
    country: str | None = None
    identifiers: Sequence[tuple[str, str]] = ()
    domains: Sequence[str] = ()
    extra: dict[str, str] = field(default_factory=dict)


class Resolver(Protocol):
    def resolve(self, declaration: Declaration) -> Match | None: ...


_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def normalise_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(_PUNCT.sub(" ", text).split())


def _norm_id(value: str) -> str:
    return re.sub(r"[\s\-./]", "", value).upper()


class ExactResolver:
    def __init__(self, snapshot: Snapshot) -> None:
        ents = snapshot.entities_table(["id", "name", "hq_country", "jurisdiction"]).to_pylist()
        self._countries = {e["id"]: {e["hq_country"] or "", e["jurisdiction"] or ""}
                           for e in ents}
        self._by_name: dict[str, set[str]] = {}
        for e in ents:
            if e["name"]:
                self._by_name.setdefault(normalise_name(e["name"]), set()).add(e["id"])
        for n in snapshot.names_table().to_pylist():
            value = n.get("name") or n.get("value") or ""
            entity = n.get("entity") or n.get("entity_id") or ""
            if value and entity:
                self._by_name.setdefault(normalise_name(value), set()).add(entity)
        self._by_id: dict[tuple[str, str], str] = {}
        for i in snapshot.identifiers_table().to_pylist():
            entity = i.get("entity") or i.get("entity_id") or ""
            if entity:
                self._by_id[(str(i["scheme"]).lower(), _norm_id(str(i["value"])))] = entity

    def names_equal(self, name: str) -> set[str]:
        """Entities with a name equal to ``name`` once normalised."""
        return set(self._by_name.get(normalise_name(name), ()))

    def resolve(self, declaration: Declaration) -> Match | None:
        for scheme, value in declaration.identifiers:
            hit = self._by_id.get((scheme.lower(), _norm_id(value)))
            if hit is not None:
                return Match(hit, 1.0, confident=True,
                             explanation={"method": "identifier", "scheme": scheme.lower(),
                                          "value": value})
        hits = sorted(self._by_name.get(normalise_name(declaration.name), ()))
        if not hits:
            return None
        country = (declaration.country or "").upper()
        if len(hits) == 1:
            ok = not country or country in self._countries.get(hits[0], set())
            return Match(hits[0], 0.9 if ok else 0.6, confident=ok,
                         explanation={"method": "exact_name", "country_agrees": ok})
        agree = [h for h in hits if country and country in self._countries.get(h, set())]
        best = agree[0] if len(agree) == 1 else hits[0]
        return Match(best, 0.9 if len(agree) == 1 else 0.5, confident=len(agree) == 1,
                     explanation={"method": "exact_name", "candidates": hits},
                     alternatives=tuple((h, 0.5) for h in hits if h != best))


class ScreeningResolver:
    """``ringfence.resolve``'s screening index: multi-script names, validated identifiers,
    scores with explanations. An exact identifier match still wins outright."""

    def __init__(self, snapshot: Snapshot, *, margin: float = 0.05) -> None:
        from ringfence.engines.screening import screening_index

        self._exact = ExactResolver(snapshot)
        self._margin = margin
        # saved beside the snapshot and shared with `ringfence screen`: a restart or a
        # second worker loads it instead of building it again
        self._index = screening_index(snapshot)

    def resolve(self, declaration: Declaration) -> Match | None:
        exact = self._exact.resolve(Declaration(name="\x00", identifiers=declaration.identifiers))
        if exact is not None:
            return exact
        from ringfence.resolve import Record, parse_id

        parsed = []
        for scheme, value in declaration.identifiers:
            try:
                parsed.append(parse_id(scheme, value))
            except Exception:  # a malformed identifier is simply not evidence
                continue
        query = Record.of(declaration.name, country=declaration.country, ids=parsed)
        found = self._index.search(query, limit=5)
        matches = [c for c in found if c.match]
        if not matches:
            return None
        top = matches[0]
        rivals = [c for c in matches[1:] if top.score - c.score < self._margin]
        if rivals:  # a tie the exact spelling settles (TikTok Inc. vs TikTok LLC)
            equal = self._exact.names_equal(declaration.name)
            tied = [c for c in (top, *rivals) if c.entity_id in equal]
            if len(tied) == 1:
                top = tied[0]
                rivals = []
                matches = [top, *(c for c in matches if c is not top)]
        return Match(top.entity_id, round(top.score, 4), confident=not rivals,
                     explanation={"method": "screening", "name": top.name,
                                  "features": [f.as_dict() for f in top.explanation]},
                     alternatives=tuple((c.entity_id, round(c.score, 4))
                                        for c in matches[1:]))


def make_resolver(snapshot: Snapshot) -> Resolver:
    """The screening package's resolver; :class:`ExactResolver` if it cannot be built."""
    try:
        return ScreeningResolver(snapshot)
    except ImportError:
        return ExactResolver(snapshot)
