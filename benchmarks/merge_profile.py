"""Where the merge spends its time: every DuckDB statement of one merge, timed.

Reads GLEIF files into a staging folder once (kept with ``--stage``, so later runs only
merge), then runs :func:`ringfence.ingest.merge.merge_stage` on it with a connection
that times each statement, and prints them slowest first with wall and process CPU
seconds (DuckDB runs on its own threads; the CPU figure is the whole process's).

    .venv/bin/python benchmarks/merge_profile.py /tmp/rf-25/{lei,rr,repex}.xml \\
        --stage /tmp/rf-25-stage
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path
from typing import Any

import duckdb

from ringfence.ingest import merge
from ringfence.ingest.gleif import read_gleif
from ringfence.ingest.stage import Stage
from ringfence.packaged import use_packaged_dictionaries
from ringfence.snapshot import SnapshotWriter

use_packaged_dictionaries()  # name screening's data, as the entry points hand it in

class _Timed:
    """A DuckDB connection that records each statement's wall and CPU time."""

    def __init__(self, con: duckdb.DuckDBPyConnection, log: list[tuple[float, float, str]]):
        self._con = con
        self._log = log

    def execute(self, sql: str, *args: Any) -> Any:
        t, c = time.monotonic(), time.process_time()
        out = self._con.execute(sql, *args)
        self._log.append((time.monotonic() - t, time.process_time() - c,
                          " ".join(sql.split())[:110]))
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--stage", type=Path, required=True, help="staging folder (kept)")
    ap.add_argument("--memory-limit", default="2GB")
    args = ap.parse_args()
    tables = args.stage / "tables"
    meta = args.stage / "parts.json"
    if not meta.exists():
        t = time.monotonic()
        stage = Stage(tables)
        for _ in read_gleif(args.files, stage):
            pass
        paths = stage.finish()
        meta.write_text(json.dumps({
            "paths": {k: str(v) for k, v in paths.items()},
            "parts": {k: [[str(p), o] for p, o in v] for k, v in stage.parts.items()}}))
        print(f"staged in {time.monotonic() - t:.1f}s")
    saved = json.loads(meta.read_text())
    paths = {k: Path(v) for k, v in saved["paths"].items()}
    parts = {k: [(Path(p), int(o)) for p, o in v] for k, v in saved["parts"].items()}
    log: list[tuple[float, float, str]] = []
    connect = merge._connect
    merge._connect = lambda work, limit: _Timed(connect(work, limit), log)  # type: ignore[assignment,return-value]
    out = args.stage / "snap"
    shutil.rmtree(out, ignore_errors=True)
    work = args.stage / "merge-work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    t = time.monotonic()
    with SnapshotWriter(out) as writer:
        res = merge.merge_stage(paths, writer, work=work, skip_bad=False,
                                memory_limit=args.memory_limit, parts=parts)
        writer.abort()
    print(f"merge {time.monotonic() - t:.1f}s; steps: "
          + ", ".join(f"{k} {v:.1f}s" for k, v in res.timings.items()))
    for wall, cpu, sql in sorted(log, reverse=True)[:25]:
        print(f"{wall:7.2f}s wall {cpu:7.2f}s cpu  {sql}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
