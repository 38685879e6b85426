"""The merge step that reads a direct-parent reporting exception beside what the other
category (the ultimate parent) says of the same entity (docs/ingest.md, "Reporting
exceptions").

GLEIF reports the direct and the ultimate accounting consolidating parent in separate
records (often in separate files), so only the merge sees both. Two things follow:

- the undisclosed direct parent's id records what the ultimate category says
  (``~ultimate=reported`` or ``~ultimate=<REASON>``; :mod:`ringfence.model.exceptions`),
  for the policy's evidence rules to read;
- where the ultimate parent is a named entity U, the undisclosed direct parent D is U or
  an entity U consolidates (the ultimate parent consolidates everything between it and
  the child): U gets the holdings D has in the child (``control`` of a majority,
  ``shares`` of unknown size), so D is restricted whenever U is. Whether D may *also*
  be an origin on its own is the policy's ``reporting_exceptions.evidence.reported_ultimate``.

A reported ultimate relationship or ultimate exception counts here only while it has no
end date.
"""

from __future__ import annotations

import duckdb

__all__ = ["read_exception_pairs"]

_BOUND_NOTE = ("GLEIF: the reported ultimate parent consolidates the undisclosed direct "
               "parent (it is that parent or above it)")


def read_exception_pairs(con: duckdb.DuckDBPyConnection) -> int:
    """Annotate direct-parent exceptions in ``h`` with the ultimate category and add the
    bounding holdings; returns the number of direct exceptions annotated."""
    con.execute("""
        CREATE TEMP TABLE ult AS
        SELECT u.owned_c,
          min(u.owner_c) FILTER (WHERE u.evidence = 'gleif:IS_ULTIMATELY_CONSOLIDATED_BY')
            AS parent,
          min(regexp_extract(u.owner_c, 'ultimate-parent:([A-Z_]+)', 1))
            FILTER (WHERE u.evidence LIKE 'gleif:ultimate-parent-exception%') AS reason
        FROM h u
        WHERE (u.evidence = 'gleif:IS_ULTIMATELY_CONSOLIDATED_BY'
               OR u.evidence LIKE 'gleif:ultimate-parent-exception%')
          AND u.vto = ''
          AND EXISTS (SELECT 1 FROM h d WHERE d.owned_c = u.owned_c
                      AND d.xgroup = 'repex-direct' AND d.evidence = '')
        GROUP BY u.owned_c""")
    n_row = con.execute("SELECT count(*) FROM ult").fetchone()
    n = int(n_row[0]) if n_row else 0
    if not n:
        con.execute("DROP TABLE ult")
        return 0
    con.execute("""
        UPDATE h SET owner_c = h.owner_c || '~ultimate=' ||
          CASE WHEN u.parent IS NOT NULL THEN 'reported' ELSE u.reason END
        FROM ult u
        WHERE h.owned_c = u.owned_c AND h.xgroup = 'repex-direct' AND h.evidence = ''
          AND h.owner_mode IN ('unknown', 'persons')
          AND (u.parent IS NOT NULL OR coalesce(u.reason, '') <> '')""")
    cols = [str(r[1]) for r in con.execute("PRAGMA table_info('h')").fetchall()]
    replaced = {
        "owner_c": "u.parent", "owned_c": "h.owner_c", "owner_mode": "'lei'",
        "hrec": "'ultimate-bounds:' || h.hrec", "note": f"'{_BOUND_NOTE}'",
        "xgroup": "''",
    }
    select = ", ".join(f"{replaced.get(c, 'h.' + c)} AS {c}" for c in cols)
    con.execute(f"""
        INSERT INTO h
        SELECT {select} FROM h JOIN ult u ON h.owned_c = u.owned_c
        WHERE u.parent IS NOT NULL AND h.xgroup = 'repex-direct' AND h.evidence = ''
          AND h.owner_mode IN ('unknown', 'persons') AND h.kind IN ('control', 'shares')
          AND h.owner_c NOT LIKE '%:NO_KNOWN_PERSON~%'""")
    con.execute("DROP TABLE ult")
    return n
