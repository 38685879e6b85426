"""From signals to a score and an action.

Signals fall in three categories: *content* (what is asked), *context* (who and where),
*link* (the cluster's shared rare values across orgs). Within a category, weights combine
as a noisy-or, capped (content 0.65, context 0.5, link 0.7); the categories combine the
same way. **Corroboration rule**: unless at least two categories reach 0.25, the score is
held just under the throttle line, so no single tell-tale (a shared card, a rubric
prompt, a release burst, a VPN exit) can throttle or suspend anyone on its own; the
legitimate heavy users of the reference each show one.
"""

from __future__ import annotations

from collections.abc import Iterable

from ringfence.detect.config import ACTIONS, DetectorConfig

__all__ = ["CATEGORY_CAPS", "action_for", "combine", "noisy_or"]

CATEGORY_CAPS = {"content": 0.65, "context": 0.5, "link": 0.7}
_CORROBORATION = 0.25


def noisy_or(weights: Iterable[float]) -> float:
    rest = 1.0
    for w in weights:
        rest *= 1.0 - max(0.0, min(1.0, w))
    return 1.0 - rest


def combine(categories: dict[str, float], config: DetectorConfig) -> tuple[float, bool]:
    """(score, capped): the categories' noisy-or, held under the throttle line unless two
    categories corroborate."""
    score = noisy_or(categories.values())
    strong = sum(1 for v in categories.values() if v >= _CORROBORATION)
    if strong < 2 and score >= config.throttle:
        return config.throttle - 0.01, True
    return score, False


def action_for(score: float, config: DetectorConfig) -> str:
    if score >= config.suspend:
        return "suspend"
    if score >= config.throttle:
        return "throttle"
    if score >= config.review:
        return "review"
    return "none"


def max_action(a: str, b: str) -> str:
    return a if ACTIONS.index(a) >= ACTIONS.index(b) else b
