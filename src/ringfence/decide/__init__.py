"""The decision rule and the hot path's in-memory state (pure logic, core imports only)."""

from ringfence.decide.detection import (
    Detection,
    DetectionAction,
    DetectionIndex,
    detection_reason,
)
from ringfence.decide.onboarding import Match, onboarding_status
from ringfence.decide.reasons import (
    CATALOGUE,
    Outcome,
    RateLimit,
    Reason,
    ReasonCode,
    make_reason,
)
from ringfence.decide.rules import (
    AccountFacts,
    Agreement,
    Channel,
    Decision,
    OrgFacts,
    OrgStatus,
    RuleSettings,
    decide,
)
from ringfence.decide.state import DecisionIds, DecisionState, PolicyRef, StateHolder

__all__ = [
    "CATALOGUE",
    "AccountFacts",
    "Agreement",
    "Channel",
    "Decision",
    "DecisionIds",
    "DecisionState",
    "Detection",
    "DetectionAction",
    "DetectionIndex",
    "Match",
    "OrgFacts",
    "OrgStatus",
    "Outcome",
    "PolicyRef",
    "RateLimit",
    "Reason",
    "ReasonCode",
    "RuleSettings",
    "StateHolder",
    "decide",
    "detection_reason",
    "make_reason",
    "onboarding_status",
]
