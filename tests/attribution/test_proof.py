"""Proofs: well-founded chains down to origins whose shares meet the threshold."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from cases import load_cases, run_case
from randgraph import random_graph

from ringfence.attribution import attribute
from ringfence.attribution._kernels import meets
from ringfence.attribution.proof import Proof, prove
from ringfence.model.share import SCALE

AS_OF = dt.date(2025, 1, 1)


def test_layered_case_proof() -> None:
    case = next(c for c in load_cases() if c["id"] == "ofac-2014-guidance-layered-aggregate")
    result, index = run_case(case)
    proof = prove(result, index["C"])
    d = proof.as_dict()
    json.dumps(d)
    assert [s["entity"] for s in d["steps"]] == ["C", "B", "P", "X"]
    assert d["steps"][0]["owners"] == ["B"] and d["steps"][0]["round"] == 2
    assert sorted(d["steps"][1]["owners"]) == ["P", "X"]
    assert d["steps"][2]["reasons"][0]["code"] == "list"
    edge = d["steps"][0]["edges"][0]
    assert edge["share"] == {"exact": 0.5} and edge["kind"] == "shares" and edge["row"] == 3


def test_look_through_paths() -> None:
    case = next(c for c in load_cases() if c["id"] == "anth-cross-holding-multiply")
    result, index = run_case(case)
    proof = prove(result, index["A"], k_paths=3)
    products = [p.product for p in proof.paths]
    assert products == sorted(products, reverse=True)
    assert proof.paths[0].entities == ("P", "A") and proof.paths[0].product == pytest.approx(0.42)
    assert proof.paths[1].entities == ("P", "A", "B", "A")
    assert proof.paths[1].product == pytest.approx(0.42 * 0.6 * 0.3)
    assert proof.paths[0].reasons[0].code == "headquarters"


def _check(proof: Proof, threshold: int, inclusive: bool) -> None:
    lower = proof.bound == "lower"
    steps = {s.entity: s for s in proof.steps}
    for s in proof.steps:
        if s.channel == "origin":
            assert s.round == 0 and s.reasons
            continue
        assert s.owners
        for o in s.owners:
            if not o.startswith("(unaccounted"):
                assert steps[o].round < s.round
        if s.channel == "shares":  # the listed holdings alone meet the threshold
            total = sum(e.share.lo if lower else e.share.hi for e in s.edges)
            opens = sum(e.share.lo_open if lower else e.share.hi_open for e in s.edges)
            assert meets(total, opens, threshold, inclusive, lower)
        else:
            assert s.total >= threshold / SCALE


@pytest.mark.parametrize("mode", ["cascade", "control", "look_through"])
@pytest.mark.parametrize("aggregate", [True, False])
def test_random_proofs(mode: str, aggregate: bool) -> None:
    rng = random.Random(f"proof-{mode}-{aggregate}")
    for _ in range(150):
        inclusive = rng.random() < 0.5
        ents, holds, settings, _ = random_graph(rng, mode=mode, aggregate=aggregate,
                                                inclusive=inclusive)
        result = attribute(ents, holds, settings, AS_OF)
        for i in range(len(result)):
            proof = prove(result, i)
            json.dumps(proof.as_dict())
            if proof.verdict == "clear":
                assert not proof.steps and not proof.paths
                continue
            origin = (result.certain if proof.bound == "lower" else result.possible)[i]
            if origin and (not proof.witness or proof.witness == proof.entity):
                assert proof.steps[0].channel == "origin"
                continue
            if mode == "look_through":
                assert proof.paths
                assert all(p.product > 0 for p in proof.paths)
                continue
            assert proof.steps[0].entity == result.entities.ids[i]
            _check(proof, settings.threshold_ppb, inclusive)


def test_uncertain_proof_marks_what_is_uncertain() -> None:
    from ringfence.attribution import from_records
    from ringfence.model import Entity, EntityType, Holding, HoldingKind, Share
    from ringfence.policy.schema import PolicySettings

    ents = [Entity("u", EntityType.UNKNOWN), Entity("cn", EntityType.COMPANY, hq_country="CN"),
            Entity("t", EntityType.COMPANY, hq_country="DE")]
    holds = [Holding("u", "t", HoldingKind.SHARES, Share.of(0.3)),
             Holding("cn", "t", HoldingKind.SHARES, Share(200_000_000, 400_000_000))]
    et, ht = from_records(ents, holds)
    pol = PolicySettings.model_validate({"restricted_regions": ["CN"],
                                         "unknown_ownership": "review"})
    proof = prove(attribute(et, ht, pol, AS_OF), 2)
    assert proof.verdict == "uncertain" and proof.bound == "upper"
    marks = {e.owner: e.uncertain for e in proof.steps[0].edges}
    assert marks == {"cn": ("range",), "u": ("unknown_owner",)}
