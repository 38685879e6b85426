"""The service's CLI commands, through the ``ringfence`` app."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from rf_service import public_groups_snapshot, service
from sqlalchemy import update
from typer.testing import CliRunner

from ringfence.cli.main import app
from ringfence.store import make_engine
from ringfence.store.tables import audit_log


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"RINGFENCE_DATABASE_URL": f"sqlite:///{tmp_path / 'rf.db'}",
            "RINGFENCE_EMBEDDED_DEFAULT": "0", "RINGFENCE_GEOIP": "0"}


def test_token_publish_import_and_audit(env: dict[str, str], tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["token", "create", "--role", "gateway"], env=env)
    assert r.exit_code == 0, r.output
    assert r.stdout.strip().splitlines()[-1].startswith("rft_gateway_")
    r = runner.invoke(app, ["token", "create", "--role", "root"], env=env)
    assert r.exit_code == 2 and "role must be one of" in r.output

    snap = public_groups_snapshot(tmp_path / "snap")
    r = runner.invoke(app, ["publish", str(snap)], env=env)
    assert r.exit_code == 0, r.output
    book = tmp_path / "book.csv"
    book.write_text("name,country,billing_country,identifiers,domains\n"
                    "Supercell Oy,FI,,,supercell.com\n"
                    "Acme Widgets Ltd,GB,GB,gb_crn:01234567,\n", encoding="utf-8")
    r = runner.invoke(app, ["org", "import", str(book)], env=env)
    assert r.exit_code == 0, r.output
    assert '"status": "denied"' in r.stdout and '"status": "allowed"' in r.stdout
    r = runner.invoke(app, ["org", "list"], env=env)
    assert r.exit_code == 0 and "Supercell" in r.stdout

    r = runner.invoke(app, ["audit", "verify"], env=env)
    assert r.exit_code == 0, r.output
    engine = make_engine(env["RINGFENCE_DATABASE_URL"])
    with engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 3).values(actor="mallory"))
    engine.dispose()
    r = runner.invoke(app, ["audit", "verify"], env=env)
    assert r.exit_code == 1
    assert '"first_bad": 3' in r.stdout and "record 3 was edited" in r.output

    r = runner.invoke(app, ["decision", "replay", "nope-1"], env=env)
    assert r.exit_code == 2 and "no decision" in r.output


def test_bad_csv_row_names_its_line(env: dict[str, str], tmp_path: Path) -> None:
    runner = CliRunner()
    snap = public_groups_snapshot(tmp_path / "snap")
    assert runner.invoke(app, ["publish", str(snap)], env=env).exit_code == 0
    book = tmp_path / "book.csv"
    book.write_text("name,country\nShell plc,GB\n,GB\nX,Germany\n", encoding="utf-8")
    r = runner.invoke(app, ["org", "import", str(book)], env=env)
    assert r.exit_code == 2 and "book.csv:3 [name]: name is empty" in r.output
    assert "book.csv:4 [country]: 'Germany' is not an ISO 3166-1" in r.output
    r = runner.invoke(app, ["org", "list"], env=env)
    assert "Shell" not in r.stdout  # nothing half-imported


def test_token_list_and_revoke(env: dict[str, str], tmp_path: Path) -> None:
    runner = CliRunner()
    snap = public_groups_snapshot(tmp_path / "snap")
    assert runner.invoke(app, ["publish", str(snap)], env=env).exit_code == 0
    secrets, ids = [], []
    for role in ("gateway", "analyst"):
        r = runner.invoke(app, ["token", "create", "--role", role, "--label", f"{role} 1"],
                          env=env)
        assert r.exit_code == 0, r.output
        secrets.append(r.stdout.strip().splitlines()[-1])
        ids.append(r.output.split("token ", 1)[1].split()[0])
    gw_id, gw = ids[0], secrets[0]

    engine = make_engine(env["RINGFENCE_DATABASE_URL"])
    # a server running on the same database while the CLI revokes
    with service(engine, None, sync_seconds=0.3) as (client, _rt):
        decide = {"json": {"key_id": "key_x"}, "headers": {"Authorization": f"Bearer {gw}"}}
        assert client.post("/v1/decide", **decide).status_code == 200  # type: ignore[arg-type]

        r = runner.invoke(app, ["token", "list"], env=env)
        assert r.exit_code == 0, r.output
        assert all(i in r.stdout for i in ids) and not any(s in r.output for s in secrets)

        r = runner.invoke(app, ["token", "revoke", gw_id], env=env)
        assert r.exit_code == 2 and "--reason" in r.output  # a reason is required
        r = runner.invoke(app, ["token", "revoke", gw_id, "--reason", "Key leaked in a log."],
                          env=env)
        assert r.exit_code == 0, r.output
        assert f"token {gw_id} (role gateway) revoked" in r.output

        time.sleep(0.4)  # the server's bound (RINGFENCE_SYNC_SECONDS)
        assert client.post("/v1/decide", **decide).status_code == 401  # type: ignore[arg-type]
    engine.dispose()

    r = runner.invoke(app, ["token", "list", "--json"], env=env)
    rows = {t["id"]: t for t in map(json.loads, r.stdout.splitlines())}
    assert rows[gw_id]["revoked_by"] == "cli"
    assert rows[gw_id]["revoke_reason"] == "Key leaked in a log."
    assert rows[ids[1]]["revoked_at"] is None
    assert not any(s in r.stdout for s in secrets)
    r = runner.invoke(app, ["token", "list", "--active", "--json"], env=env)
    assert [json.loads(line)["id"] for line in r.stdout.splitlines()] == [ids[1]]

    r = runner.invoke(app, ["token", "revoke", gw_id, "--reason", "again"], env=env)
    assert r.exit_code == 2 and "already revoked" in r.output
    r = runner.invoke(app, ["token", "revoke", "tok_nope", "--reason", "x"], env=env)
    assert r.exit_code == 2 and "no token" in r.output
    r = runner.invoke(app, ["audit", "verify"], env=env)
    assert r.exit_code == 0, r.output


def test_a_csv_that_is_not_utf8_is_named_by_file_and_line(env: dict[str, str],
                                                          tmp_path: Path) -> None:
    runner = CliRunner()
    book = tmp_path / "book.csv"
    book.write_bytes(b"name,country\nShell plc,GB\nCaf\xe9 Oy,FI\n")
    r = runner.invoke(app, ["org", "import", str(book)], env=env)
    assert r.exit_code == 2, r.output
    assert "book.csv:3: not valid UTF-8" in r.output and "Traceback" not in r.output
