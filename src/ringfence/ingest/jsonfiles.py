"""The read loop every JSON-based reader shares (BODS, FollowTheMoney).

Files are found (directories searched), opened (plain, gzip, zip), split into records
(JSON array or JSON Lines), and each record is handed to the format's handler. A record
the handler rejects (:class:`Bad`) or that is not an object becomes a problem naming the
file, line, field and record id; nothing stops the rest of the file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ringfence.ingest.gleif import Bad
from ringfence.ingest.inputs import expand_paths, iter_json, open_binary
from ringfence.ingest.stage import FileStats, ProgressHook, Stage

__all__ = ["read_json_records"]

_PROGRESS_EVERY = 2000


def read_json_records(
    paths: list[Path],
    stage: Stage,
    *,
    fmt: str,
    suffixes: tuple[str, ...],
    noun: str,
    handle: Callable[[dict[str, Any], str, int], None],
    record_id: Callable[[dict[str, Any]], Any],
    progress: ProgressHook | None = None,
    files: list[tuple[Path, str]] | None = None,
    lines: bool = False,
) -> Iterator[FileStats]:
    """Feed every JSON object in ``paths`` to ``handle(record, dataset, line)``.

    ``noun`` names a record in messages ("a statement must be an object");
    ``record_id`` picks the id a problem should name. ``files``: the files with their
    labels, already found (one file of a source read on its own keeps the label it has
    in the whole source); ``paths`` is then not searched. ``lines``: the files are JSON
    Lines (parts of a file cut at newlines).
    """
    for path, label in files if files is not None else expand_paths(paths, suffixes):
        dataset = f"{fmt}:{label}"
        stats = FileStats(str(path), fmt, dataset)

        def bad_json(reason: str, line: int | None, dataset: str = dataset,
                     stats: FileStats = stats) -> None:
            stats.rejected += 1
            stage.problem(dataset, reason, line=line)

        try:
            with open_binary(path) as (fh, counter, _):
                for line, record in iter_json(fh, bad_json, lines=lines):
                    stats.records += 1
                    try:
                        if not isinstance(record, dict):
                            raise Bad("", f"{noun} must be an object, got "
                                      f"{type(record).__name__}")
                        handle(record, dataset, line)
                    except Bad as bad:
                        stats.rejected += 1
                        rid = record_id(record) if isinstance(record, dict) else None
                        stage.problem(dataset, bad.reason, line=line, field=bad.field or None,
                                      record=str(rid) if rid else None,
                                      raw=json.dumps(record, ensure_ascii=False)[:2000])
                    if progress is not None and stats.records % _PROGRESS_EVERY == 0:
                        progress(dataset, counter.count, stats.records)
                if progress is not None:
                    progress(dataset, counter.count, stats.records)
        except OSError as err:
            stage.problem(dataset, f"cannot read: {err}")
            stats.rejected += 1
        yield stats
