"""What every list reader shares: the party record, safe file opening, dates, names.

A reader turns one file into a :class:`ListFile` of :class:`Party` records (plain Python:
the largest official list, OFAC's SDN, has ~18,000 entries). :mod:`.staging` then works
out delistings across the files of one list and writes the staging rows.

Safety: XML is parsed with entity expansion and network access off (lxml
``resolve_entities=False, no_network=True``, no DTD loading); a ``.zip`` is opened only
when it has at most :data:`MAX_MEMBERS` members and its chosen member unpacks to at
most :data:`MAX_UNPACKED` bytes, checked against the bytes actually read, not only the
size the archive declares.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from ringfence.ingest.ids import classify_identifier, country_code, guess_script

__all__ = [
    "MAX_MEMBERS",
    "MAX_UNPACKED",
    "BadFile",
    "Link",
    "ListFile",
    "Listing",
    "Party",
    "children",
    "clean",
    "dated_xml_root",
    "decode_text",
    "fold",
    "parse_date",
    "read_bytes",
    "xml_root",
]

MAX_MEMBERS = 16
MAX_UNPACKED = 512 * 1024 * 1024  # the full SDN Enhanced XML is ~100 MB unpacked


class BadFile(Exception):
    """The whole file cannot be read (not one record): ``where`` names the spot."""

    def __init__(self, reason: str, *, line: int | None = None, field: str | None = None
                 ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.field = field


@dataclass
class Listing:
    """One list membership as one file states it."""

    list: str
    since: dt.date | None = None  # the listing date the file gives, if any
    programmes: tuple[str, ...] = ()
    until: dt.date | None = None  # an end the file itself gives (a denial order's end)


@dataclass
class Link:
    """A tie between two parties that the list itself states.

    ``holding``: a structured ownership statement (OFAC Enhanced ``Owned or Controlled
    By``) staged as control of a majority plus an unknown equity stake; otherwise
    evidence only (``Linked To:``, free-text "owned or controlled by"). The other end is
    ``target`` (a party key in the same files) or, when only a name is known,
    ``target_name`` (matched to a party by name after all files are read)."""

    relation: str
    target: str = ""
    target_name: str = ""
    holding: bool = False
    reverse: bool = False  # the party owns the target ("Owns, controls, or operates")
    note: str = ""


@dataclass
class Party:
    key: str  # entity id proposed: ofac:<uid>, csl:<id>, ukhmt:<group>, eu:<id>, un:<id>
    type: str  # company | person | vessel | aircraft | state
    name: str
    dataset: str
    line: int | None = None
    record: str = ""
    names: list[tuple[str, str, str]] = field(default_factory=list)  # value, kind, script
    countries: list[str] = field(default_factory=list)  # ISO alpha-2, main first
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    listings: list[Listing] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    remarks: str = ""

    def add_name(self, value: str, kind: str = "alias", script: str = "") -> None:
        value = clean(value)
        if value and all(value != n[0] for n in self.names):
            self.names.append((value, kind, script or guess_script(value)))

    def add_country(self, value: str) -> None:
        code = country_code(value) if value else ""
        if code and code not in self.countries:
            self.countries.append(code)

    def add_id(self, scheme_hint: str, value: str, country: str = "") -> None:
        scheme, val = classify_identifier(scheme_hint, value, country)
        if scheme and val and (scheme, val) not in self.identifiers:
            self.identifiers.append((scheme, val))

    def add_listing(self, name: str, since: dt.date | None, programmes: tuple[str, ...],
                    until: dt.date | None = None) -> None:
        for have in self.listings:
            if have.list == name:
                if since is not None and (have.since is None or since < have.since):
                    have.since = since
                if until is not None and (have.until is None or until > have.until):
                    have.until = until
                have.programmes = tuple(dict.fromkeys(have.programmes + programmes))
                return
        self.listings.append(Listing(name, since, programmes, until))


@dataclass
class ListFile:
    """One file read: its parties and what it says about itself."""

    path: Path
    format: str
    dataset: str
    published: dt.date | None
    covers: set[str]  # the lists this file is a complete statement of (unless partial)
    parties: list[Party] = field(default_factory=list)
    records: int = 0
    rejected: int = 0
    members: list[Path] = field(default_factory=list)  # the files read (a CSV folder)
    notes: list[str] = field(default_factory=list)
    problems: list[tuple[int | None, str | None, str, str]] = field(default_factory=list)
    """Bad records: (line, field, record id, reason); the record is left out."""

    def bad(self, reason: str, *, line: int | None, field: str | None = None,
            record: str = "") -> None:
        self.rejected += 1
        self.problems.append((line, field, record, reason))


# -- text -------------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")


def clean(value: Any) -> str:
    """Whitespace collapsed and trimmed; OFAC's ``-0-`` null token is empty."""
    if value is None:
        return ""
    text = _SPACE.sub(" ", str(value)).strip()
    return "" if text == "-0-" else text


