"""Per-account signals: each returns a value in [0, 1], a weight and the evidence it used.

Two categories (``linking.py`` adds the third, *link*, per cluster):

- **content**: what the account asks for (reasoning reconstruction, rubric grading,
  policy-safe rewrites, injected trajectories, one template swept over items, capability
  targeting);
- **context**: who and where it is (activity time zone unlike the declared country,
  egress from a restricted region, throwaway e-mail, pathway abuse, undeclared resale,
  machine cadence, release pivot, anonymising egress).

Every signal is capped below the suspend threshold on its own; ``scoring`` requires two
categories before a score may pass the throttle line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ringfence.detect.config import RESTRICTED_REGIONS
from ringfence.detect.emails import is_edu
from ringfence.detect.fanout import crosses
from ringfence.detect.state import AccountState

__all__ = ["Signal", "content_signals", "context_signals", "utc_offset"]


@dataclass(frozen=True, slots=True)
class Signal:
    signal: str
    category: str  # content | context | link
    value: float
    weight: float
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {"signal": self.signal, "value": round(self.value, 4),
                "weight": round(self.weight, 4), "detail": self.detail,
                "category": self.category}


def _conf(n: int, k: float = 4.0) -> float:
    return n / (n + k)


def content_signals(a: AccountState) -> list[Signal]:
    out: list[Signal] = []
    n = a.n
    if n == 0:
        return out
    conf = _conf(n)
    for i, (name, cap, what) in enumerate((
            ("cot_elicitation", 0.6, "ask for reasoning traces (reconstruction / elicitation)"),
            ("rubric_grading", 0.45, "grade or compare responses against a rubric"),
            ("policy_rewrite", 0.45, "ask for policy-safe rewrites")), start=1):
        k = a.labels[i]
        if k:
            frac = k / n
            v = min(1.0, frac * 1.6) * conf
            out.append(Signal(name, "content", frac, v * cap, f"{k} of {n} requests {what}"))
    if a.new_conversations >= 3 and a.injected:
        frac = a.injected / a.new_conversations
        v = min(1.0, frac * 1.5) * _conf(a.new_conversations)
        out.append(Signal("injected_trajectory", "content", frac, v * 0.4,
                          f"{a.injected} of {a.new_conversations} conversations start at a "
                          "late turn (history written by the client)"))
    if n >= 5 and a.skeletons:
        top = max(a.skeletons.values())
        what = "one prompt skeleton"
        # a near-duplicate family of several skeletons (fills that change both ends)
        frac = top / n
        if a.near_n >= 5:
            near = max((c for c, variants, _h in a.near.values() if variants >= 2), default=0)
            if near / a.near_n > frac:
                frac = near / a.near_n
                top = round(frac * n)
                what = "one template (near-duplicate skeletons, sampled)"
        if frac >= 0.3:
            out.append(Signal("template_sweep", "content", frac, min(1.0, frac) * conf * 0.3,
                              f"{top} of {n} requests share {what} with different items"))
    cap_n = a.tools + a.images + a.computer
    if n >= 8 and cap_n:
        frac = min(1.0, cap_n / n)
        if frac >= 0.5:
            out.append(Signal("capability_targeting", "content", frac, frac * conf * 0.15,
                              f"tools {a.tools}, images {a.images}, computer use "
                              f"{a.computer} in {n} requests"))
    return out


# standard UTC offsets (hours) of the countries most often declared; others give no signal
_OFFSETS = {
    "US": -6, "CA": -5, "MX": -6, "BR": -3, "AR": -3, "CL": -4, "CO": -5, "PE": -5,
    "GB": 0, "IE": 0, "PT": 0, "FR": 1, "DE": 1, "NL": 1, "BE": 1, "ES": 1, "IT": 1, "CH": 1,
    "AT": 1, "SE": 1, "NO": 1, "DK": 1, "PL": 1, "CZ": 1, "FI": 2, "GR": 2, "RO": 2, "UA": 2,
    "IL": 2, "EG": 2, "ZA": 2, "TR": 3, "SA": 3, "RU": 3, "AE": 4, "IR": 3, "PK": 5,
    "IN": 5, "BD": 6, "TH": 7, "VN": 7, "ID": 7, "CN": 8, "HK": 8, "MO": 8, "TW": 8, "SG": 8,
    "MY": 8, "PH": 8, "KR": 9, "JP": 9, "KP": 9, "AU": 10, "NZ": 12, "NG": 1, "KE": 3,
}


def utc_offset(country: str) -> int | None:
    return _OFFSETS.get(country.upper()) if country else None


def _circ(a: float, b: float) -> float:
    d = abs(a - b) % 24
    return min(d, 24 - d)


def activity_offset(hours: list[int]) -> float | None:
    """The UTC offset implied by a clear daily rest period (the quietest 6 hours hold under
    6% of the activity, and the busiest 6 at least 2.5 times an even share), or None for
    flat, around-the-clock or too little activity."""
    total = sum(hours)
    if total < 24:
        return None
    sums = [sum(hours[(h + i) % 24] for i in range(6)) for h in range(24)]
    quiet = min(range(24), key=lambda h: (sums[h], h))
    if sums[quiet] > 0.06 * total or max(sums) < 0.625 * total:
        return None
    centre_utc = (quiet + 2.5) % 24  # middle of the quiet window
    off = (3.5 - centre_utc) % 24  # people rest around 03:30 local time
    return off - 24 if off > 12 else off


def context_signals(a: AccountState, *, org_country: str, edu_hits: int,
                    release_pivot: tuple[str, float] | None,
                    window_start: float) -> list[Signal]:
    out: list[Signal] = []
    n = a.n
    declared = a.declared_country or org_country
    if n >= 24 and a.last_ts - a.first_ts >= 36 * 3600:
        implied = activity_offset(a.utc_hours)
        expected = utc_offset(declared)
        if implied is not None and expected is not None:
            diff = _circ(implied, expected)
            if diff >= 5:
                v = min(1.0, (diff - 4) / 4)
                out.append(Signal("timezone_mismatch", "context", diff, v * 0.3,
                                  f"active as if at UTC{implied:+.0f}, declared {declared} "
                                  f"(UTC{expected:+d}): {diff:.0f} h apart"))
    if a.restricted and declared.upper() not in RESTRICTED_REGIONS:
        v = min(1.0, a.restricted / 3)
        where = sorted(c for c in a.countries if c in RESTRICTED_REGIONS)
        out.append(Signal("restricted_egress", "context", a.restricted, v * 0.35,
                          f"{a.restricted} requests from {', '.join(where)} "
                          f"(declared {declared or 'unknown'})"))
    if a.throwaway:
        out.append(Signal("throwaway_email", "context", 1.0, 0.2,
                          f"signed up with a throwaway domain ({a.email_domain})"))
    if a.program == "edu" and n >= 10:
        not_edu_mail = bool(a.email_domain) and not is_edu(a.email_domain)
        if edu_hits == 0 or not_edu_mail:
            why = ("no request from an education network" if edu_hits == 0 else "")
            if not_edu_mail:
                why = (why + "; " if why else "") + f"e-mail domain {a.email_domain} is no school's"
            out.append(Signal("pathway_abuse", "context", 1.0, 0.3,
                              f"education programme account: {why}"))
    elif a.program in ("startup_program", "security_research") and n >= 10:
        out.append(Signal("programme_account", "context", 1.0, 0.1,
                          f"uses the {a.program} pathway"))
    users, ncountries = len(a.client_users), len(a.countries)
    # the gateway's resale rule (detect.fanout.crosses); the logs give no network count here
    if crosses((users, ncountries, 0), min_users=30, min_countries=5, min_networks=2**31):
        v = min(1.0, (ncountries - 3) / 8)
        approx = " (approximate)" if a.client_users.approximate else ""
        out.append(Signal("undeclared_resale", "context", ncountries, v * 0.3,
                          f"{users} end-user ids{approx} from {ncountries} "
                          "countries through one account"))
    if a.gap_n >= 30:
        mean = a.gap_sum / a.gap_n
        var = max(0.0, a.gap_sq / a.gap_n - mean * mean)
        cv = math.sqrt(var) / mean if mean > 0 else 0.0
        if mean > 0 and cv < 0.35:
            out.append(Signal("machine_cadence", "context", cv, (0.35 - cv) / 0.35 * 0.2,
                              f"inter-request gaps {mean:.0f} s with variation {cv:.2f} "
                              "(a scheduler, not a person)"))
    if a.synced >= 3 and n and a.synced >= 0.2 * n:
        share = a.synced / n
        out.append(Signal("synchronised_activity", "context", share,
                          min(1.0, share * 1.5) * 0.25,
                          f"{a.synced} of {n} requests sent in rounds: the same prompt "
                          "skeleton from several unrelated orgs in the same five minutes, "
                          "far above its usual rate"))
    if release_pivot is not None:
        model, share = release_pivot
        out.append(Signal("release_pivot", "context", share, 0.12,
                          f"{share:.0%} of traffic moved to {model} within 24 h of its "
                          "release, ahead of peers"))
    vpn = a.netclass.get("vpn", 0) + a.netclass.get("hosting", 0)
    if n >= 10 and vpn / n >= 0.5 and len(a.client_users) < 30:
        out.append(Signal("anonymising_egress", "context", vpn / n, 0.08,
                          f"{vpn} of {n} requests from VPN or hosting networks"))
    _ = window_start
    return out
