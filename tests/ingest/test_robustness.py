"""Killed mid-ingest: no snapshot, no debris left once the next writer runs. Fuzzed
inputs (truncated, corrupted, wrong types): readers report problems, never crash with
a traceback, never publish a partial snapshot."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ringfence.exc import IngestError
from ringfence.ingest.pipeline import SourceSpec, ingest_sources
from ringfence.ingest.synth import write_lei_xml
from ringfence.snapshot import SnapshotWriter

from .conftest import DATA


@pytest.mark.parametrize(("records", "workers", "staged"), [
    (3_000, "1", "_stage/tables"),  # killed while reading
    # 140 MB: read by 2 processes; killed once staged rows are on disk
    pytest.param(60_000, "", "_stage/**/*.parquet", marks=pytest.mark.slow),
])
def test_sigkill_leaves_nothing(tmp_path: Path, records: int, workers: str,
                                staged: str) -> None:
    big = tmp_path / "lei.xml"
    write_lei_xml(big, records)
    out = tmp_path / "out" / "snap"
    code = ("import sys; from pathlib import Path; "
            "from ringfence.ingest.pipeline import SourceSpec, ingest_sources; "
            "ingest_sources([SourceSpec('gleif', [Path(sys.argv[1])])], out=Path(sys.argv[2]), "
            "workers=int(sys.argv[3]) if sys.argv[3] else None)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(big), str(out), workers])
    deadline = time.monotonic() + 60
    # wait until the writer's hidden working folder holds staged data, then kill
    while time.monotonic() < deadline:
        work = list(out.parent.glob(".ringfence-work-*")) if out.parent.exists() else []
        if work and any(any(w.glob(staged)) for w in work):
            break
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not out.exists()
    # the next writer in that folder removes the dead writer's debris
    with SnapshotWriter(tmp_path / "out" / "other") as w:
        w.abort()
    assert [p.name for p in (tmp_path / "out").iterdir()] == []


def _mutations(data: bytes, rnd: random.Random) -> list[bytes]:
    out = []
    for _ in range(3):
        cut = rnd.randrange(1, max(2, len(data)))
        out.append(data[:cut])  # truncated
    for _ in range(3):
        b = bytearray(data)
        for _ in range(rnd.randint(1, 8)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)  # corrupted bytes
        out.append(bytes(b))
    return out


def _wrong_types(doc: object, rnd: random.Random) -> object:
    """Replace one random value somewhere in a JSON document by a value of another type."""
    if isinstance(doc, dict) and doc:
        k = rnd.choice(list(doc))
        doc = dict(doc)
        doc[k] = (rnd.choice([None, 42, "x", [], {}, True, -1.5])
                  if rnd.random() < 0.4 else _wrong_types(doc[k], rnd))
        return doc
    if isinstance(doc, list) and doc:
        i = rnd.randrange(len(doc))
        doc = list(doc)
        doc[i] = _wrong_types(doc[i], rnd)
        return doc
    return rnd.choice([None, 42, "x", [], {}, True])


FUZZ_FILES = [
    ("bods", DATA / "bods" / "0.4-oo-published-ukpsc-ogl3" / "04152338.jsonl"),
    ("bods", DATA / "bods" / "0.4-examples-fictional" / "joint-ownership.json"),
    ("bods", DATA / "bods" / "0.3-examples-fictional" / "os-06-dr-03.json"),
    ("gleif", DATA / "gleif" / "golden-copy-xml" / "rr-updates-data2.xml"),
    ("gleif", DATA / "gleif" / "golden-copy-xml" / "repex-updates-data2.xml"),
    ("gleif", DATA / "gleif" / "api-json" / "lei_records" /
     "single_lei_record_INR2EJN1ERAN0W5ZP974.json"),
]


@pytest.mark.parametrize("full", [False, pytest.param(True, marks=pytest.mark.slow)],
                         ids=["quick", "full"])
@pytest.mark.parametrize(("fmt", "path"), FUZZ_FILES, ids=lambda x: getattr(x, "name", x))
def test_fuzzed_inputs_never_crash(tmp_path: Path, fmt: str, path: Path, full: bool) -> None:
    rnd = random.Random(path.name)
    data = path.read_bytes()
    cases = _mutations(data, rnd)
    if path.suffix in (".json", ".jsonl"):
        text = data.decode()
        docs = ([json.loads(line) for line in text.splitlines() if line.strip()]
                if path.suffix == ".jsonl" else [json.loads(text)])
        for _ in range(4):
            mutated = [_wrong_types(d, rnd) for d in docs]
            cases.append(("\n".join(json.dumps(d) for d in mutated) if path.suffix ==
                          ".jsonl" else json.dumps(mutated[0])).encode())
    if not full:  # one truncation, one corruption, one type change
        cases = cases[::3][:3]
    for i, case in enumerate(cases):
        f = tmp_path / f"case{i}{path.suffix}"
        f.write_bytes(case)
        out = tmp_path / f"out{i}"
        try:
            ingest_sources([SourceSpec(fmt, [f])], out=out)
        except IngestError as err:
            assert err.problems, "an IngestError always names its problems"
            assert not out.exists()
        else:
            assert (out / "manifest.json").exists()
        assert not list(tmp_path.glob(".ringfence-work-*"))
