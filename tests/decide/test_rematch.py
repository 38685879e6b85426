"""The re-match rules (``decide/rematch.py``): how a match moved, what an override and a
dismissed candidate become, and which dismissals are refused."""

from __future__ import annotations

import pytest

from ringfence.decide import Match
from ringfence.decide.rematch import (
    MatchChange,
    ReviewDue,
    check_dismissal,
    held_dismissals,
    match_change,
    override_review_due,
    reopened_review_due,
)
from ringfence.exc import ConflictError, InputError

A, B = Match("a", 0.95, True), Match("b", 0.95, True)


def test_match_change_reads_the_entity_and_the_confidence_not_the_score() -> None:
    assert match_change(None, None) is MatchChange.SAME
    assert match_change(None, A) is MatchChange.NEW
    assert match_change(A, None) is MatchChange.LOST
    assert match_change(A, B) is MatchChange.CHANGED
    assert match_change(A, Match("a", 0.95, False)) is MatchChange.CHANGED
    assert match_change(A, Match("a", 0.91, True)) is MatchChange.SAME


def test_an_override_is_due_for_review_when_its_entity_or_verdict_moved() -> None:
    ov = {"status": "allowed", "entity_id": "a", "verdict": "clear"}
    same = MatchChange.SAME
    assert override_review_due(None, entity_id="a", verdict="restricted", change=same) is None
    assert override_review_due(ov, entity_id="a", verdict="clear", change=same) is None
    assert override_review_due(ov, entity_id="a", verdict="restricted",
                               change=same) is ReviewDue.VERDICT_CHANGED
    assert override_review_due(ov, entity_id="b", verdict="clear",
                               change=same) is ReviewDue.MATCH_CHANGED
    assert override_review_due({"status": "review", "verdict": None}, entity_id="a",
                               verdict=None, change=MatchChange.NEW) is ReviewDue.MATCH_CHANGED


def test_a_dismissal_holds_while_the_candidate_data_is_what_the_analyst_saw() -> None:
    prints = {"a": "fp-a", "b": "fp-b-new"}
    dismissed = [{"entity_id": "a", "fingerprint": "fp-a"},
                 {"entity_id": "b", "fingerprint": "fp-b-old"},
                 {"entity_id": "gone", "fingerprint": "fp-x"}]
    held, ended = held_dismissals(dismissed, prints.get)
    assert [d["entity_id"] for d in held] == ["a", "gone"]  # unchanged, or not in the snapshot
    assert [d["entity_id"] for d in ended] == ["b"]
    assert reopened_review_due(ended, B) is ReviewDue.CANDIDATE_CHANGED
    assert reopened_review_due(ended, A) is None and reopened_review_due(ended, None) is None


def test_dismissals_need_a_reason_a_candidate_and_no_denial() -> None:
    ok = {"org_id": "o", "status": "allowed", "entity_id": "a", "candidates": ["a", "b"],
          "reason": "Another company."}
    check_dismissal(**ok)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        check_dismissal(**{**ok, "reason": "  "})  # type: ignore[arg-type]
    with pytest.raises(ConflictError):
        check_dismissal(**{**ok, "entity_id": "c"})  # type: ignore[arg-type]
    with pytest.raises(ConflictError, match="four eyes"):
        check_dismissal(**{**ok, "status": "denied"})  # type: ignore[arg-type]
