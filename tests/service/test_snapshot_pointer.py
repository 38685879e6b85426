"""The service records the snapshot folder as published (the pointer), not the version
folder behind it: a later ingest into the same folder must not leave a restarting worker
unable to load, nor silently serving a snapshot nobody published."""

from __future__ import annotations

from pathlib import Path

import pytest
from rf_service import DATA, service
from sqlalchemy import Engine

from ringfence.ingest.run import ingest_csv
from ringfence.service import Runtime, ServiceSettings
from ringfence.service.sync import SnapshotMovedError, read_pointer
from ringfence.snapshot import open_snapshot


def _ingest(out: Path, tmp: Path, drop: str | None) -> str:
    """Ingest the bundled data into ``out`` (replacing what is there), less the holdings
    lines containing ``drop``; returns the new snapshot's id."""
    holdings = DATA / "holdings.csv"
    if drop:
        lines = holdings.read_text(encoding="utf-8").splitlines(keepends=True)
        holdings = tmp / f"holdings-{len(drop)}.csv"
        holdings.write_text("".join(lines[:1] + [ln for ln in lines[1:] if drop not in ln]),
                            encoding="utf-8")
    ingest_csv(entities=DATA / "entities.csv", holdings=holdings, names=DATA / "names.csv",
               identifiers=DATA / "identifiers.csv", out=out, force=True)
    return open_snapshot(out).id


def test_publish_records_the_folder_as_given(db_engine: Engine, tmp_path: Path) -> None:
    snap = tmp_path / "snap"
    first = _ingest(snap, tmp_path, None)
    with service(db_engine, snap) as (_client, rt):
        assert rt.live is not None and rt.live.snapshot.id == first
    with db_engine.connect() as conn:
        pointer = read_pointer(conn)
    assert pointer.path == str(snap.absolute())  # not .snap.versions/<version>
    assert pointer.snapshot_id == first


def test_one_later_ingest_a_restart_serves_the_recorded_version(db_engine: Engine,
                                                                 tmp_path: Path) -> None:
    snap = tmp_path / "snap"
    first = _ingest(snap, tmp_path, None)
    with service(db_engine, snap):
        pass
    second = _ingest(snap, tmp_path, "bytedance,tiktok_uk,")
    assert second != first
    # the version published is still kept (the one the ingest replaced): it serves on
    with service(db_engine, None) as (client, rt):
        assert rt.live is not None and rt.live.snapshot.id == first
        assert client.get("/readyz").json()["snapshot_id"] == first


def test_two_later_ingests_a_restart_fails_closed_naming_both(db_engine: Engine,
                                                              tmp_path: Path) -> None:
    snap = tmp_path / "snap"
    first = _ingest(snap, tmp_path, None)
    with service(db_engine, snap):
        pass
    _ingest(snap, tmp_path, "bytedance,tiktok_uk,")
    third = _ingest(snap, tmp_path, "bytedance,")
    assert third != first
    # the published version is gone now; the folder shows a snapshot never published
    with pytest.raises(SnapshotMovedError) as err, service(db_engine, None):
        pass
    assert first in str(err.value) and third in str(err.value)
    assert err.value.details == {"path": str(snap.absolute()), "recorded": first,
                                 "current": third}
    # publishing the folder again (`ringfence publish`: a runtime that is not started)
    # is the way back
    settings = ServiceSettings(database_url=str(db_engine.url), embedded_default=False,
                               background=False, geoip=False)
    published = Runtime(settings, engine=db_engine).publish(snap, actor="test")
    assert published["snapshot_id"] == third
    with service(db_engine, None) as (client, rt):
        assert rt.live is not None and rt.live.snapshot.id == third
        assert client.get("/readyz").json()["snapshot_id"] == third


def test_a_publish_a_worker_cannot_load_is_logged_once_and_the_old_one_serves(
        db_engine: Engine, tmp_path: Path) -> None:
    """A running worker whose sync finds a publish it cannot load (the folder was removed
    after the publish) keeps serving what it has and says so once, not at every tick."""
    import shutil

    from structlog.testing import capture_logs

    first = _ingest(tmp_path / "snap", tmp_path, None)
    other = tmp_path / "other"
    _ingest(other, tmp_path, "bytedance,")
    with service(db_engine, tmp_path / "snap") as (client, rt):
        settings = ServiceSettings(database_url=str(db_engine.url), embedded_default=False,
                                   background=False, geoip=False)
        Runtime(settings, engine=db_engine).publish(other, actor="test")
        for path in tmp_path.iterdir():  # the pointer and the versions behind it
            if path.name.lstrip(".").startswith("other"):
                path.unlink() if path.is_symlink() else shutil.rmtree(path)
        with capture_logs() as logs:
            for _ in range(3):
                rt.sync()
        failures = [e for e in logs if e["event"].startswith("could not load the published")]
        assert len(failures) == 1
        assert rt.live is not None and rt.live.snapshot.id == first
        assert client.get("/readyz").json()["snapshot_id"] == first
