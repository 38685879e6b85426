"""Detection results as the hot path sees them: plain data, evaluated at build time.

The decision service turns the distillation cases analysts confirmed into one
:class:`Detection` per account (the account is a member of the cluster, its organisation
is, or it inherited the cluster's action through a high-precision link: a shared payment
instrument or signup device). It is a fact on :class:`~ringfence.decide.AccountFacts`, so
:func:`detection_reason` is folded into the account's precomputed default decision like
the organisation factor: a request costs nothing more. ``decide/`` never imports
``detect/``; detection reaches it only as this data.

======================  ========================================  ===========================
action                  outcome                                   reason
======================  ========================================  ===========================
suspend                 DENY                                      ``distillation_cluster``
                                                                  (``distillation_link``
                                                                  when inherited by a link)
throttle                ALLOW carrying a :class:`RateLimit`        same codes
======================  ========================================  ===========================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ringfence.decide.reasons import CATALOGUE, Outcome, RateLimit, Reason, ReasonCode

__all__ = ["Detection", "DetectionAction", "DetectionIndex", "detection_reason", "stronger"]


class DetectionAction(StrEnum):
    """The actions that reach the gateway (``review`` and ``none`` do not)."""

    THROTTLE = "throttle"
    SUSPEND = "suspend"


_RANK = {DetectionAction.THROTTLE: 1, DetectionAction.SUSPEND: 2}


@dataclass(frozen=True, slots=True)
class Detection:
    """Why an account is throttled or suspended: the confirmed case and how it is tied."""

    action: DetectionAction
    case_id: str
    cluster_id: str | None
    via: str = "account"  # account | organization | payment_fingerprint | signup_device_fp
    value: str | None = None  # the linking value (a fingerprint), or the organisation id
    limit: RateLimit | None = None  # for a throttle

    def __post_init__(self) -> None:
        if (self.action is DetectionAction.THROTTLE) != (self.limit is not None):
            raise ValueError("a throttle carries a rate limit and a suspend none")

    @property
    def linked(self) -> bool:
        """Inherited through a shared fingerprint rather than membership."""
        return self.via not in ("account", "organization")

    def evidence(self) -> dict[str, Any]:
        out: dict[str, Any] = {"action": str(self.action), "case_id": self.case_id,
                               "cluster_id": self.cluster_id, "via": self.via,
                               "value": self.value}
        if self.limit is not None:
            out["limit"] = self.limit.as_dict()
        return out

    @classmethod
    def from_evidence(cls, d: dict[str, Any]) -> Detection:
        lim = d.get("limit")
        return cls(action=DetectionAction(d["action"]), case_id=d["case_id"],
                   cluster_id=d.get("cluster_id"), via=d.get("via", "account"),
                   value=d.get("value"),
                   limit=RateLimit(int(lim["requests"]), int(lim["window_seconds"]))
                   if lim else None)


def stronger(a: Detection | None, b: Detection | None) -> Detection | None:
    """The more severe of two (suspend over throttle; for two throttles the lower rate;
    membership over a link on a tie)."""
    if a is None or b is None:
        return a or b
    ra, rb = _RANK[a.action], _RANK[b.action]
    if ra != rb:
        return a if ra > rb else b
    if a.limit is not None and b.limit is not None and a.limit.rate() != b.limit.rate():
        return a if a.limit.rate() < b.limit.rate() else b
    return b if a.linked and not b.linked else a


def detection_reason(d: Detection) -> Reason:
    code = ReasonCode.DISTILLATION_LINK if d.linked else ReasonCode.DISTILLATION_CLUSTER
    if d.action is DetectionAction.SUSPEND:
        return Reason(code=code, outcome=Outcome.DENY, text=CATALOGUE[code],
                      evidence=d.evidence())
    return Reason(code=code, outcome=Outcome.ALLOW, text=CATALOGUE[code],
                  evidence=d.evidence(), limit=d.limit)


@dataclass(frozen=True)
class DetectionIndex:
    """Every standing detection, keyed by account id and by (book) organisation id; the
    service builds it from the database and folds it into the accounts' facts."""

    by_account: Mapping[str, Detection] = field(default_factory=dict)
    by_org: Mapping[str, Detection] = field(default_factory=dict)

    def for_account(self, account_id: str, org_id: str) -> Detection | None:
        return stronger(self.by_account.get(account_id), self.by_org.get(org_id))

    def __len__(self) -> int:
        return len(self.by_account) + len(self.by_org)
