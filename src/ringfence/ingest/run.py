"""Run an ingest end to end: read, check, then publish whole or not at all."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa

from ringfence.exc import IngestError, Problem
from ringfence.ingest.csv_contract import CsvBatch, read_csv_contract
from ringfence.model import Holding
from ringfence.snapshot import Manifest, SnapshotWriter, SourceFile, file_sha256
from ringfence.snapshot.validate import overfull_holdings

__all__ = ["ingest_csv", "write_rejects"]

_KIND = {"shares": 0, "votes": 1, "control": 2}
_EPOCH = dt.date(1970, 1, 1)


def _overfull(holdings: Sequence[Holding]) -> list[int]:
    if not holdings:
        return []
    owned_ids: dict[str, int] = {}
    owned = np.array([owned_ids.setdefault(h.owned, len(owned_ids)) for h in holdings])
    kind = np.array([_KIND[str(h.kind)] for h in holdings])
    lo = np.array([h.share.lo for h in holdings], dtype=np.int64)
    vf = np.array([(h.valid_from - _EPOCH).days if h.valid_from else -(2**31)
                   for h in holdings], dtype=np.int64)
    vt = np.array([(h.valid_to - _EPOCH).days if h.valid_to else 2**31 - 1
                   for h in holdings], dtype=np.int64)
    return [int(i) for i in overfull_holdings(owned, kind, lo, vf, vt)]


def write_rejects(path: Path, batch: CsvBatch) -> None:
    """One row per rejected input row: file, line, reason, then the raw cells."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "line", "reason", "row"])
        for file, line, row, reason in batch.rejected_rows:
            w.writerow([file, line, reason, ";".join(f"{k}={v}" for k, v in row.items())])
        for p in batch.problems:
            if p.line is None:
                w.writerow([p.location, "", p.reason, ""])


def ingest_csv(
    *,
    entities: Path,
    holdings: Path,
    out: Path,
    names: Path | None = None,
    identifiers: Path | None = None,
    skip_bad: bool = False,
    rejects: Path | None = None,
    force: bool = False,
) -> tuple[Manifest, CsvBatch]:
    """Read the CSV contract and publish a snapshot at ``out``.

    Strict by default: any problem raises :class:`IngestError` listing all of them, and
    nothing is written. With ``skip_bad`` the rejects go to ``rejects`` (default
    ``<out>.rejects.csv``) and the good rows are published.
    """
    batch = read_csv_contract(entities, holdings, names_path=names,
                              identifiers_path=identifiers)
    bad = set(_overfull(batch.holdings))
    if bad:
        kept = []
        for i, h in enumerate(batch.holdings):
            if i in bad:
                reason = (f"incoming {h.kind} of {h.owned!r} sum past 100% on some date "
                          "(ranges at their minimum)")
                batch.problems.append(Problem(str(holdings), reason, line=h.source.line,
                                              field="share"))
                batch.rejected_rows.append((str(holdings), h.source.line or 0,
                                            {"owner": h.owner, "owned": h.owned,
                                             "kind": str(h.kind), "share": str(h.share)},
                                            f"share: {reason}"))
            else:
                kept.append(h)
        batch.holdings = kept
    fatal = [p for p in batch.problems
             if p.line is None or p.line == 1 or p.location in batch.failed]
    if batch.problems and (not skip_bad or fatal):
        problems = sorted(batch.problems, key=lambda p: (p.location, p.line or 0))
        raise IngestError(f"{len(problems)} bad row(s); nothing was published",
                          problems=problems)
    if batch.problems:
        write_rejects(rejects or out.with_name(out.name + ".rejects.csv"), batch)
    with SnapshotWriter(out, replace=force) as writer:
        writer.add_entities(batch.entities)
        writer.add_holdings(batch.holdings)
        ids = {e.id for e in batch.entities}
        cleaned = [c for c in batch.cleaned if c["entity"] in ids]
        if cleaned:
            writer.add_table("cleaned_names", pa.Table.from_pylist(cleaned))
            writer.add_note(f"{len(cleaned)} name(s) had control or invisible "
                            "characters removed; each is in cleaned_names.parquet with the "
                            "name as written")
        rejected_by_file: dict[str, int] = {}
        for file, *_ in batch.rejected_rows:
            rejected_by_file[file] = rejected_by_file.get(file, 0) + 1
        for path, fmt in ((entities, "csv:entities"), (holdings, "csv:holdings"),
                          (names, "csv:names"), (identifiers, "csv:identifiers")):
            if path is not None:
                writer.add_source(SourceFile(
                    path=str(path), format=fmt, sha256=file_sha256(path),
                    records=batch.counts.get(path.name, 0),
                    rejected=rejected_by_file.get(str(path), 0)))
        manifest = writer.publish()
    return manifest, batch
