"""The §4 evaluator on a hand-made world small enough to check every figure by hand.

Fixture strategy: ``_world`` writes a DATA folder (truth + a few requests) and an OUT
folder (actions.csv, final.csv, findings.jsonl) whose expected metrics are worked out in
the comments; the tests compare the evaluator's report with those numbers.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ringfence.cli.main import app
from ringfence.traffic.evaluate import (
    EvalInputError,
    average_precision,
    bcubed,
    evaluate,
    leakage_share,
    recall_at_fpr,
)

D1 = "2026-03-02T"
D2 = "2026-03-03T"

# account -> (kind, family, campaign, replacement, first request)
TRUTH = {
    "c1": ("campaign", "hydra", "h1", 0, D1 + "01:00:00.000Z"),
    "c2": ("campaign", "hydra", "h1", 0, D1 + "02:00:00.000Z"),
    "c3": ("campaign", "hydra", "h1", 0, D1 + "02:30:00.000Z"),
    "c4": ("campaign", "hydra", "h1", 1, D1 + "10:00:00.000Z"),
    "z": ("campaign", "hydra", "h1", 1, ""),                    # never active
    "s1": ("campaign", "slow_low", "s1", 0, D1 + "02:00:00.000Z"),
    "s2": ("campaign", "slow_low", "s1", 0, D1 + "03:00:00.000Z"),
    "e1": ("hard_negative", "eval_lab", "", 0, D1 + "05:00:00.000Z"),
    "g1": ("hard_negative", "agency", "", 0, D1 + "09:00:00.000Z"),
    "g2": ("hard_negative", "agency", "", 0, D1 + "09:30:00.000Z"),
    **{f"o{i}": ("organic", "organic", "", 0, D1 + f"1{i}:00:00.000Z") for i in range(1, 7)},
}
# (request id, ts, account, status, distillation?)
REQUESTS = [
    ("r01", D1 + "01:00:00.000Z", "c1", 200, True),    # before c1's suspension: leaked
    ("r02", D1 + "01:30:00.000Z", "c1", 200, False),   # resold, not distillation
    ("r03", D1 + "02:00:00.000Z", "c2", 200, True),    # leaked
    ("r04", D1 + "02:00:00.000Z", "s1", 200, True),    # leaked
    ("r05", D1 + "02:30:00.000Z", "c3", 200, True),    # leaked
    ("r06", D1 + "03:00:00.000Z", "s2", 200, True),    # leaked
    ("r07", D1 + "04:00:00.000Z", "c1", 200, True),    # c1 suspended at 03:00: stopped
    ("r08", D1 + "04:00:00.000Z", "s2", 429, True),    # not served: not counted
    ("r09", D1 + "05:00:00.000Z", "e1", 200, False),
    ("r10", D1 + "06:00:00.000Z", "c2", 200, True),    # c2 suspended at 05:00: stopped
    ("r11", D1 + "09:00:00.000Z", "g1", 200, False),
    ("r12", D1 + "09:30:00.000Z", "g2", 200, False),
    ("r13", D1 + "10:00:00.000Z", "c4", 200, True),    # leaked (suspended 11:00)
    *[(f"r2{i}", D1 + f"1{i}:00:00.000Z", f"o{i}", 200, False) for i in range(1, 7)],
    ("r30", D2 + "10:00:00.000Z", "c3", 200, True),    # c3 suspended at D2 06:00: stopped
    ("r31", D2 + "12:00:00.000Z", "s2", 200, True),    # leaked
]
ACTIONS = [
    (D1 + "03:00:00Z", "c1", "suspend"), (D1 + "03:00:00Z", "c3", "review"),
    (D1 + "05:00:00Z", "c2", "suspend"), (D1 + "06:00:00Z", "o1", "suspend"),
    (D1 + "11:00:00Z", "c4", "suspend"), (D1 + "12:00:00Z", "g1", "review"),
    (D1 + "20:00:00Z", "g2", "suspend"), (D1 + "22:00:00Z", "g2", "none"),
    (D2 + "00:00:00Z", "s1", "suspend"), (D2 + "06:00:00Z", "c3", "suspend"),
]
SCORES = {"c1": .9, "c2": .8, "c3": .95, "c4": .7, "s1": .6, "s2": .3, "o1": .85,
          "e1": .2, "g1": .5, "g2": .4, "z": .99, **{f"o{i}": .1 for i in range(2, 7)}}
CLUSTERS = {"K1": ["c1", "c2", "c3"], "K2": ["c4", "o1"], "K3": ["g1", "g2"]}


def _world(tmp: Path) -> tuple[Path, Path]:
    data, out = tmp / "data", tmp / "out"
    (data / "truth").mkdir(parents=True)
    out.mkdir()
    lines = ["account_id,org_id,kind,family,campaign_id,replacement,first_request"]
    lines += [f"{a},org_{a},{k},{f},{c},{r},{t}" for a, (k, f, c, r, t) in TRUTH.items()]
    (data / "truth" / "accounts.csv").write_text("\n".join(lines) + "\n")
    (data / "truth" / "distill_requests.csv").write_text(
        "request_id\n" + "".join(f"{r[0]}\n" for r in REQUESTS if r[4]))
    (data / "truth" / "campaigns.json").write_text(json.dumps({
        "h1": {"family": "hydra", "start": D1 + "01:00:00.000Z", "orgs": [], "accounts": 5},
        "s1": {"family": "slow_low", "start": D1 + "02:00:00.000Z", "orgs": [],
               "accounts": 2}}))
    (data / "events.json").write_text(json.dumps({
        "window_start": D1 + "00:00:00.000Z", "window_end": "2026-03-04T00:00:00.000Z",
        "events": [{"ts": D2 + "00:00:00.000Z", "type": "model_release", "model": "m2"}]}))
    (data / "requests.jsonl").write_text("".join(
        json.dumps({"request_id": i, "ts": t, "account_id": a, "status": s}) + "\n"
        for i, t, a, s, _ in sorted(REQUESTS, key=lambda r: r[1])))
    (out / "actions.csv").write_text("checkpoint,account_id,action,score,cluster_id\n" + "".join(
        f"{cp},{a},{act},0.5,\n" for cp, a, act in ACTIONS))
    final = {"c1": "suspend", "c2": "suspend", "c3": "suspend", "c4": "suspend",
             "s1": "suspend", "o1": "suspend", "g1": "review"}
    (out / "final.csv").write_text("account_id,score,action,cluster_id\n" + "".join(
        f"{a},{s},{final.get(a, 'none')},\n" for a, s in SCORES.items()))
    (out / "findings.jsonl").write_text("".join(
        json.dumps({"cluster_id": k, "account_ids": v, "org_ids": [], "action": "suspend",
                    "score": 1.0, "first_flagged": "", "evidence": []}) + "\n"
        for k, v in CLUSTERS.items()))
    return data, out


@pytest.fixture
def report(tmp_path: Path):  # type: ignore[no-untyped-def]
    return evaluate(*_world(tmp_path))


def test_account_precision_recall_count_ever_suspended_active_accounts(report) -> None:  # type: ignore[no-untyped-def]
    # z is inactive: ignored despite its score. Flagged campaign: c1 c2 c3 c4 s1 (5 of 6).
    # Flagged benign: o1, and g2 (suspended, then lifted: still counts). 5 / 7.
    assert (report.campaign_accounts, report.benign_accounts) == (6, 9)
    assert report.precision == pytest.approx(5 / 7)
    assert report.recall == pytest.approx(5 / 6)
    assert report.recall_by_family == {"hydra": 1.0, "slow_low": 0.5}
    assert report.organic_suspended == 1
    assert report.organic_suspended_rate == pytest.approx(1 / 6)


def test_scores_recall_at_fpr_and_pr_auc(report) -> None:  # type: ignore[no-untyped-def]
    # 9 benign: floor(0.01 * 9) = 0 may lie above the threshold -> threshold 0.85 (o1):
    # c3 0.95 and c1 0.9 are above it.
    assert report.recall_at_fpr_1 == pytest.approx(2 / 6)
    assert report.recall_at_fpr_0_1 == pytest.approx(2 / 6)
    # ranking c3 c1 | o1 | c2 c4 s1 | g1 g2 | s2: precisions at each positive
    # 1, 1, 3/4, 4/5, 5/6, 6/9
    assert report.pr_auc == pytest.approx((1 + 1 + .75 + .8 + 5 / 6 + 6 / 9) / 6)


def test_clusters_mixing_purity_and_bcubed(report) -> None:  # type: ignore[no-untyped-def]
    assert report.clusters == 3 and report.mixed_clusters == 1   # K2 = c4 with o1
    rows = {r["campaign"]: r for r in report.campaigns}
    assert rows["h1"]["in_pure_clusters"] == 3 and rows["h1"]["detected"]
    assert rows["s1"]["in_pure_clusters"] == 0 and not rows["s1"]["detected"]
    # items c1..c4 s1 s2 o1 g1 g2; precision: K1 members 1 each, c4 and o1 1/2, g1 g2 1,
    # s1 s2 singletons 1 -> 8/9. recall: c1-c3 3/4, c4 1/4, o1 1, g1 g2 1 (one agency),
    # s1 s2 1/2 -> 6.5/9
    assert report.bcubed_precision == pytest.approx(8 / 9)
    assert report.bcubed_recall == pytest.approx(6.5 / 9)


def test_time_to_detection_replacements_and_leakage(report) -> None:  # type: ignore[no-untyped-def]
    rows = {r["campaign"]: r for r in report.campaigns}
    # h1 starts 01:00; suspended after 2, 4, 10 and 29 hours: half (2 of 4) by 4 h
    assert rows["h1"]["early_accounts"] == 4
    assert rows["h1"]["hours_to_half"] == pytest.approx(4.0) and rows["h1"]["on_time"]
    # s1 starts 02:00; s1 suspended at D2 00:00 = 22 h; 1 of 2 is half
    assert rows["s1"]["hours_to_half"] == pytest.approx(22.0) and rows["s1"]["on_time"]
    assert report.replacement_accounts == 1 and report.replacement_median_h == 1.0
    # 10 served distillation requests, 7 before their account's suspension
    assert report.distill_requests == 10
    assert report.leakage == pytest.approx(0.7)
    assert rows["s1"]["leakage"] == pytest.approx(1.0)          # r04 r06 r31


def test_release_coverage_and_hard_negative_groups(report) -> None:  # type: ignore[no-untyped-def]
    # at the release (D2 00:00): active in the day before c1 c2 c3 c4 s1 s2, suspended
    # c1 c2 c4 s1 (s1 at exactly the release checkpoint) -> 4/6; a day later active c3 s2,
    # suspended c3 -> 1/2: a drop
    (rel,) = report.releases
    assert rel["coverage_before"] == pytest.approx(4 / 6)
    assert rel["coverage_after"] == pytest.approx(0.5)
    groups = {g["group"]: g for g in report.hard_negatives}
    assert groups["agency"]["suspended"] == 1 and groups["agency"]["reviewed"] == 1
    assert groups["eval_lab"]["suspended"] == 0
    assert groups["eval_lab"]["suspended_in_release_burst"] == 0
    failed = {t.name for t in report.targets if not t.passed}
    assert "hard negative agency suspended" in failed
    assert "hard negative eval_lab suspended" not in failed
    assert "coverage 24 h after the m2 release" in failed
    # s1 (slow-and-low) at exactly its 0.50 recall target passes; h1 at 1.0
    names = {t.name for t in report.targets}
    assert {"s1 recall", "h1 recall"} <= names - failed
    assert not report.passed


def test_metric_functions_on_their_own() -> None:
    # 4 benign, FPR 25%: one may lie above -> threshold 0.4 -> 0.9 and 0.5 above
    assert recall_at_fpr([0.9, 0.5, 0.3], [0.8, 0.4, 0.2, 0.1], 0.25) == pytest.approx(2 / 3)
    # ties with the threshold do not count as caught
    assert recall_at_fpr([0.4], [0.8, 0.4, 0.2, 0.1], 0.25) == 0.0
    assert average_precision([1, 0, 1], [0.9, 0.8, 0.1]) == pytest.approx((1 + 2 / 3) / 2)
    p, r = bcubed({"a": "X", "b": "X"}, {"a": "1", "b": "1", "c": "1"})
    assert p == pytest.approx(1.0) and r == pytest.approx((2 / 3 + 2 / 3 + 1 / 3) / 3)
    tl = {"a": [(10, "suspend"), (20, "none"), (30, "suspend")]}
    assert leakage_share(["a"] * 4, [5, 15, 25, 35], tl) == pytest.approx(0.5)
    assert math.isnan(leakage_share([], [], tl))


def test_bad_output_is_refused_naming_file_line_and_field(tmp_path: Path) -> None:
    data, out = _world(tmp_path)
    text = (out / "actions.csv").read_text().replace("c2,suspend", "c2,ban")
    (out / "actions.csv").write_text(text)
    with pytest.raises(EvalInputError, match=r"actions.csv line 4: action 'ban'"):
        evaluate(data, out)
    res = CliRunner().invoke(app, ["detect", "evaluate", str(data), str(out)])
    assert res.exit_code == 2 and "action 'ban'" in res.output


def test_cli_prints_tables_and_json(tmp_path: Path) -> None:
    data, out = _world(tmp_path)
    res = CliRunner().invoke(app, ["detect", "evaluate", str(data), str(out), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["precision"] == pytest.approx(5 / 7) and doc["passed"] is False
    res = CliRunner().invoke(app, ["detect", "evaluate", str(data), str(out)])
    assert res.exit_code == 0 and "hard-negative groups" in res.stdout
