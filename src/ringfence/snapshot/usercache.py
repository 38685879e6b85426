"""The user's cache folder, outside any snapshot: parsed dictionary tables kept between
processes so each CLI call does not parse CC-CEDICT again.

The entry points choose the folder (``RINGFENCE_CACHE_DIR``, else
``$XDG_CACHE_HOME/ringfence`` or ``~/.cache/ringfence``: :func:`cache_dir_from_env`) and
hand a :class:`DiskTableStore` to :func:`ringfence.resolve.gloss.use_table_store`.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["DiskTableStore", "cache_dir_from_env"]


def cache_dir_from_env(env: Mapping[str, str]) -> Path:
    """The cache folder the environment names (the entry points pass ``os.environ``)."""
    if env.get("RINGFENCE_CACHE_DIR"):
        return Path(env["RINGFENCE_CACHE_DIR"])
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ringfence"


class DiskTableStore:
    """Tables pickled as ``NAME-STAMP.pickle`` in ``folder`` (our own files, written
    here). Any failure to read or write falls back to building the table."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get(self, name: str, stamp: str, build: Callable[[], Any]) -> Any:
        path = self.folder / f"{name}-{stamp}.pickle"
        try:
            if path.is_file():
                with path.open("rb") as fh:
                    return pickle.load(fh)  # our own file, written below
        except Exception:
            return build()
        value = build()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            with tmp.open("wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(path)
        except OSError:
            pass
        return value
