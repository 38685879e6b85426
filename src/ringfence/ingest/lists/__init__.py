"""Designation lists as a source: OFAC (CSV and XML, legacy and Enhanced), trade.gov's
Consolidated Screening List (CSV, JSON), the UK lists (HM Treasury / OFSI CSV, UK
Sanctions List XML), the EU consolidated list (FSF XML) and the UN Security Council list.

:func:`read_lists` reads every file of one source (format detected per file unless
given), then stages the parties of all of them together (:mod:`.staging`), so that the
files of one list, old and new, give each party's membership over time. A file that
cannot be read at all is reported with the line and field where reading stopped; a bad
record is reported and left out; in both cases strict mode publishes nothing.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from ringfence.exc import InputError
from ringfence.ingest.lists.common import MAX_MEMBERS, BadFile, ListFile
from ringfence.ingest.lists.csl import read_csl
from ringfence.ingest.lists.eu import read_eu
from ringfence.ingest.lists.ofac_csv import find_ofac_csv, read_ofac_csv
from ringfence.ingest.lists.ofac_xml import read_ofac_xml
from ringfence.ingest.lists.staging import stage_lists
from ringfence.ingest.lists.uk import read_uk
from ringfence.ingest.lists.un import read_un
from ringfence.ingest.stage import FileStats, ProgressHook, Stage

__all__ = ["LIST_FORMATS", "detect_format", "read_lists"]

Reader = Callable[..., ListFile]
LIST_FORMATS: dict[str, Reader] = {
    "ofac-csv": read_ofac_csv, "ofac-xml": read_ofac_xml, "csl": read_csl, "uk": read_uk,
    "eu": read_eu, "un": read_un,
}
_SKIP = ("readme", "license", "licence", "attribution", ".gitattributes", "sources")


def _head(path: Path) -> bytes:
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                members = [i for i in zf.infolist() if not i.is_dir()]
                if not members or len(zf.infolist()) > MAX_MEMBERS:
                    return b""
                with zf.open(members[0]) as fh:
                    return fh.read(4096)
        except (zipfile.BadZipFile, OSError):
            return b""
    with path.open("rb") as fh:
        return fh.read(4096)


def detect_format(path: Path) -> str:
    """The list format of ``path`` (a file, or a folder holding an OFAC CSV set)."""
    if path.is_dir() or path.name.lower() in ("sdn.csv", "cons_prim.csv"):
        if find_ofac_csv(path) is not None:
            return "ofac-csv"
        raise InputError(f"{path}: not an OFAC CSV set (no sdn.csv or cons_prim.csv)")
    head = _head(path).lstrip(b"\xef\xbb\xbf \r\n\t")
    text = head.decode("latin-1")
    if "<sdnList" in text or "<sanctionsData" in text:
        return "ofac-xml"
    if "<CONSOLIDATED_LIST" in text:
        return "un"
    if "<Designations" in text:
        return "uk"
    if "<export" in text:
        return "eu"
    first = text.split("\n", 1)[0].lower()
    if first.startswith("last updated"):
        return "uk"
    if "source" in first and "name" in first and "," in first:
        return "csl"
    if text[:1] in ("{", "["):
        return "csl"
    raise InputError(f"{path}: list format not recognised (give --format: "
                     f"{', '.join(LIST_FORMATS)})")


def _inputs(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir() and find_ofac_csv(p) is None:
            out += sorted(c for c in p.iterdir() if c.is_file()
                          and not c.name.lower().startswith(_SKIP))
        else:
            out.append(p)
    return out


def read_lists(paths: list[Path], stage: Stage, *, fmt: str = "",
               published: dt.date | None = None, partial: bool = False,
               progress: ProgressHook | None = None) -> Iterator[FileStats]:
    """Read the list files ``paths`` (files or folders) into ``stage`` as one source.

    ``fmt`` forces a format (one of :data:`LIST_FORMATS`); ``published`` is the date of a
    file whose format states none (and overrides nothing a file states); ``partial``
    marks the files as excerpts: they add memberships but never delist."""
    if fmt and fmt not in LIST_FORMATS:
        raise InputError(f"unknown list format {fmt!r} (one of {', '.join(LIST_FORMATS)})")
    files: list[ListFile] = []
    stats: list[FileStats] = []
    for path in _inputs(paths):
        kind = fmt or detect_format(path)
        main = find_ofac_csv(path) if kind == "ofac-csv" else path
        if main is None:
            raise InputError(f"{path}: not an OFAC CSV set (no sdn.csv or cons_prim.csv)")
        dataset = f"{kind}:{main.name}"
        try:
            lf = LIST_FORMATS[kind](main, dataset=dataset)
        except BadFile as bad:
            stage.problem(dataset, bad.reason, line=bad.line, field=bad.field)
            stats.append(FileStats(str(main), kind, dataset, rejected=1))
            continue
        if lf.published is None:
            lf.published = published
        if lf.published is None:
            stage.notes.append(f"{dataset}: no publication date (give --published): its "
                               "memberships carry no date and it delists nobody")
        if partial:
            lf.covers = set()
        for line, fld, record, reason in lf.problems:
            stage.problem(dataset, reason, line=line, field=fld, record=record or None)
        stage.notes.extend(lf.notes)
        files.append(lf)
        members = lf.members or [main]
        for i, m in enumerate(members):
            st = FileStats(str(m), lf.format, f"{kind}:{m.name}",
                           records=lf.records if i == 0 else 0,
                           rejected=lf.rejected if i == 0 else 0)
            st.published = lf.published.isoformat() if lf.published else ""
            stats.append(st)
        if progress is not None:
            progress(dataset, m.stat().st_size if m.is_file() else 0, lf.records)
    files.sort(key=lambda f: (f.published or dt.date.min))
    stage_lists(stage, files)
    yield from stats
