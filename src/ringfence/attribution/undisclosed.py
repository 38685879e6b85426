"""Undisclosed parents (GLEIF reporting exceptions) read under a policy.

An undisclosed parent is an owner entity whose id carries the statement its reporting
exception makes (:mod:`ringfence.model.exceptions`). Whether it may be an origin, i.e.
whether it can make a verdict uncertain, is the policy's: ``reporting_exceptions.<reason>``
(``review``, ``ignore``, unset: ``unknown_ownership``), then the evidence rules of
``reporting_exceptions.evidence``, each of which closes the unknown only on what the data
carries and can be switched off:

- ``reported_ultimate``: a direct-parent exception of an entity whose ultimate parent is
  a named entity U. The undisclosed parent is U or inside U's group; the merge gave U
  its holdings in the child, so U's verdict reaches the child; the undisclosed parent
  is not an origin on its own.
- ``dispersed``: NO_KNOWN_PERSON states [0, 50%] (no majority); read with this rule it
  rules out a holder of exactly half as well (a holder of half of an entity nobody
  else controls would control it, alone or jointly), so no undisclosed owner remains.
- ``addresses``: a reason of the non-consolidating family (NATURAL_PERSONS,
  NON_CONSOLIDATING, NO_KNOWN_PERSON) for an entity whose headquarters are known and,
  with its jurisdiction of registration, outside every restricted region, when the
  other category does not say a consolidating parent is withheld (NON_PUBLIC and its
  detailed reasons, NO_LEI): the undisclosed controller is read as where the entity is.

``dispersed`` and ``addresses`` read the exception as the whole truth about the owners,
so they apply only where it is the only statement of them: where another source names an
owner of the same entity (Melli Bank plc reports NO_KNOWN_PERSON to GLEIF while its
register names the Government of Iran with 75-100%), the sources disagree and the
unknown stays open.

Never certain: an undisclosed parent is at most a possible origin.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ringfence.attribution.graph import EntityTable, HoldingTable
from ringfence.model.exceptions import (
    NON_CONSOLIDATING_FAMILY,
    Undisclosed,
    reason_field,
)
from ringfence.policy.schema import PolicySettings

__all__ = ["UndisclosedReading", "read_undisclosed"]

B = npt.NDArray[np.bool_]


@dataclass
class UndisclosedReading:
    """Which entities are undisclosed parents, which of them the policy reads as possible
    origins, and why (``why[i]``: the statement, the setting and the evidence used)."""

    mask: B
    possible: B
    why: dict[int, str] = field(default_factory=dict)
    rule: dict[int, str] = field(default_factory=dict)  # "review" | "ignore" | evidence rule
    info: dict[int, Undisclosed] = field(default_factory=dict)


def read_undisclosed(entities: EntityTable, live: HoldingTable,
                     settings: PolicySettings) -> UndisclosedReading:
    """The policy's reading of every undisclosed parent among ``entities``; ``live``: the
    holdings in force (an undisclosed parent's one owned entity is found there)."""
    n = len(entities)
    mask = np.zeros(n, dtype=np.bool_)
    possible = np.zeros(n, dtype=np.bool_)
    out = UndisclosedReading(mask, possible)
    if not len(entities.ids):
        return out
    for i, u in entities.undisclosed.items():
        mask[i] = True
        out.info[i] = u
    if not out.info:
        return out
    child = np.full(n, -1, dtype=np.int64)
    own = mask[live.owner]
    child[live.owner[own]] = live.owned[own]
    # holdings a register states beside the exception (a named owner of the same entity)
    named = np.bincount(live.owned[~own], minlength=n) > 0
    regions = set(settings.restricted_regions)
    rex = settings.reporting_exceptions
    for i, u in list(out.info.items()):
        c = int(child[i])
        if c < 0 or entities.ids[c] != u.owned:
            # not the owner the merge made for that entity (an id that only looks like
            # one): read as any unknown owner, never closed by evidence
            mask[i] = False
            del out.info[i]
    for i, u in out.info.items():
        c = int(child[i])
        st = u.statement
        reading = rex.reading(st.reason, settings.unknown_ownership)
        head = (f"undisclosed {u.category} parent: GLEIF {st.reason}, \"{st.words}\" "
                f"(rules out {st.rules_out})")
        setting = f"reporting_exceptions.{reason_field(st.reason)}"
        if reading == "ignore":
            out.rule[i] = "ignore"
            out.why[i] = f"{head}; policy {setting}: ignore"
            continue
        closed = _evidence(u, c, entities, regions, settings, alone=not named[c])
        if closed:
            out.rule[i] = closed[0]
            out.why[i] = f"{head}; policy {setting}: review, closed by {closed[1]}"
            continue
        possible[i] = True
        out.rule[i] = "review"
        out.why[i] = f"{head}; policy {setting}: review"
    return out


def _evidence(u: Undisclosed, c: int, entities: EntityTable, regions: set[str],
              settings: PolicySettings, *, alone: bool) -> tuple[str, str] | None:
    """The evidence rule that closes ``u`` (its name and its words), or ``None``.
    ``alone``: the exception is the only statement of the entity's owners; where a
    register names an owner beside it the sources disagree, and ``dispersed`` and
    ``addresses`` do not close it."""
    ev = settings.reporting_exceptions.evidence
    if ev.reported_ultimate and u.category == "direct" and u.ultimate == "reported":
        return ("reported_ultimate", "evidence.reported_ultimate (the reported ultimate "
                "parent consolidates it, so it is restricted only through that parent)")
    if not alone:
        return None
    if ev.dispersed and u.statement.reason == "NO_KNOWN_PERSON":
        return ("dispersed", "evidence.dispersed (nobody controls a widely held entity, "
                "so no holder of half either)")
    if not (ev.addresses and c >= 0 and u.statement.reason in NON_CONSOLIDATING_FAMILY):
        return None
    if u.ultimate and u.ultimate not in NON_CONSOLIDATING_FAMILY:
        return None  # the other category says a consolidating parent is withheld
    hq = entities.countries[int(entities.hq[c])]
    jur = entities.countries[int(entities.jurisdiction[c])]
    if not hq or hq in regions or jur in regions:
        return None
    where = hq if not jur or jur == hq else f"{hq}, registered in {jur}"
    return ("addresses", f"evidence.addresses (the entity is headquartered in {where}, "
            "outside the restricted regions"
            + (f"; the ultimate category says {u.ultimate}" if u.ultimate else "") + ")")
