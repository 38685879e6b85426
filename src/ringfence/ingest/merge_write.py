"""The merge's last steps (see :mod:`ringfence.ingest.merge`, steps 4-7): each merged
entity's attributes with their conflicts, and each edge's holdings combined across the
records that state it, written into the snapshot with the evidence side table."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ringfence.exc import Problem
from ringfence.model import SCALE
from ringfence.snapshot import SnapshotWriter
from ringfence.snapshot.schema import CLEANED_NAMES, CONFLICTS, EVIDENCE, HOLDINGS
from ringfence.snapshot.validate import overfull_holdings

if TYPE_CHECKING:
    from ringfence.ingest.merge import MergeResult

__all__ = ["write_entities", "write_holdings"]



def write_entities(con: duckdb.DuckDBPyConnection, writer: SnapshotWriter,
                    res: MergeResult) -> None:
    con.execute("""
        CREATE TEMP TABLE unk AS
        SELECT owner_c AS cid, any_value(owner_mode) AS mode, any_value(owned_c) AS owned,
               any_value(owner_key) AS label, min(dataset) AS dataset, min(line) AS line,
               min(record) AS record
        FROM h WHERE owner_mode IN ('unknown', 'persons') AND evidence = ''
        GROUP BY owner_c""")
    # one pass over the entity versions for every attribute (one aggregate, not a
    # window per attribute): which row gives the name and provenance, the chosen HQ and
    # jurisdiction, whether the sources disagree on them, and the lists united
    con.execute("""
        CREATE TEMP TABLE attrs AS
        SELECT cid,
          arg_min({'name': name, 'type': type, 'dataset': dataset, 'record': record,
                   'line': line},
                  (stub, type = 'unknown', name = '', src, -seq)) AS base,
          coalesce(arg_max(hq, (hq_rank, -src, seq)) FILTER (WHERE hq <> ''), '') AS hq,
          min(hq) FILTER (WHERE hq <> '') IS DISTINCT FROM
            max(hq) FILTER (WHERE hq <> '') AS hq_conflict,
          coalesce(arg_min(juris, (stub, src, -seq)) FILTER (WHERE juris <> ''), '')
            AS juris,
          min(juris) FILTER (WHERE juris <> '') IS DISTINCT FROM
            max(juris) FILTER (WHERE juris <> '') AS juris_conflict,
          list(lists) FILTER (WHERE lists <> '') AS lists
        FROM ec GROUP BY cid""")
    ents = con.execute("""
        SELECT a.cid AS id, a.base.name AS name, a.base.type AS type, a.hq AS hq_country,
               a.juris AS jurisdiction,
               CASE WHEN a.lists IS NULL THEN []::VARCHAR[] ELSE
                 list_sort(list_distinct(list_filter(flatten(list_transform(
                   a.lists, x -> string_split(x, ';'))), x -> trim(x) <> ''))) END AS lists,
               a.base.dataset AS source_dataset, a.base.record AS source_record,
               a.base.line AS source_line
        FROM attrs a
        UNION ALL
        SELECT u.cid, CASE u.mode WHEN 'persons' THEN 'Unidentified natural persons (' ||
                      u.label || ' of ' || u.owned || ')'
                      ELSE 'Undisclosed owner (' || u.label || ' of ' || u.owned || ')' END,
               CASE u.mode WHEN 'persons' THEN 'person' ELSE 'unknown' END, '', '',
               []::VARCHAR[], u.dataset, u.record, u.line
        FROM unk u WHERE NOT EXISTS (SELECT 1 FROM attrs a WHERE a.cid = u.cid)
    """).to_arrow_reader(200_000)
    n_ent = 0
    for batch in ents:
        writer.add_table("entities", batch)
        n_ent += batch.num_rows
    res.counts["entities"] = n_ent
    names = con.execute("""
        SELECT DISTINCT ec.cid AS entity, n.name, n.lang, n.script, n.kind
        FROM s_nm n JOIN ec ON n.src = ec.src AND n.seq = ec.seq
        UNION ALL
        SELECT u.cid, CASE u.mode WHEN 'persons' THEN 'Unidentified natural persons ('
                      || u.label || ' of ' || u.owned || ')'
                      ELSE 'Undisclosed owner (' || u.label || ' of ' || u.owned || ')' END,
               'en', 'Latn', 'other'
        FROM unk u WHERE NOT EXISTS (SELECT 1 FROM attrs a WHERE a.cid = u.cid)
        """).to_arrow_reader(200_000)
    for batch in names:
        writer.add_table("names", batch)
    _write_cleaned(con, writer, res)
    idents = con.execute("""
        SELECT DISTINCT ec.cid AS entity, i.scheme, i.value
        FROM s_idn i JOIN ec ON i.src = ec.src AND i.seq = ec.seq
        UNION
        SELECT DISTINCT cid, 'merged_id', key FROM kmap
        WHERE key <> cid AND key IN (SELECT key FROM keys)
    """).to_arrow_reader(200_000)
    for batch in idents:
        writer.add_table("identifiers", batch)
    # candidates in a fixed order: the same input gives the same snapshot
    conflicts = con.execute("""
        SELECT ec.cid AS entity, 'hq_country' AS field, any_value(a.hq) AS chosen,
               string_agg(DISTINCT ec.hq || ' (' || ec.dataset || ' ' || ec.record || ')',
                          '; ' ORDER BY ec.hq || ' (' || ec.dataset || ' ' || ec.record
                                        || ')') AS candidates,
               'most explicit HQ evidence (GLEIF HQ address / CSV hq_country > BODS '
               || 'business address > FtM mainCountry), then source order' AS rule
        FROM ec JOIN attrs a USING (cid) WHERE a.hq_conflict AND ec.hq <> ''
        GROUP BY ec.cid
        UNION ALL
        SELECT ec.cid, 'jurisdiction', any_value(a.juris),
               string_agg(DISTINCT ec.juris || ' (' || ec.dataset || ' ' || ec.record || ')',
                          '; ' ORDER BY ec.juris || ' (' || ec.dataset || ' ' || ec.record
                                        || ')'), 'source order'
        FROM ec JOIN attrs a USING (cid) WHERE a.juris_conflict AND ec.juris <> ''
        GROUP BY ec.cid""").arrow()
    if isinstance(conflicts, pa.RecordBatchReader):
        conflicts = conflicts.read_all()
    if conflicts.num_rows:
        writer.add_table("conflicts", conflicts.select(CONFLICTS.names).cast(CONFLICTS))
        res.notes.append(f"{conflicts.num_rows} attribute conflict(s) between sources "
                         "resolved by rule; see conflicts.parquet")
    res.counts["conflicts"] = conflicts.num_rows


def _write_cleaned(con: duckdb.DuckDBPyConnection, writer: SnapshotWriter,
                   res: MergeResult) -> None:
    """The names ingest cleaned (staging table ``cln``), under the merged entity's id:
    the ``cleaned_names`` side table and a manifest note."""
    cleaned = con.execute("""
        SELECT DISTINCT ec.cid AS entity, c.field, c.original, c.stored, c.removed,
               c.dataset AS source_dataset, c.record AS source_record,
               c.line AS source_line
        FROM s_cln c JOIN ec ON c.src = ec.src AND c.seq = ec.seq
        ORDER BY entity, field, original""").arrow()
    if isinstance(cleaned, pa.RecordBatchReader):
        cleaned = cleaned.read_all()
    if cleaned.num_rows:
        res.counts["cleaned_names"] = cleaned.num_rows
        writer.add_table("cleaned_names",
                         cleaned.select(CLEANED_NAMES.names).cast(CLEANED_NAMES))
        res.notes.append(f"{cleaned.num_rows} name(s) had control or invisible characters "
                         "removed (zero-width, bidi, soft hyphen ...); each is in "
                         "cleaned_names.parquet with the name as written")


_HOLD_SQL = """
    SELECT owner_c AS owner, owned_c AS owned, kind, lo, hi, lo_open, hi_open,
           TRY_CAST(NULLIF(vfrom, '') AS DATE) AS valid_from,
           TRY_CAST(NULLIF(vto, '') AS DATE) AS valid_to,
           dataset AS source_dataset, record AS source_record, line AS source_line,
           note AS source_note {extra}
    FROM {table} {where}"""


def write_holdings(con: duckdb.DuckDBPyConnection, writer: SnapshotWriter,
                    res: MergeResult, *, skip_bad: bool) -> None:
    """Evidence and holdings, streamed from DuckDB in batches (a golden copy has millions
    of rows: they are never all in Python memory at once)."""
    n_ev = 0
    ev = con.execute(_HOLD_SQL.format(extra=", evidence AS relation", table="h",
                                      where="WHERE evidence <> ''")).to_arrow_reader(200_000)
    for batch in ev:
        if batch.num_rows:
            writer.add_table("evidence", pa.Table.from_batches([batch]).select(
                EVIDENCE.names).cast(EVIDENCE))
            n_ev += batch.num_rows
    res.counts["evidence"] = n_ev
    con.execute("""
        CREATE TEMP TABLE multi AS
        -- candidates by hash, as for versions above (two different records of one edge
        -- would hide each other only if their 64-bit hashes collided)
        WITH c AS (
          SELECT hash(owner_c, owned_c, kind) AS eh FROM h WHERE evidence = ''
          GROUP BY eh HAVING min(hash(src, hrec)) <> max(hash(src, hrec)))
        SELECT owner_c, owned_c, kind FROM h
        WHERE evidence = '' AND hash(owner_c, owned_c, kind) IN (SELECT eh FROM c)
        GROUP BY owner_c, owned_c, kind HAVING count(DISTINCT (src, hrec)) > 1""")
    rows = con.execute(_HOLD_SQL.format(extra=", src, hrec", table="h", where="""
        WHERE evidence = '' AND EXISTS (SELECT 1 FROM multi m WHERE
          m.owner_c = h.owner_c AND m.owned_c = h.owned_c AND m.kind = h.kind)
        ORDER BY owner_c, owned_c, kind, src, seq, line""")).fetchall()
    combined_rows, conflicts = _combine(rows)
    if conflicts:
        writer.add_table("conflicts", pa.Table.from_pylist(conflicts, schema=CONFLICTS))
        res.counts["conflicts"] = res.counts.get("conflicts", 0) + len(conflicts)
        res.notes.append(f"{len(conflicts)} holding(s) stated differently by different "
                         "records, combined into the range covering them; see "
                         "conflicts.parquet")
    combined = pa.Table.from_pylist(combined_rows, schema=HOLDINGS)
    con.register("combined_arrow", combined.append_column(
        "cix", pa.array(np.arange(combined.num_rows, dtype=np.int64))))
    con.execute("CREATE TEMP TABLE hcomb AS SELECT * FROM combined_arrow")
    con.unregister("combined_arrow")
    # the over-100% check, on the only groups that can fail it: those whose rows' minimums
    # add up past 100% over all time (a combined range is never above its records' sum)
    con.execute("""
        CREATE TEMP VIEW single AS
        SELECT h.rowid AS rid, h.* FROM h WHERE evidence = '' AND NOT EXISTS (
          SELECT 1 FROM multi m WHERE m.owner_c = h.owner_c AND m.owned_c = h.owned_c
            AND m.kind = h.kind)""")
    con.execute(f"""
        CREATE TEMP TABLE cand AS
        SELECT owned_c, kind FROM h WHERE evidence = '' GROUP BY owned_c, kind
        HAVING sum(lo) > {SCALE}""")
    n_cand = con.execute("SELECT count(*) FROM cand").fetchone()
    bad_single: list[int] = []
    bad_comb: set[int] = set()
    if n_cand and n_cand[0]:
        sub = con.execute(_HOLD_SQL.format(extra=", rid, -1 AS cix", table="single", where="""
            WHERE EXISTS (SELECT 1 FROM cand c WHERE c.owned_c = single.owned_c
                          AND c.kind = single.kind)""")
            + """
            UNION ALL
            SELECT owner, owned, kind, lo, hi, lo_open, hi_open, valid_from, valid_to,
                   source_dataset, source_record, source_line, source_note, -1, cix
            FROM hcomb WHERE EXISTS (SELECT 1 FROM cand c WHERE c.owned_c = hcomb.owned
                                     AND c.kind = hcomb.kind)""").arrow()
        if isinstance(sub, pa.RecordBatchReader):
            sub = sub.read_all()
        for i in _overfull_rows(sub, res):
            rid, cix = sub.column("rid")[i].as_py(), sub.column("cix")[i].as_py()
            if cix >= 0:
                bad_comb.add(cix)
            else:
                bad_single.append(rid)
    if res.problems and not skip_bad:
        return
    con.execute("CREATE TEMP TABLE bad(rid BIGINT)")
    if bad_single:
        con.executemany("INSERT INTO bad VALUES (?)", [(r,) for r in bad_single])
    n_hold = 0
    single = con.execute(_HOLD_SQL.format(extra="", table="single", where="""
        WHERE NOT EXISTS (SELECT 1 FROM bad b WHERE b.rid = single.rid)""")
    ).to_arrow_reader(200_000)
    for batch in single:
        if batch.num_rows:
            writer.add_table("holdings", batch)
            n_hold += batch.num_rows
    if bad_comb:
        mask = np.ones(combined.num_rows, dtype=bool)
        mask[sorted(bad_comb)] = False
        combined = combined.filter(pa.array(mask))
    if combined.num_rows:
        writer.add_table("holdings", combined)
        n_hold += combined.num_rows
    res.counts["holdings"] = n_hold


def _overfull_rows(hold: pa.Table, res: MergeResult) -> list[int]:
    """Rows of ``hold`` in an (owned, kind) group over 100% on some date, each reported."""
    if hold.num_rows == 0:
        return []
    owned = hold.column("owned").combine_chunks()
    codes = pc.index_in(owned, value_set=pc.unique(owned)).to_numpy(zero_copy_only=False)
    kinds = hold.column("kind").combine_chunks()
    kind = np.zeros(len(kinds), dtype=np.int64)
    for code, name in enumerate(("shares", "votes", "control")):
        kind[pc.equal(kinds, name).to_numpy(zero_copy_only=False)] = code

    def days(col: str, default: int) -> Any:
        arr = hold.column(col).combine_chunks().cast(pa.int32())
        return np.asarray(arr.fill_null(default).to_numpy(zero_copy_only=False),
                          dtype=np.int64)

    bad = overfull_holdings(np.asarray(codes, dtype=np.int64), kind,
                            hold.column("lo").to_numpy().astype(np.int64),
                            days("valid_from", -(2**31)), days("valid_to", 2**31 - 1))
    if len(bad) == 0:
        return []
    sub = hold.take(pa.array(bad)).to_pylist()
    for r in sub[:100_000]:
        res.problems.append(Problem(
            r["source_dataset"] or "holdings",
            f"{r['kind']} held in {r['owned']!r} sum past 100% on some date (ranges at "
            f"their minimum); this {r['kind']} holding by {r['owner']!r} is one of them",
            line=r["source_line"], field="share", record=r["source_record"] or None))
    res.rejected_rows += len(bad)
    return [int(i) for i in bad]


# -- combining one edge stated by several records ------------------------------------------

_MIN_DAY = dt.date.min
_MAX_DAY = dt.date.max


def _combine(rows: Iterable[tuple[Any, ...]]) -> tuple[list[dict[str, Any]],
                                                         list[dict[str, Any]]]:
    groups: dict[tuple[str, str, str], list[tuple[Any, ...]]] = defaultdict(list)
    for r in rows:
        groups[(r[0], r[1], r[2])].append(r)
    out: list[dict[str, Any]] = []
    conflicts: list[dict[str, Any]] = []
    for (owner, owned, kind), members in groups.items():
        bounds = sorted({m[7] or _MIN_DAY for m in members} | {m[8] or _MAX_DAY
                                                                for m in members})
        pieces: list[dict[str, Any]] = []
        for a, b in itertools.pairwise(bounds):
            live = [m for m in members
                    if (m[7] or _MIN_DAY) <= a and (m[8] or _MAX_DAY) >= b]
            if not live:
                continue
            per_record: dict[tuple[int, str], list[tuple[Any, ...]]] = defaultdict(list)
            for m in live:
                per_record[(m[13], m[14])].append(m)
            shares = []
            for recs in per_record.values():
                lo = sum(m[3] for m in recs)
                hi = min(SCALE, sum(m[4] for m in recs))
                shares.append((lo, hi, any(m[5] for m in recs), any(m[6] for m in recs),
                               recs[0]))
            informative = [s for s in shares if not (s[0] == 0 and s[1] == SCALE
                                                     and not s[2] and not s[3])]
            use = informative or shares
            lo = min(s[0] for s in use)
            hi = max(s[1] for s in use)
            lo_open = all(s[2] for s in use if s[0] == lo)
            hi_open = all(s[3] for s in use if s[1] == hi)
            first = use[0][4]
            srcs = "; ".join(f"{s[4][9]}:{s[4][11]} ({s[4][10]}) "
                             f"{_fmt(s[0], s[1], s[2], s[3])}" for s in shares)
            piece = {"owner": owner, "owned": owned, "kind": kind, "lo": lo, "hi": hi,
                     "lo_open": lo_open, "hi_open": hi_open,
                     "valid_from": None if a == _MIN_DAY else a,
                     "valid_to": None if b == _MAX_DAY else b,
                     "source_dataset": first[9], "source_record": first[10],
                     "source_line": first[11],
                     "source_note": f"combined from {len(shares)} records: {srcs}"[:4000]}
            if (pieces and pieces[-1]["valid_to"] == piece["valid_from"]
                    and all(pieces[-1][k] == piece[k] for k in ("lo", "hi", "lo_open",
                                                                "hi_open", "source_note"))):
                pieces[-1]["valid_to"] = piece["valid_to"]
            else:
                pieces.append(piece)
            if len({(s[0], s[1], s[2], s[3]) for s in informative}) > 1:
                conflicts.append({
                    "entity": owned, "field": f"holding:{owner}:{kind}",
                    "chosen": _fmt(lo, hi, lo_open, hi_open), "candidates": srcs[:4000],
                    "rule": "same edge from several records: the range covering all "
                            "(a 0-100% statement gives way to a narrower one)"})
        out.extend(pieces)
    return out, conflicts


def _fmt(lo: int, hi: int, lo_open: bool, hi_open: bool) -> str:
    if lo == hi and not lo_open and not hi_open:
        return f"{lo * 100 / SCALE:g}%"
    return (f"{'(' if lo_open else '['}{lo * 100 / SCALE:g}%, "
            f"{hi * 100 / SCALE:g}%{')' if hi_open else ']'}")
