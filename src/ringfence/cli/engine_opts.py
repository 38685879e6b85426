"""The ``--engine`` choice of the batch commands (attribute, simulate, what-if) and the
Spark options that go with it (``--master``, ``--conf k=v``), plus writing verdicts as
Parquet (``--out``)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ringfence.exc import InputError

if TYPE_CHECKING:
    from ringfence.engines.base import Engine, VerdictBook

__all__ = ["ConfOpt", "EngineName", "EngineOpt", "MasterOpt", "OutOpt", "make_engine",
           "no_pyspark", "parse_conf", "spark_settings", "write_verdicts"]


class EngineName(StrEnum):
    LOCAL = "local"
    SPARK = "spark"


EngineOpt = Annotated[EngineName, typer.Option(
    "--engine", help="local: in-process (default); spark: on Spark (local[*] unless "
    "--master), reading the snapshot's Parquet where it lies.")]
MasterOpt = Annotated[str | None, typer.Option(
    "--master", help="Spark master URL (yarn, spark://host:7077, k8s://…; default "
    "local[*]). Spark only.")]
ConfOpt = Annotated[list[str] | None, typer.Option(
    "--conf", help="A Spark setting as key=value (repeat for more). Spark only.")]
OutOpt = Annotated[str | None, typer.Option(
    "--out", help="Write every verdict as Parquet here (id, verdict, lower, upper); with "
    "--engine spark any Hadoop filesystem URL, written by the executors.")]


def parse_conf(pairs: list[str] | None) -> dict[str, str]:
    """``--conf`` values as a mapping; :class:`InputError` naming a malformed one."""
    out: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--conf {pair!r}: expected key=value")
        out[key.strip()] = value
    return out


def spark_settings(name: EngineName, master: str | None, conf: list[str] | None
                   ) -> dict[str, str] | None:
    """The ``--conf`` settings with ``--engine spark``, ``None`` with the local engine;
    Spark options without ``--engine spark`` are an error (they would be silently
    ignored)."""
    settings = parse_conf(conf)
    if name is EngineName.LOCAL:
        if master or settings:
            raise InputError("--master and --conf need --engine spark")
        return None
    return settings


def no_pyspark(exc: ImportError) -> InputError:
    """The error for ``--engine spark`` without pyspark installed."""
    return InputError("--engine spark needs pyspark: pip install -e '.[spark]' "
                      f"(scripts/setup.sh installs it): {exc}")


def make_engine(name: EngineName, master: str | None, conf: list[str] | None) -> Engine:
    """The engine a command runs on (see :func:`spark_settings`)."""
    settings = spark_settings(name, master, conf)
    if settings is None:
        from ringfence.engines.local import LocalEngine

        return LocalEngine()
    try:
        from ringfence.engines.spark import SparkEngine
    except ImportError as exc:
        raise no_pyspark(exc) from exc
    return SparkEngine(master=master, conf=settings)


def write_verdicts(book: VerdictBook, dest: str) -> None:
    """Every verdict of ``book`` as Parquet at ``dest``: by the executors when the book
    came from Spark, else one file written here."""
    write = getattr(book, "write", None)
    if callable(write):
        write(dest)
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = list(book.items())
    table = pa.table({"id": [v.entity for v in rows],
                      "verdict": [v.verdict.value for v in rows],
                      "lower": pa.array([v.lower for v in rows], pa.float64()),
                      "upper": pa.array([v.upper for v in rows], pa.float64())})
    path = Path(dest)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
