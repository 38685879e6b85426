"""``ringfence detect run``: follow an inbox of request files, checkpoint state to disk,
post findings to the service.

Files named ``requests-*.jsonl`` or ``requests-*.jsonl.gz`` are read in name order; each must
appear complete (write it elsewhere, then rename it into the inbox). ``accounts.jsonl``,
``orgs.jsonl`` and ``events.json`` beside them are re-read when their size or time changes.

At each hour of log time the engine checkpoints (the same ``Engine`` as replay), appends
the action changes to OUT/actions.csv, rewrites OUT/findings.jsonl atomically, queues the
new or changed findings and writes a progress mark (read position, output sizes, unsent
findings; ``store.save_progress``); every ``snapshot_every`` checkpoints and when it stops
it also rewrites OUT/final.csv (every account's score) and saves the whole state
(``store.save_snapshot``: temp file, fsync, rename). Pickling the whole state every hour
cost more than the detection itself at 14 days (BENCHMARKS.md, "detect run at the 14-day size").

After a restart or ``kill -9`` it loads the snapshot, truncates the outputs to the sizes
saved with it and reads on from its position. When the progress mark is ahead of the
snapshot, the requests in between are read again into the snapshot's state (never into a
state that has seen them) without publishing, posting or saving, and at the mark's
checkpoint the rebuilt outputs are compared with the bytes the interrupted run wrote:
the detector is deterministic, so they are the same and the mark's unsent findings are
taken; if the inbox changed under the checkpoint, the rebuilt ones are kept and a warning
logged. No request is counted twice and no checkpoint is lost. Findings not yet accepted
by the service stay queued in the mark and the snapshot. Without a service (no ``poster``)
nothing is queued: every version of every finding kept for nobody grew the mark by
~15 MB over 14 days of log, rewritten every hour; ``ringfence detect publish OUT`` sends
the current findings of such a run.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ringfence.detect.config import DetectorConfig
from ringfence.detect.detector import CheckpointResult, DetectorState
from ringfence.exc import InputError, IntegrityError
from ringfence.traffic.driver import HOUR, Engine, _named
from ringfence.traffic.outputs import (
    ActionsWriter,
    RejectsWriter,
    part_bytes,
    write_final,
    write_findings,
)
from ringfence.traffic.reader import read_events, read_requests
from ringfence.traffic.store import load_checkpoint, save_progress, save_snapshot

__all__ = ["FindingsPoster", "RunReport", "inbox_files", "run"]

_log = logging.getLogger(__name__)


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
        config: DetectorConfig | None = None, max_idle: float | None = None,
        snapshot_every: int = 24) -> RunReport:
    inbox = Path(inbox)
    state_dir = Path(state_dir)
    out_dir = Path(out_dir)
    if not inbox.is_dir():
        raise InputError(f"{inbox}: not a folder")
    if snapshot_every < 1:
        raise InputError(f"snapshot_every must be at least 1, not {snapshot_every}")
    out_dir.mkdir(parents=True, exist_ok=True)
    report = RunReport()
    saved = load_checkpoint(state_dir)
    snap = saved.snapshot
    # a progress mark past the snapshot: read the gap again, then check the rebuilt bytes
    mark = saved.progress if saved.ahead else None
    w_start, w_end, events = read_events(inbox / "events.json")
    a0: int | None = None
    r0: int | None = None
    if snap is not None:
        state: DetectorState = snap["detector"]
        position = (str(snap["position"][0]), int(snap["position"][1]))
        events_pos: int = snap["events_pos"]
        a0, r0 = snap["actions_bytes"], snap["rejects_bytes"]
    else:
        position = ("", 0)
        events_pos = 0
        if w_start is None:
            w_start = _first_request_hour(inbox, poll=poll, once=once)
            if w_start is None:
                return report
        state = DetectorState(window_start=w_start, config=config or DetectorConfig())
    expected = (b"", b"")
    if mark is not None:
        expected = (part_bytes(out_dir / "actions.csv", a0 or 0, mark["actions_bytes"]),
                    part_bytes(out_dir / "rejects.jsonl", r0 or 0, mark["rejects_bytes"]))
    outbox: list[dict[str, Any]] = (saved.outbox if mark is None
                                    else list(snap["outbox"]) if snap else [])
    actions = ActionsWriter(out_dir / "actions.csv", resume_bytes=a0)
    rejects = RejectsWriter(out_dir / "rejects.jsonl", resume_bytes=r0)
    engine = Engine(state, window_end=w_end)
    engine.events = events
    engine.events_pos = events_pos
    stamps: dict[str, tuple[int, int] | None] = {}
    read_to_end: dict[str, tuple[int, int] | None] = {}  # request files read to their end
    last_snapshot = state.checkpoints

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

    def caught_up() -> None:
        """The gap is read again: the rebuilt outputs should be the bytes on disk."""
        nonlocal mark
        assert mark is not None
        same = (actions.written(a0 or 0) == expected[0]
                and rejects.written(r0 or 0) == expected[1]
                and [current["file"], current["line"]] == list(mark["position"]))
        if same:
            outbox[:] = mark["outbox"]
        else:  # the inbox changed under the checkpoint: keep what this state gives
            _log.warning("%s: rebuilding checkpoint %d gave other outputs than the interrupted "
                         "run wrote (files in the inbox changed?); keeping the rebuilt ones",
                         state_dir, mark["checkpoints"])
        mark = None

    def commit(results: list[CheckpointResult]) -> None:
        nonlocal last_snapshot
        if not results:
            return
        first = state.checkpoints - len(results)
        for i, r in enumerate(results):
            actions.write(r.rows)
            if poster is not None:  # without a service there is nobody to queue for
                outbox.extend(r.findings)
            report.checkpoints += 1
            if progress is not None:
                progress(r.checkpoint, report.requests)
            if mark is not None and first + i + 1 == mark["checkpoints"]:
                caught_up()
        if mark is not None:
            return  # still rebuilding: nothing new to publish or save
        actions.publish()
        rejects.publish()
        write_findings(out_dir / "findings.jsonl", engine.findings())
        if state.checkpoints - last_snapshot >= snapshot_every:
            _snapshot()
        _mark()
        flush()

    def flush() -> None:
        """Send the queued findings; on success the emptied queue is saved."""
        if poster is not None and outbox and poster.post(outbox):
            report.posted += len(outbox)
            outbox.clear()
            _mark()

    def _where() -> dict[str, Any]:
        return {"position": [current["file"], current["line"]], "outbox": outbox,
                "actions_bytes": actions.sync(), "rejects_bytes": rejects.sync()}

    def _snapshot() -> None:
        nonlocal last_snapshot
        # final.csv scores every account: rewritten with each snapshot and at the stop,
        # not every hour (hourly it was most of run's cost over replay at 14 days)
        write_final(out_dir / "final.csv", engine.final_rows())
        save_snapshot(state_dir, {"detector": state, "events_pos": engine.events_pos,
                                  **_where()})
        last_snapshot = state.checkpoints

    def _mark() -> None:
        save_progress(state_dir, {"checkpoints": state.checkpoints, **_where()})

    if mark is None:
        flush()  # what an earlier run could not deliver goes first
    idle_since = time.monotonic()
    while True:
        refresh_records()
        todo = [p for p in inbox_files(inbox) if p.name >= current["file"]]
        progressed = False
        for path in todo:
            stamp = _stamp(path)
            if stamp is not None and read_to_end.get(path.name) == stamp:
                continue  # read to its end already and unchanged since
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
            read_to_end[path.name] = stamp
        if progressed:
            idle_since = time.monotonic()
        idle = max_idle is not None and time.monotonic() - idle_since > max_idle
        if once or idle:
            # the inbox is taken as complete: finish the window like replay does
            refresh_records()
            commit(engine.finish())
            if mark is not None:
                raise IntegrityError(
                    f"{state_dir}: the checkpoint was made at checkpoint {mark['checkpoints']} "
                    f"from request files no longer in {inbox}; move the state folder away "
                    "to start over")
            if state.checkpoints > last_snapshot:
                _snapshot()
                _mark()
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
