"""`ringfence what-if`: changed holdings recomputed incrementally agree with a full run."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from ringfence.cli.main import app
from ringfence.ingest.run import ingest_csv

runner = CliRunner()
PUBLIC = Path(__file__).resolve().parents[2] / "src" / "ringfence" / "data" / "public-groups"
AS_OF = "2026-11-28"


def full_verdicts(public_snapshot: Path) -> dict[str, str]:
    out = runner.invoke(app, ["attribute", str(public_snapshot), "--as-of", AS_OF, "--json"])
    assert out.exit_code == 0, out.output
    return {v["entity"]: v["verdict"] for v in json.loads(out.stdout)["verdicts"]}


def test_what_if_matches_a_full_recompute_of_the_changed_data(public_snapshot: Path,
                                                             tmp_path: Path) -> None:
    changes = tmp_path / "changes.csv"
    changes.write_text(
        "action,owner,owned,kind,share,share_min,share_max,valid_from,valid_to\n"
        "remove,tencent,halti,shares,,,,2019-10-21,\n"
        "add,tencent,halti,shares,0.45,,,2019-10-21,\n"
        "add,cn_sasac,tendril,shares,0.003,,,2026-01-22,\n")
    result = runner.invoke(app, ["what-if", str(public_snapshot), "--changes", str(changes),
                                 "--as-of", AS_OF, "--json"])
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)
    flipped = {f["entity"]: (f["old"], f["new"]) for f in outcome["flips"]}
    assert flipped["halti"] == ("restricted", "clear")
    assert flipped["supercell"] == ("restricted", "clear")
    assert flipped["tendril"] == ("clear", "restricted")  # 49.84% UCP + 0.3% SASAC

    # The same change made in the source files and ingested afresh.
    rows = list(csv.DictReader((PUBLIC / "holdings.csv").open()))
    fields = list(rows[0])
    kept = [r for r in rows if not (r["owner"] == "tencent" and r["owned"] == "halti"
                                    and r["valid_from"] == "2019-10-21")]
    blank = dict.fromkeys(fields, "")
    kept.append({**blank, "owner": "tencent", "owned": "halti", "kind": "shares",
                 "share": "0.45", "valid_from": "2019-10-21"})
    kept.append({**blank, "owner": "cn_sasac", "owned": "tendril", "kind": "shares",
                 "share": "0.003", "valid_from": "2026-01-22"})
    changed = tmp_path / "holdings.csv"
    with changed.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(kept)
    ingest_csv(entities=PUBLIC / "entities.csv", holdings=changed, out=tmp_path / "after")
    before, after = full_verdicts(public_snapshot), full_verdicts(tmp_path / "after")
    expected = {e: (before[e], after[e]) for e in before if before[e] != after[e]}
    assert flipped == expected


def test_bad_changes_are_named_and_nothing_applies(public_snapshot: Path, tmp_path: Path) -> None:
    changes = tmp_path / "changes.csv"
    changes.write_text("action,owner,owned,kind,share,share_min,share_max,valid_from,valid_to\n"
                       "remove,tencent,nobody,shares,,,,,\n"
                       "sell,tencent,halti,shares,0.1,,,,\n"
                       "add,tencent,halti,shares,1.5,,,,\n")
    result = runner.invoke(app, ["what-if", str(public_snapshot), "--changes", str(changes)])
    assert result.exit_code == 2
    assert "changes.csv:2 [owned]: unknown entity 'nobody'" in result.output
    assert "changes.csv:3 [action]" in result.output
    assert "changes.csv:4 [share]" in result.output
