"""``--engine`` and the Spark options on the batch commands, refused before any engine
starts when they do not fit together (no Spark needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ringfence.cli.engine_opts import parse_conf
from ringfence.cli.main import app
from ringfence.exc import InputError

runner = CliRunner()


@pytest.mark.parametrize("extra", [["--master", "local[2]"],
                                   ["--conf", "spark.sql.shuffle.partitions=2"]])
def test_spark_options_need_the_spark_engine(public_snapshot: Path, extra: list[str]) -> None:
    out = runner.invoke(app, ["attribute", str(public_snapshot), *extra])
    assert out.exit_code != 0
    assert "--master and --conf need --engine spark" in out.output


def test_a_snapshot_url_needs_the_spark_engine() -> None:
    out = runner.invoke(app, ["attribute", "s3a://bucket/snapshots/current"])
    assert out.exit_code != 0
    assert "needs --engine spark" in out.output


@pytest.mark.parametrize("bad", ["nokey", "=value", " =x"])
def test_a_malformed_conf_is_named(bad: str) -> None:
    with pytest.raises(InputError, match="expected key=value"):
        parse_conf([bad])
    out = runner.invoke(app, ["attribute", "snap", "--engine", "spark", "--conf", bad])
    assert out.exit_code != 0 and "expected key=value" in out.output


def test_conf_values_keep_their_equals_signs() -> None:
    assert parse_conf(["spark.a=b=c", "spark.b="]) == {"spark.a": "b=c", "spark.b": ""}
