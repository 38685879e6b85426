"""The snapshot's Parquet schemas: the contract between writers, readers and engines."""

from __future__ import annotations

import pyarrow as pa

__all__ = [
    "ENTITIES",
    "FILES",
    "FORMAT_VERSION",
    "HOLDINGS",
    "IDENTIFIERS",
    "NAMES",
]

FORMAT_VERSION = 1

ENTITIES = pa.schema([
    ("id", pa.string()),
    ("name", pa.string()),
    ("type", pa.string()),  # company | person | state | unknown
    ("hq_country", pa.string()),  # ISO alpha-2 or ""
    ("jurisdiction", pa.string()),
    ("lists", pa.list_(pa.string())),
    ("source_dataset", pa.string()),
    ("source_record", pa.string()),
    ("source_line", pa.int64()),
])

HOLDINGS = pa.schema([
    ("owner", pa.string()),
    ("owned", pa.string()),
    ("kind", pa.string()),  # shares | votes | control
    ("lo", pa.int64()),  # parts per billion
    ("hi", pa.int64()),
    ("lo_open", pa.bool_()),
    ("hi_open", pa.bool_()),
    ("valid_from", pa.date32()),  # null = unbounded
    ("valid_to", pa.date32()),  # null = unbounded; validity is [valid_from, valid_to)
    ("source_dataset", pa.string()),
    ("source_record", pa.string()),
    ("source_line", pa.int64()),
    ("source_note", pa.string()),
])

NAMES = pa.schema([
    ("entity", pa.string()),
    ("name", pa.string()),
    ("lang", pa.string()),
    ("script", pa.string()),
    ("kind", pa.string()),  # legal | alias | former | trade | transliteration
])

IDENTIFIERS = pa.schema([
    ("entity", pa.string()),
    ("scheme", pa.string()),
    ("value", pa.string()),
])

FILES = {
    "entities": ENTITIES,
    "holdings": HOLDINGS,
    "names": NAMES,
    "identifiers": IDENTIFIERS,
}
