"""Snapshot faults while the service serves:

* a corrupt snapshot (bytes flipped inside a table, a table cut short, a table missing,
  a manifest that is not JSON) is refused at load (every file checked against the
  manifest's checksums) with a clear error naming the file (500 ``integrity``: stored data
  failed a check), and the snapshot already live keeps answering;
* an ingest into the live snapshot's folder killed with SIGKILL part-way leaves the
  service answering from its snapshot and the folder's current version as it was; the
  next ingest succeeds and a publish of it goes live.

One SQLite database, one service; ~25 s (the snapshot's evaluation, one killed ingest)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from rf_service import DATA, public_groups_snapshot, service, token

from ringfence.snapshot import open_snapshot
from ringfence.snapshot.publish import WORK_PREFIX, current
from ringfence.store import make_engine


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 8] = bytes(b ^ 0xFF for b in data[mid:mid + 8])
    path.write_bytes(bytes(data))


def _cut(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])


def _not_json(path: Path) -> None:
    path.write_text('{"id": "x", "files": ')


CORRUPTIONS: list[tuple[str, str, Any]] = [
    ("holdings.parquet", "flipped", _flip),
    ("entities.parquet", "cut", _cut),
    ("names.parquet", "missing", lambda p: p.unlink()),
    ("manifest.json", "not json", _not_json),
]


def _corrupt_copy(good: Path, out: Path, name: str, damage: Any) -> Path:
    shutil.copytree(current(good), out, symlinks=True)
    target = out / name
    target.chmod(0o644)
    damage(target)
    return out


def _decide(client: TestClient, gw: dict[str, str], account: str) -> dict[str, Any]:
    r = client.post("/v1/decide", json={"account_id": account}, headers=gw)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_a_corrupt_snapshot_is_refused_while_the_live_one_serves(tmp_path: Path) -> None:
    live = public_groups_snapshot(tmp_path / "live")
    other = public_groups_snapshot(tmp_path / "other", drop_holding="bytedance,tiktok_uk,")
    engine = make_engine(f"sqlite:///{tmp_path / 'rf.db'}")
    with service(engine, live) as (client, rt):
        gw, admin = token(rt, "gateway"), token(rt, "admin")
        before = _decide(client, gw, "nobody")["snapshot_id"]
        for name, how, damage in CORRUPTIONS:
            bad = _corrupt_copy(other, tmp_path / f"bad-{name}", name, damage)
            r = client.post("/v1/admin/snapshots/publish", json={"path": str(bad)},
                            headers=admin)
            err = r.json()["error"]  # stored data failed its check: 500 ``integrity``
            assert (r.status_code, err["code"]) == (500, "integrity"), (name, how, r.text)
            assert name in err["message"] and name in err["details"]["file"], (name, how, err)
            assert _decide(client, gw, "nobody")["snapshot_id"] == before, (name, how)
        r = client.post("/v1/admin/snapshots/publish", json={"path": str(other)},
                        headers=admin)
        assert r.status_code == 200, r.text
        assert _decide(client, gw, "nobody")["snapshot_id"] == open_snapshot(other).id != before
    engine.dispose()


KILLED_INGEST = """
import os, signal, sys
from pathlib import Path
import ringfence.snapshot.writer as writer
from ringfence.ingest.run import ingest_csv
real = writer.SnapshotWriter.publish
def killed(self, *a, **kw):  # every table staged in the work folder, nothing published
    os.kill(os.getpid(), signal.SIGKILL)
writer.SnapshotWriter.publish = killed
d = Path(sys.argv[1])
ingest_csv(entities=d / "entities.csv", holdings=Path(sys.argv[2]), names=d / "names.csv",
           identifiers=d / "identifiers.csv", out=Path(sys.argv[3]), force=True)
"""


def test_an_ingest_killed_under_the_live_snapshot_changes_nothing(tmp_path: Path) -> None:
    snaps = tmp_path / "snaps"
    snaps.mkdir()
    live = public_groups_snapshot(snaps / "seed")
    target = snaps / "live"
    shutil.copytree(live, target, symlinks=True)
    holdings = tmp_path / "holdings.csv"
    lines = (DATA / "holdings.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    dropped = [ln for ln in lines[1:] if "bytedance,tiktok_uk," not in ln]
    holdings.write_text("".join(lines[:1] + dropped), encoding="utf-8")
    engine = make_engine(f"sqlite:///{tmp_path / 'rf.db'}")
    with service(engine, target) as (client, rt):
        gw, admin = token(rt, "gateway"), token(rt, "admin")
        served = _decide(client, gw, "nobody")["snapshot_id"]
        version = current(target)
        proc = subprocess.Popen([sys.executable, "-c", KILLED_INGEST, str(DATA),
                                 str(holdings), str(target)])
        answered = 0
        while proc.poll() is None:  # the service answers all along
            assert _decide(client, gw, "nobody")["snapshot_id"] == served
            answered += 1
            time.sleep(0.01)
        assert proc.returncode == -signal.SIGKILL
        assert answered > 0
        assert current(target) == version  # nothing switched
        assert open_snapshot(target, verify=True).id == served
        assert any(snaps.glob(f"{WORK_PREFIX}*"))  # the dead writer's work, hidden
        rt.sync()  # a sync meanwhile changes nothing either
        assert _decide(client, gw, "nobody")["snapshot_id"] == served

        # the next ingest clears the debris and publishes; the service takes it when told
        from ringfence.ingest.run import ingest_csv

        manifest, _ = ingest_csv(entities=DATA / "entities.csv", holdings=holdings,
                                 names=DATA / "names.csv",
                                 identifiers=DATA / "identifiers.csv", out=target, force=True)
        assert not list(snaps.glob(f"{WORK_PREFIX}*"))
        r = client.post("/v1/admin/snapshots/publish", json={"path": str(target)},
                        headers=admin)
        assert r.status_code == 200, r.text
        assert _decide(client, gw, "nobody")["snapshot_id"] == manifest.id != served
        assert json.loads((current(target) / "manifest.json").read_text())["id"] == manifest.id
        assert os.path.islink(target)
    engine.dispose()
