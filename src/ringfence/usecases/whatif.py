"""What if: apply changed holdings to a snapshot's verdicts and list what flips.

An analyst's question ("what if ByteDance sold down to 40%?") answered through the engine
contract (:meth:`VerdictBook.with_changes`): only entities downstream of the changed
holdings are recomputed. The changes file is read by :mod:`ringfence.ingest.changes`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ringfence.engines.base import Engine, VerdictBook, VerdictChange
from ringfence.model import HoldingChanges
from ringfence.policy import LoadedPolicy
from ringfence.snapshot import Snapshot

__all__ = ["WhatIf", "what_if"]


@dataclass(frozen=True)
class WhatIf:
    book: VerdictBook  # with the changes applied
    flips: Sequence[VerdictChange]
    recomputed: int
    downstream: int
    added: int
    removed: int

    def as_dict(self) -> dict[str, Any]:
        return {**self.book.header(), "added": self.added, "removed": self.removed,
                "downstream": self.downstream, "recomputed": self.recomputed,
                "flips": [{"entity": f.entity, "old": f.before.verdict.value,
                           "new": f.after.verdict.value,
                           "old_share": [f.before.lower, f.before.upper],
                           "new_share": [f.after.lower, f.after.upper]}
                          for f in self.flips]}


def what_if(snapshot: Snapshot, changes: HoldingChanges, *, policy: LoadedPolicy,
            as_of: dt.date, engine: Engine) -> WhatIf:
    """Evaluate ``snapshot`` under ``policy``, apply ``changes``, list the flips."""
    book = engine.evaluate(snapshot, policy, as_of)
    up = book.with_changes(changes)
    return WhatIf(up.book, up.flips, up.recomputed, up.downstream, len(changes.added),
                  len(changes.removed))
