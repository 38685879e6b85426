"""``ringfence screen`` and ``ringfence compare`` through the real CLI."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ringfence.cli.main import app
from ringfence.packaged.screening_eval import public_groups_dir
from ringfence.resolve import ScreeningIndex

PUBLIC = public_groups_dir()

runner = CliRunner()


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory, public_groups: Any) -> Path:
    out = tmp_path_factory.mktemp("snap") / "snap"
    result = runner.invoke(
        app,
        [
            "ingest",
            "csv",
            "--entities",
            str(PUBLIC / "entities.csv"),
            "--holdings",
            str(PUBLIC / "holdings.csv"),
            "--names",
            str(PUBLIC / "names.csv"),
            "--identifiers",
            str(PUBLIC / "identifiers.csv"),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def test_screen_json_has_ranked_candidates_with_verdicts(snapshot: Path) -> None:
    result = runner.invoke(
        app, ["screen", str(snapshot), "--name", "華為技術有限公司", "--country", "CN", "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    top = out["candidates"][0]
    assert out["policy"] == "provider-terms" and out["threshold"] == 0.7
    assert top["entity"] == "huawei_tech" and top["match"] is True
    assert top["verdict"] in ("restricted", "clear", "uncertain")
    assert {"feature", "score", "a", "b"} <= set(top["explanation"][0])
    scores = [c["score"] for c in out["candidates"]]
    assert scores == sorted(scores, reverse=True)


def test_screen_batch_keeps_rows_in_order(snapshot: Path, tmp_path: Path) -> None:
    src = tmp_path / "orgs.csv"
    src.write_text(
        "name,country,id\nBank Mellat,IR,\nNo Such Organisation Ltd,,\n"
        "Unknown,,lei:2534 00JT 3MQW NDKM JE44\n",
        encoding="utf-8",
    )
    dst = tmp_path / "results.csv"
    result = runner.invoke(
        app, ["screen", str(snapshot), "--input", str(src), "--output", str(dst)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(dst.open(encoding="utf-8")))
    assert [r["name"] for r in rows] == ["Bank Mellat", "No Such Organisation Ltd", "Unknown"]
    assert {"name", "country", "id", "entity", "score", "match", "verdict"} <= set(rows[0])
    # Bank Mellat is not Bank Melli Iran (one vowel apart): no match, so no entity.
    assert rows[0]["match"] == "false" and rows[0]["entity"] == ""
    assert rows[1]["match"] == "false" and rows[1]["entity"] == ""
    assert rows[2]["entity"] == "rosneft" and rows[2]["match"] == "true"


def test_screen_batch_bad_identifier_names_the_line(snapshot: Path, tmp_path: Path) -> None:
    src = tmp_path / "orgs.csv"
    src.write_text("name,country,id\nA,,\nB,,nope:123\n", encoding="utf-8")
    result = runner.invoke(
        app, ["screen", str(snapshot), "--input", str(src), "--output", str(tmp_path / "o.csv")]
    )
    assert result.exit_code == 2
    assert "orgs.csv:3" in " ".join(result.output.split())
    assert not (tmp_path / "o.csv").exists()


def test_compare_prints_one_line_per_pair_in_order(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.jsonl"
    lines = [
        {"a": {"name": "ПАО «Газпром»"}, "b": {"name": "Gazprom PJSC", "country": "ru"}},
        {"a": {"name": "ООО «Яндекс»"}, "b": {"name": "АО «Лаборатория Касперского»"}},
        {
            "a": {"name": "PAO SEVERSTAL", "id_scheme": "ru_inn", "id": "ИНН 3528000597"},
            "b": {"name": "Северсталь", "id_scheme": "ru_inn", "id": "3528000597"},
        },
    ]
    pairs.write_text(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["compare", str(pairs)])
    assert result.exit_code == 0, result.output
    out = [json.loads(x) for x in result.output.splitlines()]
    assert [o["match"] for o in out] == [True, False, True]
    assert out[2]["explanation"][0]["feature"] == "identifier:ru_inn"
    assert all(set(o) == {"match", "score", "explanation"} for o in out)


def test_compare_reads_a_line_separator_inside_a_name_as_part_of_it(tmp_path: Path) -> None:
    # U+2028 is text inside a JSON string; str.splitlines() would cut the line there
    pairs = tmp_path / "pairs.jsonl"
    lines = [{"a": {"name": "ByteDance\u2028Ltd."}, "b": {"name": "ByteDance Ltd."}},
             {"a": {"name": "Velmont\r\n"}, "b": {"name": "Velmont"}}]
    pairs.write_text("\r\n".join(json.dumps(x, ensure_ascii=False) for x in lines),
                     encoding="utf-8")
    assert "\u2028" in pairs.read_text(encoding="utf-8")
    result = runner.invoke(app, ["compare", str(pairs)])
    assert result.exit_code == 0, result.output
    out = [json.loads(x) for x in result.output.split("\n") if x]
    assert [o["match"] for o in out] == [True, True]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "not valid JSON"),
        ('{"a": {"name": "x"}}', "expected an object with 'a' and 'b'"),
        ('{"a": {"name": ""}, "b": {"name": "y"}}', "'a.name' must be a non-empty string"),
        ('{"a": {"name": "x", "id": "1"}, "b": {"name": "y"}}', "needs 'a.id_scheme'"),
    ],
)
def test_compare_bad_line_names_the_line(tmp_path: Path, line: str, message: str) -> None:
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text('{"a": {"name": "x"}, "b": {"name": "y"}}\n' + line + "\n", encoding="utf-8")
    result = runner.invoke(app, ["compare", str(pairs)])
    assert result.exit_code == 2
    text = " ".join(result.output.split())  # the console wraps long messages
    assert "pairs.jsonl:2" in text and message in text


def test_screen_batch_on_the_evaluation_queries(snapshot: Path, tmp_path: Path) -> None:
    """The evaluation's full-index queries (retyped legal names, labelled identifiers,
    unknown organisations, look-alikes) through ``ringfence screen --input --output``:
    the CSV answers agree with the in-process evaluation's floor."""
    from ringfence.packaged.screening_eval import folds

    _, queries = folds()
    full = [q for q in queries if q.fold == 0]
    src = tmp_path / "orgs.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "country", "id"])
        w.writerows([q.name, q.country, q.id] for q in full)
    dst = tmp_path / "results.csv"
    result = runner.invoke(
        app, ["screen", str(snapshot), "--input", str(src), "--output", str(dst)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(dst.open(encoding="utf-8")))
    assert len(rows) == len(full)
    assert all((r["entity"] != "") == (r["match"] == "true") for r in rows)
    correct = sum(r["entity"] == q.want for r, q in zip(rows, full, strict=True))
    # Measured 377/379 in-process on the same queries (the held-out folds need their own
    # indexes and are not run here).
    assert correct / len(full) >= 0.99


BUILDING = "building the screening index"


def _fresh_copy(snapshot: Path, tmp_path: Path) -> Path:
    """The session snapshot without its derived caches."""
    snap = tmp_path / "snap"
    shutil.copytree(snapshot, snap, ignore=shutil.ignore_patterns("cache"))
    return snap


def test_second_screen_loads_the_saved_index(
    snapshot: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snap = _fresh_copy(snapshot, tmp_path)
    args = ["screen", str(snap), "--name", "China Mobile", "--country", "HK", "--json"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert BUILDING in first.stderr
    assert (snap / "cache" / "screening" / "index.json").is_file()
    assert json.loads(first.stdout)["candidates"]

    def no_build(*args: Any, **kwargs: Any) -> ScreeningIndex:
        raise AssertionError("the index was built again")

    with monkeypatch.context() as m:
        m.setattr(ScreeningIndex, "build", no_build)
        second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    assert BUILDING not in second.stderr
    assert json.loads(second.stdout) == json.loads(first.stdout)

    # A damaged cache is rebuilt (and answers the same), not used.
    postings = snap / "cache" / "screening" / "postings.npy"
    postings.write_bytes(postings.read_bytes()[:-4])
    third = runner.invoke(app, args)
    assert third.exit_code == 0, third.output
    assert BUILDING in third.stderr
    assert json.loads(third.stdout) == json.loads(first.stdout)


_FRESH_PROCESS = """
import json, sys
from typer.testing import CliRunner
from ringfence.cli.main import app
runner = CliRunner()
help_ = runner.invoke(app, ["screen", "--help"])
after_help = sorted(m for m in ("ToJyutping", "pypinyin", "opencc") if m in sys.modules)
query = runner.invoke(app, ["screen", sys.argv[1], "--name", sys.argv[2], "--json"])
after_query = sorted(m for m in ("ToJyutping", "pypinyin") if m in sys.modules)
print(json.dumps({"help": help_.exit_code, "after_help": after_help, "query": query.exit_code,
                  "after_query": after_query, "stdout": query.stdout, "stderr": query.stderr}))
"""


def test_help_and_a_latin_query_on_a_saved_index_do_not_import_the_readers(
    snapshot: Path, tmp_path: Path
) -> None:
    """ToJyutping's import costs over a second, pypinyin's a third. ``screen --help``
    imports neither, and with the index saved neither does a query without Chinese
    characters, even though its candidates' Chinese names are compared (their readings
    were saved with the index)."""
    snap = _fresh_copy(snapshot, tmp_path)
    name = "Tengxun Holdings"  # Tencent's pinyin: its Chinese names are what match
    here = runner.invoke(app, ["screen", str(snap), "--name", name, "--json"])
    assert here.exit_code == 0, here.output
    want = json.loads(here.stdout)
    with (PUBLIC / "names.csv").open(encoding="utf-8") as fh:
        han = {r["entity"] for r in csv.DictReader(fh) if re.search("[\u4e00-\u9fff]", r["name"])}
    assert {c["entity"] for c in want["candidates"]} & han  # candidates with Chinese names
    assert want["candidates"][0]["entity"] == "tencent" and want["candidates"][0]["match"]
    proc = subprocess.run(
        [sys.executable, "-c", _FRESH_PROCESS, str(snap), name],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    assert out["help"] == 0 and out["after_help"] == []
    assert out["query"] == 0 and BUILDING not in out["stderr"]
    assert json.loads(out["stdout"]) == want
    assert out["after_query"] == []


def test_the_decision_service_resolver_uses_the_index_the_cli_saved(
    snapshot: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ringfence.snapshot import open_snapshot
    from ringfence.snapshot.screening import SnapshotResolver, declared_record

    snap = _fresh_copy(snapshot, tmp_path)
    built = SnapshotResolver.for_snapshot(open_snapshot(snap))  # builds and saves it
    assert (snap / "cache" / "screening" / "index.json").is_file()
    declaration = declared_record("ByteDance Ltd", country="KY")
    expected = built.best_match(declaration)
    assert expected is not None

    def no_build(*args: Any, **kwargs: Any) -> ScreeningIndex:
        raise AssertionError("the index was built again")

    with monkeypatch.context() as m:
        m.setattr(ScreeningIndex, "build", no_build)
        loaded = SnapshotResolver.for_snapshot(open_snapshot(snap))  # a restart: loads it
        got = loaded.best_match(declaration)
        # and the CLI answers from the same saved index
        cli = runner.invoke(app, ["screen", str(snap), "--name", "China Mobile",
                                  "--country", "HK", "--json"])
    assert got == expected
    assert cli.exit_code == 0, cli.output
    assert BUILDING not in cli.stderr


def test_compare_with_a_snapshot_decides_by_one_entity(snapshot: Path, tmp_path: Path) -> None:
    """Aliyun and Alibaba Cloud (Singapore) share no string evidence; the snapshot records
    both names of one entity, so with --snapshot the pair matches and says why."""
    pairs = tmp_path / "pairs.jsonl"
    lines = [
        {"a": {"name": "Aliyun"}, "b": {"name": "Alibaba Cloud (Singapore) Private Limited"}},
        {"a": {"name": "Aliyun"}, "b": {"name": "Tencent Holdings Limited"}},
    ]
    pairs.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    plain = runner.invoke(app, ["compare", str(pairs)])
    assert [json.loads(x)["match"] for x in plain.output.splitlines()] == [False, False]
    result = runner.invoke(app, ["compare", str(pairs), "--snapshot", str(snapshot)])
    assert result.exit_code == 0, result.output
    # (the first use of the snapshot may say on stderr that it builds the index)
    out = [json.loads(x) for x in result.output.splitlines() if x.startswith("{")]
    assert [o["match"] for o in out] == [True, False]
    assert out[0]["explanation"][0]["feature"] == "same_entity"
    assert "alibaba_cloud_sg" in out[0]["explanation"][0]["a"]
    # which name of the entity each side matched, with its kind (Aliyun is a trade name)
    assert "trade name: 'Aliyun'" in out[0]["explanation"][0]["a"]
    assert "name:" not in out[0]["explanation"][0]["b"]  # the legal name: nothing to add
