"""Merge staged rows from every source into one snapshot, with DuckDB.

Steps (each a documented rule; see docs/ingest.md):

1. **Versions.** Per source and entity record, the latest version wins. An id that a
   holding names by itself (a GLEIF relationship end or exception subject) with no
   record in its source becomes a stub entity (made here, once per source and id; a
   real record always beats a stub). Per relationship record, the latest statement
   wins; a closing statement (or a 0.3 replacement) ends its holdings on the closing
   date.
2. **References.** Statement/record references resolve within their source; an
   unresolved one is a dangling reference, reported with file, line and record.
3. **Identity.** Entities that share a validated identifier (LEI, USCC, OGRN, INN, UK
   company number) are one entity, across and within sources; two different LEIs never
   merge. The merged entity keeps the id of the first-listed source that has one
   (``lei:`` ids first among equals); the other ids are kept as ``merged_id``
   identifiers.
4. **Attributes.** Name and type from the first-listed source with a real record; HQ
   country from the most explicit evidence (GLEIF's headquarters field or the CSV's
   ``hq_country`` > a BODS business address > FtM's ``mainCountry``), then source order;
   jurisdiction by source order; lists are united. Every disagreement is written to the
   ``conflicts`` side table with all candidates and sources.
5. **Undisclosed owners** become entities ``unknown:<owned id>:<label>`` (or
   ``persons:…``), so the same exception from two sources meets on one edge. An
   exception-derived owner of a company that has a known direct consolidating parent is
   dropped to evidence (the parent is the better fact).
6. **Same edge, several records.** Holdings of one kind from the same owner in the same
   company that come from different records (different sources, or different records in
   one source) describe the same holding: over each stretch of time they are combined
   into the range that covers them all (never added); a record that only says "0–100%"
   gives way to one that says more. Within one record, interests of one kind add up.
7. **Evidence** (indirect and ultimate edges, fund links, edges that became self-loops
   by merging) goes to the ``evidence`` side table, never to holdings.

Cost at golden-copy scale (~9M holding rows, ~3M entity records) is kept down by
materialising one holdings table (resolved ends and merged ids are columns of it,
updated in place for the few rows identity touches), computing entity attributes in one
aggregate rather than a window each, and deleting superseded versions only for records
that have several. ``benchmarks/merge_profile.py`` times every statement.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from ringfence.exc import Problem
from ringfence.ingest.ids import MERGE_SCHEMES
from ringfence.ingest.merge_exceptions import read_exception_pairs
from ringfence.ingest.merge_lists import listed_by_resolver, named_evidence
from ringfence.ingest.merge_write import write_entities, write_holdings
from ringfence.ingest.stage import STAGE_SCHEMAS
from ringfence.snapshot import SnapshotWriter

__all__ = ["MergeResult", "merge_stage"]



@dataclass
class MergeResult:
    problems: list[Problem] = field(default_factory=list)
    rejected_rows: int = 0
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    """Wall seconds per merge step, in the order they ran."""
    on_step: Callable[[str], None] | None = None

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        if self.on_step is not None:
            self.on_step(name)
        t = time.monotonic()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.monotonic() - t


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.lei: dict[str, str] = {}

    def find(self, x: str) -> str:
        p = self.parent.setdefault(x, x)
        while p != self.parent[p]:
            self.parent[p] = self.parent[self.parent[p]]
            p = self.parent[p]
        self.parent[x] = p
        return p

    def union(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        la, lb = self.lei.get(ra, ""), self.lei.get(rb, "")
        if la and lb and la != lb:
            return False  # two different LEIs are two different legal entities
        self.parent[rb] = ra
        if lb and not la:
            self.lei[ra] = lb
        return True


def _connect(work: Path, memory_limit: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    tmp = work / "duckdb-tmp"
    tmp.mkdir(exist_ok=True)
    con.execute(f"SET temp_directory='{tmp.as_posix()}'")
    con.execute(f"SET memory_limit='{memory_limit}'")
    con.execute("SET preserve_insertion_order=false")
    # DuckDB draws a progress bar on stdout for long queries: it would corrupt a
    # command's own output (``--json``), so progress is ours to report
    con.execute("SET enable_progress_bar=false")
    return con


def merge_stage(paths: dict[str, Path], writer: SnapshotWriter, *, work: Path,
                skip_bad: bool, memory_limit: str = "2GB",
                parts: dict[str, list[tuple[Path, int]]] | None = None,
                on_step: Callable[[str], None] | None = None) -> MergeResult:
    """Resolve, merge and write everything staged in ``paths`` into ``writer``.

    Problems found here (dangling references, over-full holdings) are returned; with
    ``skip_bad`` the offending rows are left out, otherwise nothing is written and the
    caller raises. ``on_step(name)`` is called as each step starts; the wall time of
    each is in :attr:`MergeResult.timings`.
    """
    res = MergeResult(on_step=on_step)
    con = _connect(work, memory_limit)
    try:
        _load(con, paths, parts or {})
        with res.step("versions"):
            _versions(con, res)
        with res.step("identity"):
            _identity(con, res)
        with res.step("holdings"):
            _resolve_holdings(con, res)
        if res.problems and not skip_bad:
            return res
        with res.step("write entities"):
            write_entities(con, writer, res)
        with res.step("write holdings"):
            write_holdings(con, writer, res, skip_bad=skip_bad)
        return res
    finally:
        con.close()


def _load(con: duckdb.DuckDBPyConnection, paths: dict[str, Path],
          parts: dict[str, list[tuple[Path, int]]]) -> None:
    for name, path in paths.items():
        # the table's own columns by name: a part may be a glob over files written by
        # Spark with every staging table's columns (``engines/spark_ingest.py``)
        names = STAGE_SCHEMAS[name].names
        selects = [f"SELECT {', '.join(names)} FROM read_parquet('{path.as_posix()}')"]
        for part, offset in parts.get(name, []):
            cols = ", ".join(f"line + {int(offset)} AS line" if c == "line" and offset
                             else c for c in names)
            selects.append(f"SELECT {cols} FROM read_parquet('{part.as_posix()}', "
                           "hive_partitioning = false)")
        con.execute(f"CREATE TEMP VIEW s_{name} AS " + " UNION ALL ".join(selects))


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def _versions(con: duckdb.DuckDBPyConnection, res: MergeResult) -> None:
    con.execute("""
        CREATE TEMP TABLE ew AS SELECT * FROM s_ent
        QUALIFY row_number() OVER (PARTITION BY src, rec
                                   ORDER BY stub ASC, vdate DESC, seq DESC) = 1""")
    # an end given by a global id alone (a GLEIF relationship end or exception subject,
    # ``lei`` mode) names an entity even when no record of it is in the input: a stub,
    # one per source and id, made here from the holding rows rather than staged per
    # mention (a golden copy mentions ~6M ends, nearly all of them with a record); its
    # provenance is the last row that mentions it
    con.execute("""
        INSERT INTO ew BY NAME
        WITH ends AS (
          SELECT src, owner AS k, seq, dataset, line, record FROM s_hold
          WHERE owner_mode = 'lei'
          UNION ALL
          SELECT src, owned AS k, seq, dataset, line, record FROM s_hold
          WHERE owned_mode = 'lei'),
        mentioned AS (  -- one struct, so that a NULL line cannot mix two rows' fields
          SELECT src, k, max(seq) AS seq,
                 arg_max({'dataset': dataset, 'line': line, 'record': record}, seq) AS p
          FROM ends GROUP BY src, k)
        SELECT m.src, m.k AS rec, m.k AS key, m.seq, '' AS vdate, true AS stub,
               'company' AS type, '' AS name, '' AS hq, 0::TINYINT AS hq_rank, '' AS juris,
               '' AS lists, m.p.dataset AS dataset, m.p.line AS line, m.p.record AS record
        FROM mentioned m
        WHERE NOT EXISTS (SELECT 1 FROM ew WHERE ew.src = m.src AND ew.rec = m.k)""")
    con.execute("""
        CREATE TEMP TABLE rmap AS
        SELECT r.src, r.ref, any_value(ew.key) AS key
        FROM s_ref r JOIN ew ON ew.src = r.src AND ew.rec = r.rec GROUP BY r.src, r.ref""")
    con.execute("CREATE TEMP TABLE keys AS SELECT DISTINCT key FROM ew")
    # resolve the ends of every holding row to source-level keys (a view: only the rows
    # with a 'ref' or 'key' end need the joins, and the table below keeps one copy)
    con.execute("""
        CREATE TEMP VIEW hr AS
        SELECT h.*,
          CASE h.owned_mode WHEN 'lei' THEN h.owned WHEN 'key' THEN kd.key
               ELSE rd.key END AS owned_key,
          CASE h.owner_mode WHEN 'lei' THEN h.owner WHEN 'key' THEN ko.key
               WHEN 'ref' THEN ro.key
               ELSE h.owner END AS owner_key
        FROM s_hold h
        -- equality on computed keys (NULL never matches) keeps these hash joins; a
        -- constant filter in ON made DuckDB fall back to a nested-loop join
        LEFT JOIN rmap ro ON ro.src = h.src
             AND ro.ref = CASE WHEN h.owner_mode = 'ref' THEN h.owner END
        LEFT JOIN rmap rd ON rd.src = h.src
             AND rd.ref = CASE WHEN h.owned_mode = 'ref' THEN h.owned END
        LEFT JOIN keys ko ON ko.key = CASE WHEN h.owner_mode = 'key' THEN h.owner END
        LEFT JOIN keys kd ON kd.key = CASE WHEN h.owned_mode = 'key' THEN h.owned END
    """)
    dangling = con.execute("""
        SELECT dataset, line, record,
               CASE WHEN owned_key IS NULL THEN 'owned' ELSE 'owner' END,
               CASE WHEN owned_key IS NULL THEN owned ELSE owner END
        FROM hr WHERE (owned_key IS NULL OR owner_key IS NULL)
          AND (owner_mode IN ('ref', 'key') OR owned_mode IN ('ref', 'key'))
        ORDER BY dataset, line LIMIT 100000""").fetchall()
    for dataset, line, record, end, ref in dangling:
        fld = "subject" if dataset.startswith("bods:") and end == "owned" else (
            "interestedParty" if dataset.startswith("bods:") else end)
        res.problems.append(Problem(dataset, f"dangling reference {ref!r}: no such "
                                    "entity or person in this source", line=line,
                                    field=fld, record=record or None))
    res.rejected_rows += len(dangling)
    # one table of holding rows from here on: ``owned_c``/``owner_c`` are the merged
    # entity ids (set to the source-level keys now, remapped after the identity step)
    con.execute("""
        CREATE TEMP TABLE h AS
        SELECT * EXCLUDE (owner, owned, owned_mode), owned_key AS owned_c,
          CASE WHEN owner_mode IN ('unknown', 'persons')
               THEN owner_mode || ':' || owned_key || ':' || owner_key
               ELSE owner_key END AS owner_c
        FROM hr WHERE owned_key IS NOT NULL AND owner_key IS NOT NULL""")
    # the latest version of each relationship record wins (all its rows); most records
    # have one version, so the records with several are found first by grouping on a
    # 64-bit hash of the record id (a collision only adds a candidate; the exact
    # grouping below runs on the candidates alone)
    con.execute("""
        CREATE TEMP TABLE hv AS
        SELECT DISTINCT h.src, h.hrec FROM h JOIN (
          SELECT src, hash(hrec) AS hh FROM h GROUP BY src, hash(hrec)
          HAVING min(seq) <> max(seq)) c ON h.src = c.src AND hash(h.hrec) = c.hh""")
    if _count(con, "hv"):
        con.execute("""
            DELETE FROM h USING (
              SELECT src, hrec, max((vdate, seq)) AS top FROM h SEMI JOIN hv
                USING (src, hrec)
              GROUP BY src, hrec) v
            WHERE h.src = v.src AND h.hrec = v.hrec AND (h.vdate, h.seq) <> v.top""")
    con.execute("""
        CREATE TEMP TABLE closes AS SELECT src, hrec, max(date) AS cdate
        FROM s_close GROUP BY src, hrec""")
    con.execute("""
        UPDATE h SET vto = CASE
            WHEN h.vto <> '' THEN h.vto          -- the interest says when it ended
            WHEN h.vfrom = '' OR c.cdate > h.vfrom THEN c.cdate
            ELSE h.vfrom END                       -- ended, date unknown: left out below
        FROM closes c WHERE c.src = h.src AND c.hrec = h.hrec AND c.cdate >= h.vdate""")
    n = con.execute("SELECT count(*) FROM h WHERE vfrom <> '' AND vto <> '' "
                    "AND vto <= vfrom").fetchone()
    if n and n[0]:
        res.notes.append(f"{n[0]} holding row(s) that end when or before they start "
                         "(or closed at a date that cannot be placed) left out")
        con.execute("DELETE FROM h WHERE vfrom <> '' AND vto <> '' AND vto <= vfrom")


def _identity(con: duckdb.DuckDBPyConnection, res: MergeResult) -> None:
    schemes = ", ".join(f"'{s}'" for s in sorted(MERGE_SCHEMES))
    con.execute(f"""
        CREATE TEMP TABLE iw AS
        SELECT DISTINCT ew.key, i.scheme, i.value FROM s_idn i
        JOIN ew ON i.src = ew.src AND i.seq = ew.seq WHERE i.scheme IN ({schemes})""")
    con.execute("""
        CREATE TEMP TABLE ig AS
        SELECT scheme, value, list(DISTINCT key ORDER BY key) AS keys FROM iw
        GROUP BY scheme, value HAVING count(DISTINCT key) > 1""")
    groups = con.execute("SELECT * FROM ig ORDER BY scheme <> 'lei', scheme, value"
                         ).fetchall()
    uf = _UnionFind()
    for key, lei in con.execute("""
            SELECT key, min(value) FROM iw WHERE scheme = 'lei' AND key IN (
              SELECT unnest(keys) FROM ig)
            GROUP BY key""").fetchall():
        uf.lei[key] = lei
    members: set[str] = set()
    by_ids = 0
    for scheme, value, keys in groups:
        members.update(keys)
        for k in keys:
            if k.startswith("lei:"):
                uf.lei.setdefault(k, k[4:])
        for other in keys[1:]:
            if uf.union(keys[0], other):
                by_ids += 1
            else:
                res.notes.append(f"not merged: {keys[0]} and {other} share {scheme} "
                                 f"{value} but have different LEIs")
    by_resolver = listed_by_resolver(con, uf, members, res.notes)
    by_name = _same_named_owners(con, uf, members)
    if members:
        con.execute("CREATE TEMP TABLE gk(key VARCHAR)")
        con.executemany("INSERT INTO gk VALUES (?)", [(k,) for k in members])
        first_src = dict(con.execute("""
            SELECT key, min(src) FROM ew JOIN gk USING (key) GROUP BY key""").fetchall())
        clusters: dict[str, list[str]] = defaultdict(list)
        for key in members:
            clusters[uf.find(key)].append(key)
        rows = []
        for keys in clusters.values():
            keys.sort(key=lambda k: (first_src.get(k, 1 << 30), not k.startswith("lei:"),
                                     k))
            for k in keys:
                rows.append((k, keys[0]))
        merged = sum(1 for k, c in rows if k != c)
        res.notes.append(f"identity: {merged} entity id(s) merged into another "
                         f"({len(clusters)} cluster(s); {by_ids} link(s) by shared "
                         f"identifiers, {by_resolver} listed part(y/ies) by the screening "
                         f"resolver, {by_name} by the same name owning the same company)")
        kmap = pa.table({"key": [r[0] for r in rows], "cid": [r[1] for r in rows]})
        con.register("kmap_arrow", kmap)
        con.execute("CREATE TEMP TABLE kmap AS SELECT * FROM kmap_arrow")
        con.unregister("kmap_arrow")
    else:
        con.execute("CREATE TEMP TABLE kmap(key VARCHAR, cid VARCHAR)")
    con.execute("""
        CREATE TEMP VIEW ec AS
        SELECT coalesce(m.cid, ew.key) AS cid, ew.* FROM ew LEFT JOIN kmap m USING (key)""")


def _same_named_owners(con: duckdb.DuckDBPyConnection, uf: _UnionFind,
                       members: set[str]) -> int:
    """Link owners of the same company (after identifier merging) whose names are equal
    once case, spaces and punctuation are folded, when neither is a person or unknown:
    two sources naming the same parent without a shared identifier (a register's
    "Government Of The Islamic Republic Of Iran" and a curated CSV's state entity).
    Persons are never merged on names."""
    rows = con.execute(r"""
        WITH n AS (
          SELECT key, any_value(lower(regexp_replace(name, '[^\pL\pN]+', '', 'g')))
                 AS fname
          FROM ew WHERE name <> '' AND NOT stub AND type NOT IN ('unknown', 'person')
          GROUP BY key)
        SELECT DISTINCT h.owned_key, h.owner_key, n.fname, n.fname IN (
            SELECT fname FROM n GROUP BY fname HAVING count(*) > 1) AS shared
        FROM h JOIN n ON n.key = h.owner_key
        WHERE h.owner_mode IN ('ref', 'key', 'lei') AND h.evidence = '' AND n.fname <> ''
    """).fetchall()
    candidates = [(owned, owner, fname) for owned, owner, fname, shared in rows if shared]
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for owned, owner, fname in candidates:
        groups[(uf.find(owned) if owned in members else owned, fname)].add(owner)
    linked = 0
    for owners in groups.values():
        if len(owners) < 2:
            continue
        ordered = sorted(owners)
        for o in ordered:
            if o.startswith("lei:"):
                uf.lei.setdefault(o, o[4:])
        for other in ordered[1:]:
            if uf.find(ordered[0]) != uf.find(other) and uf.union(ordered[0], other):
                linked += 1
                members.update((ordered[0], other))
    return linked


def _resolve_holdings(con: duckdb.DuckDBPyConnection, res: MergeResult) -> None:
    # ends whose entity merged into another take the merged id (kmap is small: only
    # entities in a cluster of two or more)
    con.execute("UPDATE h SET owned_c = m.cid FROM kmap m WHERE m.key = h.owned_key "
                "AND m.cid <> m.key")
    con.execute("""
        UPDATE h SET owner_c = CASE WHEN h.owner_mode IN ('unknown', 'persons')
            THEN h.owner_mode || ':' || h.owned_c || ':' || h.owner_key ELSE m.cid END
        FROM kmap m
        WHERE m.cid <> m.key AND m.key = CASE WHEN h.owner_mode IN ('unknown', 'persons')
                                              THEN h.owned_key ELSE h.owner_key END""")
    # an undisclosed direct parent gives way to a known direct consolidating parent
    con.execute("""
        UPDATE h SET evidence = 'superseded-exception:' || h.note
        WHERE h.xgroup = 'repex-direct' AND h.evidence = '' AND EXISTS (
          SELECT 1 FROM h x WHERE x.xgroup = 'rr-direct' AND x.evidence = ''
            AND x.owned_c = h.owned_c)""")
    con.execute("""
        UPDATE h SET evidence = 'self-loop-after-merge'
        WHERE owner_c = owned_c AND evidence = ''""")
    read_exception_pairs(con)
    named_evidence(con, res.notes)
