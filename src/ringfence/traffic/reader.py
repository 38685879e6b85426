"""Streamed readers of the request log and its companion files (request-logs.md §1).

``read_requests`` yields one validated request at a time from ``requests.jsonl`` or
``requests.jsonl.gz`` (orjson per line, never the whole file in memory); a line that is not
a JSON object, lacks a field the detector needs, or has a bad value is handed to
``on_reject(line_no, reason, text)`` and skipped, and the run goes on.
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from ringfence.exc import InputError

__all__ = [
    "Reject",
    "find_requests",
    "open_text",
    "parse_ts",
    "read_events",
    "read_jsonl_records",
    "read_requests",
]

Reject = Callable[[int, str, str], None]
_REQUIRED_TEXT = ("request_id", "account_id", "org_id")


def parse_ts(value: Any) -> float:
    """ISO-8601 UTC (``2026-03-02T07:15:02.117Z``) -> epoch seconds; ValueError if not."""
    if not isinstance(value, str):
        raise ValueError("not a string")
    d = dt.datetime.fromisoformat(value)
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.UTC)
    return d.timestamp()


def open_text(path: Path) -> IO[bytes]:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb", buffering=1 << 20)


def find_requests(data_dir: Path) -> Path:
    for name in ("requests.jsonl", "requests.jsonl.gz"):
        p = data_dir / name
        if p.exists():
            return p
    raise InputError(f"{data_dir}: no requests.jsonl or requests.jsonl.gz")


def _check(obj: Any) -> tuple[dict[str, Any] | None, float, str]:
    if not isinstance(obj, dict):
        return None, 0.0, "not a JSON object"
    for name in _REQUIRED_TEXT:
        v = obj.get(name)
        if not isinstance(v, str) or not v:
            return None, 0.0, f"field {name!r} missing or not a non-empty string"
    try:
        ts = parse_ts(obj.get("ts"))
    except (ValueError, TypeError):
        return None, 0.0, f"field 'ts' is not an ISO-8601 time: {obj.get('ts')!r}"[:200]
    prompt = obj.get("prompt")
    if prompt is not None and not isinstance(prompt, str):
        return None, 0.0, "field 'prompt' is not a string"
    for name in ("turn_index", "n_tools", "n_images"):
        v = obj.get(name)
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
            return None, 0.0, f"field {name!r} is not a non-negative integer"
    return obj, ts, ""


def read_requests(path: Path, *, on_reject: Reject, start_line: int = 0,
                  stream: IO[bytes] | None = None) -> Iterator[tuple[int, dict[str, Any], float]]:
    """(line number, request, ts) for each good line after ``start_line``."""
    fh = stream if stream is not None else open_text(path)
    try:
        for line_no, raw in enumerate(fh, start=1):
            if line_no <= start_line:
                continue
            if not raw.strip():
                continue
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError as err:
                on_reject(line_no, f"not JSON: {err}", raw[:500].decode("utf-8", "replace"))
                continue
            rec, ts, reason = _check(obj)
            if rec is None:
                on_reject(line_no, reason, raw[:500].decode("utf-8", "replace"))
                continue
            yield line_no, rec, ts
    finally:
        if stream is None:
            fh.close()


def read_jsonl_records(path: Path, *, key: str, on_reject: Reject | None = None
                       ) -> list[tuple[float | None, dict[str, Any]]]:
    """(created_at, record) of each line of accounts.jsonl / orgs.jsonl, sorted by time;
    a record without ``key`` is rejected (or, with no ``on_reject``, an InputError)."""
    out: list[tuple[float | None, dict[str, Any]]] = []
    if not path.exists():
        return out
    with open_text(path) as fh:
        for line_no, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError as err:
                reason = f"not JSON: {err}"
                obj = None
            else:
                reason = f"field {key!r} missing or not a string"
            if not isinstance(obj, dict) or not isinstance(obj.get(key), str):
                if on_reject is None:
                    raise InputError(f"{path}:{line_no}: {reason}")
                on_reject(line_no, reason, raw[:500].decode("utf-8", "replace"))
                continue
            created: float | None
            try:
                created = parse_ts(obj.get("created_at"))
            except (ValueError, TypeError):
                created = None
            out.append((created, obj))
    out.sort(key=lambda r: (r[0] if r[0] is not None else float("-inf"), r[1][key]))
    return out


Events = list[tuple[float, dict[str, Any]]]


def read_events(path: Path) -> tuple[float | None, float | None, Events]:
    """(window_start, window_end, [(ts, event)]) from events.json; Nones when absent."""
    if not path.exists():
        return None, None, []
    try:
        doc = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as err:
        raise InputError(f"{path}: not JSON: {err}") from None
    if not isinstance(doc, dict):
        raise InputError(f"{path}: not a JSON object")
    try:
        start = parse_ts(doc["window_start"]) if doc.get("window_start") else None
        end = parse_ts(doc["window_end"]) if doc.get("window_end") else None
    except ValueError as err:
        raise InputError(f"{path}: window_start/window_end: {err}") from None
    events: list[tuple[float, dict[str, Any]]] = []
    for i, ev in enumerate(doc.get("events") or []):
        try:
            events.append((parse_ts(ev.get("ts")), ev))
        except (ValueError, TypeError, AttributeError):
            raise InputError(f"{path}: events[{i}].ts is not an ISO-8601 time") from None
    events.sort(key=lambda e: e[0])
    return start, end, events
