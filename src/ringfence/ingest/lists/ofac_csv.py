"""OFAC's legacy delimited files: ``sdn.csv`` + ``add.csv`` + ``alt.csv`` +
``sdn_comments.csv`` (or ``cons_prim.csv`` + ``cons_add.csv`` + ``cons_alt.csv`` +
``cons_comments.csv`` for the consolidated non-SDN list), given as a folder or as the
main file (its companions are found beside it).

No header; ``-0-`` is null; a trailing 0x1A is dropped; remarks continued in the
comments file are joined back before they are read. The format carries no date: the
file's publication date comes from ``--published``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from ringfence.ingest.lists.common import BadFile, ListFile, Party, clean, decode_text, read_bytes
from ringfence.ingest.lists.ofac_rules import SDN_TYPES, add_listings, parse_remarks

__all__ = ["find_ofac_csv", "read_ofac_csv"]

_SETS = {"sdn.csv": ("sdn", "add.csv", "alt.csv", "sdn_comments.csv"),
         "cons_prim.csv": ("cons", "cons_add.csv", "cons_alt.csv", "cons_comments.csv")}
_ALT_KIND = {"aka": "alias", "fka": "former", "nka": "alias"}


def find_ofac_csv(path: Path) -> Path | None:
    """The main file of an OFAC CSV set at ``path`` (a folder or the main file)."""
    if path.is_dir():
        for main in _SETS:
            for cand in path.iterdir():
                if cand.name.lower() == main:
                    return cand
        return None
    return path if path.name.lower() in _SETS else None


def _rows(path: Path, ncols: int) -> Iterator[tuple[int, list[str]]]:
    text = decode_text(read_bytes(path), what=path.name)
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for row in reader:
        line, start = start, reader.line_num + 1
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != ncols:
            raise BadFile(f"{len(row)} fields, {ncols} expected", line=line)
        yield line, [clean(c) for c in row]


def _companion(main: Path, name: str) -> Path | None:
    for cand in main.parent.iterdir():
        if cand.name.lower() == name:
            return cand
    return None


def read_ofac_csv(main: Path, *, dataset: str) -> ListFile:
    """Read one OFAC CSV set (see the module docstring)."""
    kind, add_name, alt_name, com_name = _SETS[main.name.lower()]
    sdn = kind == "sdn"
    out = ListFile(main, "ofac-csv", dataset, None, {"SDN"} if sdn else
                   {"SSI", "PLC", "CMIC", "FSE", "CAPTA"}, members=[main])
    add = _companion(main, add_name)
    alt = _companion(main, alt_name)
    com = _companion(main, com_name)
    comments: dict[str, str] = {}
    if com is not None:
        out.members.append(com)
        for _line, row in _rows(com, 2):
            comments[row[0]] = comments.get(row[0], "") + row[1]
    parties: dict[str, Party] = {}
    unexplained = 0
    for line, row in _rows(main, 12):
        ent, name, stype, programs, _title, *_vessel, remarks = row
        out.records += 1
        if not ent.isdigit():
            out.bad(f"ent_num {ent!r} is not a number", line=line, field="ent_num")
            continue
        vtype = SDN_TYPES.get(stype.lower())
        if vtype is None:
            out.bad(f"unknown SDN_Type {stype!r}", line=line, field="SDN_Type", record=ent)
            continue
        if not name:
            out.bad("no name", line=line, field="SDN_Name", record=ent)
            continue
        party = Party(f"ofac:{ent}", vtype, name, dataset, line, ent)
        party.add_name(name, "legal")
        progs = tuple(p.strip() for p in programs.strip("[] ").split("] [") if p.strip())
        unexplained += add_listings(party, progs, sdn=sdn)
        flag = row[9]
        if vtype == "vessel" and flag:
            party.add_country(flag)
        full = remarks + comments.get(ent, "")
        parse_remarks(party, full)
        parties[ent] = party
    for path, what in ((add, "add"), (alt, "alt")):
        if path is None:
            continue
        out.members.append(path)
        for _line, row in _rows(path, 6 if what == "add" else 5):
            owner = parties.get(row[0])
            if owner is None:
                continue  # a row whose entry is not in the main file (see the data notes)
            if what == "add":
                owner.add_country(row[4])
            else:
                kind_name = _ALT_KIND.get(row[2].lower().strip(".").replace(".", ""), "alias")
                owner.add_name(row[3], kind_name)
    out.parties = list(parties.values())
    if unexplained:
        out.notes = [f"{main.name}: {unexplained} consolidated entr(y/ies) carry programmes "
                     "no non-SDN list explains; they may also be on SDN, which this "
                     "layout does not say (read SDN data for that)"]
    return out
