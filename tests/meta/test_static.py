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



# Modules still over the limit, each capped at its size when the limit was set (issue 12):
# they may shrink, never grow, and no other module may pass 500 lines. Splitting them is
# their owners' work in progress (screening, the simulator's evaluator).
_OVER_LIMIT = {"resolve/score.py": 516, "resolve/names.py": 547, "traffic/evaluate.py": 558}


def test_no_module_over_500_lines() -> None:
    root = ROOT / "src" / "ringfence"
    long = {}
    for path in sorted(root.rglob("*.py")):
        rel = str(path.relative_to(root))
        if rel.startswith("store/migrations/"):
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > _OVER_LIMIT.get(rel, 500):
            long[rel] = lines
    assert not long, f"modules over 500 lines: {long}"
