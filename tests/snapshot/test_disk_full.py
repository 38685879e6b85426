"""Disk full while a snapshot is written: a clear error (no traceback), the previous
snapshot still current and complete, nothing half-written left behind, and the next
publish succeeds once there is room.

The disk is a size-limited tmpfs the test mounts where it may (root, as in CI); elsewhere
ENOSPC is injected at the Parquet writer. A few seconds (two CLI runs)."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ringfence.snapshot import open_snapshot
from ringfence.snapshot.publish import WORK_PREFIX

ENTITIES = "id,name,type,hq_country,jurisdiction,lists\n" + "".join(
    f"E{i},Company number {i},company,{'CN' if i % 7 == 0 else 'SG'},SG,\n" for i in range(400))
HOLDINGS = "owner,owned,kind,share,share_min,share_max,valid_from,valid_to,source\n" + "".join(
    f"E{i},E{i + 1},shares,0.6,,,,,registry\n" for i in range(399))

INJECT = """
import errno, sys
import pyarrow.parquet as pq
real = pq.ParquetWriter.write_table
def full(self, *a, **kw):
    raise OSError(errno.ENOSPC, "No space left on device", sys.argv[1])
pq.ParquetWriter.write_table = full
from ringfence.cli.main import app
sys.argv = ["ringfence", *sys.argv[2:]]
app()
"""


def _cli(*args: str, inject: str | None = None) -> subprocess.CompletedProcess[str]:
    cmd = ([sys.executable, "-c", INJECT, inject] if inject is not None
           else [sys.executable, "-m", "ringfence.cli.main"])
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "200"})


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path | None]:
    """A 3 MiB tmpfs at tmp_path/disk, or None where mounting is not permitted."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(disk)],
        capture_output=True).returncode == 0
    try:
        yield disk if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(disk: Path, *, leave: int) -> Path:
    """Fill ``disk`` up, then free ``leave`` bytes: a write larger than that fails."""
    filler = disk / "filler"
    with filler.open("wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError as err:
            assert err.errno == errno.ENOSPC
    size = filler.stat().st_size
    os.truncate(filler, max(0, size - leave))
    return filler


def test_disk_full_while_writing_a_snapshot(tmp_path: Path, small_disk: Path | None) -> None:
    e, h = tmp_path / "entities.csv", tmp_path / "holdings.csv"
    e.write_text(ENTITIES)
    h.write_text(HOLDINGS)
    root = small_disk or tmp_path / "plain"
    out = root / "snaps" / "live"
    args = ["ingest", "csv", "--entities", str(e), "--holdings", str(h), "--out", str(out)]
    first = _cli(*args)
    assert first.returncode == 0, first.stderr
    v1 = open_snapshot(out, verify=True).id
    h.write_text(HOLDINGS.replace("0.6", "0.7"))

    if small_disk is not None:
        filler = _fill(small_disk, leave=16 * 1024)
        failed = _cli(*args, "--force")
    else:
        failed = _cli(*args, "--force", inject=str(out))
    assert failed.returncode == 2, (failed.returncode, failed.stderr[-3000:])
    assert "Traceback" not in failed.stderr, failed.stderr[-3000:]
    assert "No space left on device" in failed.stderr, failed.stderr
    assert open_snapshot(out, verify=True).id == v1  # still current and complete
    assert not list(out.parent.glob(f"{WORK_PREFIX}*")), "half-written work left behind"

    if small_disk is not None:
        filler.unlink()
    again = _cli(*args, "--force")
    assert again.returncode == 0, again.stderr
    now = open_snapshot(out, verify=True)
    assert now.id != v1 and now.graph()[1].lo.tolist()[0] == 700_000_000
