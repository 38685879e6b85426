"""`ringfence demo`: the README's first command builds the bundled snapshot and reports, then
detects campaigns in a small simulated request log."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ringfence.cli.main import app
from ringfence.snapshot import open_snapshot


def test_demo_builds_the_default_snapshot_and_explains_an_offshore_chain(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--data-dir", str(tmp_path),
                                      "--as-of", "2026-11-28", "--no-detect"])
    assert result.exit_code == 0, result.output
    snap = open_snapshot(tmp_path / "snapshots" / "default", verify=True)
    assert snap.manifest.counts["entities"] > 117  # public groups plus GLEIF and BODS samples
    out = result.stdout
    assert "policy provider-terms" in out and "restricted" in out
    assert "tiktok_inc “TikTok Inc.” (US): RESTRICTED" in out
    assert "origin: headquarters in CN" in out
    assert "detection" not in out
    # the demo caps each verdict table (1,000+ restricted list entries otherwise)
    assert "more (ringfence attribute" in out
    assert len(out.splitlines()) < 150, len(out.splitlines())


def test_attribute_limit_caps_each_verdict_table_and_says_how_many_were_cut(
        public_snapshot: Path) -> None:
    runner = CliRunner()
    full = runner.invoke(app, ["attribute", str(public_snapshot), "--as-of", "2026-11-28",
                               "--json"])
    assert full.exit_code == 0, full.output
    restricted = [v["entity"] for v in json.loads(full.stdout)["verdicts"]
                  if v["verdict"] == "restricted"]
    assert len(restricted) > 3
    capped = runner.invoke(app, ["attribute", str(public_snapshot), "--as-of", "2026-11-28",
                                 "--limit", "3"])
    assert capped.exit_code == 0, capped.output
    assert f"… and {len(restricted) - 3} more (ringfence attribute" in capped.stdout
    assert sum(e in capped.stdout for e in restricted) <= 3
    uncapped = runner.invoke(app, ["attribute", str(public_snapshot), "--as-of", "2026-11-28"])
    assert "more (ringfence attribute" not in uncapped.stdout
    negative = runner.invoke(app, ["attribute", str(public_snapshot), "--limit", "-1"])
    assert negative.exit_code != 0


def test_findings_table_names_the_evidence_and_what_each_cluster_really_was(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from ringfence.cli._common import console
    from ringfence.cli.demo import print_findings

    monkeypatch.setattr(console, "width", 160)

    data, out = tmp_path / "data", tmp_path / "out"
    (data / "truth").mkdir(parents=True)
    out.mkdir()
    (data / "truth" / "accounts.csv").write_text(
        "account_id,org_id,kind,family,campaign_id,replacement,first_request\n"
        "a1,o1,campaign,hydra,hydra-1,0,\na2,o2,campaign,hydra,hydra-1,1,\n"
        "e1,o3,hard_negative,eval_lab,,0,\n")
    (out / "findings.jsonl").write_text(json.dumps({
        "cluster_id": "K1", "account_ids": ["a1", "a2"], "org_ids": ["o1", "o2"],
        "action": "suspend", "score": 0.97, "first_flagged": "2026-03-02T05:00:00Z",
        "evidence": [{"signal": "shared_payment_fingerprint", "value": 2, "weight": 0.9,
                      "detail": "one card across 2 orgs"}]}) + "\n")
    (out / "actions.csv").write_text("checkpoint,account_id,action,score,cluster_id\n"
                                     "2026-03-02T05:00:00Z,a1,suspend,0.97,K1\n"
                                     "2026-03-02T06:00:00Z,e1,review,0.5,\n")
    print_findings(data, out)
    text = capsys.readouterr().out
    assert "K1" in text and "SUSPEND" in text and "shared_payment_fingerprint (0.90)" in text
    assert "campaign hydra-1 ×2" in text
    assert "eval_lab review" in text
    assert "suspend is not" in text


def test_findings_fit_an_80_column_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from ringfence.cli._common import console
    from ringfence.cli.demo import print_findings

    monkeypatch.setattr(console, "width", 80)
    data, out = tmp_path / "data", tmp_path / "out"
    (data / "truth").mkdir(parents=True)
    out.mkdir()
    (data / "truth" / "accounts.csv").write_text(
        "account_id,org_id,kind,family,campaign_id,replacement,first_request\n"
        "a1,o1,campaign,cot,cot-1,0,\n")
    evidence = [{"signal": f"signal_{i}", "value": 1, "weight": 0.1 * i,
                 "detail": "x" * 300} for i in range(1, 7)]
    cluster = "cluster-0123456789abcdef0123456789abcdef"
    (out / "findings.jsonl").write_text(json.dumps({
        "cluster_id": cluster, "account_ids": ["a1"], "org_ids": ["o1"], "action": "throttle",
        "score": 0.7, "first_flagged": "2026-03-02T05:00:00Z", "evidence": evidence}) + "\n")
    (out / "actions.csv").write_text("checkpoint,account_id,action,score,cluster_id\n")
    print_findings(data, out)
    lines = capsys.readouterr().out.splitlines()
    assert all(len(line) <= 80 for line in lines), lines
    assert any(line.startswith(cluster + "  THROTTLE") for line in lines)
    shown = [line for line in lines if line.lstrip().startswith("signal_")]
    # the four heaviest, heaviest first, each on one line
    assert [line.split()[0] for line in shown] == ["signal_6", "signal_5", "signal_4",
                                                   "signal_3"]


@pytest.mark.slow
def test_demo_detects_the_simulated_campaigns_and_spares_the_evaluation_lab(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ringfence.cli._common import console

    monkeypatch.setattr(console, "width", 80)
    result = CliRunner().invoke(app, ["demo", "--data-dir", str(tmp_path),
                                      "--as-of", "2026-11-28"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "detection: a simulated three-day request log" in out
    assert "clusters found" in out
    assert "campaign hydra-1" in out and "campaign cot-1" in out
    assert "eval_lab suspend" not in out
    assert len(out.splitlines()) < 250, len(out.splitlines())
    assert (tmp_path / "detect-demo" / "out" / "findings.jsonl").exists()
