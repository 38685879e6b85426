"""Static checks run with the tests: ruff. (mypy --strict and pylint's duplicate-code check
are steps of their own in .ci/run, before the tests.)"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which(tool, path=str(BIN))
    if exe is None:
        pytest.fail(f"{tool} is a dev dependency; run scripts/setup.sh")
    return subprocess.run([exe, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)


def test_ruff_is_clean() -> None:
    result = run("ruff", "check", "src", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout[-6000:]


def test_no_module_over_500_lines() -> None:
    """No module over 500 lines (Alembic migrations aside)."""
    root = ROOT / "src" / "ringfence"
    long = {}
    for path in sorted(root.rglob("*.py")):
        rel = str(path.relative_to(root))
        if rel.startswith("store/migrations/"):
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > 500:
            long[rel] = lines
    assert not long, f"modules over 500 lines: {long}"
