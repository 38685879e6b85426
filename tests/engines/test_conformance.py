"""One test body per behaviour, run against every engine (the ``engine`` fixture): the
brute-force oracle on random graphs, properties, the regulators' worked cases, proofs on
the demo's data, and what-if against a full recompute. An engine passes when it passes
all of these through ``ringfence.engines.base`` alone."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from cases import EXPECTED, case_settings, case_share, load_cases
from oracle import bound
from snapshots import AS_OF, as_policy, component, random_batch, write

from ringfence.attribution import origins
from ringfence.engines.base import Engine, VerdictBook
from ringfence.exc import NotFoundError
from ringfence.model import (
    Entity,
    EntityType,
    Holding,
    HoldingChanges,
    HoldingKind,
    Share,
    Verdict,
)
from ringfence.policy import load_policy, parse_policy
from ringfence.policy.schema import PolicySettings
from ringfence.render import proof_svg, proof_text

MODES = ("cascade", "control", "look_through")


def _verdict(low: bool, high: bool) -> Verdict:
    return Verdict.RESTRICTED if low else Verdict.UNCERTAIN if high else Verdict.CLEAR


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("aggregate", [True, False])
@pytest.mark.parametrize("inclusive", [True, False])
def test_matches_oracle(engine: Engine, tmp_path: Path, mode: str, aggregate: bool,
                        inclusive: bool) -> None:
    rng = random.Random(f"conformance-{mode}-{aggregate}-{inclusive}")
    checked = 0
    for batch in range(4):
        snap, settings, parts = random_batch(rng, tmp_path / f"s{batch}", mode=mode,
                                             aggregate=aggregate, inclusive=inclusive,
                                             graphs=20)
        book = engine.evaluate(snap, as_policy(settings), AS_OF)
        for prefix, ents, setup in parts:
            certain, possible = origins(ents, settings)
            low = bound(setup, set(np.flatnonzero(certain).tolist()), True)
            high = bound(setup, set(np.flatnonzero(possible).tolist()), False)
            if low is None or high is None:
                continue
            checked += 1
            for i, eid in enumerate(ents.ids):
                got = book[f"{prefix}{eid}"]
                ctx = f"batch {batch} {prefix}{eid} {setup} {settings}"
                assert got.verdict is _verdict(low.restricted[i], high.restricted[i]), ctx
                assert got.lower == pytest.approx(float(low.value[i]), abs=1e-9), ctx
                assert got.upper == pytest.approx(float(high.value[i]), abs=1e-9), ctx
    assert checked >= 40  # of 80: the oracle cannot solve look-through cycles with open ends


@pytest.mark.parametrize("mode", MODES)
def test_bounds_ordered_counts_and_lookups(engine: Engine, tmp_path: Path, mode: str) -> None:
    rng = random.Random(f"props-{mode}")
    snap, settings, _ = random_batch(rng, tmp_path / "s", mode=mode, aggregate=True,
                                     inclusive=False, graphs=30)
    book = engine.evaluate(snap, as_policy(settings), AS_OF)
    items = list(book.items())
    assert [v.entity for v in items] == sorted(v.entity for v in items)
    assert len(items) == len(book) == snap.manifest.counts["entities"]
    counts = book.counts()
    assert set(counts) == set(Verdict) and sum(counts.values()) == len(book)
    for v in items:
        assert isinstance(v.verdict, Verdict)
        assert v.lower <= v.upper + 1e-12, v
        assert book.get(v.entity) == v == book[v.entity]
        assert counts[v.verdict] > 0
    assert book.get("no such entity") is None
    with pytest.raises(NotFoundError):
        book["no such entity"]
    with pytest.raises(NotFoundError):
        book.explain("no such entity")
    assert book.snapshot_id == snap.id and book.as_of == AS_OF


@pytest.mark.parametrize("mode", MODES)
def test_input_order_irrelevant(engine: Engine, tmp_path: Path, mode: str) -> None:
    rng = random.Random(f"order-{mode}")
    graphs = []
    for _ in range(20):
        from randgraph import random_graph

        ents, _, pol, setup = random_graph(rng, mode=mode, aggregate=rng.random() < 0.5,
                                           inclusive=rng.random() < 0.5)
        graphs.append((ents, setup.holdings))
    settings = pol
    entities: list[Entity] = []
    holdings: list[Holding] = []
    for g, (ents, holds) in enumerate(graphs):
        es, hs = component(f"g{g}:", ents, holds)
        entities += es
        holdings += hs
    a = engine.evaluate(write(tmp_path / "a", entities, holdings), as_policy(settings), AS_OF)
    rng.shuffle(entities)
    rng.shuffle(holdings)
    b = engine.evaluate(write(tmp_path / "b", entities, holdings), as_policy(settings), AS_OF)
    assert list(a.items()) == list(b.items())


@pytest.mark.parametrize("mode", MODES)
def test_monotone_in_recorded_shares(engine: Engine, tmp_path: Path, mode: str) -> None:
    rng = random.Random(f"monotone-{mode}")
    snap, settings, parts = random_batch(rng, tmp_path / "a", mode=mode, aggregate=True,
                                         inclusive=False, graphs=25)
    settings = settings.model_copy(update={"unaccounted_equity": "ignore"})
    before = engine.evaluate(snap, as_policy(settings), AS_OF)
    entities: list[Entity] = []
    holdings: list[Holding] = []
    for prefix, ents, setup in parts:
        if setup.holdings:
            h = setup.holdings[rng.randrange(len(setup.holdings))]
            step = rng.randint(1, 400) * 1_000_000
            h.lo, h.hi = min(h.lo + step, 10**9), min(h.hi + step, 10**9)
            if h.lo == h.hi:
                h.lo_open = h.hi_open = False
        es, hs = component(prefix, ents, setup.holdings)
        entities += es
        holdings += hs
    after = engine.evaluate(write(tmp_path / "b", entities, holdings), as_policy(settings),
                            AS_OF)
    for v in before.items():
        w = after[v.entity]
        assert w.verdict.severity >= v.verdict.severity, (v, w)
        assert w.lower >= v.lower - 1e-12 and w.upper >= v.upper - 1e-12, (v, w)


CASES = load_cases()


def test_regulators_cases(engine: Engine, tmp_path: Path) -> None:
    """Every worked case of tests/fixtures/ownership-visible.json, as a snapshot."""
    for k, case in enumerate(CASES):
        ents = [Entity(id=e["id"], type=EntityType(e["type"]),
                       hq_country=e.get("hq_country", ""),
                       jurisdiction=e.get("jurisdiction", ""),
                       lists=("designated",) if e.get("listed") else ())
                for e in case["entities"]]
        holds = [Holding(h["owner"], h["owned"], HoldingKind(h.get("kind", "shares")),
                         case_share(h["share"])) for h in case["holdings"]]
        snap = write(tmp_path / f"case{k}", ents, holds)
        book = engine.evaluate(snap, as_policy(case_settings(case["policy"]), case["id"]),
                               AS_OF)
        got = {eid: book[eid].verdict.value for eid in case["expected"]}
        want = {eid: EXPECTED[v] for eid, v in case["expected"].items()}
        assert got == want, f"{case['id']}: {case['why']}"
        for eid in case["expected"]:
            assert book.explain(eid).verdict is book[eid].verdict


def _check_explanation(book: VerdictBook, eid: str) -> None:
    ex = book.explain(eid)
    me = book[eid]
    assert ex.entity == eid and ex.verdict is me.verdict
    assert (ex.lower, ex.upper) == (me.lower, me.upper)
    assert ex.snapshot == book.snapshot_id and ex.policy.name == book.policy.name
    named = {n.entity for n in ex.nodes}
    for e in ex.edges:
        assert {e.owner, e.owned} <= named
        if "unaccounted_equity" in e.uncertain:
            assert e.row is None and e.source is None
        else:
            assert e.row is not None and e.row >= 0 and e.source is not None
            assert e.source.dataset
    if me.verdict is not Verdict.CLEAR:
        assert ex.edges or any(s.channel == "origin" for s in ex.proof.steps)
    assert eid in proof_text(ex) and "<svg" in proof_svg(ex)
    assert ex.as_dict()["verdict"] == me.verdict.value


def test_explain_every_uncertain_entity_of_the_demo_with_unaccounted_equity(
        engine: Engine, default_snapshot: Path) -> None:
    """Under ``unaccounted_equity: unknown`` most uncertain entities of the demo lean on
    equity no record holds; explaining them crashed on the ``row = -1`` sentinel."""
    from ringfence.snapshot import open_snapshot

    base = load_policy("provider-terms").document.model_dump(mode="json")
    policy = parse_policy({**base, "name": "unknown-equity",
                           "unaccounted_equity": "unknown"})
    book = engine.evaluate(open_snapshot(default_snapshot), policy, AS_OF)
    uncertain = [v.entity for v in book.items() if v.verdict is Verdict.UNCERTAIN]
    assert len(uncertain) >= 40
    virtual = 0
    for eid in uncertain:
        _check_explanation(book, eid)
        virtual += any(e.source is None for e in book.explain(eid).edges)
    assert virtual >= len(uncertain) // 2  # most of them do lean on unaccounted equity


def test_warm_changes_no_proof(engine: Engine, default_snapshot: Path) -> None:
    """Reading ahead (``warm``, what the service does after a publish) changes no answer:
    a proof after it equals the proof of a book that was never warmed."""
    import datetime as dt

    from ringfence.snapshot import open_snapshot

    policy, day = load_policy("provider-terms"), dt.date(2026, 1, 1)  # a day it is in force
    cold = engine.evaluate(open_snapshot(default_snapshot), policy, day)
    warm = engine.evaluate(open_snapshot(default_snapshot), policy, day)
    warm.warm()
    picked = [v.entity for v in cold.items() if v.verdict is not Verdict.CLEAR][:5]
    assert picked
    for eid in picked:
        assert warm.explain(eid) == cold.explain(eid)


def test_uncertain_causes_name_every_uncertain_entity(engine: Engine,
                                                      default_snapshot: Path) -> None:
    """The review load (``uncertain_causes``) covers exactly the uncertain entities, each
    with at least one cause in words, and every engine gives the local engine's words."""
    from ringfence.engines.local import LocalEngine
    from ringfence.snapshot import open_snapshot

    base = load_policy("provider-terms").document.model_dump(mode="json")
    policy = parse_policy({**base, "name": "unknown-equity",
                           "unaccounted_equity": "unknown"})
    snap = open_snapshot(default_snapshot)
    book = engine.evaluate(snap, policy, AS_OF)
    causes = book.uncertain_causes()
    uncertain = {v.entity for v in book.items() if v.verdict is Verdict.UNCERTAIN}
    assert uncertain and set(causes) == uncertain
    assert all(causes[e] and all(isinstance(c, str) and c for c in causes[e])
               for e in uncertain)
    assert causes == LocalEngine().evaluate(snap, policy, AS_OF).uncertain_causes()


