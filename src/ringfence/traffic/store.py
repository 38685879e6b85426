"""The checkpoint store: the whole detection state in one file, replaced atomically.

``save`` pickles to a temporary file in the same folder, fsyncs it, renames it over
``state.pickle`` and fsyncs the folder, so after a crash or ``kill -9`` the folder holds
either the previous checkpoint or the new one, never a mixture. The file is the
detector's own state, written and read only by ``ringfence detect run`` (pickle is not a
format to accept from anyone else).
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

from ringfence.exc import IntegrityError

__all__ = ["STATE_FILE", "load_state", "save_state"]

STATE_FILE = "state.pickle"
_FORMAT = 1


def save_state(folder: Path, payload: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{STATE_FILE}.tmp"
    with open(tmp, "wb") as fh:
        pickle.dump({"format": _FORMAT, **payload}, fh, protocol=pickle.HIGHEST_PROTOCOL)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, folder / STATE_FILE)
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def load_state(folder: Path) -> dict[str, Any] | None:
    path = folder / STATE_FILE
    if not path.exists():
        return None
    try:
        with open(path, "rb") as fh:
            payload = pickle.load(fh)
    except (pickle.UnpicklingError, EOFError, AttributeError) as err:
        raise IntegrityError(f"{path}: the checkpoint cannot be read ({err}); move it away "
                             "to start over") from None
    if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
        raise IntegrityError(f"{path}: not a checkpoint of this version")
    return payload
