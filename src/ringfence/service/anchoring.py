"""Exporting the audit head outside the database (issue 20; ``ringfence.audit.anchor``).

Every publish appends the head to the anchor file (``RINGFENCE_ANCHOR_FILE``, signed with
``RINGFENCE_ANCHOR_KEY``), and so does each worker every ``RINGFENCE_ANCHOR_SECONDS`` when
the head moved since the file's last line (several workers share the file under a lock, so
an unchanged head is written once). Every export is also a log line (``audit head``), for
a log shipper to carry off the host. ``ringfence audit verify --anchor FILE`` checks the
database against the file.
"""

from __future__ import annotations

import structlog
from sqlalchemy import Engine

from ringfence.audit.anchor import Anchor, AnchorFile, read_head
from ringfence.service.settings import ServiceSettings
from ringfence.service.sync import Syncer

__all__ = ["HeadAnchor"]

log = structlog.get_logger("ringfence.service")


class HeadAnchor:
    """The runtime's exporter; without an anchor file it only logs the head on publish."""

    def __init__(self, engine: Engine, settings: ServiceSettings) -> None:
        self.engine = engine
        self.file = (AnchorFile(settings.anchor_file, settings.anchor_key or "")
                     if settings.anchor_file is not None else None)
        self._ticker = Syncer(lambda: self.export("interval"),
                              interval=settings.anchor_seconds)

    def export(self, reason: str) -> Anchor | None:
        """Anchor the current head; ``publish`` always writes a line, other reasons only
        when the head moved since the file's last line."""
        seq, digest = read_head(self.engine)
        written = None
        if self.file is not None:
            written = self.file.append(seq, digest, reason=reason,
                                       skip_unchanged=reason != "publish")
        if written is not None or reason == "publish":
            log.info("audit head", seq=seq, hash=digest, reason=reason,
                     anchor_line=written.n if written else None)
        return written

    def start(self) -> None:
        if self.file is not None:
            self.export("start")
            self._ticker.start()

    def stop(self) -> None:
        if self.file is not None:
            self._ticker.stop()
            self.export("stop")
