"""Several OS processes append to one audit chain at once (issue 20, item 1): SQLite in WAL
mode (one file) and PostgreSQL. Afterwards ``ringfence audit verify`` walks a chain with
exactly the records written: no fork (two records on one predecessor), no gap, no error.

Each writer process starts at the same moment (a start file they all poll) and mixes plain
appends with transactions that write a row of their own before appending (the shape every
book write has), so the head is read after other work in the same transaction."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from rf_backends import subprocess_url
from sqlalchemy import Engine, select

from ringfence.store.tables import audit_log

PROCESSES = 4
EACH = 40

_WRITER = textwrap.dedent("""
    import os, sys, time
    from sqlalchemy import insert
    from ringfence.audit import AuditLog
    from ringfence.store import make_engine
    from ringfence.store.tables import kv

    url, tag, n, start = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    log = AuditLog(make_engine(url))
    while not os.path.exists(start):
        time.sleep(0.005)
    for i in range(n):
        if i % 2:
            log.record(kind="test", actor=tag, subject=f"{tag}-{i}", payload={"i": i})
        else:
            with log.transaction() as conn:
                conn.execute(insert(kv).values(key=f"{tag}-{i}", value="x"))
                log.append(conn, kind="test", actor=tag, subject=f"{tag}-{i}",
                           payload={"i": i})
""")


def _verify(url: str) -> dict[str, object]:
    env = {**os.environ, "RINGFENCE_DATABASE_URL": url}
    cli = Path(sys.executable).parent / "ringfence"
    out = subprocess.run([str(cli), "audit", "verify"], env=env, capture_output=True,
                         text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr + out.stdout
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_processes_write_one_chain(db_engine: Engine, tmp_path: Path) -> None:
    url = subprocess_url(db_engine)
    start = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, url, f"w{k}", str(EACH),
                               str(start)], stderr=subprocess.PIPE, text=True)
             for k in range(PROCESSES)]
    time.sleep(1.5)  # let them import and connect, then release them together
    start.touch()
    errors = []
    for p in procs:
        _out, err = p.communicate(timeout=300)
        if p.returncode:
            errors.append(err[-2000:])
    assert not errors, "a writer failed:\n" + "\n".join(errors)

    v = _verify(url)
    total = PROCESSES * EACH
    assert (v["ok"], v["checked"], v["head_seq"]) == (True, total, total), v
    with db_engine.connect() as conn:
        rows = conn.execute(select(audit_log.c.subject, audit_log.c.seq)).all()
    # every append landed once: no record lost, none written twice
    assert sorted(r.subject for r in rows) == sorted(
        f"w{k}-{i}" for k in range(PROCESSES) for i in range(EACH))
    assert sorted(r.seq for r in rows) == list(range(1, total + 1))
    if db_engine.dialect.name == "sqlite":
        with db_engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_verify_of_an_empty_chain_counts_nothing(db_engine: Engine) -> None:
    v = _verify(subprocess_url(db_engine))
    assert (v["ok"], v["checked"], v["head_seq"]) == (True, 0, 0)
