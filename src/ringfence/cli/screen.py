"""Screening commands: ``screen`` (one name or a CSV batch) and ``compare`` (name pairs)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from ringfence.cli._common import console, err_console, handle_errors, parse_date
from ringfence.exc import InputError
from ringfence.policy import DEFAULT_POLICY
from ringfence.resolve import (
    DEFAULT_THRESHOLD,
    Candidate,
    Comparison,
    ParsedId,
    Record,
    ScreeningIndex,
    compare,
    parse_id,
    parse_id_ref,
)
from ringfence.snapshot.screening import SnapshotResolver

if TYPE_CHECKING:
    pass

__all__ = ["compare_cmd", "load_index", "register", "screen_cmd"]

Verdict = dict[str, Any]

OUTPUT_COLUMNS = ("name", "country", "id", "entity", "entity_name", "score", "match", "verdict")


def load_resolver(snapshot: Path) -> SnapshotResolver:
    """The snapshot's resolver (the decision service's too) over its screening index:
    loaded from ``SNAPSHOT/cache/screening`` when it was saved there for this snapshot
    (same id, index format and analysis code), else built from the entities, names and
    identifiers and saved there for the next call."""
    from ringfence.snapshot import open_snapshot

    snap = open_snapshot(snapshot)
    folder = snap.root / "cache" / "screening"
    return SnapshotResolver.for_snapshot(snap, parallel=True, on_build=lambda: err_console.print(
        f"building the screening index of {snap.root} (saved in {folder} for the next query)",
        markup=False, highlight=False))


def load_index(snapshot: Path) -> ScreeningIndex:
    """The snapshot's screening index (see :func:`load_resolver`)."""
    return load_resolver(snapshot).index


def _verdicts(snapshot: Path, policy: str, as_of: str | None,
              entity_ids: Iterable[str]) -> Callable[[str], Verdict]:
    """Entity id → its verdict under ``policy`` (``{}`` when unknown), for ``entity_ids``
    only: attribution runs on those entities and their owners, not the whole snapshot
    (``ringfence.engines.local.verdicts_of``)."""
    from ringfence.engines.local import verdicts_of

    found = verdicts_of(snapshot, policy, entity_ids, parse_date(as_of))

    def verdict(entity_id: str) -> Verdict:
        v = found.get(entity_id)
        return v.as_dict() if v else {}

    return verdict


def _no_verdicts(entity_id: str) -> Verdict:
    return {}


def _query(name: str, country: str | None, id_ref: str | None) -> Record:
    ids = (parse_id_ref(id_ref),) if id_ref else ()
    if country and len(country.strip()) != 2:
        raise InputError(f"country {country!r} must be an ISO 3166 alpha-2 code, e.g. CN")
    return Record.of(name, country=country, ids=ids)


def _candidate_dict(c: Candidate, verdicts: Callable[[str], Verdict]) -> dict[str, Any]:
    v = verdicts(c.entity_id)
    return {
        "entity": c.entity_id,
        "name": c.name,
        "score": round(c.score, 4),
        "match": c.match,
        "verdict": v.get("verdict", ""),
        "lower": v.get("lower"),
        "upper": v.get("upper"),
        "explanation": [f.as_dict() for f in c.explanation],
    }


@handle_errors
def screen_cmd(
    snapshot: Annotated[Path, typer.Argument(help="Snapshot folder.")],
    name: Annotated[str | None, typer.Option("--name", "-n", help="Organisation name.")] = None,
    country: Annotated[
        str | None, typer.Option("--country", "-c", help="ISO alpha-2 country, any case.")
    ] = None,
    id_ref: Annotated[
        str | None, typer.Option("--id", help="Identifier as SCHEME:VALUE, e.g. lei:5299...")
    ] = None,
    threshold: Annotated[
        float, typer.Option("--threshold", "-t", help="Score at which a candidate matches.")
    ] = DEFAULT_THRESHOLD,
    policy: Annotated[
        str, typer.Option("--policy", "-p", help="Policy for the candidates' verdicts.")
    ] = DEFAULT_POLICY,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Verdict date (YYYY-MM-DD).")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Candidates to show.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    input_csv: Annotated[
        Path | None, typer.Option("--input", help="CSV with columns name,country,id.")
    ] = None,
    output_csv: Annotated[
        Path | None, typer.Option("--output", help="CSV to write, one row per input row.")
    ] = None,
) -> None:
    """Screen an organisation (or a CSV of them) against a snapshot's entities."""
    if not 0.0 <= threshold <= 1.0:
        raise InputError(f"--threshold {threshold} must be between 0 and 1")
    if input_csv is not None:
        if output_csv is None:
            raise InputError("--input needs --output (the results CSV)")
        _screen_batch(snapshot, input_csv, output_csv, threshold, policy, as_of)
        return
    if not name and not id_ref:
        raise InputError("give --name or --id (or --input and --output for a batch)")
    query = _query(name or "", country, id_ref)
    found = load_resolver(snapshot).search(query, limit=limit, threshold=threshold)
    verdicts = (_verdicts(snapshot, policy, as_of, [c.entity_id for c in found]) if found
                else _no_verdicts)
    results = [_candidate_dict(c, verdicts) for c in found]
    if as_json:
        out = {
            "query": {"name": name, "country": country, "id": id_ref},
            "threshold": threshold,
            "policy": policy,
            "candidates": results,
        }
        console.print_json(json.dumps(out, ensure_ascii=False))
        return
    if not results:
        console.print("no candidates")
        return
    table = Table(title=f"screening {name or id_ref!r} (match at {threshold})")
    for col in ("entity", "name", "score", "match", "verdict", "evidence"):
        table.add_column(col)
    for r in results:
        evidence = "; ".join(
            f"{e['a']}~{e['b']} ({e['feature'].removeprefix('token:')} {e['score']:.2f})"
            for e in r["explanation"]
            if e["feature"] not in ("name", "legal_form_ignored")
        )
        table.add_row(
            r["entity"],
            r["name"],
            f"{r['score']:.3f}",
            "yes" if r["match"] else "no",
            r["verdict"] or "-",
            evidence,
        )
    console.print(table)


