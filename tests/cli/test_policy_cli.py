"""`ringfence policy ...` and `ringfence simulate` as a compliance lead runs them."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from ringfence.cli.main import app

runner = CliRunner()
PUBLIC = Path(__file__).resolve().parents[2] / "src" / "ringfence" / "data" / "public-groups"


def test_policy_list_names_all_five() -> None:
    result = runner.invoke(app, ["policy", "list"])
    assert result.exit_code == 0
    for name in ("provider-terms", "ofac-50", "bis-affiliates", "eu", "uk"):
        assert name in result.stdout


def test_policy_check_names_the_bad_key(tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump({"name": "x", "ownership": {"threshold": 2, "agregate": True}}))
    result = runner.invoke(app, ["policy", "check", str(f)])
    assert result.exit_code == 2
    assert "ownership.threshold" in result.output and "ownership.agregate" in result.output
    assert "unknown key" in result.output


def test_policy_check_accepts_a_good_file(tmp_path: Path) -> None:
    f = tmp_path / "good.yaml"
    f.write_text(yaml.safe_dump({"name": "x", "restricted_regions": ["ru"]}))
    result = runner.invoke(app, ["policy", "check", str(f)])
    assert result.exit_code == 0 and "ok" in result.stdout


def test_policy_show_gives_version_in_force() -> None:
    result = runner.invoke(app, ["policy", "show", "bis-affiliates", "--as-of", "2026-01-01"])
    assert result.exit_code == 0
    assert "suspended" in result.stdout and "enabled: false" in result.stdout


def test_policy_diff_in_words() -> None:
    result = runner.invoke(app, ["policy", "diff", "ofac-50", "uk"])
    assert result.exit_code == 0
    out = result.stdout
    assert "different restricted owners add up: yes → no" in out
    assert "how restriction travels through the ownership graph: cascade → control" in out
    data = json.loads(runner.invoke(app, ["policy", "diff", "ofac-50", "uk", "--json"]).stdout)
    assert {c["key"] for c in data} >= {"ownership.aggregate", "ownership.inclusive",
                                        "origin.lists", "ownership.propagation"}


def test_simulate_a_25_percent_draft_on_the_public_groups(public_snapshot: Path,
                                                          tmp_path: Path) -> None:
    draft = yaml.safe_load((Path(__file__).resolve().parents[2] / "src" / "ringfence"
                            / "policies" / "provider-terms.yaml").read_text())
    draft.update(name="provider-terms-25", version="draft")
    draft["ownership"]["threshold"] = 0.25
    draft_file = tmp_path / "draft.yaml"
    draft_file.write_text(yaml.safe_dump(draft))
    result = runner.invoke(app, ["simulate", str(public_snapshot), "--policy",
                                 "provider-terms", "--draft", str(draft_file),
                                 "--as-of", "2026-11-28",
                                 "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["setting_changes"] == ["threshold: 0.5 (50%) → 0.25 (25%)"]
    flips = {flip["entity"]: flip for flip in report["flips"]}
    assert flips, "a lower threshold must restrict someone in the public groups"
    # A lower threshold can only make verdicts stricter.
    assert all(flip["direction"] in {"clear → restricted", "clear → uncertain",
                                     "uncertain → restricted"} for flip in flips.values())
    assert sum(report["counts"].values()) == len(flips)
    pct = r"\d+(\.\d+)?%(–\d+(\.\d+)?%)?"
    for flip in flips.values():
        assert "under live" in flip["reason"] and "under draft" in flip["reason"]
        # both bounds and both thresholds, then the owners that carry it, with shares
        assert re.fullmatch(rf"restricted share {pct} against >50% under live; {pct} "
                            rf"against >25% under draft( via \S+ \S.*)?", flip["reason"]), \
            flip["reason"]
        assert "{" not in flip["reason"]
        # Whatever flips has some restricted share past the draft's 25%.
        assert flip["draft"]["upper"] > 0.25
    text = runner.invoke(app, ["simulate", str(public_snapshot), "--policy",
                               "provider-terms", "--draft", str(draft_file),
                               "--as-of", "2026-11-28"])
    assert f"{len(flips)} of " in text.stdout


def test_simulate_per_customer(public_snapshot: Path, tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    book.write_text("customer,entity\nacme,tendril\nglobex,oracle\nghost,no_such_entity\n")
    result = runner.invoke(app, ["simulate", str(public_snapshot), "--policy", "provider-terms",
                                 "--draft", "ofac-50", "--customers", str(book), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["population"] == 3
    assert report["unresolved_customers"] == ["ghost"]
    for flip in report["flips"]:
        assert flip["customers"]


def test_simulate_names_each_owner_with_its_share(public_snapshot: Path) -> None:
    """Each flip's reason ends "via OWNER SHARE, ...": the share as text (50%, [0%, 50%]),
    never the share's data as a dict."""
    result = runner.invoke(app, ["simulate", str(public_snapshot), "--draft", "uk",
                                 "--as-of", "2026-11-28"])
    assert result.exit_code == 0, result.output
    via = [line.split(" via ", 1)[1] for line in result.stdout.splitlines() if " via " in line]
    assert len(via) >= 10
    share = r"(\d+(\.\d+)?%|[\[(]\d+(\.\d+)?%, \d+(\.\d+)?%[\])])"
    for owners in via:
        assert re.fullmatch(rf"\S+ {share}(, \S+ {share})*", owners), owners
    assert "{" not in result.stdout and "'min'" not in result.stdout
    data = json.loads(runner.invoke(app, ["simulate", str(public_snapshot), "--draft", "uk",
                                          "--as-of", "2026-11-28", "--json"]).stdout)
    assert all("{" not in f["reason"] for f in data["flips"])


@pytest.mark.parametrize("as_of", ["2026-01-01", "2026-12-01"])
def test_policy_show_prints_a_policy_file_check_accepts(tmp_path: Path, as_of: str) -> None:
    """`policy show NAME > draft.yaml && policy check draft.yaml`: a draft starts from a
    shipped policy, with the same settings in force on that date."""
    from ringfence.policy import load_policy, resolve, shipped_policies

    when = dt.date.fromisoformat(as_of)
    for name in shipped_policies():
        shown = runner.invoke(app, ["policy", "show", name, "--as-of", as_of])
        assert shown.exit_code == 0, shown.output
        draft = tmp_path / f"{name}-{as_of}.yaml"
        draft.write_text(shown.stdout)
        checked = runner.invoke(app, ["policy", "check", str(draft)])
        assert checked.exit_code == 0, checked.output
        assert resolve(load_policy(draft), when).settings == \
            resolve(load_policy(name), when).settings, name


def test_policy_list_prints_whole_descriptions() -> None:
    from ringfence.policy import load_policy, shipped_policies

    result = runner.invoke(app, ["policy", "list"], env={"COLUMNS": "400"})
    assert result.exit_code == 0
    flat = " ".join(result.stdout.split())
    for name in shipped_policies():
        assert " ".join(load_policy(name).document.description.split()) in flat, name


def test_a_yaml_syntax_error_is_named_once_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nownership: {threshold: 0.5\n")
    result = runner.invoke(app, ["policy", "check", str(bad)])
    assert result.exit_code == 2
    assert result.output.count("expected ','") == 1, result.output
    assert f"{bad}:3" in " ".join(result.output.split())
