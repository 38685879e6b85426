"""A listed party and a registry entity that are the same organisation, found by the
screening resolver (after identifiers, which the merge tries first).

Only organisations (companies, state bodies) are matched, never persons, vessels or
aircraft; a match needs the resolver's ``match`` at :data:`THRESHOLD` or above on a
whole name (not a partial-name match), no
second candidate at that level (an ambiguous name merges nothing) and no disagreement
on country when both sides state one. Each merge comes back with the resolver's
explanation, which the merge writes to the snapshot's notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ringfence.resolve import EntityNames, Record, ScreeningIndex

__all__ = ["THRESHOLD", "Side", "match_listed"]

THRESHOLD = 0.92
MAX_NAMES = 4

Side = tuple[str, tuple[str, ...], frozenset[str]]
"""(entity key, names, countries)"""


def match_listed(listed: Iterable[Side], registry: Iterable[Side], *,
                 threshold: float = THRESHOLD) -> list[tuple[str, str, float, str]]:
    """(listed key, registry key, score, explanation) for every confident match."""
    reg = [EntityNames(id=k, names=n, countries=c) for k, n, c in registry if n]
    if not reg:
        return []
    # a cheap first pass: only a listed party sharing a distinctive word with some
    # registry name is worth the resolver's full comparison
    vocab = {w for e in reg for n in e.names for w in _words(n)}
    index = ScreeningIndex.build(reg)
    by_id = {e.id: e for e in reg}
    out: list[tuple[str, str, float, str]] = []
    for key, names, countries in listed:
        if not names or not any(w in vocab for n in names[:MAX_NAMES] for w in _words(n)):
            continue
        # the primary name and the first aliases: a bank with 30 transliterated aliases
        # would otherwise cost 30 full comparisons per candidate
        found = index.search(Record(names=names[:MAX_NAMES], countries=countries), limit=2,
                             threshold=threshold)
        good = [c for c in found if c.match and c.score >= threshold]
        if len(good) != 1:
            continue
        best = good[0]
        # a whole name must match at the threshold: a partial-name match ("HARA COMPANY"
        # for "Hara Capital S.à r.l.") is a screening lead, not an identity
        if not any(f.feature == "name" and f.score >= threshold for f in best.explanation):
            continue
        other = by_id[best.entity_id].countries
        if countries and other and not (countries & other):
            continue
        why = "; ".join(f"{f.feature} {f.a!r}~{f.b!r} {f.score:.2f}"
                        for f in best.explanation[:6])
        out.append((key, best.entity_id, best.score, why))
    return out


_GENERIC = frozenset({"company", "limited", "group", "joint", "stock", "public", "open",
                      "closed", "bank", "holding", "holdings", "corporation", "international",
                      "trading", "industrial", "industry", "national", "investment", "the",
                      "and", "llc", "ltd", "co", "jsc", "pjsc", "oao", "zao", "ooo", "inc"})


def _words(name: str) -> set[str]:
    return {w for w in re.findall(r"\w+", name.casefold())
            if len(w) >= 3 and w not in _GENERIC} | (
        {name} if not name.isascii() else set())
