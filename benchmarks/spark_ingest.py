"""GLEIF golden-copy-shaped XML ingested in process and on Spark local (issue 19 item 3).

Writes synthetic LEI-CDF, RR-CDF and RepEx XML (``ringfence.ingest.synth``, the shape
``benchmarks/ingest.py`` uses: per LEI record 1/6 relationship and 5/3 exceptions), then
ingests the three files into one snapshot, each engine in a fresh process: ``local`` (the
in-process readers, two reading processes, then the DuckDB merge) and ``spark`` (the XML
cut into parts read by Spark tasks, then the same merge). Reports wall and CPU seconds of
the whole process tree (the JVM and the Python workers included, from /proc) and its peak
RSS, and checks that both snapshots have the same counts.

    .venv/bin/python benchmarks/spark_ingest.py --lei 1000000 --workdir /tmp/rf-si --reuse
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from spark import Meter  # the same process-tree meter as the Spark engine's figures

from ringfence.ingest import synth

_PER_LEI = {"rr": 1 / 6, "repex": 5 / 3}


def write_files(wd: Path, lei: int, reuse: bool) -> list[Path]:
    wd.mkdir(parents=True, exist_ok=True)
    n = {"lei": lei, **{k: int(lei * v) for k, v in _PER_LEI.items()}}
    files = [wd / "lei.xml", wd / "rr.xml", wd / "repex.xml"]
    stamp = wd / "counts.json"
    if reuse and stamp.exists() and json.loads(stamp.read_text()) == n and all(
            f.exists() for f in files):
        return files
    t = time.monotonic()
    synth.write_lei_xml(files[0], n["lei"])
    synth.write_rr_xml(files[1], n["rr"], entities=lei)
    synth.write_repex_xml(files[2], n["repex"], entities=lei)
    stamp.write_text(json.dumps(n))
    print(f"generated in {time.monotonic() - t:.0f}s: {n} "
          f"{sum(f.stat().st_size for f in files) / 1e9:.2f} GB", file=sys.stderr)
    return files


def run_one(engine: str, files: list[Path], out: Path, master: str, memory: str
            ) -> dict[str, Any]:
    from ringfence.ingest.pipeline import SourceSpec, ingest_sources

    reader = None
    jobs: dict[str, Any] = {}
    if engine == "spark":
        from ringfence.engines.spark_ingest import SparkSourceReader

        reader = SparkSourceReader(master=master, conf={"spark.driver.memory": memory})
        reader.spark.sparkContext.setJobGroup("bench", "bench")
    with Meter() as m:
        report = ingest_sources([SourceSpec("gleif", files)], out=out, reader=reader,
                                force=True)
    if reader is not None:
        tracker = reader.spark.sparkContext.statusTracker()
        ids = tracker.getJobIdsForGroup("bench")
        stages = {s for j in ids if (info := tracker.getJobInfo(j)) for s in info.stageIds}
        jobs = {"jobs": len(ids), "stages": len(stages)}
    return {"engine": engine, "wall": round(m.wall, 1), "cpu": round(m.cpu, 1),
            "peak_gb": round(m.peak, 2), "counts": report.manifest.counts,
            "phases": {k: round(v, 1) for k, v in report.timings.items()}, **jobs,
            "load": [round(x, 1) for x in os.getloadavg()]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lei", type=int, default=100_000, help="LEI records")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/rf-spark-ingest"))
    ap.add_argument("--reuse", action="store_true", help="reuse files written earlier")
    ap.add_argument("--engines", default="local,spark")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--driver-memory", default="2g")
    ap.add_argument("--one", default="", help=argparse.SUPPRESS)  # child: one run
    args = ap.parse_args()
    files = write_files(args.workdir / f"lei-{args.lei}", args.lei, args.reuse)
    if args.one:
        out = args.workdir / f"snap-{args.one}"
        print(json.dumps(run_one(args.one, files, out, args.master, args.driver_memory)))
        shutil.rmtree(out.with_name(f".{out.name}.versions"), ignore_errors=True)
        out.unlink(missing_ok=True)
        return
    rows = []
    for engine in args.engines.split(","):
        proc = subprocess.run([sys.executable, __file__, "--lei", str(args.lei),
                               "--workdir", str(args.workdir), "--reuse", "--master",
                               args.master, "--driver-memory", args.driver_memory,
                               "--one", engine], capture_output=True, text=True)
        if proc.returncode:
            raise SystemExit(proc.stderr[-3000:])
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), flush=True)
    if len({json.dumps(r["counts"], sort_keys=True) for r in rows}) > 1:
        raise SystemExit("the engines' snapshots differ in their counts")


if __name__ == "__main__":
    main()
