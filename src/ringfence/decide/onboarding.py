"""Onboarding: a declared organisation's status from its match and its entity's verdict.

A total table, most severe factor wins, every factor gives its reason:

=========================  ============================  ===========================
factor                     input                         status (reason code)
=========================  ============================  ===========================
policy                     not in force on the date      allowed (``policy_disabled``)
declared country           in a restricted region        denied
                                                         (``declared_country_restricted``)
declared name              needed disguise-folding       review (``name_disguised``)
match                      none                          allowed (``no_match``)
                           only the entity's whole name  review (``name_within``), or
                           inside the declared one       allowed (``no_match``) when
                                                         the entity's verdict is clear
                                                         and no other entity's whole
                                                         name is inside it too
                           weak or ambiguous             review (``ambiguous_match``)
verdict of the match       restricted                    denied (``entity_restricted``)
                           uncertain, or not computed    review (``entity_uncertain``)
                           clear                         allowed (``entity_clear``)
=========================  ============================  ===========================
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ringfence.decide.reasons import Outcome, Reason, ReasonCode, make_reason
from ringfence.decide.rules import OrgStatus

__all__ = ["Match", "onboarding_status"]

_OUTCOME_STATUS = {Outcome.ALLOW: OrgStatus.ALLOWED, Outcome.REVIEW: OrgStatus.REVIEW,
                   Outcome.DENY: OrgStatus.DENIED}


@dataclass(frozen=True)
class Match:
    """The resolver's pick for a declaration: entity, score in [0, 1], and why."""

    entity_id: str
    score: float
    confident: bool
    explanation: dict[str, Any] = field(default_factory=dict)
    alternatives: tuple[tuple[str, float], ...] = ()

    @property
    def within(self) -> bool:
        """Not a match but a lead: the declared name holds this entity's whole name and
        words of its own ("X Shipping Ltd" for X; ``resolve.within``)."""
        return self.explanation.get("method") == "name_within"


def onboarding_status(
    *,
    match: Match | None,
    verdict: str | None,
    verdict_bounds: tuple[float, float] | None = None,
    declared_countries: Sequence[str] = (),
    restricted_regions: Sequence[str] = (),
    policy_enabled: bool = True,
    name_disguise: Mapping[str, Any] | None = None,
) -> tuple[OrgStatus, tuple[Reason, ...]]:
    """``name_disguise``: what normalisation undid in the declared name (invisible, control
    or look-alike characters), when it undid any; the evidence of ``name_disguised``."""
    if not policy_enabled:
        return OrgStatus.ALLOWED, (make_reason(ReasonCode.POLICY_DISABLED, Outcome.ALLOW),)
    reasons: list[Reason] = []
    regions = {r.upper() for r in restricted_regions}
    bad = sorted({c.upper() for c in declared_countries if c and c.upper() in regions})
    if bad:
        reasons.append(make_reason(ReasonCode.DECLARED_COUNTRY_RESTRICTED, Outcome.DENY,
                                   countries=bad))
    if name_disguise:
        reasons.append(make_reason(ReasonCode.NAME_DISGUISED, Outcome.REVIEW, **name_disguise))
    if match is None:
        reasons.append(make_reason(ReasonCode.NO_MATCH, Outcome.ALLOW))
    elif match.within:
        # a branch, an affiliate or a reuse of the name: only the entity's verdict says
        # whether it matters, and anything but clear is an analyst's to weigh. Other
        # entities' whole names in it too (``alternatives``, whose verdicts are not
        # known here): an analyst's as well, else a clear company's name written beside
        # a restricted one's would turn its review into "no match, allowed"
        if verdict == "clear" and not match.alternatives:
            reasons.append(make_reason(ReasonCode.NO_MATCH, Outcome.ALLOW,
                                       nearest=match.entity_id, nearest_verdict=verdict))
        else:
            reasons.append(make_reason(
                ReasonCode.NAME_WITHIN, Outcome.REVIEW, entity_id=match.entity_id,
                score=match.score, verdict=verdict,
                **({"alternatives": [list(a) for a in match.alternatives]}
                   if match.alternatives else {})))
    elif not match.confident:
        reasons.append(make_reason(
            ReasonCode.AMBIGUOUS_MATCH, Outcome.REVIEW, entity_id=match.entity_id,
            score=match.score, alternatives=[list(a) for a in match.alternatives]))
    else:
        evidence: dict[str, Any] = {"entity_id": match.entity_id, "score": match.score,
                                    "verdict": verdict}
        if verdict_bounds is not None:
            evidence["lower"], evidence["upper"] = verdict_bounds
        if verdict == "restricted":
            reasons.append(make_reason(ReasonCode.ENTITY_RESTRICTED, Outcome.DENY, **evidence))
        elif verdict == "clear":
            reasons.append(make_reason(ReasonCode.ENTITY_CLEAR, Outcome.ALLOW, **evidence))
        else:
            reasons.append(make_reason(ReasonCode.ENTITY_UNCERTAIN, Outcome.REVIEW, **evidence))
    reasons.sort(key=lambda r: -r.severity)
    return _OUTCOME_STATUS[reasons[0].outcome], tuple(reasons)