@pytest.mark.parametrize("mode", MODES)
def test_what_if_equals_a_full_recompute(engine: Engine, tmp_path: Path, mode: str) -> None:
    rng = random.Random(f"whatif-{mode}")
    snap, settings, parts = random_batch(rng, tmp_path / "a", mode=mode,
                                         aggregate=rng.random() < 0.5, inclusive=False,
                                         graphs=20)
    policy = as_policy(settings)
    book = engine.evaluate(snap, policy, AS_OF)
    entities: list[Entity] = []
    kept: list[Holding] = []
    removed: list[int] = []
    added: list[Holding] = []
    row = 0
    for prefix, ents, setup in parts:
        es, hs = component(prefix, ents, setup.holdings)
        entities += es
        for h in hs:
            if rng.random() < 0.2:
                removed.append(row)
            else:
                kept.append(h)
            row += 1
        if len(es) >= 2 and rng.random() < 0.5:
            a, b = rng.sample(es, 2)
            added.append(replace(hs[0], owner=a.id, owned=b.id) if hs else
                         Holding(a.id, b.id, HoldingKind.SHARES, case_share(0.6)))
    update = book.with_changes(HoldingChanges(added=added, removed=removed))
    full = engine.evaluate(write(tmp_path / "b", entities, kept + added), policy, AS_OF)
    assert [(v.entity, v.verdict) for v in update.book.items()] == \
        [(v.entity, v.verdict) for v in full.items()]
    flipped = {f.entity for f in update.flips}
    assert flipped == {v.entity for v in book.items()
                       if v.verdict is not full[v.entity].verdict}
    for f in update.flips:
        assert f.before == book[f.entity] and f.after.verdict is full[f.entity].verdict
    assert update.downstream <= update.recomputed <= len(book)
    assert list(book.items()) == list(engine.evaluate(snap, policy, AS_OF).items())


def test_proof_text_names_a_bound_an_open_end_moved(engine: Engine, tmp_path: Path) -> None:
    """100% x (50%, 60%]: the lower bound is exactly 50% but open, so the verdict under a
    "more than 50%" rule is restricted; the proof must not read "50% at the lower bound"."""
    c, sh, half = EntityType.COMPANY, HoldingKind.SHARES, 500_000_000
    ents = [Entity("cn", c, hq_country="CN"), Entity("a", c, hq_country="DE"),
            Entity("t", c, hq_country="DE")]
    holds = [Holding("cn", "a", sh, Share.exact(2 * half)),
             Holding("a", "t", sh, Share(half, 600_000_000, True, False))]
    snap = write(tmp_path / "s", ents, holds)
    st = PolicySettings.model_validate({
        "restricted_regions": ["CN"],
        "ownership": {"propagation": "look_through", "threshold": 0.5}})
    book = engine.evaluate(snap, as_policy(st), AS_OF)
    assert book["t"].verdict is Verdict.RESTRICTED
    text = proof_text(book.explain("t"))
    assert "more than 50% at the lower bound" in text, text
    assert "restricted share 50% at the lower bound" not in text
