"""The five shipped regimes side by side on the structures where they disagree.

The owner X is headquartered in China *and* on every regime's list, so each regime has
the same origin and only its ownership rules differ.

| structure                         | provider-terms | ofac-50 | bis-affiliates | eu    | uk    |
|-----------------------------------|----------------|---------|----------------|-------|-------|
| exactly 50%                       | clear          | restr.  | restr.         | restr.| clear |
| 30% + 25% from two owners         | restr.         | restr.  | restr.         | restr.| clear |
| 20% of equity, 80% of the votes   | restr.         | clear   | clear          | restr.| restr.|
| six-link chain of 60% stakes      | restr.         | restr.  | restr.         | restr.| restr.|
"""

from __future__ import annotations

import datetime as dt

import pytest

from ringfence.attribution import attribute, from_records
from ringfence.model import Entity, EntityType, Holding, HoldingKind, Share
from ringfence.policy import load_policy, resolve

LISTS = ("SDN", "ENTITY_LIST", "EU_CONSOLIDATED", "UK_SANCTIONS")
REGIMES = ("provider-terms", "ofac-50", "bis-affiliates", "eu", "uk")
AS_OF = dt.date(2026, 11, 28)  # every regime in force (BIS suspension over on 2026-11-10)


def company(eid: str, hq: str = "DE", lists: tuple[str, ...] = ()) -> Entity:
    return Entity(eid, EntityType.COMPANY, hq_country=hq, jurisdiction=hq, lists=lists)


def owner(eid: str) -> Entity:
    return company(eid, "CN", LISTS)


def hold(a: str, b: str, share: str, kind: HoldingKind = HoldingKind.SHARES) -> Holding:
    return Holding(a, b, kind, Share.of(share))


STRUCTURES: dict[str, tuple[list[Entity], list[Holding]]] = {
    "exactly 50%": ([owner("X"), company("O"), company("T")],
                    [hold("X", "T", "0.5"), hold("O", "T", "0.5")]),
    "two minorities": ([owner("X1"), owner("X2"), company("O"), company("T")],
                       [hold("X1", "T", "0.3"), hold("X2", "T", "0.25"),
                        hold("O", "T", "0.45")]),
    "votes without equity": (
        [owner("X"), company("O"), company("T")],
        [hold("X", "T", "0.2"), hold("O", "T", "0.8"),
         hold("X", "T", "0.8", HoldingKind.VOTES), hold("O", "T", "0.2", HoldingKind.VOTES)]),
    "six-link chain of 60%": (
        [owner("X"), company("O")] + [company(f"A{i}") for i in range(1, 7)],
        [hold("X", "A1", "0.6")] + [hold(f"A{i}", f"A{i + 1}", "0.6") for i in range(1, 6)]
        + [hold("O", f"A{i}", "0.4") for i in range(1, 7)]),
}
TARGET = {"exactly 50%": "T", "two minorities": "T", "votes without equity": "T",
          "six-link chain of 60%": "A6"}
EXPECTED = {
    "exactly 50%": ("clear", "restricted", "restricted", "restricted", "clear"),
    "two minorities": ("restricted", "restricted", "restricted", "restricted", "clear"),
    "votes without equity": ("restricted", "clear", "clear", "restricted", "restricted"),
    "six-link chain of 60%": ("restricted",) * 5,
}


def verdict(structure: str, regime: str, as_of: dt.date = AS_OF) -> str:
    entities, holdings = STRUCTURES[structure]
    ents, holds = from_records(entities, holdings)
    settings = resolve(load_policy(regime), as_of).settings
    result = attribute(ents, holds, settings, as_of)
    return result.verdicts()[ents.index()[TARGET[structure]]]


@pytest.mark.parametrize("structure", list(STRUCTURES))
def test_regimes_side_by_side(structure: str) -> None:
    got = tuple(verdict(structure, r) for r in REGIMES)
    assert got == EXPECTED[structure], dict(zip(REGIMES, got, strict=True))


def test_eu_counted_exactly_half_only_from_july_2024() -> None:
    assert verdict("exactly 50%", "eu", dt.date(2024, 7, 2)) == "clear"
    assert verdict("exactly 50%", "eu", dt.date(2024, 7, 3)) == "restricted"


def test_bis_affiliates_restricts_nothing_while_suspended() -> None:
    assert verdict("two minorities", "bis-affiliates", dt.date(2025, 9, 28)) == "clear"
    assert verdict("two minorities", "bis-affiliates", dt.date(2025, 10, 1)) == "restricted"
    assert verdict("two minorities", "bis-affiliates", dt.date(2026, 6, 1)) == "clear"
    assert verdict("two minorities", "bis-affiliates", dt.date(2026, 11, 10)) == "restricted"
