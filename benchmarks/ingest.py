"""Ingest throughput and peak memory on synthetic, schema-shaped golden-copy files.

Writes GLEIF Level 1 / Level 2 / reporting-exception XML (and a BODS JSON Lines file) at
``--scale`` times the size of a full golden copy (≈3M LEI records, ≈0.5M relationships,
≈5M exceptions), ingests each format alone and the three GLEIF files together into one
snapshot, each in a fresh subprocess, and prints records/s and peak RSS as a Markdown
table (with the linear extrapolation to full scale when --scale < 1).

    .venv/bin/python benchmarks/ingest.py --scale 0.05 [--workdir /tmp/rf-bench]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from ringfence.ingest import synth

FULL = {"lei": 3_000_000, "rr": 500_000, "repex": 5_000_000, "bods": 1_000_000}

_RUN = """
import sys, json
from pathlib import Path
from ringfence.ingest.pipeline import SourceSpec, ingest_sources
fmt, out, *files = sys.argv[1:]
r = ingest_sources([SourceSpec(fmt, [Path(f) for f in files])], out=Path(out))
print(json.dumps(r.manifest.counts))
"""


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/rf-ingest-bench"))
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    args = ap.parse_args()
    wd: Path = args.workdir
    wd.mkdir(parents=True, exist_ok=True)
    n = {k: max(10, int(v * args.scale)) for k, v in FULL.items()}
    t = time.monotonic()
    files = {
        "lei": wd / "lei.xml",
        "rr": wd / "rr.xml",
        "repex": wd / "repex.xml",
        "bods": wd / "bods.jsonl",
    }
    synth.write_lei_xml(files["lei"], n["lei"])
    synth.write_rr_xml(files["rr"], n["rr"], entities=n["lei"])
    synth.write_repex_xml(files["repex"], n["repex"], entities=n["lei"])
    synth.write_bods(files["bods"], n["bods"] // 2)
    gen = time.monotonic() - t
    print(
        f"generated in {gen:.0f}s: "
        + ", ".join(f"{k} {n[k]:,} records {files[k].stat().st_size / 1e6:,.0f} MB" for k in files),
        file=sys.stderr,
    )
    rows = []
    # each subprocess's peak is measured alone: RUSAGE_CHILDREN keeps the maximum, so
    # run the biggest (combined) last and report per-run peaks from a fresh baseline
    runs = [
        ("GLEIF L1 (LEI-CDF XML)", "gleif", [files["lei"]], n["lei"]),
        ("GLEIF L2 (RR-CDF XML)", "gleif", [files["rr"]], n["rr"]),
        ("GLEIF reporting exceptions XML", "gleif", [files["repex"]], n["repex"]),
        ("BODS 0.4 JSON Lines", "bods", [files["bods"]], n["bods"]),
        (
            "GLEIF golden copy, all three → one snapshot",
            "gleif",
            [files["lei"], files["rr"], files["repex"]],
            n["lei"] + n["rr"] + n["repex"],
        ),
    ]
    for label, fmt, fs, records in runs:
        code = (
            "import resource,subprocess,sys,json;"
            "p=subprocess.run(sys.argv[1:],capture_output=True,text=True);"
            "sys.stderr.write(p.stderr[-3000:]);"
            "print(p.stdout.strip());"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        )
        out = wd / "snap"
        shutil.rmtree(out, ignore_errors=True)
        t = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-c", code, sys.executable, "-c", _RUN, fmt, str(out), *map(str, fs)],
            capture_output=True,
            text=True,
            check=False,
        )
        secs = time.monotonic() - t
        lines = proc.stdout.strip().splitlines()
        if proc.returncode or len(lines) < 2:
            raise SystemExit(proc.stderr[-3000:])
        peak_mb = int(lines[-1]) / 1024
        rate = records / secs
        full = (
            FULL["lei"] + FULL["rr"] + FULL["repex"]
            if "all three" in label
            else (FULL["bods"] if fmt == "bods" else FULL[fs[0].stem])
        )
        rows.append((label, records, secs, rate, peak_mb, full / rate))
        print(
            f"{label}: {records:,} in {secs:.1f}s, {rate:,.0f} rec/s, peak {peak_mb:,.0f} MB"
            f" -> {lines[-2]}",
            file=sys.stderr,
        )
    print(f"\nscale {args.scale} of a full golden copy; machine: {os.cpu_count()} CPUs\n")
    print("| input | records | seconds | records/s | peak RSS (MB) | full scale at this rate (s) |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, records, secs, rate, peak, full_s in rows:
        print(f"| {label} | {records:,} | {secs:.1f} | {rate:,.0f} | {peak:,.0f} | {full_s:,.0f} |")
    if not args.keep:
        shutil.rmtree(wd, ignore_errors=True)


if __name__ == "__main__":
    main()
