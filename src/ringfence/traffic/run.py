"""``ringfence detect run``: follow an inbox of request files, checkpoint state to disk,
post findings to the service.

Files named ``requests-*.jsonl`` or ``requests-*.jsonl.gz`` are read in name order; each must
appear complete (write it elsewhere, then rename it into the inbox). ``accounts.jsonl``,
``orgs.jsonl`` and ``events.json`` beside them are re-read when their size or time changes.

At each hour of log time the engine checkpoints (the same ``Engine`` as replay), appends
the action changes to OUT/actions.csv, rewrites OUT/final.csv and OUT/findings.jsonl
atomically, queues the new or changed findings, then saves the whole state with the read
position and the output sizes (``store.save_state``: temp file, fsync, rename). After a
restart or ``kill -9`` it loads that state, truncates the outputs to the saved sizes and
reads on from the saved position: nothing is processed twice into the state and no
checkpoint is lost. Findings not yet accepted by the service stay queued in the state.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ringfence.detect.config import DetectorConfig
from ringfence.detect.detector import CheckpointResult, DetectorState
from ringfence.exc import InputError
from ringfence.traffic.driver import HOUR, Engine, _named
from ringfence.traffic.outputs import ActionsWriter, RejectsWriter, write_final, write_findings
from ringfence.traffic.reader import read_events, read_requests
from ringfence.traffic.store import load_state, save_state

__all__ = ["FindingsPoster", "RunReport", "inbox_files", "run"]


def inbox_files(inbox: Path) -> list[Path]:
    files = [p for p in inbox.iterdir()
             if p.name.startswith("requests-") and (p.name.endswith(".jsonl")
                                                    or p.name.endswith(".jsonl.gz"))]
    return sorted(files, key=lambda p: p.name)


@dataclass
class RunReport:
    requests: int = 0
    checkpoints: int = 0
    rejects: int = 0
    posted: int = 0
    unsent: int = 0
    finished: bool = False


class FindingsPoster:
    """POST /v1/findings (JSON lines, bearer token), with retries and backoff."""

    def __init__(self, url: str, token: str, *, attempts: int = 4, backoff: float = 0.5,
                 timeout: float = 10.0) -> None:
        self.url = url.rstrip("/") + "/v1/findings"
        self.token = token
        self.attempts = attempts
        self.backoff = backoff
        self.timeout = timeout

    def post(self, findings: list[dict[str, Any]]) -> bool:
        import httpx

        body = b"".join(orjson.dumps(f) + b"\n" for f in findings)
        headers = {"Authorization": f"Bearer {self.token}",
                   "Content-Type": "application/x-ndjson"}
        delay = self.backoff
        for attempt in range(self.attempts):
            try:
                resp = httpx.post(self.url, content=body, headers=headers, timeout=self.timeout)
            except httpx.HTTPError:
                resp = None
            if resp is not None and resp.status_code < 300:
                return True
            if resp is not None and 400 <= resp.status_code < 500 and resp.status_code != 429:
                return False  # refused: keep them queued for an operator to look at
            if attempt + 1 < self.attempts:
                time.sleep(delay)
                delay *= 2
        return False


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        s = path.stat()
    except FileNotFoundError:
        return None
    return s.st_size, s.st_mtime_ns


def run(inbox: Path, state_dir: Path, out_dir: Path, *, poster: FindingsPoster | None = None,
        once: bool = False, poll: float = 2.0, progress: Callable[[str, int], None] | None = None,
        config: DetectorConfig | None = None, max_idle: float | None = None) -> RunReport:
    inbox = Path(inbox)
    state_dir = Path(state_dir)
    out_dir = Path(out_dir)
    if not inbox.is_dir():
        raise InputError(f"{inbox}: not a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    report = RunReport()
    saved = load_state(state_dir)
    w_start, w_end, events = read_events(inbox / "events.json")
    if saved is not None:
        state: DetectorState = saved["detector"]
        position: tuple[str, int] = saved["position"]
        outbox: list[dict[str, Any]] = saved["outbox"]
        events_pos: int = saved["events_pos"]
        actions = ActionsWriter(out_dir / "actions.csv", resume_bytes=saved["actions_bytes"])
        rejects = RejectsWriter(out_dir / "rejects.jsonl", resume_bytes=saved["rejects_bytes"])
    else:
        position = ("", 0)
        outbox = []
        events_pos = 0
        if w_start is None:
            w_start = _first_request_hour(inbox, poll=poll, once=once)
            if w_start is None:
                return report
        state = DetectorState(window_start=w_start, config=config or DetectorConfig())
        actions = ActionsWriter(out_dir / "actions.csv")
        rejects = RejectsWriter(out_dir / "rejects.jsonl")
    # the part files are the live outputs in run mode
    engine = Engine(state, window_end=w_end)
    engine.events = events
    engine.events_pos = events_pos
    stamps: dict[str, tuple[int, int] | None] = {}

    def refresh_records() -> None:
        nonlocal events
        for name in ("accounts.jsonl", "orgs.jsonl", "events.json"):
            stamp = _stamp(inbox / name)
            if stamps.get(name, (-1, -1)) != stamp:
                stamps[name] = stamp
                if name == "events.json":
                    _s, end, events = read_events(inbox / name)
                    engine.events = events
                    engine.window_end = end
                else:
                    engine.load_records(inbox, rejects.reject)

    current: dict[str, Any] = {"file": position[0], "line": position[1]}

    def commit(results: list[CheckpointResult]) -> None:
        if not results:
            return
        for r in results:
            actions.write(r.rows)
            outbox.extend(r.findings)
            report.checkpoints += 1
            if progress is not None:
                progress(r.checkpoint, report.requests)
        actions.publish()
        rejects.publish()
        write_final(out_dir / "final.csv", engine.final_rows())
        write_findings(out_dir / "findings.jsonl", engine.findings())
        _save()
        flush()

    def flush() -> None:
        """Send the queued findings; on success the emptied queue is saved."""
        if poster is not None and outbox and poster.post(outbox):
            report.posted += len(outbox)
            outbox.clear()
            _save()

    def _save() -> None:
        save_state(state_dir, {
            "detector": state, "position": (current["file"], current["line"]),
            "outbox": outbox, "events_pos": engine.events_pos,
            "actions_bytes": actions.sync(), "rejects_bytes": rejects.sync()})

    flush()  # what an earlier run could not deliver goes first
    idle_since = time.monotonic()
    while True:
        refresh_records()
        todo = [p for p in inbox_files(inbox) if p.name >= current["file"]]
        progressed = False
        for path in todo:
            start_line = current["line"] if path.name == current["file"] else 0
            last_line = start_line
            for line_no, rec, ts in read_requests(path, start_line=start_line,
                                                  on_reject=_named(rejects.reject, path.name)):
                if ts >= engine.next_checkpoint:
                    current["file"], current["line"] = path.name, line_no - 1
                    refresh_records()
                    commit(engine.before(ts))
                if engine.window_end is not None and ts >= engine.window_end:
                    last_line = line_no
                    continue
                engine.detector.observe(rec, ts)
                report.requests += 1
                last_line = line_no
                progressed = True
            current["file"], current["line"] = path.name, last_line
        if progressed:
            idle_since = time.monotonic()
        idle = max_idle is not None and time.monotonic() - idle_since > max_idle
        if once or idle:
            # the inbox is taken as complete: finish the window like replay does
            refresh_records()
            commit(engine.finish())
            report.finished = (engine.window_end is not None
                               and engine.next_checkpoint > engine.window_end)
            flush()
            break
        time.sleep(poll)
    report.rejects = rejects.count
    report.unsent = len(outbox)
    actions.fh.close()
    rejects.fh.close()
    return report


def _first_request_hour(inbox: Path, *, poll: float, once: bool) -> float | None:
    while True:
        for path in inbox_files(inbox):
            for _ln, _rec, ts in read_requests(path, on_reject=lambda *_: None):
                return math.floor(ts / HOUR) * HOUR
        if once:
            return None
        time.sleep(poll)
