"""The suspension gate's second half: is a linked group run *covertly*?

A shared card or signup device across orgs says one payer or one office stands behind the
accounts; that is what an agency opening client orgs from one office does, and what a
hydra does. It is no reason to suspend on its own. What separates a hydra from a
legitimate multi-org customer is how it operates (request-logs.md §3: short-lived
accounts replaced as they are banned, throwaway identities, residential proxies in many
countries, load balancing, a central scheduler, activity on the operators' clock):

**strong** signs, one is enough:
  ``replacement`` (members created after another member was suspended), ``churn`` (a
  quarter or more of the members, and at least three, lived at most three days inside the
  window and went quiet), ``restricted_egress`` (two or more members reached the service
  from a restricted region);
**weak** signs, two are needed:
  ``throwaway_email``, ``timezone_mismatch``, ``fresh_unverified_orgs`` (most orgs created
  within 30 days and never KYC-checked), ``foreign_egress`` (a third of the traffic from
  outside the declared countries, through four or more countries), ``anonymising_egress``,
  ``pathway_abuse`` (education or programme pathways), ``machine_cadence``,
  ``synchronised_activity`` (or ``coordinated_cohort``, its cohort-level reading:
  ``detect.cohort``; one sign, not two) and the cluster's ``volume_equalised``.

An identity value that a KYC-verified org's own account holds is *declared* (the agency
pays for its clients with its own, verified card): it never opens the identity path to a
suspension; distillation content still can.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ringfence.detect.detector import DetectorState

__all__ = ["CovertSigns", "covert_signs", "declared_identity"]

_DAY = 86400.0
# member-share thresholds of the per-account signals counted as weak signs
_SHARED_SIGNALS = {"throwaway_email": 0.2, "timezone_mismatch": 0.3, "coordinated_cohort": 0.3,
                   "anonymising_egress": 0.3, "pathway_abuse": 0.3, "programme_account": 0.3,
                   "machine_cadence": 0.3, "synchronised_activity": 0.2}
# one observation, one sign: a coordinated cohort (detect.cohort) is the cohort-level
# reading of synchronised rounds
_PATHWAY = {"programme_account": "pathway_abuse", "coordinated_cohort": "synchronised_activity"}


@dataclass(frozen=True)
class CovertSigns:
    strong: tuple[str, ...]
    weak: tuple[str, ...]

    @property
    def enough(self) -> bool:
        return bool(self.strong) or len(self.weak) >= 2

    def describe(self) -> str:
        parts = [f"strong: {', '.join(self.strong)}" if self.strong else "",
                 f"weak: {', '.join(self.weak)}" if self.weak else ""]
        return "; ".join(p for p in parts if p) or "none"


def covert_signs(st: DetectorState, members: Sequence[int], cached: Sequence[Any], *,
                 t: float, equalised: bool) -> CovertSigns:
    accounts = st.accounts
    strong: list[str] = []
    weak: list[str] = []
    active = [m for m in members if accounts[m].n]
    suspended = [accounts[m].suspended_at for m in members
                 if accounts[m].suspended_at is not None]
    if suspended:
        first = min(x for x in suspended if x is not None)
        if any((c := accounts[m].created) is not None and c > first for m in members):
            strong.append("replacement")
    retired = sum(1 for m in active if (a := accounts[m]).created is not None
                  and a.created >= st.window_start and t - a.last_ts >= _DAY
                  and a.last_ts - a.first_ts <= 3 * _DAY)
    if retired >= 3 and 4 * retired >= len(active):
        strong.append("churn")
    counts: dict[str, int] = {}
    for c in cached:
        if c is None:
            continue
        for name in {s.signal for s in c.signals}:
            counts[name] = counts.get(name, 0) + 1
    if counts.get("restricted_egress", 0) >= 2:
        strong.append("restricted_egress")
    base = max(1, len(active))
    for name, share in _SHARED_SIGNALS.items():
        k = counts.get(name, 0)
        label = _PATHWAY.get(name, name)
        if k >= 2 and k >= share * base and label not in weak:
            weak.append(label)
    orgs = {accounts[m].org_id for m in members}
    fresh = sum(1 for o in orgs if (info := st.orgs.get(o)) is not None
                and info.kyc_level in ("", "none") and info.created is not None
                and info.created >= t - 30 * _DAY)
    if fresh >= 2 and 2 * fresh >= len(orgs):
        weak.append("fresh_unverified_orgs")
    total = abroad = 0
    places: set[str] = set()
    for m in active:
        a = accounts[m]
        if not a.declared_country:
            continue
        for country, k in a.countries.items():
            total += k
            if country != a.declared_country:
                abroad += k
                places.add(country)
    if total and 3 * abroad >= total and len(places) >= 4:
        weak.append("foreign_egress")
    if equalised:
        weak.append("volume_equalised")
    return CovertSigns(tuple(strong), tuple(weak))


def declared_identity(st: DetectorState, members: Sequence[int]) -> bool:
    """Does an account of a KYC-verified org share its card or signup device with an
    account of another org in ``members``?"""
    accounts = st.accounts
    owners: dict[tuple[str, str], set[str]] = {}
    verified: set[tuple[str, str]] = set()
    for m in members:
        a = accounts[m]
        info = st.orgs.get(a.org_id)
        for kind, value in (("card", a.payment_fp), ("device", a.device)):
            if not value:
                continue
            owners.setdefault((kind, value), set()).add(a.org_id)
            if info is not None and info.kyc_level == "verified":
                verified.add((kind, value))
    return any(len(owners[v]) >= 2 for v in verified)
