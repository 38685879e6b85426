"""Docs are part of the public surface: every CLI command and shipped policy is documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from ringfence.cli.main import app
from ringfence.policy import shipped_policies

ROOT = Path(__file__).resolve().parents[2]


def docs_text() -> str:
    parts = [(ROOT / "README.md").read_text()]
    parts += [p.read_text() for p in sorted((ROOT / "docs").glob("*.md"))]
    return "\n".join(parts)


def command_paths() -> list[str]:
    root = typer.main.get_command(app)
    out: list[str] = []

    def walk(cmd: Any, prefix: list[str]) -> None:
        if hasattr(cmd, "commands"):  # a group (typer ships its own click)
            for name, sub in cmd.commands.items():
                walk(sub, [*prefix, name])
        else:
            out.append(" ".join(prefix))

    walk(root, [])
    return sorted(out)


def test_every_command_is_documented() -> None:
    text = docs_text()
    missing = [c for c in command_paths() if f"ringfence {c}" not in text]
    assert not missing, f"undocumented commands: {missing}"


def test_every_command_has_help() -> None:
    root: Any = typer.main.get_command(app)
    for path in command_paths():
        cmd = root
        for part in path.split():
            cmd = cmd.commands[part]
        assert (cmd.help or "").strip(), f"ringfence {path} has no help text"


def test_every_shipped_policy_is_documented() -> None:
    text = (ROOT / "docs" / "policies.md").read_text()
    for name in shipped_policies():
        assert f"### {name}" in text
