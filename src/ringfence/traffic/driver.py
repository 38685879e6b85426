"""The one loop both modes run: feed records and requests to the detector, checkpoint each
hour of log time, write what changed.

``Engine`` owns the detector and the position in the record files; ``replay`` (one folder,
start to end) and ``run`` (a growing inbox, state on disk) differ only in where requests
come from and when state is saved.
"""

from __future__ import annotations

import math
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ringfence.detect.classify import ModelClassifier
from ringfence.detect.config import DetectorConfig
from ringfence.detect.detector import CheckpointResult, Detector, DetectorState
from ringfence.traffic.enrich import load_net_lookup, load_throwaway_domains
from ringfence.traffic.reader import read_jsonl_records

__all__ = ["Engine", "Feed", "build_detector", "peak_rss_mb", "run_replay"]

HOUR = 3600.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


_MODEL: ModelClassifier | None = None


def build_detector(state: DetectorState) -> Detector:
    global _MODEL
    if _MODEL is None:
        _MODEL = ModelClassifier()
    return Detector(state, net=load_net_lookup(), throwaway=load_throwaway_domains(),
                    model=_MODEL)


@dataclass
class Feed:
    """Records waiting for their time: (created, record) sorted by time, and a cursor."""

    key: str
    items: list[tuple[float | None, dict[str, Any]]] = field(default_factory=list)
    pos: int = 0

    def due(self, t: float) -> list[tuple[float | None, dict[str, Any]]]:
        out = []
        while self.pos < len(self.items):
            created, rec = self.items[self.pos]
            if created is not None and created >= t:
                break
            out.append((created, rec))
            self.pos += 1
        return out


class Engine:
    def __init__(self, state: DetectorState, *, window_end: float | None) -> None:
        self.state = state
        self.detector = build_detector(state)
        self.window_end = window_end
        self.next_checkpoint = state.window_start + HOUR * (state.checkpoints + 1)
        self.orgs = Feed("org_id")
        self.accounts = Feed("account_id")
        self.events: list[tuple[float, dict[str, Any]]] = []
        self.events_pos = 0

    def load_records(self, data_dir: Path, reject: Callable[[str, int, str, str], None]
                     ) -> None:
        """(Re-)read accounts.jsonl and orgs.jsonl; records already admitted stay admitted
        (the detector ignores a repeat)."""
        for feed, name in ((self.orgs, "orgs.jsonl"), (self.accounts, "accounts.jsonl")):
            feed.items = read_jsonl_records(data_dir / name, key=feed.key,
                                            on_reject=_named(reject, name))
            feed.pos = 0

    def _admit(self, t: float) -> None:
        det = self.detector
        for created, rec in self.orgs.due(t):
            if rec["org_id"] not in self.state.orgs:
                det.add_org(rec, created)
        for created, rec in self.accounts.due(t):
            det.add_account(rec, created)
        while self.events_pos < len(self.events) and self.events[self.events_pos][0] < t:
            ts, ev = self.events[self.events_pos]
            det.add_event(ev, ts)
            self.events_pos += 1

    def before(self, ts: float) -> list[CheckpointResult]:
        """Checkpoints due before a request at ``ts`` may be observed."""
        out: list[CheckpointResult] = []
        while ts >= self.next_checkpoint and (self.window_end is None
                                              or self.next_checkpoint <= self.window_end):
            out.append(self.checkpoint())
        return out

    def checkpoint(self, at: float | None = None) -> CheckpointResult:
        t = self.next_checkpoint if at is None else at
        self._admit(t)
        result = self.detector.checkpoint(t)
        self.next_checkpoint = self.next_checkpoint + HOUR if at is None else t + HOUR
        return result

    def finish(self) -> list[CheckpointResult]:
        """The checkpoints left up to window_end (replay's end); a window_end off the hourly
        grid gets a last checkpoint of its own, so final.csv covers the whole window."""
        out: list[CheckpointResult] = []
        if self.window_end is None:
            return out
        while self.next_checkpoint <= self.window_end:
            out.append(self.checkpoint())
        if self.state.last_checkpoint < self.window_end < self.next_checkpoint:
            out.append(self.checkpoint(self.window_end))
        return out

    def final_rows(self) -> list[tuple[str, float, str, str]]:
        return sorted((a.account_id, round(a.score, 4), a.action, a.cluster_id)
                      for a in self.state.accounts)

    def findings(self) -> list[dict[str, Any]]:
        return [self.state.findings[k] for k in sorted(self.state.findings)]


def _named(reject: Callable[[str, int, str, str], None], name: str
           ) -> Callable[[int, str, str], None]:
    def on_reject(line: int, reason: str, text: str) -> None:
        reject(name, line, reason, text)

    return on_reject


def _first_ts(path: Path) -> float | None:
    from ringfence.traffic.reader import read_requests

    for _line, _rec, ts in read_requests(path, on_reject=lambda *_: None):
        return ts
    return None


def run_replay(data_dir: Path, out_dir: Path, *, progress: Callable[[str, int], None] | None,
               config: DetectorConfig | None = None) -> Any:
    from ringfence.traffic.outputs import ActionsWriter, RejectsWriter, write_final, write_findings
    from ringfence.traffic.reader import find_requests, read_events, read_requests
    from ringfence.traffic.replay import ReplayReport

    started = time.monotonic()
    data_dir = Path(data_dir)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    req_path = find_requests(data_dir)
    w_start, w_end, events = read_events(data_dir / "events.json")
    if w_start is None:
        first = _first_ts(req_path)
        w_start = math.floor((first or 0.0) / HOUR) * HOUR
    state = DetectorState(window_start=w_start, config=config or DetectorConfig())
    engine = Engine(state, window_end=w_end)
    engine.events = events
    rejects = RejectsWriter(out_dir / "rejects.jsonl")
    actions = ActionsWriter(out_dir / "actions.csv")
    engine.load_records(data_dir, rejects.reject)
    report = ReplayReport(out_dir=out_dir)
    observe = engine.detector.observe

    def emit(results: list[CheckpointResult]) -> None:
        for r in results:
            actions.write(r.rows)
            report.checkpoints += 1
            if progress is not None:
                progress(r.checkpoint, report.requests)

    def on_reject(line: int, reason: str, text: str) -> None:
        rejects.reject(req_path.name, line, reason, text)

    for _line, rec, ts in read_requests(req_path, on_reject=on_reject):
        if ts >= engine.next_checkpoint:
            emit(engine.before(ts))
        if w_end is not None and ts >= w_end:
            continue  # after the window: not the detector's to see
        observe(rec, ts)
        report.requests += 1
    emit(engine.finish())
    if w_end is None:
        emit([engine.checkpoint()])
    actions.close()
    rejects.close()
    final = engine.final_rows()
    write_final(out_dir / "final.csv", final)
    findings = engine.findings()
    write_findings(out_dir / "findings.jsonl", findings)
    report.rejects = rejects.count
    report.accounts = len(final)
    for _a, _s, action, _c in final:
        report.actions[action] = report.actions.get(action, 0) + 1
    report.findings = len(findings)
    report.clusters = sum(1 for f in findings if len(f["account_ids"]) > 1)
    report.seconds = time.monotonic() - started
    report.peak_rss_mb = peak_rss_mb()
    return report
