"""The ``ringfence ingest`` commands: parse, call the library, render."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ringfence.cli.main import app

from .conftest import DATA

runner = CliRunner()
PG = DATA / "public-groups"


def test_ingest_csv(tmp_path: Path) -> None:
    res = runner.invoke(app, ["ingest", "csv", "--entities", str(PG / "entities.csv"),
                              "--holdings", str(PG / "holdings.csv"), "--names",
                              str(PG / "names.csv"), "--identifiers",
                              str(PG / "identifiers.csv"), "--out", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "s" / "manifest.json").exists()


def test_ingest_bad_csv_prints_file_line_column(tmp_path: Path) -> None:
    ents = tmp_path / "entities.csv"
    ents.write_text("id,name,type,hq_country,jurisdiction,lists\na,A,company,CN,,\n"
                    "b,B,company,XX,,\n")
    hold = tmp_path / "holdings.csv"
    hold.write_text("owner,owned,kind,share,share_min,share_max,valid_from,valid_to,"
                    "source\na,b,shares,1.5,,,,,\n")
    res = runner.invoke(app, ["ingest", "csv", "--entities", str(ents), "--holdings",
                              str(hold), "--out", str(tmp_path / "s")])
    assert res.exit_code != 0
    assert f"{ents}:3 [hq_country]:" in res.output
    assert not (tmp_path / "s").exists()


def test_ingest_multi_and_formats(tmp_path: Path) -> None:
    out = tmp_path / "m"
    res = runner.invoke(app, [
        "ingest", "multi", "--source", f"csv:{PG}",
        "--source", f"gleif:{DATA / 'gleif' / 'golden-copy-xml'}",
        "--source", f"bods:{DATA / 'bods' / '0.4-gleif-real-cc0'}", "--out", str(out)])
    assert res.exit_code == 0, res.output
    manifest = json.loads((out / "manifest.json").read_text())
    formats = {s["format"] for s in manifest["sources"]}
    assert {"csv:entities", "gleif-lei-xml", "gleif-rr-xml", "gleif-repex-xml",
            "bods"} <= formats
    res = runner.invoke(app, ["ingest", "bods", str(DATA / "bods" / "0.4-examples-fictional"
                                                    / "tecido.json"),
                              "--out", str(tmp_path / "t")])
    assert res.exit_code == 2
    assert "bods:tecido.json:449 [share]: shares held in" in res.output
    assert "(record 022EBEB66B)" in res.output
    res = runner.invoke(app, ["ingest", "bods", str(DATA / "bods" / "0.4-examples-fictional"
                                                    / "tecido.json"),
                              "--out", str(tmp_path / "t"), "--skip-bad"])
    assert res.exit_code == 0
    assert (tmp_path / "t.rejects.csv").exists()
    res = runner.invoke(app, ["ingest", "multi", "--source", "xml:foo", "--out",
                              str(tmp_path / "x")])
    assert res.exit_code == 2 and "unknown source format" in res.output


def test_ingest_workers_setting_is_read_by_the_command(tmp_path: Path) -> None:
    """RINGFENCE_INGEST_WORKERS is read at the entry point (the library takes
    ``workers=``): a bad value is named, a good one ingests."""
    from typer.testing import CliRunner

    from ringfence.cli.main import app

    sample = sorted((Path(__file__).resolve().parents[2] / "src" / "ringfence" / "data"
                     / "gleif" / "api-json" / "lei_records").glob("single_lei_record_*.json"))
    args = ["ingest", "gleif", str(sample[0]), "--out"]
    bad = CliRunner().invoke(app, [*args, str(tmp_path / "a")],
                             env={"RINGFENCE_INGEST_WORKERS": "many"})
    assert bad.exit_code == 2 and "RINGFENCE_INGEST_WORKERS='many'" in bad.output
    assert not (tmp_path / "a").exists()
    good = CliRunner().invoke(app, [*args, str(tmp_path / "b")],
                              env={"RINGFENCE_INGEST_WORKERS": "1"})
    assert good.exit_code == 0, good.output


def test_spark_options_need_engine_spark(tmp_path: Path) -> None:
    """``--master`` / ``--conf`` without ``--engine spark`` would be ignored: an error."""
    for extra in (["--master", "local[1]"], ["--conf", "spark.x=1"]):
        res = runner.invoke(app, ["ingest", "gleif", str(DATA / "gleif"), "--out",
                                  str(tmp_path / "s"), *extra])
        assert res.exit_code != 0
        assert "--master and --conf need --engine spark" in res.output
        assert not (tmp_path / "s").exists()
