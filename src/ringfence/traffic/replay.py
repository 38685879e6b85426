"""``replay(data_dir, out_dir)``: the contract's replay mode (request-logs.md §2)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Progress", "ReplayReport", "replay"]

# progress(checkpoint_iso, requests_read_so_far)
Progress = Callable[[str, int], None]


@dataclass
class ReplayReport:
    """What a replay did: counts, timings and where the outputs are."""

    out_dir: Path
    requests: int = 0
    rejects: int = 0
    accounts: int = 0
    checkpoints: int = 0
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    actions: dict[str, int] = field(default_factory=dict)  # final action -> accounts
    findings: int = 0
    clusters: int = 0


def replay(data_dir: Path, out_dir: Path, *, progress: Progress | None = None) -> ReplayReport:
    """Replay the log in ``data_dir`` hour by hour and write actions.csv, final.csv,
    findings.jsonl (and rejects.jsonl) into ``out_dir``."""
    from ringfence.traffic.driver import run_replay

    report: ReplayReport = run_replay(data_dir, out_dir, progress=progress)
    return report
