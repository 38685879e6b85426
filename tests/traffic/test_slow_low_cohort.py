"""Slow-and-low sweeps through coordinated cohorts (detect/cohort.py), on a small simulated
log whose sweep is paraphrased (three phrasings: no skeleton dominates an account) and
light (3-6 requests per account a day): the campaign is suspended within its 72 h time to
detection and no legitimate group is; with cohorts switched off, the same log misses it (so
the first test can fail)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ringfence.detect.config import DetectorConfig
from ringfence.traffic.driver import run_replay
from ringfence.traffic.evaluate import EvalReport, evaluate
from ringfence.traffic.sim import SimConfig, simulate

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = SimConfig.small(seed=3, days=4)
    cfg = replace(base, wording="d", campaigns=replace(
        base.campaigns, slow_accounts=(80, 100), slow_rate=(3, 6), slow_round_min=(20, 40)))
    root = tmp_path_factory.mktemp("slowlow")
    simulate(cfg, root / "data")
    return root / "data"


def _run(data: Path, name: str, config: DetectorConfig) -> EvalReport:
    out = data.parent / name
    run_replay(data, out, progress=None, config=config)
    return evaluate(data, out)


def _slow(rep: EvalReport) -> dict[str, object]:
    rows = [c for c in rep.campaigns if c["family"] == "slow_low"]
    assert len(rows) == 1
    return rows[0]


def test_paraphrased_light_sweep_suspended_in_time(data: Path) -> None:
    rep = _run(data, "out", DetectorConfig())
    slow = _slow(rep)
    assert slow["on_time"], slow
    assert float(slow["hours_to_half"]) <= 72.0  # type: ignore[arg-type]
    assert rep.precision >= 0.95
    assert all(row["suspended"] == 0 for row in rep.hard_negatives), rep.hard_negatives
    assert rep.organic_suspended == 0


def test_without_cohorts_the_sweep_is_missed(data: Path) -> None:
    rep = _run(data, "off", DetectorConfig(cohort_orgs=10**9))
    assert not _slow(rep)["on_time"]
