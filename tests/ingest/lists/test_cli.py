"""``ringfence ingest lists`` and ``lists[...]`` sources of ``ingest multi``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.ingest.lists.conftest import LISTS
from typer.testing import CliRunner

from ringfence.cli.main import app
from ringfence.exc import InputError
from ringfence.ingest.pipeline import parse_source

runner = CliRunner()
CSL25 = LISTS / "csl" / "consolidated_watchman_sample_2025.csv"


def test_ingest_lists_command(tmp_path: Path) -> None:
    out = tmp_path / "s"
    res = runner.invoke(app, ["ingest", "lists", str(CSL25), "--published", "2025-06-25",
                              "--partial", "--out", str(out)])
    assert res.exit_code == 0, res.output
    manifest = json.loads((out / "manifest.json").read_text())
    (src,) = manifest["sources"]
    assert src["published"] == "2025-06-25" and src["records"] == 13
    assert src["format"] == "csl-csv" and len(src["sha256"]) == 64


def test_ingest_lists_refuses_a_bad_date_and_an_unknown_format(tmp_path: Path) -> None:
    res = runner.invoke(app, ["ingest", "lists", str(CSL25), "--published", "25/06/2025",
                              "--out", str(tmp_path / "s")])
    assert res.exit_code == 2 and "not a date" in res.output
    res = runner.invoke(app, ["ingest", "lists", str(CSL25), "--format", "ofac-json",
                              "--out", str(tmp_path / "s")])
    assert res.exit_code == 2 and "unknown list format" in res.output
    assert not (tmp_path / "s").exists()


def test_multi_source_options() -> None:
    spec = parse_source(f"lists[format=csl,published=2025-06-25,partial]:{CSL25}")
    assert (spec.format, spec.list_format, str(spec.published), spec.partial) == (
        "lists", "csl", "2025-06-25", True)
    with pytest.raises(InputError, match="unknown option"):
        parse_source(f"lists[since=2020]:{CSL25}")
    with pytest.raises(InputError, match="not an ISO date"):
        parse_source(f"lists[published=2025-13-01]:{CSL25}")
    with pytest.raises(InputError, match="lists sources only"):
        parse_source(f"bods[partial]:{CSL25}")
