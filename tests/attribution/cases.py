"""Shared helpers: the worked cases' JSON mapped onto the library (README table of
/work/shared/cases), and small builders for records and settings."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from ringfence.attribution import AttributionResult, attribute, from_records
from ringfence.model import Entity, EntityType, Holding, HoldingKind, Share
from ringfence.model.share import parse_fraction
from ringfence.policy.schema import PolicySettings

FIXTURE = Path(__file__).parent.parent / "fixtures" / "ownership-visible.json"
AS_OF = dt.date(2025, 1, 1)
EXPECTED = {"restricted": "restricted", "not_restricted": "clear", "uncertain": "uncertain"}
INDIRECT = {"cascade": "cascade", "control": "control", "multiply": "look_through"}


def load_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(FIXTURE.read_text())
    return cases


def case_share(value: Any) -> Share:
    if isinstance(value, dict):
        return Share(parse_fraction(repr(value["min"])), parse_fraction(repr(value["max"])))
    return Share.exact(parse_fraction(repr(value)))


def case_settings(policy: dict[str, Any]) -> PolicySettings:
    return PolicySettings.model_validate({
        "restricted_regions": policy["restricted_countries"],
        "origin": {"companies": "headquarters", "states": True, "lists": ["*"],
                   "persons": policy.get("person_roots", "ignore")},
        "ownership": {"propagation": INDIRECT[policy["indirect"]],
                      "threshold": policy["threshold"], "inclusive": policy["inclusive"],
                      "aggregate": policy["aggregate"]},
    })


def run_case(case: dict[str, Any]) -> tuple[AttributionResult, dict[str, int]]:
    ents = [Entity(id=e["id"], type=EntityType(e["type"]), hq_country=e.get("hq_country", ""),
                   jurisdiction=e.get("jurisdiction", ""),
                   lists=("designated",) if e.get("listed") else ())
            for e in case["entities"]]
    holds = [Holding(h["owner"], h["owned"], HoldingKind(h.get("kind", "shares")),
                     case_share(h["share"])) for h in case["holdings"]]
    et, ht = from_records(ents, holds)
    return attribute(et, ht, case_settings(case["policy"]), AS_OF), et.index()
