"""Every command's help as a user reads it, and ``screen --id`` on its own."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from ringfence.cli.main import app

runner = CliRunner()


def _commands(cmd: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [path]
    for name, sub in getattr(cmd, "commands", {}).items():
        out.extend(_commands(sub, (*path, name)))
    return out


COMMANDS = _commands(typer.main.get_command(app))


def test_the_tree_is_walked() -> None:
    assert ("screen",) in COMMANDS and ("token", "list") in COMMANDS
    assert ("org", "import") in COMMANDS and ("policy", "show") in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "ringfence")
def test_help_shows_no_bool_type_and_plain_argument_names(path: tuple[str, ...]) -> None:
    r = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "<bool>" not in r.output
    usage = next(line for line in r.output.splitlines() if "Usage:" in line)
    assert "{" not in usage and "}" not in usage, usage


def test_screen_usage_names_the_snapshot() -> None:
    r = runner.invoke(app, ["screen", "--help"], env={"COLUMNS": "200"})
    assert re.search(r"Usage: ringfence screen \[OPTIONS\] SNAPSHOT\b", r.output), r.output
    assert re.search(r"--json\s+Print JSON", r.output), r.output


def test_screen_by_identifier_alone(public_snapshot: Path, tmp_path: Path) -> None:
    snap = shutil.copytree(public_snapshot, tmp_path / "snap")  # screen saves its index
    r = runner.invoke(app, ["screen", str(snap), "--id", "gb_crn:10165711", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["query"]["id"] == "gb_crn:10165711" and out["query"]["name"] is None
    top = out["candidates"][0]
    assert top["entity"] == "tiktok_uk" and top["match"] and top["score"] == 1.0
    assert top["explanation"][0]["feature"] == "identifier:gb_crn"
    r = runner.invoke(app, ["screen", str(snap)])
    assert r.exit_code == 2 and "--name or --id" in r.output


def test_readme_commands_run_after_setup() -> None:
    """setup.sh installs ringfence in .venv, not on PATH: a bare ``ringfence`` in a README
    code block is only right after the README said to activate the venv."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", readme, re.S)
    activate = readme.find("source .venv/bin/activate")
    for block in blocks:
        for line in block.splitlines():
            if re.match(r"\s*(\S+=\S+\s+)?ringfence\s", line):
                assert 0 <= activate < readme.find(line), f"bare command before setup: {line}"
