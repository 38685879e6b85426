"""On the simulator's small config, no legitimate heavy user is ever suspended, while the
campaigns are (so the test fails if the detector simply flags nothing)."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from ringfence.traffic.replay import replay
from ringfence.traffic.sim import SimConfig, simulate

pytestmark = pytest.mark.slow

HARD_NEGATIVES = ("eval_lab", "labelling", "saas_relay", "coding_agent", "university",
                  "agency", "oss_framework", "shared_egress")


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, dict[str, str]],
                                                                 Counter[str]]:
    root = tmp_path_factory.mktemp("simsmall")
    simulate(SimConfig.small(seed=1), root / "data")
    replay(root / "data", root / "out")
    with open(root / "data" / "truth" / "accounts.csv", newline="") as fh:
        truth = {r["account_id"]: r for r in csv.DictReader(fh)}
    ever: Counter[str] = Counter()
    with open(root / "out" / "actions.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["action"] == "suspend":
                ever[truth[row["account_id"]]["family"]] += 1
    return truth, ever


@pytest.mark.parametrize("family", HARD_NEGATIVES)
def test_hard_negative_family_never_suspended(outcome: tuple[dict[str, dict[str, str]],
                                                              Counter[str]], family: str) -> None:
    truth, ever = outcome
    assert any(t["family"] == family for t in truth.values()), f"sim has no {family}"
    assert ever[family] == 0


def test_campaigns_are_suspended(outcome: tuple[dict[str, dict[str, str]], Counter[str]]
                                 ) -> None:
    truth, ever = outcome
    for family in ("hydra", "slow_low", "cot", "capability"):
        total = sum(1 for t in truth.values() if t["family"] == family and t["first_request"])
        assert ever[family] >= 0.5 * total, (family, ever[family], total)
