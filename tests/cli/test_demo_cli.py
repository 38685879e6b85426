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
    assert "K1" in text and "suspend" in text and "shared_payment_fingerprint" in text
    assert "campaign hydra-1 ×2" in text
    assert "eval_lab review" in text


@pytest.mark.slow
def test_demo_detects_the_simulated_campaigns_and_spares_the_evaluation_lab(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ringfence.cli._common import console

    monkeypatch.setattr(console, "width", 160)
    result = CliRunner().invoke(app, ["demo", "--data-dir", str(tmp_path),
                                      "--as-of", "2026-11-28"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "detection: a simulated three-day request log" in out
    assert "clusters found" in out
    assert "campaign hydra-1" in out and "campaign cot-1" in out
    assert "eval_lab suspend" not in out
    assert (tmp_path / "detect-demo" / "out" / "findings.jsonl").exists()
