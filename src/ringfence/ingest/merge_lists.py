"""The merge steps designation lists add (called by :mod:`ringfence.ingest.merge`).

- :func:`listed_by_resolver` (identity step): a listed organisation and the registry
  entity the screening resolver is sure is the same become one entity.
- :func:`named_evidence` (holdings step): evidence a list names by name only gets the one
  entity of any source with that folded name, else the organisation the resolver matches.

Each merge and each resolver-found end is explained (manifest notes, the row's note).
"""

from __future__ import annotations

from typing import Protocol

import duckdb

__all__ = ["UnionFind", "listed_by_resolver", "named_evidence"]


class UnionFind(Protocol):
    def find(self, x: str) -> str: ...

    def union(self, a: str, b: str) -> bool: ...


_LIST_DATASETS = ("ofac-csv:", "ofac-xml:", "csl:", "uk:", "eu:", "un:")
_RESOLVER_MAX = 200_000  # building the screening index costs ~0.5 ms per entity


def listed_by_resolver(con: duckdb.DuckDBPyConnection, uf: UnionFind, members: set[str],
                       notes: list[str]) -> int:
    """Link a designated organisation to the registry entity the screening resolver is
    sure is the same (see :mod:`ringfence.ingest.lists.matching`), when identifiers did
    not already; every link is explained in the notes."""
    prefixes = " OR ".join(f"starts_with(e.dataset, '{p}')" for p in _LIST_DATASETS)
    counts = con.execute(f"""
        SELECT count(*) FILTER (WHERE ({prefixes}) AND e.lists <> ''),
               count(*) FILTER (WHERE NOT ({prefixes}))
        FROM ew e WHERE NOT e.stub AND e.type IN ('company', 'state')""").fetchone()
    if not counts or not counts[0] or not counts[1]:
        return 0  # no listed organisation, or nothing to match it with
    if counts[1] > _RESOLVER_MAX:
        notes.append(f"identity: {counts[1]:,} registry organisations are more than the "
                         f"screening resolver matches at merge time ({_RESOLVER_MAX:,}); "
                         "listed parties were merged by identifiers only")
        return 0
    rows = con.execute(f"""
        SELECT e.key, ({prefixes}) AS listed, e.lists <> '' AS on_list,
               list(DISTINCT n.name) FILTER (WHERE n.name IS NOT NULL
                                              AND n.kind <> 'weak_alias') AS names,
               any_value(e.name) AS name, any_value(e.hq) AS hq, any_value(e.juris) AS juris
        FROM ew e LEFT JOIN s_nm n ON n.src = e.src AND n.seq = e.seq
        WHERE NOT e.stub AND e.type IN ('company', 'state')
        GROUP BY e.key, listed, on_list""").fetchall()
    listed, registry = [], []
    for key, is_list, on_list, names, name, hq, juris in rows:
        side = (key, tuple(x for x in dict.fromkeys([name, *(names or [])]) if x),
                frozenset(c for c in (hq, juris) if c))
        if is_list and on_list:
            listed.append(side)
        elif not is_list:
            registry.append(side)
    if not listed or not registry:
        return 0
    from ringfence.ingest.lists.matching import match_listed

    linked = 0
    for lkey, rkey, score, why in match_listed(listed, registry):
        if uf.find(lkey) == uf.find(rkey):
            continue
        if uf.union(rkey, lkey):
            linked += 1
            members.update((lkey, rkey))
            notes.append(f"identity: listed {lkey} is registry entity {rkey} (screening "
                             f"resolver, score {score:.2f}: {why})"[:1000])
    return linked


_FOLD = r"lower(regexp_replace(strip_accents({}), '[^\pL\pN]+', '', 'g'))"


def named_evidence(con: duckdb.DuckDBPyConnection, notes: list[str]) -> None:
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
    notes.append(f"evidence named by a list: {exact} of {row[0]} resolved to an entity of "
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
    if not names or not orgs or len(orgs) > _RESOLVER_MAX:
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
