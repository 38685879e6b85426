"""The audit head anchored outside the database: an HMAC-signed, append-only file.

The chain (:mod:`ringfence.audit.chain`) proves that no record inside the database was
edited, but someone able to write the database can cut its tail, or put back an older copy
of the whole database, and the chain that is left still verifies. An anchor is the head
``(seq, hash)`` written somewhere else when it was current; a later check finds every
anchored record again, with the same hash, or names what is gone.

The file is JSON lines, one anchor each::

    {"n": 3, "seq": 120, "hash": "ab…", "ts": "…Z", "reason": "publish", "prev": "<mac of
     line 2>", "mac": "<HMAC-SHA256(key, canonical line without mac)>"}

Lines are appended under an exclusive ``flock`` (several workers share the file) and
fsync'd. Each line's MAC covers the previous line's MAC, so a line cannot be edited,
dropped from the middle or moved without the key; lines cut from the end of the file are
the one thing the file cannot show by itself, which is why it belongs on a different host
or an append-only volume (and why every anchor is also a log line).
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from ringfence.audit.chain import GENESIS, canonical, now_iso
from ringfence.exc import InputError, NotFoundError
from ringfence.store.tables import audit_head, audit_log

__all__ = ["Anchor", "AnchorCheck", "AnchorFile", "check_anchors", "read_head"]

_MIN_KEY = 16
_BATCH = 2000


@dataclass(frozen=True)
class Anchor:
    n: int  # the line number, from 1
    seq: int
    hash: str
    ts: str
    reason: str


@dataclass(frozen=True)
class AnchorCheck:
    """The database against an anchor file. ``missing`` lists every anchored record the
    database no longer has as anchored (``seq``, ``hash``, line, time, and the hash found,
    if any)."""

    ok: bool
    anchors: int
    latest: Anchor | None
    db_head: int
    problem: str = ""
    missing: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        latest = None if self.latest is None else {
            "line": self.latest.n, "seq": self.latest.seq, "hash": self.latest.hash,
            "ts": self.latest.ts, "reason": self.latest.reason}
        return {"ok": self.ok, "anchors": self.anchors, "latest_anchor": latest,
                "db_head": self.db_head, "problem": self.problem, "missing": self.missing}


def read_head(engine: Engine) -> tuple[int, str]:
    """The chain's head as the database records it (0 and 64 zeros when empty)."""
    with engine.connect() as conn:
        row = conn.execute(select(audit_head.c.seq, audit_head.c.hash)
                           .where(audit_head.c.id == 1)).first()
    return (int(row.seq), str(row.hash)) if row else (0, GENESIS)


