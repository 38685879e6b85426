"""Hand-made cases for the rules the oracle shares with the engine by construction:
origins, exact thresholds with open ends, the vote channel, unaccounted equity, dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from ringfence.attribution import attribute, from_records, origins
from ringfence.model import Entity, EntityType, Holding, HoldingKind, Share
from ringfence.policy.schema import PolicySettings

AS_OF = dt.date(2025, 1, 1)
C, P, S, U = EntityType.COMPANY, EntityType.PERSON, EntityType.STATE, EntityType.UNKNOWN
SH, VO, CT = HoldingKind.SHARES, HoldingKind.VOTES, HoldingKind.CONTROL
PPB = 10_000_000  # one percent


def settings(**kw: Any) -> PolicySettings:
    base: dict[str, Any] = {"restricted_regions": ["CN"]}
    own = {k: kw.pop(k) for k in ("propagation", "threshold", "inclusive", "aggregate")
           if k in kw}
    base["ownership"] = own
    base.update(kw)
    return PolicySettings.model_validate(base)


def pct(lo: float, hi: float | None = None, lo_open: bool = False,
        hi_open: bool = False) -> Share:
    a = round(lo * PPB)
    return Share(a, a if hi is None else round(hi * PPB), lo_open, hi_open)


def verdicts(ents: list[Entity], holds: list[Holding], st: PolicySettings) -> dict[str, str]:
    et, ht = from_records(ents, holds)
    r = attribute(et, ht, st, AS_OF)
    return dict(zip(et.ids, r.verdicts(), strict=True))


def test_origin_rules() -> None:
    ents = [
        Entity("hq", C, hq_country="CN", jurisdiction="KY"),
        Entity("reg", C, hq_country="SG", jurisdiction="CN"),
        Entity("reg_nohq", C, hq_country="", jurisdiction="CN"),
        Entity("state", S, hq_country="CN"),
        Entity("resident", P, hq_country="CN"),
        Entity("listed_person", P, hq_country="US", lists=("sdn",)),
        Entity("unknown", U),
    ]
    et, _ = from_records(ents, [])

    def masks(**kw: Any) -> tuple[list[str], list[str]]:
        c, p = origins(et, settings(**kw))
        return ([e for e, x in zip(et.ids, c, strict=True) if x],
                [e for e, x in zip(et.ids, p, strict=True) if x])

    assert masks() == (["hq", "state", "listed_person"], ["hq", "state", "listed_person"])
    assert masks(origin={"companies": "jurisdiction", "lists": []})[0] == [
        "reg", "reg_nohq", "state"]
    assert masks(origin={"companies": "headquarters_or_jurisdiction", "states": False,
                         "lists": ["other"]})[0] == ["hq", "reg_nohq"]
    assert masks(origin={"persons": "restricted", "lists": ["sdn"]})[0] == [
        "hq", "state", "resident", "listed_person"]
    c, p = masks(origin={"persons": "uncertain"}, unknown_ownership="review")
    assert c == ["hq", "state", "listed_person"]
    assert p == ["hq", "state", "resident", "listed_person", "unknown"]
    assert masks(enabled=False) == ([], [])


@pytest.mark.parametrize(("shares", "inclusive", "want"), [
    ([pct(30), pct(20)], True, "restricted"),      # 0.3 + 0.2 meets >= 0.5 exactly
    ([pct(30), pct(20)], False, "clear"),          # 0.5 is not > 0.5
    ([pct(50, 70, lo_open=True)], False, "restricted"),  # "more than 50%"
    ([pct(40, 50, hi_open=True)], True, "clear"),  # "under 50%" cannot reach 50%
    ([pct(40, 50)], True, "uncertain"),
    ([pct(40, 50)], False, "clear"),
    ([pct(40, 45), pct(5, 5.5, hi_open=True)], True, "uncertain"),  # 45 + <5.5 can pass 50
    ([pct(40, 45), pct(0, 5, hi_open=True)], True, "clear"),  # 45 + <5 < 50
    ([pct(40, 45), pct(0, 5)], True, "uncertain"),  # 45 + 5 can be 50
])
def test_exact_thresholds(shares: list[Share], inclusive: bool, want: str) -> None:
    ents = [Entity("cn", C, hq_country="CN"), Entity("cn2", C, hq_country="CN"),
            Entity("t", C, hq_country="DE")]
    holds = [Holding(o, "t", SH, s) for o, s in zip(("cn", "cn2"), shares, strict=False)]
    for prop in ("cascade", "control", "look_through"):
        st = settings(propagation=prop, threshold=0.5, inclusive=inclusive)
        assert verdicts(ents, holds, st)["t"] == want, prop


def test_vote_channel_takes_max_not_sum() -> None:
    ents = [Entity("cn", C, hq_country="CN"), Entity("t", C, hq_country="DE"),
            Entity("t2", C, hq_country="DE")]
    holds = [
        Holding("cn", "t", SH, pct(10)), Holding("cn", "t", VO, pct(30)),
        Holding("cn", "t", CT, pct(30)),  # same influence twice: 30, not 60
        Holding("cn", "t2", SH, pct(20)), Holding("cn", "t2", CT, pct(60)),
    ]
    got = verdicts(ents, holds, settings(propagation="control", threshold=0.5))
    assert got == {"cn": "restricted", "t": "clear", "t2": "restricted"}
    got = verdicts(ents, holds, settings(propagation="cascade", threshold=0.5))
    assert got["t2"] == "clear"


def test_shares_carry_votes_only_without_vote_holdings() -> None:
    ents = [Entity("cn", C, hq_country="CN"), Entity("de", C, hq_country="DE"),
            Entity("t", C, hq_country="DE")]
    holds = [Holding("cn", "t", SH, pct(60)), Holding("de", "t", VO, pct(60)),
             Holding("cn", "t", VO, pct(40))]
    st = settings(propagation="control", threshold=0.5)
    assert verdicts(ents, holds, st)["t"] == "restricted"  # by shares
    holds[0] = Holding("cn", "t", SH, pct(40))
    assert verdicts(ents, holds, st)["t"] == "clear"  # votes are 40, not the shares


def test_unaccounted_equity() -> None:
    ents = [Entity("de", C, hq_country="DE"), Entity("t", C, hq_country="DE"),
            Entity("root", C, hq_country="DE")]
    holds = [Holding("de", "t", SH, pct(40))]
    assert verdicts(ents, holds, settings())["t"] == "clear"
    got = verdicts(ents, holds, settings(unaccounted_equity="unknown"))
    assert got == {"de": "clear", "t": "uncertain", "root": "clear"}  # root: no records
    holds = [Holding("de", "t", SH, pct(50, 60, lo_open=True))]  # leaves < 50%
    assert verdicts(ents, holds, settings(unaccounted_equity="unknown",
                                          inclusive=True))["t"] == "clear"


def test_unknown_owner_needs_review_policy() -> None:
    ents = [Entity("u", U), Entity("t", C, hq_country="DE")]
    holds = [Holding("u", "t", SH, pct(80))]
    assert verdicts(ents, holds, settings())["t"] == "clear"
    assert verdicts(ents, holds, settings(unknown_ownership="review"))["t"] == "uncertain"


def test_dates() -> None:
    ents = [Entity("cn", C, hq_country="CN"), Entity("t", C, hq_country="DE")]
    holds = [Holding("cn", "t", SH, pct(60), valid_from=dt.date(2025, 1, 2)),
             Holding("cn", "t", SH, pct(70), valid_to=AS_OF)]
    assert verdicts(ents, holds, settings())["t"] == "clear"


def test_look_through_open_tie() -> None:
    ents = [Entity("cn", C, hq_country="CN"), Entity("a", C, hq_country="DE"),
            Entity("t", C, hq_country="DE")]
    # 100% x 50%: exactly 0.5 at the lower bound; the open end lifts it past 0.5
    holds = [Holding("cn", "a", SH, pct(100)), Holding("a", "t", SH, pct(50, 60, True))]
    st = settings(propagation="look_through", threshold=0.5)
    assert verdicts(ents, holds, st)["t"] == "restricted"
    holds = [Holding("cn", "a", SH, pct(50)), Holding("a", "t", SH, pct(90, 100, False, True))]
    st = settings(propagation="look_through", threshold=0.5, inclusive=True)
    assert verdicts(ents, holds, st)["t"] == "clear"  # 0.5 x (<1) < 0.5


def test_values() -> None:
    ents = [Entity("cn", C, hq_country="CN"), Entity("a", C, hq_country="DE"),
            Entity("b", C, hq_country="DE")]
    holds = [Holding("cn", "a", SH, pct(60)), Holding("a", "b", SH, pct(30, 70))]
    et, ht = from_records(ents, holds)
    r = attribute(et, ht, settings(), AS_OF)
    assert np.allclose(r.lower, [1, 0.6, 0.3]) and np.allclose(r.upper, [1, 0.6, 0.7])
    assert r.verdicts() == ["restricted", "restricted", "uncertain"]
    r = attribute(et, ht, settings(propagation="look_through"), AS_OF)
    assert np.allclose(r.lower, [1, 0.6, 0.18]) and np.allclose(r.upper, [1, 0.6, 0.42])
