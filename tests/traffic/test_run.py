"""``ringfence detect run``: same outputs as replay; kill -9 and resume loses nothing."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import tinylog

from ringfence.traffic.replay import replay

OUTPUTS = ("actions.csv", "final.csv", "findings.jsonl")


def _inbox(root: Path) -> Path:
    data = tinylog.build().write(root / "data", garbage=True)
    inbox = root / "inbox"
    inbox.mkdir()
    for name in ("accounts.jsonl", "orgs.jsonl", "events.json"):
        (inbox / name).write_bytes((data / name).read_bytes())
    lines = (data / "requests.jsonl").read_text().splitlines(keepends=True)
    third = len(lines) // 3
    for i in range(3):
        chunk = lines[i * third: (i + 1) * third if i < 2 else None]
        (inbox / f"requests-{i:04d}.jsonl").write_text("".join(chunk))
    return inbox


def _run(inbox: Path, state: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "ringfence.cli.main", "detect", "run", str(inbox),
         "--state", str(state), "--out", str(out), "--once", "-q"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_run_matches_replay(tmp_path: Path) -> None:
    inbox = _inbox(tmp_path)
    proc = _run(inbox, tmp_path / "state", tmp_path / "run")
    assert proc.wait(timeout=300) == 0, proc.stderr.read() if proc.stderr else ""
    replay(tmp_path / "data", tmp_path / "replay")
    for name in OUTPUTS:
        assert (tmp_path / "run" / name).read_bytes() == (tmp_path / "replay" / name).read_bytes()


@pytest.mark.slow
def test_kill_9_and_resume_gives_the_uninterrupted_outputs(tmp_path: Path) -> None:
    inbox = _inbox(tmp_path)
    clean = _run(inbox, tmp_path / "state-clean", tmp_path / "clean")
    assert clean.wait(timeout=300) == 0
    state = tmp_path / "state"
    killed_at = None
    for _attempt in range(5):
        proc = _run(inbox, state, tmp_path / "out")
        deadline = time.monotonic() + 120
        while not (state / "state.pickle").exists() and time.monotonic() < deadline:
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        with open(state / "state.pickle", "rb") as fh:
            done = pickle.load(fh)["detector"].checkpoints
        if done < 72:
            killed_at = done
            break
        # it finished before the kill landed: start over
        for p in (state, tmp_path / "out"):
            for f in p.iterdir():
                f.unlink()
    assert killed_at is not None, "the run always finished before kill -9"
    resumed = _run(inbox, state, tmp_path / "out")
    assert resumed.wait(timeout=300) == 0
    for name in OUTPUTS:
        assert (tmp_path / "out" / name).read_bytes() == (
            tmp_path / "clean" / name).read_bytes(), name
