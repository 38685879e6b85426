"""A publish's plan for the book (``service/publish.plan_book``), without a database: which
rows change, which status changes are announced, and the facts the new state gets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from ringfence.decide import OrgStatus
from ringfence.policy import load_policy, resolve
from ringfence.service.live import stored_match
from ringfence.service.publish import plan_book
from ringfence.service.rematch import Rescreened


@dataclass(frozen=True)
class _Verdict:
    entity: str
    verdict: str
    lower: float
    upper: float


class _Book:
    def __init__(self, verdicts: dict[str, str]) -> None:
        self.policy = resolve(load_policy("provider-terms"), dt.date(2026, 1, 1))
        self.snapshot_id = "snap-2"
        self._v = {e: _Verdict(e, v, 0.0, 1.0) for e, v in verdicts.items()}

    def get(self, entity_id: str) -> _Verdict | None:
        return self._v.get(entity_id)

    def explain(self, entity_id: str) -> dict[str, Any]:
        return {}


def _row(org_id: str, entity: str | None, *, verdict: str | None, status: str,
         override: dict[str, Any] | None = None, country: str = "US") -> Any:
    match = {"entity_id": entity, "score": 1.0, "confident": True} if entity else None
    return SimpleNamespace(id=org_id, name=f"Org {org_id}", entity_id=entity, match=match,
                           country=country, billing_country=None, verdict=verdict, status=status,
                           computed_status=status, computed_reasons=[], override=override,
                           review_due=None, dismissed=None, identifiers=[])


def _same(rows: list[Any]) -> dict[str, Rescreened]:
    """Each row re-matched to the entity it already has."""
    return {r.id: Rescreened(stored_match(r.match) if r.match else None, (), ()) for r in rows}


def test_plan_announces_changes_and_requeues_overrides() -> None:
    book: Any = _Book({"e_clear": "clear", "e_now_restricted": "restricted",
                       "e_still_uncertain": "uncertain"})
    rows = [
        _row("o1", "e_clear", verdict="clear", status="allowed"),
        _row("o2", "e_now_restricted", verdict="uncertain", status="allowed",
             override={"status": "allowed", "verdict": "uncertain"}),
        _row("o3", "e_still_uncertain", verdict="uncertain", status="allowed",
             override={"status": "allowed", "verdict": "uncertain"}),
        _row("o4", None, verdict=None, status="allowed"),
    ]
    plan = plan_book(rows, book, rescreened=_same(rows), snapshot_id="snap-2", ts="t")
    assert plan.organizations == 4
    # o2's override was made against "uncertain": the verdict moved; the override stays in
    # force (no status change) and o2 is back in the review queue
    assert plan.changed == []
    facts = {f.org_id: f for f in plan.facts}
    assert facts["o2"].status is OrgStatus.ALLOWED
    assert facts["o3"].status is OrgStatus.ALLOWED  # the override still holds
    assert "analyst_override" in facts["o3"].status_reasons
    assert facts["o4"].status is OrgStatus.ALLOWED  # no match
    rows_by_id = {r["b_id"]: r for r in plan.rows}
    assert rows_by_id["o2"]["override"] == {"status": "allowed", "verdict": "uncertain"}
    assert rows_by_id["o2"]["computed_status"] == "denied"
    assert rows_by_id["o2"]["review_due"]["reason"] == "override_verdict_changed"
    assert rows_by_id["o2"]["review_due"]["verdict_to"] == "restricted"
    assert rows_by_id["o3"]["review_due"] is None
    assert plan.rematch["requeued"] == 1 and plan.rematch["rescreened"] == 4
    assert all(r["snapshot_id"] == "snap-2" for r in plan.rows)


def test_an_unchanged_book_writes_nothing() -> None:
    book: Any = _Book({"e_clear": "clear"})
    rows = [_row("o1", "e_clear", verdict="clear", status="allowed")]
    first = plan_book(rows, book, rescreened=_same(rows), snapshot_id="s", ts="t")
    written = first.rows[0]  # its reasons are new: written once
    again = SimpleNamespace(**{**vars(_row("o1", "e_clear", verdict="clear",
                                             status="allowed")),
                               "computed_reasons": written["computed_reasons"]})
    second = plan_book([again], book, rescreened=_same(rows), snapshot_id="s", ts="t")
    assert second.rows == [] and second.changed == []
    assert [f.status for f in second.facts] == [OrgStatus.ALLOWED]


def test_a_stored_lead_keeps_within_and_its_alternatives() -> None:
    # a name_within lead as the book stores it (match_json) and reads it back: still a
    # lead, with the other entities whose names are inside the declaration, so that a
    # clear lead beside a restricted name is not reassessed as "no match, allowed"
    from ringfence.decide.onboarding import Match, onboarding_status
    from ringfence.service.rematch import match_json

    lead = Match("orv", 0.58, False, explanation={"method": "name_within", "features": []},
                 alternatives=(("tarq", 0.27),))
    back = stored_match(match_json(lead) or {})
    assert back == lead and back.within
    status, _ = onboarding_status(match=back, verdict="clear")
    assert status == OrgStatus.REVIEW