class AnchorFile:
    """One anchor file and its key. ``key`` comes from the entry point (settings)."""

    def __init__(self, path: str | Path, key: str) -> None:
        if len(key) < _MIN_KEY:
            raise InputError(f"the anchor key must have at least {_MIN_KEY} characters",
                             details={"field": "anchor key"})
        self.path = Path(path)
        self._key = key.encode()

    def _mac(self, body: dict[str, Any]) -> str:
        return hmac.new(self._key, canonical(body).encode(), hashlib.sha256).hexdigest()

    def append(self, seq: int, digest: str, *, reason: str,
               skip_unchanged: bool = False) -> Anchor | None:
        """Append the head ``(seq, digest)``; with ``skip_unchanged`` nothing is written
        when the last line already anchors it (the periodic export of several workers).
        Returns what was written."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            last = _last_line(fd)
            n, prev = 1, ""
            if last is not None:
                body = self._parse(last, 0)
                if skip_unchanged and (body["seq"], body["hash"]) == (seq, digest):
                    return None
                n, prev = int(body["n"]) + 1, self._mac(body)
            ts = now_iso()
            body = {"n": n, "seq": seq, "hash": digest, "ts": ts, "reason": reason,
                    "prev": prev}
            line = json.dumps({**body, "mac": self._mac(body)}, sort_keys=True) + "\n"
            os.write(fd, line.encode())
            os.fsync(fd)
            return Anchor(n, seq, digest, ts, reason)
        finally:
            os.close(fd)  # also releases the lock

    def _parse(self, raw: bytes, lineno: int) -> dict[str, Any]:
        where = f"{self.path}" + (f" line {lineno}" if lineno else " (last line)")
        try:
            body = json.loads(raw)
            mac = body.pop("mac")
            if not isinstance(body, dict) or set(body) != {"n", "seq", "hash", "ts",
                                                           "reason", "prev"}:
                raise ValueError("fields are not n, seq, hash, ts, reason, prev, mac")
        except (ValueError, KeyError, AttributeError) as err:
            raise InputError(f"{where} is not an anchor: {err}",
                             details={"file": str(self.path), "line": lineno}) from err
        if not hmac.compare_digest(str(mac), self._mac(body)):
            raise InputError(
                f"{where}: the HMAC does not match: the line was edited, or the key is "
                "not the one the anchors were written with",
                details={"file": str(self.path), "line": lineno, "field": "mac"})
        return body

    def read(self) -> Iterator[Anchor]:
        """Every anchor, each line's HMAC and its link to the previous line checked;
        :class:`InputError` names the first bad line."""
        if not self.path.is_file():
            raise NotFoundError(f"anchor file {self.path} does not exist",
                                details={"file": str(self.path)})
        prev = ""
        with self.path.open("rb") as fh:
            for lineno, raw in enumerate(fh, 1):
                body = self._parse(raw, lineno)
                if body["n"] != lineno or body["prev"] != prev:
                    raise InputError(
                        f"{self.path} line {lineno} does not follow line {lineno - 1} "
                        f"(it says it is anchor {body['n']}): anchor lines were removed "
                        "or reordered",
                        details={"file": str(self.path), "line": lineno, "field": "prev"})
                prev = str(self._mac(body))
                yield Anchor(lineno, int(body["seq"]), str(body["hash"]), str(body["ts"]),
                             str(body["reason"]))


def _last_line(fd: int) -> bytes | None:
    size = os.lseek(fd, 0, os.SEEK_END)
    if size == 0:
        return None
    step, buf = 4096, b""
    pos = size
    while pos > 0:
        pos = max(0, pos - step)
        buf = os.pread(fd, size - pos, pos)
        lines = buf.rstrip(b"\n").rsplit(b"\n", 1)
        if len(lines) == 2 or pos == 0:
            return lines[-1]
    return buf


def check_anchors(engine: Engine, anchors: AnchorFile) -> AnchorCheck:
    """Find every anchored head in the database with its hash. What is not there is
    named: cut from the end (the database ends before it) or rewritten (a record with that
    number and another hash: rolled back and written again)."""
    db_head, _ = read_head(engine)
    items = list(anchors.read())
    missing: list[dict[str, Any]] = []
    for start in range(0, len(items), _BATCH):
        chunk = items[start:start + _BATCH]
        with engine.connect() as conn:
            found = dict(conn.execute(select(audit_log.c.seq, audit_log.c.hash).where(
                audit_log.c.seq.in_({a.seq for a in chunk if a.seq > 0}))).tuples().all())
        for a in chunk:
            have = found.get(a.seq) if a.seq > 0 else GENESIS
            if have != a.hash:
                missing.append({"seq": a.seq, "hash": a.hash, "line": a.n, "ts": a.ts,
                                "found_hash": have})
    latest = items[-1] if items else None
    if not missing:
        return AnchorCheck(True, len(items), latest, db_head)
    return AnchorCheck(False, len(items), latest, db_head, _problem(missing, db_head),
                       missing)


def _problem(missing: list[dict[str, Any]], db_head: int) -> str:
    gone = [m for m in missing if m["found_hash"] is None]
    rewritten = [m for m in missing if m["found_hash"] is not None]
    parts = []
    if gone:
        top = max(gone, key=lambda m: m["seq"])
        parts.append(
            f"records {db_head + 1}..{top['seq']} are missing: the database ends at record "
            f"{db_head}, but the anchor file recorded head {top['seq']} (hash {top['hash']}, "
            f"line {top['line']}, {top['ts']}); the log was truncated or rolled back to an "
            f"older copy ({len(gone)} anchored head(s) gone)")
    if rewritten:
        first = min(rewritten, key=lambda m: m["seq"])
        parts.append(
            f"record {first['seq']} has hash {first['found_hash']} but the anchor file "
            f"recorded {first['hash']} (line {first['line']}, {first['ts']}): the log was "
            f"rolled back and written again from before record {first['seq']} "
            f"({len(rewritten)} anchored head(s) differ)")
    return "; ".join(parts)
