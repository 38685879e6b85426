"""`ringfence demo`: the README's first command builds the bundled snapshot and reports."""

from pathlib import Path

from typer.testing import CliRunner

from ringfence.cli.main import app
from ringfence.snapshot import open_snapshot


def test_demo_builds_the_default_snapshot_and_explains_an_offshore_chain(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--data-dir", str(tmp_path),
                                      "--as-of", "2026-11-28"])
    assert result.exit_code == 0, result.output
    snap = open_snapshot(tmp_path / "snapshots" / "default", verify=True)
    assert snap.manifest.counts["entities"] > 117  # public groups plus GLEIF and BODS samples
    out = result.stdout
    assert "policy provider-terms" in out and "restricted" in out
    assert "tiktok_inc “TikTok Inc.” (US): RESTRICTED" in out
    assert "origin: headquarters in CN" in out