def fold(name: str) -> str:
    """A name folded for exact matching: case, accents, punctuation and spaces dropped."""
    text = unicodedata.normalize("NFKD", name).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def decode_text(data: bytes, *, what: str) -> str:
    """UTF-8 (with or without BOM), else cp1252 (the UK 2014 list, older OFAC files); a
    trailing DOS end-of-file byte 0x1A is dropped. Bytes cp1252 cannot decode either
    raise :class:`BadFile` with the offset."""
    data = data.rstrip(b"\x1a")
    if data.endswith(b"\r\n\x1a"):
        data = data[:-1]
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise BadFile(f"{what}: byte 0x{data[err.start]:02x} at offset {err.start} is "
                      "neither UTF-8 nor cp1252", line=line) from None


def read_bytes(path: Path, *, member_hint: str = "") -> bytes:
    """A file's bytes; a ``.zip`` gives its one member (or the member whose name contains
    ``member_hint``), with the archive limits of this module."""
    if path.suffix.lower() != ".zip":
        return path.read_bytes()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise BadFile(f"not a readable zip archive: {err}") from None
    with zf:
        members = [i for i in zf.infolist() if not i.is_dir()]
        if not members:
            raise BadFile("empty zip archive")
        if len(zf.infolist()) > MAX_MEMBERS:
            raise BadFile(f"zip archive has {len(zf.infolist())} members (at most "
                          f"{MAX_MEMBERS} read)")
        pick = [m for m in members if member_hint.lower() in m.filename.lower()]
        if len(pick) != 1:
            pick = members if len(members) == 1 else []
        if not pick:
            raise BadFile("zip archive has several members: "
                          + ", ".join(m.filename for m in members[:5]))
        info = pick[0]
        if info.file_size > MAX_UNPACKED:
            raise BadFile(f"zip member {info.filename} unpacks to {info.file_size:,} bytes "
                          f"(at most {MAX_UNPACKED:,})")
        out = io.BytesIO()
        try:
            with zf.open(info) as fh:
                while chunk := fh.read(1 << 20):
                    out.write(chunk)
                    if out.tell() > MAX_UNPACKED:
                        raise BadFile(f"zip member {info.filename} unpacks past "
                                      f"{MAX_UNPACKED:,} bytes")
        except (zipfile.BadZipFile, OSError, EOFError) as err:
            raise BadFile(f"zip member {info.filename}: {err}") from None
        return out.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def xml_root(data: bytes) -> Any:
    """Parse XML with entity expansion, DTD loading and network access off."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=True, remove_comments=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        line = err.lineno if isinstance(err.lineno, int) else None
        raise BadFile(f"XML syntax error: {err.msg}", line=line) from None


def local(tag: Any) -> str:
    """An element's tag without its namespace (``""`` for comments and the like)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(elem: Any, name: str) -> list[Any]:
    """The direct children of ``elem`` whose tag, without namespace, is ``name``."""
    return [c for c in elem if local(c.tag) == name]


def dated_xml_root(path: Path, *, root_tag: str, date_attr: str,
                   what: str) -> tuple[Any, dt.date | None]:
    """A list file's XML root, checked to be ``root_tag``, and its publication date read
    from the root's ``date_attr`` (a bad date names the attribute and line)."""
    root = xml_root(read_bytes(path, member_hint=".xml"))
    if local(root.tag) != root_tag:
        raise BadFile(f"root element <{local(root.tag)}> is not {root_tag} ({what})",
                      line=root.sourceline)
    try:
        return root, parse_date(root.get(date_attr, ""))
    except ValueError as err:
        raise BadFile(str(err), line=root.sourceline, field=date_attr) from None


# -- dates ------------------------------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


def parse_date(text: str, *, dayfirst: bool = True) -> dt.date | None:
    """ISO (``2014-04-02``, with a time part), ``dd/mm/yyyy`` (``mm/dd/yyyy`` when not
    ``dayfirst``) or ``31 Jul 1990``; ``None`` for empty text. Partial dates
    (``00/00/1980``) are not dates here: raises ``ValueError``."""
    text = clean(text)
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*|[+-]\d{2}:\d{2}|Z)?", text)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if m:
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        return dt.date(y, b, a) if dayfirst else dt.date(y, a, b)
    m = re.fullmatch(r"(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})", text)
    if m and m[2].lower() in _MONTHS:
        return dt.date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    raise ValueError(f"unreadable date {text!r}")


# -- identifiers named in list files -----------------------------------------------------

_ID_HINTS = {
    "unified social credit code (uscc)": "cn_uscc",
    "uscc": "cn_uscc",
    "legal entity number": "lei",
    "lei": "lei",
    "swift/bic": "swift/bic",
    "bic": "swift/bic",
    "vessel registration identification": "imo",
    "imo": "imo",
}


def id_hint(id_type: str) -> str:
    """The scheme hint of a list's identifier type name (validated by
    :func:`classify_identifier`); registration and tax numbers keep their own name and
    are recognised by value (OGRN/INN/USCC) and country."""
    return _ID_HINTS.get(id_type.strip().lower(), id_type.strip())


FEATURE_TYPES = re.compile(
    r"(?i)^(secondary sanctions|executive order|additional sanctions|website|email|"
    r"target type|issuer name|equity ticker|isin|listing date|effective date|purchase/sales|"
    r"organization (established|type)|nationality|caatsa|transactions prohibited|gender|"
    r"birthdate|place of birth|citizenship|phone|fax|digital currency|vessel|aircraft|"
    r"former vessel|other vessel|d-u-n-s|bik)")
"""OFAC ``idList``/``ids`` entries that are features, not identifiers."""
