"""The detector's output files (request-logs.md §2): actions.csv, final.csv,
findings.jsonl, rejects.jsonl. Each is written to a temporary name, fsync'd and renamed,
so a reader never sees half a file; actions.csv and rejects.jsonl are appended as the
replay goes and closed atomically at the end."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import orjson

from ringfence.detect.detector import ActionRow

__all__ = ["ActionsWriter", "RejectsWriter", "atomic_write_bytes", "part_bytes", "part_path",
           "write_final", "write_findings"]

ACTIONS_HEADER = ("checkpoint", "account_id", "action", "score", "cluster_id")
FINAL_HEADER = ("account_id", "score", "action", "cluster_id")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def part_path(path: Path) -> Path:
    """Where an appended output is written until it is closed (and published)."""
    return path.with_name(f".{path.name}.part")


def part_bytes(path: Path, start: int, end: int) -> bytes:
    """Bytes ``start:end`` of ``path``'s file in progress (b"" when there is none)."""
    try:
        with open(part_path(path), "rb") as fh:
            fh.seek(start)
            return fh.read(max(0, end - start))
    except FileNotFoundError:
        return b""


class _Appender:
    """Lines appended to ``path.tmp``; ``close`` fsyncs and renames it to ``path``."""

    def __init__(self, path: Path, header: str | None, *, resume_bytes: int | None = None
                 ) -> None:
        self.path = path
        self.tmp = part_path(path)
        if resume_bytes is not None and self.tmp.exists():
            self.fh: IO[str] = open(self.tmp, "r+", encoding="utf-8", newline="")  # noqa: SIM115
            self.fh.truncate(resume_bytes)
            self.fh.seek(resume_bytes)
        else:
            self.fh = open(self.tmp, "w", encoding="utf-8", newline="")  # noqa: SIM115
            if header:
                self.fh.write(header + "\n")
        self.count = 0

    def tell(self) -> int:
        self.fh.flush()
        return self.fh.tell()

    def sync(self) -> int:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        return self.fh.tell()

    def close(self) -> None:
        self.sync()
        self.fh.close()
        os.replace(self.tmp, self.path)
        _fsync_dir(self.path.parent)

    def written(self, start: int) -> bytes:
        """What is written from byte ``start`` on (the bytes on disk, flushed)."""
        self.fh.flush()
        with open(self.tmp, "rb") as fh:
            fh.seek(start)
            return fh.read()

    def publish(self) -> None:
        """Copy what is written so far to ``path`` atomically (the file stays open)."""
        self.sync()
        atomic_write_bytes(self.path, self.tmp.read_bytes())


class ActionsWriter(_Appender):
    def __init__(self, path: Path, *, resume_bytes: int | None = None) -> None:
        super().__init__(path, ",".join(ACTIONS_HEADER), resume_bytes=resume_bytes)
        self._csv = csv.writer(self.fh, lineterminator="\n")

    def write(self, rows: Iterable[ActionRow]) -> None:
        for r in rows:
            self._csv.writerow((r.checkpoint, r.account_id, r.action, f"{r.score:.4f}",
                                r.cluster_id))
            self.count += 1


class RejectsWriter(_Appender):
    def __init__(self, path: Path, *, resume_bytes: int | None = None) -> None:
        super().__init__(path, None, resume_bytes=resume_bytes)

    def reject(self, source: str, line: int, reason: str, text: str) -> None:
        self.fh.write(orjson.dumps({"file": source, "line": line, "reason": reason,
                                    "text": text[:500]}).decode() + "\n")
        self.count += 1


def write_final(path: Path, rows: Iterable[tuple[str, float, str, str]]) -> None:
    lines = [",".join(FINAL_HEADER)]
    for account_id, score, action, cluster_id in rows:
        lines.append(f"{_csv_cell(account_id)},{score:.4f},{action},{_csv_cell(cluster_id)}")
    atomic_write_bytes(path, ("\n".join(lines) + "\n").encode())


def _csv_cell(value: str) -> str:
    # four substring tests in C: run rewrites final.csv (every account) every hour, and a
    # generator over the four characters made this its largest cost after detection
    if "," in value or '"' in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def write_findings(path: Path, findings: Iterable[dict[str, Any]]) -> None:
    data = b"".join(orjson.dumps(f) + b"\n" for f in findings)
    atomic_write_bytes(path, data)
