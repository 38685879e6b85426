"""Verdicts of a few entities (what ``screen`` asks) equal the whole book's, under every
shipped policy: attribution on the owners' closure alone is exact (oracle: ``evaluate``)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ringfence.engines.local import evaluate, verdicts_of
from ringfence.ingest.run import ingest_csv
from ringfence.policy import DEFAULT_POLICY

DATA = Path(__file__).resolve().parents[2] / "src" / "ringfence" / "data" / "public-groups"
POLICIES = sorted(
    p.stem for p in (Path(__file__).resolve().parents[2] / "src" / "ringfence" / "policies")
    .glob("*.yaml")
)


@pytest.fixture(scope="module")
def snap(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("vo") / "snap"
    ingest_csv(entities=DATA / "entities.csv", holdings=DATA / "holdings.csv",
               names=DATA / "names.csv", identifiers=DATA / "identifiers.csv", out=out)
    return out


@pytest.mark.slow  # about 10 s per policy (five whole-book evaluations to compare with)
@pytest.mark.parametrize("policy", POLICIES or [DEFAULT_POLICY])
def test_verdicts_of_a_few_entities_equal_the_whole_book(snap: Path, policy: str) -> None:
    book = evaluate(snap, policy)
    full = {v.entity: v for v in book.items()}
    ids = sorted(full)
    rng = random.Random(14)
    for size in (1, 1, 1, 3, 5, 12):
        pick = rng.sample(ids, size)
        got = verdicts_of(snap, policy, pick)
        assert got == {e: full[e] for e in pick}
    assert verdicts_of(snap, policy, ["no-such-entity"]) == {}
    every = verdicts_of(snap, policy, ids)
    assert every == full
