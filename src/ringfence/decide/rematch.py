"""What re-matching an organisation at publish means, as pure rules.

A publish screens every organisation's declared name and identifiers again, against the
new snapshot (``service/rematch.py`` does it in bulk). These rules read the old and the new
match and say what follows; they touch no database.

=============================  ==================================  ========================
situation                      rule                                 outcome
=============================  ==================================  ========================
match                          same entity, same confidence         ``same``
                               none before, one now                 ``new_match``
                               another entity, or the confidence    ``changed_match``
                               moved
                               one before, none now                 ``lost_match``
analyst override               its basis (the entity and verdict    stays in force, back in
                               it was made against) changed         the review queue
                                                                    (``review_due``)
dismissed candidate            the entity's screening data (names,  stays dismissed: the
                               kinds, countries, identifiers) is    match is looked for
                               what the analyst saw                 without it
                               that data changed                    dismissal ends; when the
                                                                    entity is matched again
                                                                    the organisation is
                                                                    back in the queue
                               the entity is not in the snapshot    stays dismissed
dismissing a candidate         no written reason                    refused
                               the organisation is denied           refused: lifting a
                                                                    denial takes an override
                                                                    (four eyes)
=============================  ==================================  ========================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import Any

from ringfence.decide.onboarding import Match
from ringfence.decide.rules import OrgStatus
from ringfence.exc import ConflictError, InputError

__all__ = ["MatchChange", "ReviewDue", "check_dismissal", "held_dismissals", "match_change",
           "override_review_due", "reopened_review_due"]


class MatchChange(StrEnum):
    SAME = "same"
    NEW = "new_match"
    CHANGED = "changed_match"
    LOST = "lost_match"


class ReviewDue(StrEnum):
    """Why an organisation is back in the analysts' queue after a publish."""

    MATCH_CHANGED = "override_match_changed"
    VERDICT_CHANGED = "override_verdict_changed"
    CANDIDATE_CHANGED = "dismissed_candidate_changed"


def match_change(old: Match | None, new: Match | None) -> MatchChange:
    """How the new match differs from the one the book holds (scores that move with the
    snapshot's word frequencies are not a change; the entity and the confidence are)."""
    if old is None:
        return MatchChange.SAME if new is None else MatchChange.NEW
    if new is None:
        return MatchChange.LOST
    if old.entity_id != new.entity_id or old.confident != new.confident:
        return MatchChange.CHANGED
    return MatchChange.SAME


def override_review_due(override: Mapping[str, Any] | None, *, entity_id: str | None,
                        verdict: str | None, change: MatchChange) -> ReviewDue | None:
    """An override's basis is the entity and the verdict it was made against. When either
    changed (a new match, a new verdict) the override stays in force and the organisation
    goes back to the queue; None while the basis holds (or there is no override)."""
    if not override:
        return None
    basis_entity = override.get("entity_id", entity_id)  # older overrides name no entity
    if change is not MatchChange.SAME or basis_entity != entity_id:
        return ReviewDue.MATCH_CHANGED
    if override.get("verdict") != verdict:
        return ReviewDue.VERDICT_CHANGED
    return None


def held_dismissals(dismissed: Sequence[Mapping[str, Any]],
                    fingerprint_of: Callable[[str], str | None]
                    ) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """(dismissals still in force, dismissals ended because the candidate's data changed).
    ``fingerprint_of`` gives an entity's screening data fingerprint in the new snapshot,
    None when the entity is not in it (nothing to match: the dismissal stays)."""
    held: list[Mapping[str, Any]] = []
    ended: list[Mapping[str, Any]] = []
    for d in dismissed:
        now = fingerprint_of(str(d["entity_id"]))
        (held if now is None or now == d.get("fingerprint") else ended).append(d)
    return held, ended


def reopened_review_due(ended: Sequence[Mapping[str, Any]],
                        match: Match | None) -> ReviewDue | None:
    """A dismissal ended and its candidate is the match again: an analyst looks again."""
    if match is not None and any(d["entity_id"] == match.entity_id for d in ended):
        return ReviewDue.CANDIDATE_CHANGED
    return None


def check_dismissal(*, org_id: str, status: str, entity_id: str,
                    candidates: Sequence[str], reason: str) -> None:
    """Refuse a dismissal without a written reason, of an entity that is not a candidate of
    the organisation, or of a denied organisation's candidate (lifting a denial is an
    override, which takes a second analyst)."""
    if not reason.strip():
        raise InputError("dismissing a candidate needs a written reason",
                         details={"field": "reason"})
    if entity_id not in candidates:
        raise ConflictError(f"{entity_id!r} is not a candidate of organization {org_id}",
                            details={"field": "entity_id", "candidates": list(candidates)})
    if status == OrgStatus.DENIED:
        raise ConflictError("organization is denied: lifting a denial takes an override "
                            "(four eyes), not a dismissal",
                            details={"org_id": org_id, "status": status})
