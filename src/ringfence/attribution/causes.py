"""Why each uncertain verdict is uncertain, for every entity at once (the review load).

An entity is uncertain when it is restricted at the upper bound only. Something made it
so: an origin that is only possible (an undisclosed parent the policy reviews, an
unnamed owner, a person under ``uncertain``), reached through entities that are
themselves restricted at the upper bound only, or a share range that straddles the
threshold. :func:`uncertain_causes` gives each possible-only origin its cause and carries
the causes down every holding whose owner is restricted at the upper bound only (a bit
set per entity, iterated to a fixed point); an uncertain entity no cause reaches is
uncertain through share ranges (or, under ``unaccounted_equity: unknown``, through equity
no record names). This names every possible-only origin upstream, where a proof names
the few that suffice: a superset of the proof's causes, never fewer.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ringfence.attribution.engine import UNCERTAIN, AttributionResult
from ringfence.attribution.graph import PERSON, UNKNOWN
from ringfence.model import OriginReason
from ringfence.policy.schema import PersonsRule

__all__ = ["EQUITY", "RANGE", "cause_of_reason", "uncertain_causes"]

RANGE = "share range across the threshold"
EQUITY = "equity no record names (unaccounted_equity: unknown)"
_UNKNOWN = "owner not named (unknown_ownership: review)"
_RESIDENT = "person resident in a restricted region (origin.persons: uncertain)"
_NATIONAL = "national of a restricted region (origin.nationals: uncertain)"
_BY_CODE = {"unknown_owner": _UNKNOWN, "person": _RESIDENT, "national": _NATIONAL}


def exception_cause(category: str, reason: str) -> str:
    return f"GLEIF reporting exception {reason} ({category} parent)"


def cause_of_reason(r: OriginReason) -> str:
    """The cause an uncertain origin reason stands for (proofs use the same words)."""
    if r.code == "reporting_exception":
        category, _, reason = r.detail.partition(" ")
        return exception_cause(category, reason)
    return _BY_CODE.get(r.code, f"possible origin: {r.code}")


def _origin_labels(result: AttributionResult, idx: npt.NDArray[np.int64]) -> list[str]:
    ents, settings = result.entities, result.settings
    und = result.undisclosed
    regions = set(settings.restricted_regions)
    out = []
    for i in idx.tolist():
        if und is not None and und.mask[i]:
            u = und.info[i]
            out.append(exception_cause(u.category, u.statement.reason))
        elif int(ents.type[i]) == UNKNOWN:
            out.append(_UNKNOWN)
        elif int(ents.type[i]) == PERSON:
            resident = ents.countries[int(ents.hq[i])] in regions
            out.append(_RESIDENT if resident and settings.origin.persons is
                       PersonsRule.UNCERTAIN else _NATIONAL)
        else:
            out.append("possible origin")
    return out


def uncertain_causes(result: AttributionResult) -> dict[int, tuple[str, ...]]:
    """Every uncertain entity's causes (sorted words), by entity row."""
    uncertain = np.flatnonzero(result.verdict == UNCERTAIN)
    if not len(uncertain):
        return {}
    only_high = result.high.restricted & ~result.low.restricted
    seeds = np.flatnonzero(result.possible & ~result.certain)
    seed_labels = _origin_labels(result, seeds)
    words = sorted(set(seed_labels))
    if len(words) > 62:  # one bit each; never near with the causes above
        words = words[:62]
    bit = {w: np.int64(1) << np.int64(k) for k, w in enumerate(words)}
    bits = np.zeros(len(result.verdict), dtype=np.int64)
    for i, w in zip(seeds.tolist(), seed_labels, strict=True):
        bits[i] |= bit.get(w, np.int64(0))
    h = result.holdings
    carry = only_high[h.owner] & (h.owner != h.owned)
    owner, owned = h.owner[carry].astype(np.int64), h.owned[carry].astype(np.int64)
    while len(owner):
        new = bits.copy()
        np.bitwise_or.at(new, owned, bits[owner])
        if np.array_equal(new, bits):
            break
        bits = new
    fallback = EQUITY if result.settings.unaccounted_equity == "unknown" else RANGE
    out: dict[int, tuple[str, ...]] = {}
    for i, b in zip(uncertain.tolist(), bits[uncertain].tolist(), strict=True):
        found = tuple(w for w, v in bit.items() if b & int(v))
        out[i] = found or (fallback,)
    return out