def _screen_batch(
    snapshot: Path,
    input_csv: Path,
    output_csv: Path,
    threshold: float,
    policy: str,
    as_of: str | None,
) -> None:
    with input_csv.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or "name" not in reader.fieldnames:
            raise InputError(f"{input_csv}: needs a header with at least a 'name' column")
        rows = list(reader)
    queries: list[Record] = []
    for line, row in enumerate(rows, start=2):
        try:
            queries.append(_query(row.get("name") or "", row.get("country"), row.get("id")))
        except InputError as err:
            raise InputError(f"{input_csv}:{line}: {err.message}") from None
    resolver = load_resolver(snapshot)
    with Progress(
        TextColumn("screening"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
    ) as progress:
        task = progress.add_task("screening", total=len(queries))
        tops = resolver.search_many(queries, threshold=threshold, parallel=True,
                                    advance=lambda n: progress.advance(task, n))
    hits = {t.entity_id for t in tops if t is not None and t.match}
    verdicts = _verdicts(snapshot, policy, as_of, hits) if hits else _no_verdicts
    tmp = output_csv.with_name(output_csv.name + ".part")
    with tmp.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(OUTPUT_COLUMNS))
        writer.writeheader()
        for row, top in zip(rows, tops, strict=True):
            hit = top if top and top.match else None  # entity stays empty below the threshold
            writer.writerow(
                {
                    "name": row.get("name") or "",
                    "country": row.get("country") or "",
                    "id": row.get("id") or "",
                    "entity": hit.entity_id if hit else "",
                    "entity_name": hit.name if hit else "",
                    "score": f"{top.score:.4f}" if top else "0.0000",
                    "match": "true" if hit else "false",
                    "verdict": verdicts(hit.entity_id).get("verdict", "") if hit else "",
                }
            )
    tmp.replace(output_csv)
    err_console.print(f"wrote {len(queries)} rows to {output_csv}")


def _side(obj: Any, line: int, key: str, path: Path) -> Record:
    if not isinstance(obj, dict):
        raise InputError(f"{path}:{line}: '{key}' must be an object with a 'name'")
    name = obj.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"{path}:{line}: '{key}.name' must be a non-empty string")
    ids: list[ParsedId] = []
    if obj.get("id"):
        scheme = obj.get("id_scheme")
        if not scheme:
            raise InputError(f"{path}:{line}: '{key}.id' needs '{key}.id_scheme'")
        try:
            ids.append(parse_id(str(scheme), str(obj["id"])))
        except InputError as err:
            raise InputError(f"{path}:{line}: {err.message}") from None
    country = obj.get("country")
    if country is not None and not isinstance(country, str):
        raise InputError(f"{path}:{line}: '{key}.country' must be a string")
    return Record.of(name, country=country, ids=ids)


@handle_errors
def compare_cmd(
    pairs: Annotated[Path, typer.Argument(help='JSON lines: {"a": {...}, "b": {...}}.')],
    threshold: Annotated[
        float, typer.Option("--threshold", "-t", help="Score at which a pair matches.")
    ] = DEFAULT_THRESHOLD,
    snapshot: Annotated[
        Path | None,
        typer.Option(
            "--snapshot",
            help="Also resolve both sides against this snapshot: a pair whose sides both "
            "match one entity matches (feature same_entity).",
        ),
    ] = None,
) -> None:
    """Compare name pairs; print one JSON line per pair, in input order."""
    if not pairs.is_file():
        raise InputError(f"{pairs}: no such file")
    parsed: list[tuple[Record, Record]] = []
    for line, text in enumerate(pairs.read_text(encoding="utf-8").split("\n"), start=1):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as err:
            raise InputError(f"{pairs}:{line}: not valid JSON ({err.msg})") from None
        if not isinstance(obj, dict) or "a" not in obj or "b" not in obj:
            raise InputError(f"{pairs}:{line}: expected an object with 'a' and 'b'")
        parsed.append((_side(obj["a"], line, "a", pairs), _side(obj["b"], line, "b", pairs)))
    index = load_index(snapshot) if snapshot is not None else None
    for a, b in parsed:
        result = compare(a, b, threshold=threshold)
        if index is not None and not result.match:
            same = index.same_entity(a, b, threshold=threshold)
            if same is not None:
                result = Comparison(score=same.score, match=True,
                                    explanation=same.explanation + result.explanation)
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))


def register(app: typer.Typer) -> None:
    app.command("screen")(screen_cmd)
    app.command("compare")(compare_cmd)
