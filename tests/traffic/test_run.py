"""``ringfence detect run``: same outputs as replay; kill -9 and resume loses nothing."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import tinylog

from ringfence.exc import IntegrityError
from ringfence.traffic.replay import replay
from ringfence.traffic.run import run
from ringfence.traffic.store import load_checkpoint

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


def _run(inbox: Path, state: Path, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "ringfence.cli.main", "detect", "run", str(inbox),
         "--state", str(state), "--out", str(out), "--once", "-q", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _progress(state: Path) -> int:
    try:
        return int(json.loads((state / "progress.json").read_bytes())["checkpoints"])
    except (FileNotFoundError, ValueError):
        return 0


def _snapshot(state: Path) -> int:
    with open(state / "state.pickle", "rb") as fh:
        return int(pickle.load(fh)["detector"].checkpoints)


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
    for _attempt in range(8):
        # a snapshot every 5 checkpoints, so the kill most likely lands between two: the
        # resumed run reads the gap again from the snapshot
        proc = _run(inbox, state, tmp_path / "out", "--snapshot-hours", "5")
        deadline = time.monotonic() + 120
        while _progress(state) < 7 and time.monotonic() < deadline:
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        done = _progress(state)
        if 5 <= _snapshot(state) < done < 72:
            killed_at = done
            break
        # it finished, or the kill landed on a snapshot: start over
        for p in (state, tmp_path / "out"):
            for f in p.iterdir():
                f.unlink()
    assert killed_at is not None, "kill -9 never landed between two snapshots"
    resumed = _run(inbox, state, tmp_path / "out", "--snapshot-hours", "5")
    assert resumed.wait(timeout=300) == 0
    for name in OUTPUTS:
        assert (tmp_path / "out" / name).read_bytes() == (
            tmp_path / "clean" / name).read_bytes(), name


class _Crash(Exception):
    pass


def _crash_at(k: int) -> Callable[[str, int], None]:
    seen = [0]

    def progress(_checkpoint: str, _n: int) -> None:
        seen[0] += 1
        if seen[0] == k:
            raise _Crash  # dies inside checkpoint k, before its outputs or marks are saved

    return progress


@pytest.mark.parametrize("crash_at", [5, 30])  # before the first snapshot; after one
def test_a_run_stopped_between_snapshots_resumes_to_the_same_bytes(
        tmp_path: Path, crash_at: int) -> None:
    inbox = _inbox(tmp_path)
    run(inbox, tmp_path / "state-clean", tmp_path / "clean", once=True)
    state = tmp_path / "state"
    with pytest.raises(_Crash):
        run(inbox, state, tmp_path / "out", once=True, snapshot_every=24,
            progress=_crash_at(crash_at))
    saved = load_checkpoint(state)
    assert saved.ahead and saved.progress is not None
    assert saved.progress["checkpoints"] == crash_at - 1
    assert (saved.snapshot is None) == (crash_at < 24)
    report = run(inbox, state, tmp_path / "out", once=True, snapshot_every=24)
    assert report.finished
    for name in OUTPUTS:
        assert (tmp_path / "out" / name).read_bytes() == (
            tmp_path / "clean" / name).read_bytes(), name
    assert load_checkpoint(state).snapshot is not None  # saved when the run stopped


def test_rebuilt_outputs_that_differ_from_the_disk_are_kept_and_reported(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    inbox = _inbox(tmp_path)
    run(inbox, tmp_path / "state-clean", tmp_path / "clean", once=True)
    state, out = tmp_path / "state", tmp_path / "out"
    with pytest.raises(_Crash):
        run(inbox, state, out, once=True, snapshot_every=4, progress=_crash_at(11))
    saved = load_checkpoint(state)
    assert saved.snapshot is not None and saved.progress is not None
    start, end = saved.snapshot["actions_bytes"], saved.progress["actions_bytes"]
    assert end > start  # the interrupted run wrote action rows after its snapshot
    part = out / ".actions.csv.part"
    data = bytearray(part.read_bytes())
    data[end - 2] = ord("x") if data[end - 2] != ord("x") else ord("y")  # tampered with
    assert bytes(data) != part.read_bytes()
    part.write_bytes(bytes(data))
    with caplog.at_level("WARNING"):
        run(inbox, state, out, once=True, snapshot_every=4)
    assert "gave other outputs" in caplog.text
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (tmp_path / "clean" / name).read_bytes(), name


def test_a_state_saved_by_an_older_version_is_a_clear_error(tmp_path: Path) -> None:
    inbox = _inbox(tmp_path)
    state = tmp_path / "state"
    state.mkdir()
    with open(state / "state.pickle", "wb") as fh:  # the format before progress marks
        pickle.dump({"format": 1, "detector": None, "position": ("", 0), "outbox": []}, fh)
    with pytest.raises(IntegrityError, match=r"format 1.*reads format 2.*move the state"):
        run(inbox, state, tmp_path / "out", once=True)
    proc = _run(inbox, state, tmp_path / "out")
    assert proc.wait(timeout=300) != 0
    err = proc.stderr.read().decode() if proc.stderr else ""
    assert "format 1" in err and "Traceback" not in err
