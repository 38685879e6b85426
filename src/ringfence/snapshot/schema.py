"""The snapshot's Parquet schemas: the contract between writers, readers and engines."""

from __future__ import annotations

import pyarrow as pa

__all__ = [
    "CLEANED_NAMES",
    "CONFLICTS",
    "ENTITIES",
    "EVIDENCE",
    "FILES",
    "FORMAT_VERSION",
    "HOLDINGS",
    "IDENTIFIERS",
    "NAMES",
    "SIDE_FILES",
]

FORMAT_VERSION = 1

ENTITIES = pa.schema([
    ("id", pa.string()),
    ("name", pa.string()),
    ("type", pa.string()),  # company | person | state | unknown | vessel | aircraft
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

# Side tables: written by ingest when it has something to say, listed in the manifest's
# ``files`` like the main tables, not read by engines (no FORMAT_VERSION change).
EVIDENCE = pa.schema([
    ("owner", pa.string()),
    ("owned", pa.string()),
    ("relation", pa.string()),  # e.g. gleif:IS_ULTIMATELY_CONSOLIDATED_BY, bods:indirect
    ("kind", pa.string()),
    ("lo", pa.int64()),
    ("hi", pa.int64()),
    ("lo_open", pa.bool_()),
    ("hi_open", pa.bool_()),
    ("valid_from", pa.date32()),
    ("valid_to", pa.date32()),
    ("source_dataset", pa.string()),
    ("source_record", pa.string()),
    ("source_line", pa.int64()),
    ("source_note", pa.string()),
])
"""Facts that are evidence, not holdings: indirect or ultimate edges that restate a chain
of direct holdings, fund-management links, and anything else a reader keeps but must not
count."""

CONFLICTS = pa.schema([
    ("entity", pa.string()),  # the entity the conflict is about (the owned, for holdings)
    ("field", pa.string()),  # hq_country | jurisdiction | holding:<owner>:<kind>
    ("chosen", pa.string()),
    ("candidates", pa.string()),  # every value with its source
    ("rule", pa.string()),
])
"""Facts that sources disagree on, every candidate with its source, and the rule that
chose the value the snapshot uses."""

CLEANED_NAMES = pa.schema([
    ("entity", pa.string()),
    ("field", pa.string()),  # the source's field (LegalName, names[alias], name ...)
    ("original", pa.string()),  # as written, each removed character shown as \uXXXX
    ("stored", pa.string()),  # the name the snapshot keeps
    ("removed", pa.string()),  # "U+200B ZERO WIDTH SPACE; U+0007 Cc"
    ("source_dataset", pa.string()),
    ("source_record", pa.string()),
    ("source_line", pa.int64()),
])
"""Names ingest changed: control and invisible characters removed
(``ringfence.resolve.remove_hidden``), one row per name of a record, with where it came
from. Nothing else in a name is changed at ingest."""

SIDE_FILES = {"evidence": EVIDENCE, "conflicts": CONFLICTS, "cleaned_names": CLEANED_NAMES}
