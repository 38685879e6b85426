"""The engine contract: what every engine (local today, Spark next) implements.

An :class:`Engine` runs the attribution algorithm over a whole snapshot under one policy
on one date (a *batch run*) and returns a :class:`VerdictBook`: every entity's verdict
with its bounds, look-ups by id, counts, and the proof of any verdict. A book can also
answer "what if these holdings changed" (:meth:`VerdictBook.with_changes`), recomputing
what the change reaches.

Everything crosses this boundary as the core's typed values (``ringfence.model``:
:class:`~ringfence.model.Verdict`, :class:`~ringfence.model.EntityVerdict`,
:class:`~ringfence.model.Explanation`); JSON is made only at the program's edges.

The use cases (``ringfence.usecases``: simulate, what-if) and the service read engines
through this module alone. One conformance suite (``tests/engines/``) runs the same test
bodies (oracle, properties, the regulators' cases) against every engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ringfence.model import EntityVerdict, Explanation, HoldingChanges, Verdict
from ringfence.policy import LoadedPolicy, ResolvedPolicy

if TYPE_CHECKING:
    from ringfence.snapshot import Snapshot

__all__ = ["BookUpdate", "Engine", "HoldingChanges", "VerdictBook", "VerdictChange"]


@dataclass(frozen=True, slots=True)
class VerdictChange:
    """An entity whose verdict differs between two books."""

    before: EntityVerdict
    after: EntityVerdict

    @property
    def entity(self) -> str:
        return self.after.entity


@dataclass(frozen=True)
class BookUpdate:
    """A book with changed holdings applied: the new book, what flipped, and how much was
    recomputed (``downstream``: entities the change can reach; ``recomputed``: entities
    evaluated, the downstream ones and their owners)."""

    book: VerdictBook
    flips: Sequence[VerdictChange]
    recomputed: int
    downstream: int


@runtime_checkable
class VerdictBook(Protocol):
    """Every entity's verdict under one policy, as of one date, on one snapshot."""

    @property
    def snapshot_id(self) -> str: ...

    @property
    def policy(self) -> ResolvedPolicy: ...

    @property
    def as_of(self) -> dt.date: ...

    def __len__(self) -> int: ...

    def get(self, entity_id: str) -> EntityVerdict | None:
        """The entity's verdict, or ``None`` when the snapshot has no such entity."""
        ...

    def __getitem__(self, entity_id: str) -> EntityVerdict:
        """The entity's verdict; :class:`~ringfence.exc.NotFoundError` when unknown."""
        ...

    def items(self) -> Iterator[EntityVerdict]:
        """Every entity's verdict, in entity id order."""
        ...

    def counts(self) -> dict[Verdict, int]:
        """How many entities have each verdict (every verdict present, zero included)."""
        ...

    def uncertain_causes(self) -> dict[str, tuple[str, ...]]:
        """Every uncertain entity's causes, in words, in one pass (the review load:
        ``ringfence.usecases.review``): each possible-only origin upstream of it through
        entities restricted at the upper bound only, else the share ranges."""
        ...

    def warm(self) -> None:
        """Read ahead what a first proof needs (the service calls it off the request path
        after a publish, so the first organisation page is as fast as the next); may do
        nothing."""
        ...

    def explain(self, entity_id: str) -> Explanation:
        """The proof of the entity's verdict, each edge with its source;
        :class:`~ringfence.exc.NotFoundError` when unknown."""
        ...

    def header(self) -> dict[str, Any]:
        """Snapshot id, date and policy stamp, as JSON (for the edges)."""
        ...

    def with_changes(self, changes: HoldingChanges) -> BookUpdate:
        """A new book with ``changes`` applied (this one is left as it was)."""
        ...


class Engine(Protocol):
    """Runs attribution over a snapshot: one batch run gives one :class:`VerdictBook`."""

    name: str

    def evaluate(self, snapshot: Snapshot, policy: LoadedPolicy, as_of: dt.date
                 ) -> VerdictBook:
        """Attribute every entity of ``snapshot`` under ``policy`` as of ``as_of``."""
        ...
