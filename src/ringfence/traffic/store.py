"""The checkpoint store of ``ringfence detect run``: a full snapshot now and then, a small
progress mark every hour of log time.

- ``state.pickle`` (``save_snapshot``) holds the whole detection state with the read
  position, the events cursor, the unsent findings and the output sizes. It grows with the
  log (tens of MB at 14 days) and costs about a second to write, so ``run`` writes it every
  ``snapshot_every`` checkpoints (24: a day of log time) and when it stops;
- ``progress.json`` (``save_progress``) is written at every checkpoint: the read position,
  the output sizes, the checkpoint count and the unsent findings (a few KB).

Both are written to a temporary file in the same folder, fsync'd, renamed over the old one,
and the folder fsync'd, so after a crash or ``kill -9`` each is the previous version or the
new one, never a mixture. Resuming loads the snapshot and, when the progress mark is ahead
of it, reads the inbox again from the snapshot's position up to the mark: the detector is
deterministic, so it rebuilds the state of the last checkpoint, and ``run`` checks that the
rebuilt outputs are the bytes already on disk (docs/detect.md, "Checkpoints").

The pickle is the detector's own state, written and read only by ``ringfence detect run``
(not a format to accept from anyone else).
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ringfence.exc import IntegrityError

__all__ = ["FORMAT", "PROGRESS_FILE", "STATE_FILE", "Saved", "load_checkpoint",
           "save_progress", "save_snapshot"]

STATE_FILE = "state.pickle"
PROGRESS_FILE = "progress.json"
FORMAT = 2  # 1: the whole state pickled at every checkpoint (before 2026-12-07)


def _atomic(folder: Path, name: str, write: Any) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{name}.tmp"
    with open(tmp, "wb") as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, folder / name)
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def save_snapshot(folder: Path, payload: dict[str, Any]) -> None:
    """The whole state (``payload["detector"]``) and where it stands."""
    _atomic(folder, STATE_FILE, lambda fh: pickle.dump(
        {"format": FORMAT, **payload}, fh, protocol=pickle.HIGHEST_PROTOCOL))


def save_progress(folder: Path, payload: dict[str, Any]) -> None:
    """The hourly mark: ``checkpoints``, ``position``, output sizes, ``outbox``."""
    _atomic(folder, PROGRESS_FILE, lambda fh: fh.write(orjson.dumps(
        {"format": FORMAT, **payload})))


@dataclass
class Saved:
    """What a state folder holds: the last snapshot and the last progress mark."""

    snapshot: dict[str, Any] | None
    progress: dict[str, Any] | None

    @property
    def ahead(self) -> bool:
        """The progress mark is past the snapshot (resuming reads the gap again)."""
        done = self.snapshot["detector"].checkpoints if self.snapshot else 0
        return self.progress is not None and self.progress["checkpoints"] > done

    @property
    def outbox(self) -> list[dict[str, Any]]:
        """The findings not yet accepted by the service, as last recorded."""
        if self.progress is not None and (self.snapshot is None or self.progress[
                "checkpoints"] >= self.snapshot["detector"].checkpoints):
            return list(self.progress["outbox"])
        return list(self.snapshot["outbox"]) if self.snapshot else []


def _older(path: Path, found: Any) -> IntegrityError:
    return IntegrityError(
        f"{path}: a checkpoint of another ringfence version (format {found!r}, this version "
        f"reads format {FORMAT}); move the state folder away to start over (run reads the "
        "inbox again from its first file and rewrites the outputs)")


def load_checkpoint(folder: Path) -> Saved:
    """The snapshot and progress mark in ``folder`` (``None`` for what is absent)."""
    snapshot: dict[str, Any] | None = None
    progress: dict[str, Any] | None = None
    path = folder / STATE_FILE
    if path.exists():
        try:
            with open(path, "rb") as fh:
                snapshot = pickle.load(fh)
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError,
                TypeError) as err:
            raise IntegrityError(f"{path}: the checkpoint cannot be read ({err}); move it "
                                 "away to start over") from None
        if not isinstance(snapshot, dict) or snapshot.get("format") != FORMAT:
            raise _older(path, snapshot.get("format") if isinstance(snapshot, dict) else None)
    ppath = folder / PROGRESS_FILE
    if ppath.exists():
        try:
            progress = orjson.loads(ppath.read_bytes())
        except orjson.JSONDecodeError as err:
            raise IntegrityError(f"{ppath}: the progress mark cannot be read ({err}); move "
                                 "the state folder away to start over") from None
        if not isinstance(progress, dict) or progress.get("format") != FORMAT:
            raise _older(ppath, progress.get("format") if isinstance(progress, dict) else None)
    return Saved(snapshot, progress)
