"""Immutable, dated snapshots: Parquet tables plus a manifest, published atomically."""

from ringfence.snapshot.reader import Snapshot, open_snapshot
from ringfence.snapshot.writer import Manifest, SnapshotWriter, SourceFile, file_sha256

__all__ = ["Manifest", "Snapshot", "SnapshotWriter", "SourceFile", "file_sha256",
           "open_snapshot"]
