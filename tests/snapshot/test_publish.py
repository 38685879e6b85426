"""The one atomic publish (ringfence.snapshot.publish): a process killed at every step of
a publish leaves a complete current version, which the next publish replaces; stale-work
cleanup never removes a sealed or current version; readers follow the pointer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ringfence.exc import ConflictError, IntegrityError
from ringfence.ingest.run import ingest_csv
from ringfence.snapshot import open_snapshot
from ringfence.snapshot.publish import (
    STEPS,
    WORK_PREFIX,
    Publication,
    clean_stale,
    current,
    publish_folder,
    verify_version,
)


def fill(payload: str) -> Callable[[Path], None]:
    def write(work: Path) -> None:
        (work / "data.txt").write_text(payload)
        (work / "sub").mkdir()
        (work / "sub" / "more.txt").write_text(payload * 3)
    return write


def read(target: Path) -> str:
    folder = current(target)
    verify_version(folder)  # complete: every file there and as checksummed
    data = (folder / "data.txt").read_text()
    assert (folder / "sub" / "more.txt").read_text() == data * 3
    return data


def killed_publish(target: Path, step: str, payload: str) -> None:
    """Publish ``payload`` in a forked child that SIGKILLs itself at ``step``."""
    def hook(name: str) -> None:
        if name == step:
            os.kill(os.getpid(), signal.SIGKILL)

    pid = os.fork()
    if pid == 0:  # the child: no pytest teardown, whatever happens
        try:
            with Publication(target, hook=hook) as pub:
                fill(payload)(pub.work)
                pub.commit(payload)
        finally:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, status


def killed(code: str, *args: str) -> None:
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                          timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]


def no_debris(parent: Path) -> None:
    assert not list(parent.glob(f"{WORK_PREFIX}*"))


@pytest.mark.parametrize("step", STEPS)
def test_killed_at_any_step_leaves_a_complete_current_version(tmp_path: Path,
                                                              step: str) -> None:
    target = tmp_path / "thing"
    publish_folder(target, fill("v1"), version="v1")
    killed_publish(target, step, "v2")
    switched = STEPS.index(step) >= STEPS.index("switched")
    assert read(target) == ("v2" if switched else "v1")
    # the next publish replaces it and clears what the dead one left
    publish_folder(target, fill("v3"), version="v3")
    assert read(target) == "v3"
    no_debris(tmp_path)
    versions = [p for p in (tmp_path / ".thing.versions").iterdir() if p.is_dir()]
    assert current(target) in versions and len(versions) <= 2  # current + the one before


KILL_SNAPSHOT = """
import os, signal, sys
from pathlib import Path
from ringfence.ingest.run import ingest_csv
import ringfence.snapshot.writer as writer
step = sys.argv[4]
real = writer.Publication
def hooked(*a, **kw):
    def hook(name):
        if name == step:
            os.kill(os.getpid(), signal.SIGKILL)
    return real(*a, **{**kw, "hook": hook})
writer.Publication = hooked
ingest_csv(entities=Path(sys.argv[1]), holdings=Path(sys.argv[2]), out=Path(sys.argv[3]),
           force=True)
"""

ENTITIES = "id,name,type,hq_country,jurisdiction,lists\nP,Parent,company,CN,KY,\n" \
    "S,Sub,company,SG,SG,\n"


@pytest.mark.parametrize("step", [  # a subprocess each (6 s): between the renames always
    pytest.param(s, marks=() if s in ("sealed", "linked") else pytest.mark.slow)
    for s in STEPS])
def test_snapshot_killed_at_any_step_of_its_publish(tmp_path: Path, step: str) -> None:
    e = tmp_path / "entities.csv"
    e.write_text(ENTITIES)
    h = tmp_path / "holdings.csv"
    h.write_text("owner,owned,kind,share,share_min,share_max,valid_from,valid_to,source\n"
                 "P,S,shares,0.6,,,,,\n")
    out = tmp_path / "snaps" / "live"
    first, _ = ingest_csv(entities=e, holdings=h, out=out)
    h.write_text(h.read_text().replace("0.6", "0.7"))
    killed(KILL_SNAPSHOT, str(e), str(h), str(out), step)
    now = open_snapshot(out, verify=True)  # complete and as checksummed
    switched = STEPS.index(step) >= STEPS.index("switched")
    assert (now.id != first.id) is switched
    assert now.graph()[1].lo.tolist() == [700_000_000 if switched else 600_000_000]
    h.write_text(h.read_text().replace("0.7", "0.8"))
    third, _ = ingest_csv(entities=e, holdings=h, out=out, force=True)
    assert open_snapshot(out, verify=True).id == third.id
    no_debris(out.parent)


def test_stale_cleanup_never_removes_a_sealed_or_current_version(tmp_path: Path) -> None:
    target = tmp_path / "thing"
    publish_folder(target, fill("v1"), version="v1")
    live = current(target)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    stale = tmp_path / f"{WORK_PREFIX}{int(dead.stdout)}-abc"
    stale.mkdir()
    (stale / "half.txt").write_text("x")
    mine = tmp_path / f"{WORK_PREFIX}{os.getpid()}-def"  # a live writer's work
    mine.mkdir()
    clean_stale(tmp_path)
    assert not stale.exists() and mine.exists()
    assert current(target) == live and read(target) == "v1"


def test_a_damaged_version_is_named(tmp_path: Path) -> None:
    target = tmp_path / "thing"
    publish_folder(target, fill("v1"))
    (current(target) / "sub" / "more.txt").write_text("tampered")
    with pytest.raises(IntegrityError, match=r"more\.txt"):
        verify_version(current(target))


def test_replace_false_refuses_an_existing_target(tmp_path: Path) -> None:
    target = tmp_path / "thing"
    publish_folder(target, fill("v1"))
    with pytest.raises(ConflictError):
        Publication(target, replace=False)
    no_debris(tmp_path)


def test_a_plain_folder_from_before_versions_is_converted(tmp_path: Path) -> None:
    target = tmp_path / "thing"
    target.mkdir()
    fill("old")(target)
    publish_folder(target, fill("new"))
    assert target.is_symlink() and read(target) == "new"
    publish_folder(target, fill("newer"))
    assert read(target) == "newer"


def test_a_snapshot_is_a_pointer_to_a_sealed_version(tmp_path: Path) -> None:
    e = tmp_path / "entities.csv"
    e.write_text(ENTITIES)
    h = tmp_path / "holdings.csv"
    h.write_text("owner,owned,kind,share,share_min,share_max,valid_from,valid_to,source\n"
                 "P,S,shares,0.6,,,,,\n")
    ingest_csv(entities=e, holdings=h, out=tmp_path / "snap")
    snap = open_snapshot(tmp_path / "snap", verify=True)
    assert (tmp_path / "snap").is_symlink() and snap.root == current(tmp_path / "snap")
    verify_version(snap.root, derived=("cache",))
    assert (snap.root / "cache" / "graph").is_symlink()  # caches publish the same way
    verify_version(current(snap.root / "cache" / "graph"))


def test_the_version_replaced_stays_until_the_next_switch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """keep=1: the version a publish replaced stays (readers on it finish), whatever the
    form of the target's path (relative here, as a user types it); the one before it
    goes."""
    monkeypatch.chdir(tmp_path)
    target = Path("snaps") / "thing"
    publish_folder(target, fill("v1"))
    first = current(target).resolve()
    publish_folder(target, fill("v2"))
    second = current(target).resolve()
    assert first.exists() and read(target) == "v2"
    publish_folder(target, fill("v3"))
    assert second.exists() and not first.exists() and read(target) == "v3"
