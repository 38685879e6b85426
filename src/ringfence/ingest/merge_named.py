"""The merge's named evidence (see :mod:`ringfence.ingest.merge`): what a designation list
states by name only ("Linked To: X") is resolved to one entity of any source, by the
folded name first, then by the screening resolver."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    from ringfence.ingest.merge import MergeResult

__all__ = ["RESOLVER_MAX", "resolve_named_evidence"]

RESOLVER_MAX = 200_000  # building the screening index costs ~0.5 ms per entity

_FOLD = r"lower(regexp_replace(strip_accents({}), '[^\pL\pN]+', '', 'g'))"


def resolve_named_evidence(con: duckdb.DuckDBPyConnection, res: MergeResult) -> None:
    """Evidence a designation list gives by name only ("Linked To: X", "owned or
    controlled by X") and that its own files could not resolve: the one entity of any
    source with that name or alias (case, accents, spaces and punctuation folded) becomes
    the other end. A name two entities share stays as written."""
    row = con.execute("SELECT count(*) FROM h WHERE owner_mode = 'unknown' AND evidence <> '' "
                      "AND starts_with(owner_key, 'named: ')").fetchone()
    if not row or not row[0]:
        return
    fold_name, fold_label = _FOLD.format("n.name"), _FOLD.format("substr(h.owner_key, 8)")
    con.execute(f"""
        CREATE TEMP TABLE fnames AS
        WITH f AS (
          SELECT {fold_name} AS f, coalesce(m.cid, e.key) AS cid
          FROM s_nm n JOIN ew e ON e.src = n.src AND e.seq = n.seq
          LEFT JOIN kmap m ON m.key = e.key
          WHERE n.kind <> 'weak_alias' AND NOT e.stub)
        SELECT f, any_value(cid) AS cid FROM f WHERE f <> ''
        GROUP BY f HAVING count(DISTINCT cid) = 1""")
    con.execute(f"""
        UPDATE h SET owner_c = fn.cid, owner_mode = 'ref'
        FROM fnames fn
        WHERE h.owner_mode = 'unknown' AND h.evidence <> ''
          AND starts_with(h.owner_key, 'named: ') AND fn.f = {fold_label}
          AND fn.cid <> h.owned_c""")
    left = con.execute("SELECT count(*) FROM h WHERE owner_mode = 'unknown' AND evidence <> '' "
                       "AND starts_with(owner_key, 'named: ')").fetchone()
    exact = row[0] - (left[0] if left else 0)
    fuzzy = _named_evidence_by_resolver(con) if left and left[0] else 0
    res.notes.append(f"evidence named by a list: {exact} of {row[0]} resolved to an entity of "
                     f"any source by the same folded name, {fuzzy} more by the screening "
                     "resolver (organisations only, noted on each row); the rest keep the "
                     "name as written")


def _named_evidence_by_resolver(con: duckdb.DuckDBPyConnection) -> int:
    """The names exact folding left unresolved, matched to organisations by the screening
    resolver under the identity step's rule (whole name at the threshold, one candidate,
    see :mod:`ringfence.ingest.lists.matching`); each row says so in its note."""
    from ringfence.ingest.lists.matching import THRESHOLD, match_listed

    names = [r[0] for r in con.execute("""
        SELECT DISTINCT substr(owner_key, 8) FROM h WHERE owner_mode = 'unknown'
          AND evidence <> '' AND starts_with(owner_key, 'named: ')""").fetchall()]
    orgs = con.execute("""
        SELECT coalesce(m.cid, e.key) AS cid,
               list(DISTINCT n.name) FILTER (WHERE n.kind <> 'weak_alias') AS names,
               any_value(e.hq) AS hq
        FROM ew e JOIN s_nm n ON n.src = e.src AND n.seq = e.seq
        LEFT JOIN kmap m ON m.key = e.key
        WHERE NOT e.stub AND e.type IN ('company', 'state')
        GROUP BY 1""").fetchall()
    if not names or not orgs or len(orgs) > RESOLVER_MAX:
        return 0
    found = match_listed([(nm, (nm,), frozenset()) for nm in names],
                         [(cid, tuple(ns or ()), frozenset({hq} - {""})) for cid, ns, hq in orgs])
    done = 0
    for name, cid, score, why in found:
        note = (f" [other end found by the screening resolver, score {score:.2f} >= "
                f"{THRESHOLD}: {why}]")[:600]
        n = con.execute("""
            UPDATE h SET owner_c = ?, owner_mode = 'ref', note = note || ?
            WHERE owner_mode = 'unknown' AND evidence <> '' AND owner_key = ?
              AND owned_c <> ?""", [cid, note, f"named: {name}", cid]).fetchone()
        done += int(n[0]) if n else 0
    return done
