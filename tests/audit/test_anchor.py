"""Audit head anchoring (issue 20, item 2): heads exported to an HMAC-signed, append-only
file; checking the database against it finds a cut tail, a database rolled back to an
older copy (and one written again after the rollback), and refuses an anchor file that was
edited, reordered or read with the wrong key. Each failure names the records (sequence and
hash) that are gone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, update
from typer.testing import CliRunner

from ringfence.audit import AuditLog
from ringfence.audit.anchor import AnchorFile, check_anchors, read_head
from ringfence.cli.main import app
from ringfence.exc import InputError
from ringfence.store import make_engine, upgrade
from ringfence.store.tables import audit_head, audit_log, kv

KEY = "k" * 32


@pytest.fixture
def db_engine(db_engine_shared: Engine) -> Engine:
    with db_engine_shared.begin() as conn:
        conn.execute(delete(audit_log))
        conn.execute(delete(audit_head))
        conn.execute(delete(kv))
    return db_engine_shared


def _grow(engine: Engine, n: int, tag: str = "r") -> None:
    log = AuditLog(engine)
    for i in range(n):
        log.record(kind="test", actor="t", subject=f"{tag}{i}", payload={"i": i})


def _anchor(engine: Engine, anchors: AnchorFile, reason: str = "publish") -> tuple[int, str]:
    seq, digest = read_head(engine)
    anchors.append(seq, digest, reason=reason)
    return seq, digest


def _cut_tail(engine: Engine, keep: int) -> None:
    """What someone with write access to the database can do: drop the last records and
    move the head back, so the chain that is left verifies."""
    log = AuditLog(engine)
    last = log.get(keep)
    assert last is not None
    with engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq > keep))
        conn.execute(update(audit_head).values(seq=keep, hash=last.hash))
    assert log.verify().ok  # the chain alone does not show it


def test_anchored_heads_all_found(db_engine: Engine, tmp_path: Path) -> None:
    anchors = AnchorFile(tmp_path / "anchors.jsonl", KEY)
    _anchor(db_engine, anchors)  # an empty chain is anchored too (seq 0)
    for _ in range(3):
        _grow(db_engine, 5)
        _anchor(db_engine, anchors)
    assert anchors.append(*read_head(db_engine), reason="interval",
                          skip_unchanged=True) is None  # nothing new: not written again
    check = check_anchors(db_engine, anchors)
    assert (check.ok, check.anchors, check.db_head) == (True, 4, 15), check
    assert check.latest is not None and check.latest.seq == 15


def test_a_cut_tail_is_named(db_engine: Engine, tmp_path: Path) -> None:
    anchors = AnchorFile(tmp_path / "anchors.jsonl", KEY)
    _grow(db_engine, 10)
    _anchor(db_engine, anchors)
    _grow(db_engine, 10)
    _seq, digest = _anchor(db_engine, anchors)
    _cut_tail(db_engine, 14)
    check = check_anchors(db_engine, anchors)
    assert not check.ok
    assert check.missing == [{"seq": 20, "hash": digest, "line": 2,
                              "ts": check.missing[0]["ts"], "found_hash": None}]
    assert "records 15..20 are missing" in check.problem
    assert digest in check.problem and "truncated or rolled back" in check.problem


def test_rewritten_after_a_rollback_is_named(db_engine: Engine, tmp_path: Path) -> None:
    """Cut back and written again: the anchored numbers exist, with other hashes."""
    anchors = AnchorFile(tmp_path / "anchors.jsonl", KEY)
    _grow(db_engine, 8)
    _, kept = _anchor(db_engine, anchors)
    _grow(db_engine, 4)
    _, lost = _anchor(db_engine, anchors)
    _cut_tail(db_engine, 9)
    _grow(db_engine, 5, tag="new")  # the chain is valid again, and longer than before
    assert AuditLog(db_engine).verify().ok
    check = check_anchors(db_engine, anchors)
    assert not check.ok and [m["seq"] for m in check.missing] == [12]
    assert check.missing[0]["hash"] == lost and check.missing[0]["found_hash"] != lost
    assert "record 12 has hash" in check.problem and lost in check.problem
    assert "rolled back and written again" in check.problem
    assert kept not in check.problem


def test_an_older_copy_of_the_database_is_named(tmp_path: Path) -> None:
    """SQLite: the database file replaced by a copy taken earlier."""
    path = tmp_path / "rf.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    anchors = AnchorFile(tmp_path / "anchors.jsonl", KEY)
    _grow(engine, 6)
    _anchor(engine, anchors)
    engine.dispose()
    shutil.copy(path, tmp_path / "old.db")  # WAL checkpointed on dispose
    engine = make_engine(f"sqlite:///{path}")
    _grow(engine, 6)
    _, lost = _anchor(engine, anchors, reason="interval")
    engine.dispose()
    for extra in ("-wal", "-shm"):
        Path(f"{path}{extra}").unlink(missing_ok=True)
    shutil.copy(tmp_path / "old.db", path)
    engine = make_engine(f"sqlite:///{path}")
    assert AuditLog(engine).verify().ok
    check = check_anchors(engine, anchors)
    assert not check.ok and check.db_head == 6
    assert "records 7..12 are missing" in check.problem and lost in check.problem
    engine.dispose()


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in path.read_text().splitlines()]


def _write(path: Path, lines: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(x, sort_keys=True) + "\n" for x in lines))


def test_a_tampered_anchor_file_is_refused(db_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "anchors.jsonl"
    anchors = AnchorFile(path, KEY)
    for _ in range(3):
        _grow(db_engine, 3)
        _anchor(db_engine, anchors)
    good = _lines(path)

    edited = [dict(x) for x in good]
    edited[1]["seq"] = 4  # an edit to hide a cut tail
    _write(path, edited)
    with pytest.raises(InputError, match=r"line 2: the HMAC does not match"):
        check_anchors(db_engine, anchors)

    _write(path, [good[0], good[2]])  # a line dropped from the middle
    with pytest.raises(InputError, match=r"line 2 does not follow line 1.*removed or "
                                         r"reordered"):
        check_anchors(db_engine, anchors)

    _write(path, good)
    with pytest.raises(InputError, match=r"line 1: the HMAC does not match.*key"):
        check_anchors(db_engine, AnchorFile(path, "another key, long enough"))
    path.write_text(path.read_text() + "{not json\n")
    with pytest.raises(InputError, match=r"line 4 is not an anchor"):
        check_anchors(db_engine, anchors)
    with pytest.raises(InputError, match="at least 16 characters"):
        AnchorFile(path, "short")


def test_cli_verify_with_an_anchor(tmp_path: Path) -> None:
    """``ringfence audit anchor`` and ``audit verify --anchor``: clean, then the tail cut
    (exit 1, naming the records), then a tampered file (exit 2, naming the line)."""
    url = f"sqlite:///{tmp_path / 'rf.db'}"
    engine = make_engine(url)
    upgrade(engine)
    _grow(engine, 5)
    path = tmp_path / "anchors.jsonl"
    env = {"RINGFENCE_DATABASE_URL": url, "RINGFENCE_ANCHOR_FILE": str(path),
           "RINGFENCE_ANCHOR_KEY": KEY}
    runner = CliRunner()
    out = runner.invoke(app, ["audit", "anchor"], env=env)
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["seq"] == 5

    out = runner.invoke(app, ["audit", "verify", "--anchor", str(path)], env=env)
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["anchor"]["ok"] is True

    _cut_tail(engine, 3)
    out = runner.invoke(app, ["audit", "verify", "--anchor", str(path)], env=env)
    assert out.exit_code == 1
    assert "records 4..5 are missing" in out.stderr
    report = json.loads(out.stdout)
    assert report["ok"] is True and report["anchor"]["missing"][0]["seq"] == 5

    out = runner.invoke(app, ["audit", "verify", "--anchor", str(path)],
                        env={**env, "RINGFENCE_ANCHOR_KEY": "x" * 20})
    assert out.exit_code == 2 and "the HMAC does not match" in out.stderr

    out = runner.invoke(app, ["audit", "verify", "--anchor", str(path)],
                        env={**env, "RINGFENCE_ANCHOR_KEY": "", "RINGFENCE_ANCHOR_FILE": ""})
    assert out.exit_code == 2 and "RINGFENCE_ANCHOR_KEY" in out.output
    engine.dispose()


def test_an_anchor_file_without_a_key_is_refused_at_start(tmp_path: Path) -> None:
    from ringfence.service import ServiceSettings

    with pytest.raises(ValueError, match="RINGFENCE_ANCHOR_KEY is not"):
        ServiceSettings.from_env({"RINGFENCE_ANCHOR_FILE": str(tmp_path / "a.jsonl")})
    with pytest.raises(ValueError, match="anchor_seconds must be positive"):
        ServiceSettings(anchor_seconds=0)
    ok = ServiceSettings.from_env({"RINGFENCE_ANCHOR_FILE": str(tmp_path / "a.jsonl"),
                                   "RINGFENCE_ANCHOR_KEY": KEY})
    assert ok.anchor_key == KEY and KEY not in repr(ok)  # the key is never printed
