"""Origins: the entities restricted in their own right, before any ownership is read.

Two masks come out. ``certain`` entities are origins at the lower bound; ``possible`` is a
superset, the origins at the upper bound (persons under ``persons: uncertain``, owners of
type ``unknown`` under ``unknown_ownership: review``). The rules, in policy terms:

- company: ``headquarters`` (principal place of business) in a restricted region, or per
  ``origin.companies`` the jurisdiction of registration alone, or as a stand-in when the
  headquarters are unknown;
- state: its country (``hq``, falling back to jurisdiction) when ``origin.states`` is true;
- person: residence (``hq``) per ``origin.persons`` (``restricted`` certain, ``uncertain``
  possible only, ``ignore`` never);
- anyone, of any type, on a designation list the policy names (``'*'`` any list) on the
  day of the run: certain. A dated list token (:mod:`ringfence.model.listing`) counts only
  inside its ``[since, until)``; an undated one always;
- type ``unknown``: possible iff ``unknown_ownership: review``;
- ``enabled: false``: no origins at all.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt

from ringfence.attribution.graph import COMPANY, PERSON, STATE, UNKNOWN, EntityTable
from ringfence.attribution.undisclosed import UndisclosedReading
from ringfence.model.listing import parse_listing
from ringfence.model.results import OriginReason
from ringfence.policy.schema import CompaniesRule, PersonsRule, PolicySettings

__all__ = ["OriginReason", "origin_reasons", "origins"]

B = npt.NDArray[np.bool_]


def _region_mask(entities: EntityTable, settings: PolicySettings) -> B:
    regions = set(settings.restricted_regions)
    return np.array([c in regions for c in entities.countries], dtype=np.bool_)


def _wanted(token: str, wanted: set[str], as_of: dt.date | None) -> bool:
    listing = parse_listing(token)
    return ("*" in wanted or listing.list in wanted) and listing.in_force(as_of)


def _listed(entities: EntityTable, settings: PolicySettings, as_of: dt.date | None) -> B:
    names = settings.origin.lists
    if not names or len(entities.list_idx) == 0:
        return np.zeros(len(entities), dtype=np.bool_)
    wanted = set(names)
    code_ok = np.array([_wanted(nm, wanted, as_of) for nm in entities.list_names],
                       dtype=np.bool_)
    hits = np.concatenate(([0], np.cumsum(code_ok[entities.list_idx], dtype=np.int64)))
    ptr = entities.list_ptr
    return np.asarray(hits[ptr[1:]] - hits[ptr[:-1]] > 0)


def _country_hits(entities: EntityTable, settings: PolicySettings) -> tuple[B, B, B]:
    """(hq restricted, jurisdiction restricted, hq unknown)."""
    region = _region_mask(entities, settings)
    return region[entities.hq], region[entities.jurisdiction], entities.hq == 0


def origins(entities: EntityTable, settings: PolicySettings,
            as_of: dt.date | None = None, *,
            undisclosed: UndisclosedReading | None = None) -> tuple[B, B]:
    """``(certain, possible)`` origin masks; ``possible`` includes ``certain``. ``as_of``:
    the day list memberships are read on (``None``: every membership not ended).
    ``undisclosed``: the policy's reading of undisclosed parents (GLEIF reporting
    exceptions); without it they are read as any unknown owner."""
    n = len(entities)
    if not settings.enabled:
        none = np.zeros(n, dtype=np.bool_)
        return none, none.copy()
    hq_hit, jur_hit, hq_unknown = _country_hits(entities, settings)
    etype = entities.type
    rule = settings.origin.companies
    if rule is CompaniesRule.HEADQUARTERS:
        company_hit = hq_hit
    elif rule is CompaniesRule.JURISDICTION:
        company_hit = jur_hit
    else:
        company_hit = hq_hit | (hq_unknown & jur_hit)
    certain = (etype == COMPANY) & company_hit
    if settings.origin.states:
        certain |= (etype == STATE) & (hq_hit | (hq_unknown & jur_hit))
    person = etype == PERSON
    # a person's hq is their residence, their jurisdiction their nationality
    person_rules = ((settings.origin.persons, person & hq_hit),
                    (settings.origin.nationals, person & jur_hit))
    for p_rule, hit in person_rules:
        if p_rule is PersonsRule.RESTRICTED:
            certain |= hit
    certain |= _listed(entities, settings, as_of)
    possible = certain.copy()
    for p_rule, hit in person_rules:
        if p_rule is PersonsRule.UNCERTAIN:
            possible |= hit
    unknown = etype == UNKNOWN
    if undisclosed is not None:
        unknown &= ~undisclosed.mask
        possible |= undisclosed.possible
    if settings.unknown_ownership == "review":
        possible |= unknown
    return certain, possible


def origin_reasons(entities: EntityTable, settings: PolicySettings, i: int,
                   as_of: dt.date | None = None, *,
                   undisclosed: UndisclosedReading | None = None) -> list[OriginReason]:
    """Every reason entity ``i`` is an origin (empty when it is not one); list
    memberships as of ``as_of`` (see :func:`origins`)."""
    if not settings.enabled:
        return []
    out: list[OriginReason] = []
    if undisclosed is not None and undisclosed.mask[i]:
        if undisclosed.possible[i]:
            u = undisclosed.info[i]
            out.append(OriginReason("reporting_exception", undisclosed.why[i], False,
                                    f"{u.category} {u.statement.reason}"))
        return out
    regions = set(settings.restricted_regions)
    hq = entities.countries[int(entities.hq[i])]
    jur = entities.countries[int(entities.jurisdiction[i])]
    etype = int(entities.type[i])
    hq_in, jur_in = hq in regions, jur in regions
    rule = settings.origin.companies
    if etype == COMPANY:
        if hq_in and rule is not CompaniesRule.JURISDICTION:
            out.append(OriginReason("headquarters",
                                    f"headquarters in {hq}, a restricted region", True))
        elif jur_in and (rule is CompaniesRule.JURISDICTION or (
                rule is CompaniesRule.HEADQUARTERS_OR_JURISDICTION and not hq)):
            why = "" if rule is CompaniesRule.JURISDICTION else " (headquarters unknown)"
            out.append(OriginReason("jurisdiction",
                                    f"registered in {jur}, a restricted region{why}", True))
    elif etype == STATE and settings.origin.states and (hq_in or (not hq and jur_in)):
        out.append(OriginReason("state", f"state or state body of {hq or jur}", True))
    elif etype == PERSON:
        out.extend(_person_reasons(settings, hq if hq_in else "", jur if jur_in else ""))
    elif etype == UNKNOWN and settings.unknown_ownership == "review":
        out.append(OriginReason("unknown_owner",
                                "owner not known (policy: unknown_ownership review)", False))
    wanted = set(settings.origin.lists)
    for code in entities.list_idx[entities.list_ptr[i]:entities.list_ptr[i + 1]]:
        token = entities.list_names[int(code)]
        if _wanted(token, wanted, as_of):
            out.append(OriginReason("list", parse_listing(token).describe(), True))
    return out


def _person_reasons(settings: PolicySettings, resident: str,
                    national: str) -> list[OriginReason]:
    """A person's reasons: residence (``origin.persons``), nationality
    (``origin.nationals``), each named with the setting that applied."""
    out: list[OriginReason] = []
    for code, country, key, rule in (
            ("person", resident, "persons", settings.origin.persons),
            ("national", national, "nationals", settings.origin.nationals)):
        if not country or rule is PersonsRule.IGNORE:
            continue
        what = "person resident in" if code == "person" else "person, a national of"
        sure = rule is PersonsRule.RESTRICTED
        out.append(OriginReason(code, f"{what} {country} (policy: origin.{key} "
                                f"{rule.value})", sure))
    return out
