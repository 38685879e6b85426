"""The channel commands as an operator runs them: an intermediary's token from the CLI
(refused without a channel, or for a channel that does not exist), and its scorecard."""

from __future__ import annotations

import json
from pathlib import Path

from rf_service import public_groups_snapshot
from typer.testing import CliRunner

from ringfence.cli.main import app
from ringfence.service import Runtime, ServiceSettings
from ringfence.service.book import onboard
from ringfence.service.channels import create_channel


def test_token_and_scorecard_commands(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'rf.db'}"
    snap = public_groups_snapshot(tmp_path / "s")
    rt = Runtime(ServiceSettings(database_url=db, snapshot=snap, geoip=False,
                                 embedded_default=False, background=False))
    rt.start()
    org = onboard(rt, name="Oracle Corporation", country="US", billing_country=None,
                  identifiers=[], domains=[], actor="test")["id"]
    create_channel(rt, org_id=org, kind="cloud_platform", attestation="both", regions=[],
                   actor="test")
    env = {"RINGFENCE_DATABASE_URL": db, "RINGFENCE_SNAPSHOT": str(snap),
           "RINGFENCE_EMBEDDED_DEFAULT": "0", "RINGFENCE_GEOIP": "0"}
    runner = CliRunner()
    r = runner.invoke(app, ["token", "create", "--role", "intermediary", "--channel", org],
                      env=env)
    assert r.exit_code == 0, r.output
    assert r.stdout.strip().splitlines()[-1].startswith("rft_intermediary_")
    r = runner.invoke(app, ["token", "create", "--role", "intermediary"], env=env)
    assert r.exit_code != 0 and "channel" in r.output
    r = runner.invoke(app, ["token", "create", "--role", "intermediary", "--channel",
                            "org_nope"], env=env)
    assert r.exit_code != 0 and "org_nope" in r.output
    r = runner.invoke(app, ["token", "create", "--role", "gateway", "--channel", org],
                      env=env)
    assert r.exit_code != 0
    r = runner.invoke(app, ["channels", "scorecard", org, "--window", "week", "--json"],
                      env=env)
    assert r.exit_code == 0, r.output
    card = json.loads(r.stdout.strip().splitlines()[-1])
    assert card["channel"] == org and card["requests"] == 0 and card["window"] == "week"
    listed = runner.invoke(app, ["token", "list", "--json"], env=env).stdout
    assert any(json.loads(x).get("channel") == org for x in listed.splitlines() if x.strip())
