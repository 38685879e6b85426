"""Opening input files: plain, ``.gz`` or ``.zip``; byte counting for progress bars;
JSON arrays, JSON Lines and single JSON documents streamed with line numbers."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["CountingReader", "expand_paths", "iter_json", "open_binary", "peek"]

_CHUNK = 1 << 20


class CountingReader(io.RawIOBase):
    """A binary stream that counts the bytes read through it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self.raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.count += n
        return n

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.count += len(data)
        return data


@contextmanager
def open_binary(path: Path) -> Iterator[tuple[io.BufferedReader, CountingReader, int]]:
    """Open ``path`` (``.gz`` and ``.zip`` transparently: a zip's first file) for reading
    bytes; yields a buffered stream, its byte counter, and the total size (0 when
    unknown)."""
    name = path.name.lower()
    if name.endswith(".zip"):
        with zipfile.ZipFile(path) as zf:
            members = [i for i in zf.infolist() if not i.is_dir()]
            if not members:
                raise OSError(f"{path}: empty zip")
            with zf.open(members[0]) as fh:
                counter = CountingReader(fh)
                yield io.BufferedReader(counter, _CHUNK), counter, members[0].file_size
        return
    if name.endswith(".gz"):
        with gzip.open(path, "rb") as gz:
            counter = CountingReader(gz)  # type: ignore[arg-type]
            yield io.BufferedReader(counter, _CHUNK), counter, 0
        return
    with path.open("rb") as fh:
        counter = CountingReader(fh)
        yield io.BufferedReader(counter, _CHUNK), counter, path.stat().st_size


def peek(path: Path, size: int = 4096) -> bytes:
    with open_binary(path) as (fh, _, _):
        return fh.read(size)


def expand_paths(paths: list[Path], suffixes: tuple[str, ...]) -> list[tuple[Path, str]]:
    """Files named or found under named directories, with a label relative to what was
    named (``dir/sub/file.json`` → ``sub/file.json``); sorted, so order is stable."""
    out: list[tuple[Path, str]] = []
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.name.lower().endswith(suffixes):
                    out.append((f, f"{p.name}/{f.relative_to(p)}"))
        else:
            out.append((p, p.name))
    return out


Problem = Callable[[str, int | None], None]  # (reason, line)


def iter_json(fh: io.BufferedReader, on_problem: Problem, *, lines: bool = False
              ) -> Iterator[tuple[int, Any]]:
    """Top-level records of a JSON file with the line each starts on.

    A top-level array yields its elements (streamed, memory bounded by the largest
    element); JSON Lines yields each line (a bad line is reported and skipped); any other
    document yields itself. Syntax errors are reported through ``on_problem`` with the
    line; the rest of an array after a syntax error cannot be read and is skipped.
    ``lines``: the input is known to be JSON Lines (a part of a file cut at newlines,
    whose first line may be the bad one).
    """
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="strict", newline="")
    try:
        buf = text.read(_CHUNK)
        if lines:
            yield from _iter_lines(text, buf, 1, on_problem)
            return
        start = 0
        line = 1
        while start < len(buf) and buf[start] in " \t\r\n":
            if buf[start] == "\n":
                line += 1
            start += 1
        if start >= len(buf):
            return
        if buf[start] == "[":
            yield from _iter_array(text, buf, start + 1, line, on_problem)
            return
        first_nl = buf.find("\n", start)
        first = buf[start:first_nl if first_nl >= 0 else len(buf)]
        try:
            json.loads(first)
            is_lines = True
        except ValueError:
            is_lines = False
        if is_lines:
            yield from _iter_lines(text, buf, line, on_problem)
        else:
            rest = buf + text.read()
            try:
                yield line, json.loads(rest)
            except ValueError as err:
                lineno = getattr(err, "lineno", None)
                on_problem(f"malformed JSON: {getattr(err, 'msg', err)}", lineno)
    except UnicodeDecodeError as err:
        on_problem(f"not UTF-8 text: {err.reason} at byte {err.start}", None)
    finally:
        text.detach()


def _iter_lines(text: IO[str], buf: str, line: int, on_problem: Problem
                ) -> Iterator[tuple[int, Any]]:
    pending = buf
    lineno = 0
    while True:
        parts = pending.split("\n")
        pending = parts.pop()
        for part in parts:
            lineno += 1
            yield from _one_line(part, lineno, on_problem)
        more = text.read(_CHUNK)
        if not more:
            break
        pending += more
    if pending.strip():
        lineno += 1
        yield from _one_line(pending, lineno, on_problem)


def _one_line(part: str, lineno: int, on_problem: Problem) -> Iterator[tuple[int, Any]]:
    if not part.strip():
        return
    try:
        yield lineno, json.loads(part)
    except ValueError as err:
        on_problem(f"malformed JSON line: {getattr(err, 'msg', err)}", lineno)


def _iter_array(text: IO[str], buf: str, pos: int, line: int, on_problem: Problem
                ) -> Iterator[tuple[int, Any]]:
    decoder = json.JSONDecoder()
    eof = False
    expect_value = True
    while True:
        # skip whitespace and at most one comma
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n":
                if buf[pos] == "\n":
                    line += 1
                pos += 1
            if pos < len(buf) or eof:
                break
            buf, pos = buf[pos:] + text.read(_CHUNK), 0
            eof = pos >= len(buf)
        if pos >= len(buf):
            on_problem("truncated JSON array: no closing ']'", line)
            return
        ch = buf[pos]
        if ch == "]":
            return
        if ch == ",":
            if expect_value:
                on_problem("malformed JSON: unexpected ','", line)
                return
            pos += 1
            expect_value = True
            continue
        if not expect_value:
            on_problem("malformed JSON: expected ',' or ']'", line)
            return
        while True:
            try:
                value, end = decoder.raw_decode(buf, pos)
                break
            except ValueError as err:
                if not eof:
                    more = text.read(_CHUNK)
                    if more:
                        buf, pos = buf[pos:] + more, 0
                        continue
                    eof = True
                    continue
                err_line = line + buf.count("\n", pos, getattr(err, "pos", pos))
                on_problem(f"malformed JSON: {getattr(err, 'msg', err)}", err_line)
                return
        yield line, value
        line += buf.count("\n", pos, end)
        pos = end
        expect_value = False
        if pos > _CHUNK:
            buf, pos = buf[pos:], 0
