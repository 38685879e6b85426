"""Labelled name pairs from independent real sources, split into dev and test.

    .venv/bin/python benchmarks/real_pairs.py OUT_DIR [--data /work/shared/data]

Writes ``OUT_DIR/real-dev.jsonl`` and ``OUT_DIR/real-test.jsonl`` in the format of
``benchmarks/screening.py`` (``{"a", "b", "match", "kind", "source"}``, a side being
``{"name", "id_scheme"?, "id"?}``); run that script on them for the per-kind figures of
ringfence, nomenklatura logic-v2 and rapidfuzz side by side. Nothing here was seen while
the matcher was developed; ``test`` must not be used to tune it (the split is by a hash of
the source record id, so one record's pairs all fall on one side).

Sources (all under ``../shared/data``; see its READMEs for provenance and licences):

* OFAC consolidated (non-SDN) list, enhanced XML (``sanctions/ofac_xml/CONS_ENHANCED.ZIP``,
  U.S. Treasury, ``dataAsOf`` 2025-01-10): entities' primary names with their Cyrillic and
  Chinese translations, strong A.K.A. and F.K.A. names, and identity documents
  (``Registration ID``, ``Tax ID No.``, ``Unified Social Credit Code (USCC)``, ``Legal Entity
  Number``).
* OFAC SDN list, CSV excerpt of 2021-07 (``sanctions/ofac_sdn_csv/excerpt_2021-07``:
  ``sdn.csv`` entities, ``alt.csv`` a.k.a./f.k.a. names, identifiers from the remarks:
  ``Registration ID``, ``Tax ID No.``, ``United Social Credit Code Certificate (USCCC)``,
  ``BIC``).
* UK HM Treasury consolidated list, 2014-04-02 excerpt
  (``sanctions/uk_hmt/sanctionsconlist_2014-04-02_excerpt.csv``, OGL v3.0: "Contains public
  sector information licensed under the Open Government Licence v3.0"): entities' prime
  aliases, AKA and FKA names.
* UN Security Council consolidated list (``sanctions/un_sc/UN_consolidated.xml``,
  2026-02-27): entity names with ``NAME_ORIGINAL_SCRIPT`` and good-quality aliases.
* GLEIF golden copy extracts (``gleif/golden-copy-xml/lei-*.xml``) and API records
  (``gleif/api-json/lei_records/*.json``), CC0: legal names with
  ``TransliteratedOtherEntityName`` and previous legal names, the LEI and the register
  number (``RegistrationAuthorityEntityID``).
* Open Ownership's BODS 0.4 statements built from GLEIF (``bods/0.4-gleif-real-cc0``,
  ``bods/0.4-oo-published-gleif-cc0``, CC0): entity names (Chinese, Cyrillic, Greek,
  Arabic among them), LEIs and register numbers.

Kinds (positives):

* ``script`` / ``translit``: a name in another script and the Latin name of the same
  record. Which of the two is decided by ICU's ``Any-Latin; Latin-ASCII`` transliteration
  (PyICU; independent of ringfence's romanisers): ``translit`` when the transliterated
  name is alike the Latin one (rapidfuzz ``ratio`` ≥ 75 on letters and digits), else
  ``script`` (a translation). GLEIF's ``TransliteratedOtherEntityName`` is ``translit``.
* ``script_variant``: a real Han name and its other Chinese script, converted by ICU's
  ``Simplified-Traditional`` / ``Traditional-Simplified`` transliterators (not OpenCC,
  which ringfence itself reads Han names through: the benchmark does not test a
  dictionary against itself).
* ``list_alias``: a list's strong a.k.a. name; ``abbrev`` when that alias, or one of
  OFAC's weak (low-quality) a.k.a. names, is an acronym
  of the primary name (one word of 2-10 capitals that are the initials of the primary's
  words, with or without its stopwords and legal forms; a legal form beside the acronym
  is allowed: ``KBP OAO``); ``former_name``: f.k.a. and
  previous legal names. A ``list_alias`` pair with no string evidence at all (no word in
  common after ICU's Latin reading, no spelling of one word, no acronym either way: a
  rename, a nickname, a pure translation) is labelled ``list_alias_other`` instead, by
  the rule in ``benchmarks/alias_evidence.py``, which reads the two names only, never a
  matcher; ``benchmarks/screening.py`` pools it with the kinds without string evidence
  and also reports the pooling with it.
* ``legal_form`` (generated from real names): a legal form the name carries replaced by an
  equivalent spelling of the same form (:data:`LEGAL_FORMS`: Limited ~ Ltd, Public Joint
  Stock Company ~ PJSC, Aktiengesellschaft ~ AG, ООО ~ Общество с ограниченной
  ответственностью …) or dropped.
* ``typo`` (generated from real names): one edit in the longest distinctive word (a
  neighbouring key on a QWERTY keyboard, a letter dropped, two letters swapped, a letter
  doubled), seeded by the record id.
* ``id_format`` (generated from real identifiers): both sides carry the record's
  identifier, one as the source writes it and one with a label, spaces or another case
  (``LEI: 2534 00JT …``, ``ИНН 7706107510``, ``USCC 9111 0000 …``); the query's name is
  another name of the record (its alias, former name or translation), so the
  identifier has to decide.
* ``id_cross_scheme``: the record's two identifiers of *different* schemes on the two
  sides (LEI vs register number, INN vs OGRN), each with a different name of the record:
  schemes are not comparable, the names decide.

Negatives: for every record, the name of *another* record of the same source that
rapidfuzz finds most alike (``hard_negative_list``), one drawn at random
(``negative_random``), and, for records with an identifier, the most alike other record
that has a *different* identifier of the same scheme, each side with its own
(``hard_negative_id``: the identifiers conflict). And ``hard_negative_translated``
(``benchmarks/translated_negatives.py``, built from the names and ringfence's lexicon data
only, never from a matcher): two records of one list and one part whose short names (four
words or fewer) share exactly one distinctive word, and only across a translation or a
script (RASSVET ~ DAWN ...: рассвет is "dawn"; ВЕЛМОНТ-ИНВЕСТ ~ ... INVEST), or, as
generic cross-script near-misses, a name in another script and a Latin name meeting only
on one generic word (БАНК ~ BANK); at most two of each sort a record, never two records
that may be one organisation (the same reading, a shared identifier, names alike).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

sys.path.insert(0, str(Path(__file__).parent))
from alias_evidence import STOPWORDS, has_string_evidence
from translated_negatives import negatives as translated_negatives

Pair = dict[str, object]


@dataclass
class Org:
    rid: str  # source record id (the split key)
    primary: str
    others: list[tuple[str, str]] = field(default_factory=list)  # (kind, name)
    ids: list[tuple[str, str]] = field(default_factory=list)  # (scheme, value) as written


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(el: ET.Element, name: str) -> Iterator[ET.Element]:
    return (c for c in el if _local(c.tag) == name)


def _child(el: ET.Element, name: str) -> ET.Element | None:
    return next(_children(el, name), None)


def _text(el: ET.Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


# -- identifiers: classified by python-stdnum's check digits --------------------------------

def classify_id(label: str, value: str, country: str = "") -> tuple[str, str] | None:
    """``(scheme, value)`` of an identifier a source labels ``label``, or None."""
    from stdnum import lei
    from stdnum.cn import uscc
    from stdnum.ru import inn, ogrn

    v = re.sub(r"[\s\-.]", "", value)
    low = label.lower()
    if "legal entity" in low or low == "lei":
        return ("lei", v.upper()) if lei.is_valid(v) else None
    if "uscc" in low or "social credit" in low:
        return ("cn_uscc", v.upper()) if uscc.is_valid(v) else None
    if low == "bic":
        return ("bic", v.upper()) if re.fullmatch(r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?",
                                                   v.upper()) else None
    if "tax id" in low and inn.is_valid(v):
        return ("ru_inn", v)
    if "registration" in low and ogrn.is_valid(v):
        return ("ru_ogrn", v)
    if "registration" in low and uscc.is_valid(v):
        return ("cn_uscc", v.upper())
    if low == "register" and country and re.fullmatch(r"[A-Za-z0-9]{4,20}", v):
        return (f"reg_{country.lower()}", v)
    return None


# -- sources ------------------------------------------------------------------------------------

def ofac_entities(path: Path) -> list[Org]:
    with zipfile.ZipFile(path) as z:
        root = ET.fromstring(z.read(z.namelist()[0]))
    out: list[Org] = []
    for ent in root.iter():
        if _local(ent.tag) != "entity":
            continue
        info = _child(ent, "generalInfo")
        etype = _text(_child(info, "entityType")) if info is not None else ""
        if etype != "Entity":
            continue
        org = Org(f"ofac:{ent.get('id')}", "")
        names = _child(ent, "names")
        for name in _children(names, "name") if names is not None else ():
            is_primary = _text(_child(name, "isPrimary")) == "true"
            low = _text(_child(name, "isLowQuality")) == "true"
            alias = _text(_child(name, "aliasType"))
            trs = _child(name, "translations")
            for tr in _children(trs, "translation") if trs is not None else ():
                full = _text(_child(tr, "formattedFullName"))
                script = _text(_child(tr, "script"))
                if not full:
                    continue
                if is_primary and script == "Latin":
                    org.primary = full
                elif script != "Latin":
                    org.others.append(("non_latin", full))
                elif alias == "A.K.A.":
                    org.others.append(("weak_alias" if low else "list_alias", full))
                elif alias == "F.K.A.":
                    org.others.append(("former_name", full))
        docs = _child(ent, "identityDocuments")
        for doc in _children(docs, "identityDocument") if docs is not None else ():
            got = classify_id(_text(_child(doc, "type")), _text(_child(doc, "documentNumber")))
            if got:
                org.ids.append(got)
        if org.primary:
            out.append(org)
    return out


_REMARK_ID = re.compile(
    r"(Registration ID|Tax ID No\.|United Social Credit Code Certificate \(USCCC\)|"
    r"Unified Social Credit Code \(USCC\)|BIC|Legal Entity Number) ([0-9A-Z]{8,20})")


def sdn_csv_entities(folder: Path) -> list[Org]:
    import csv

    def rows(name: str) -> list[list[str]]:
        text = (folder / name).read_bytes().decode("cp1252").rstrip("\x1a\r\n")
        return list(csv.reader(text.splitlines()))

    def clean(v: str) -> str:
        v = v.strip()
        return "" if v == "-0-" else v

    orgs: dict[str, Org] = {}
    for r in rows("sdn.csv"):
        if len(r) < 12 or clean(r[2]) != "":  # SDN_Type empty (-0-) = an entity
            continue
        org = Org(f"sdn:{r[0]}", clean(r[1]))
        for label, value in _REMARK_ID.findall(r[11]):
            got = classify_id(label, value)
            if got:
                org.ids.append(got)
        # OFAC writes its weak (low-quality) a.k.a. names in the remarks
        org.others += [("weak_alias", n) for n in re.findall(r"\ba\.k\.a\. '([^']+)'", r[11])]
        orgs[r[0]] = org
    for r in rows("alt.csv"):
        if len(r) >= 4 and r[0] in orgs and clean(r[3]):
            kind = {"aka": "list_alias", "fka": "former_name"}.get(clean(r[2]))
            if kind:
                orgs[r[0]].others.append((kind, clean(r[3])))
    return [o for o in orgs.values() if o.primary]


def uk_entities(path: Path) -> list[Org]:
    """HM Treasury's consolidated list (2014 layout): one row per name, grouped by
    ``Group ID``; the first ``Prime Alias`` is the primary name, further prime aliases and
    ``AKA`` rows are list aliases, ``FKA`` rows former names."""
    import csv

    rows = list(csv.reader(path.read_bytes().decode("cp1252").splitlines()))
    head = {k: i for i, k in enumerate(rows[1])}
    groups: dict[str, list[tuple[str, str]]] = {}
    for r in rows[2:]:
        if len(r) != len(head) or r[head["Group Type"]] != "Entity":
            continue
        name = r[head["Name 6"]].strip()
        if name:
            groups.setdefault(r[head["Group ID"]], []).append((r[head["Alias Type"]], name))
    out: list[Org] = []
    for gid, names in groups.items():
        prime = [n for t, n in names if t == "Prime Alias"]
        if not prime:
            continue
        org = Org(f"uk:{gid}", prime[0])
        org.others += [("list_alias", n) for n in prime[1:]]
        org.others += [("list_alias" if t == "AKA" else "former_name", n)
                       for t, n in names if t in ("AKA", "FKA")]
        out.append(org)
    return out


def un_entities(path: Path) -> list[Org]:
    root = ET.parse(path).getroot()
    out: list[Org] = []
    for ent in root.iter("ENTITY"):
        name = _text(ent.find("FIRST_NAME"))
        if not name:
            continue
        org = Org(f"un:{_text(ent.find('DATAID'))}", name)
        orig = _text(ent.find("NAME_ORIGINAL_SCRIPT"))
        if orig:
            org.others.append(("non_latin", orig))
        for alias in ent.iter("ENTITY_ALIAS"):
            quality = _text(alias.find("QUALITY"))
            value = _text(alias.find("ALIAS_NAME"))
            if value and quality in ("Good", "a.k.a.", ""):
                org.others.append(("list_alias", value))
        out.append(org)
    return out


def gleif_entities(folder: Path) -> list[Org]:
    out: list[Org] = []
    for path in sorted((folder / "golden-copy-xml").glob("lei-*.xml")):
        root = ET.parse(path).getroot()
        for rec in root.iter():
            if _local(rec.tag) != "LEIRecord":
                continue
            lei = legal = reg = country = ""
            others: list[tuple[str, str]] = []
            for el in rec.iter():
                tag = _local(el.tag)
                if tag == "LEI" and not lei:
                    lei = _text(el)
                elif tag == "LegalName" and not legal:
                    legal = _text(el)
                elif tag == "TransliteratedOtherEntityName":
                    others.append(("translit", _text(el)))
                elif tag == "OtherEntityName" and el.get("type") == "PREVIOUS_LEGAL_NAME":
                    others.append(("former_name", _text(el)))
                elif tag == "RegistrationAuthorityEntityID" and not reg:
                    reg = _text(el)
                elif tag == "LegalJurisdiction" and not country:
                    country = _text(el)[:2]
            if lei and legal:
                org = Org(f"gleif:{lei}", legal, [o for o in others if o[1]], [("lei", lei)])
                got = classify_id("register", reg, country) if reg else None
                if got:
                    org.ids.append(got)
                out.append(org)
    for path in sorted((folder / "api-json" / "lei_records").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8")).get("data")
        for rec in data if isinstance(data, list) else [data]:
            if not isinstance(rec, dict):
                continue
            a = rec.get("attributes") or {}
            ent = a.get("entity") or {}
            lei, legal = a.get("lei") or "", (ent.get("legalName") or {}).get("name") or ""
            if not lei or not legal:
                continue
            org = Org(f"gleif:{lei}", legal, [], [("lei", lei)])
            for n in ent.get("otherNames") or []:
                if n.get("type") == "PREVIOUS_LEGAL_NAME":
                    org.others.append(("former_name", n["name"]))
            for n in ent.get("transliteratedOtherNames") or []:
                org.others.append(("translit", n["name"]))
            got = classify_id("register", ent.get("registeredAs") or "",
                              (ent.get("jurisdiction") or "")[:2])
            if got:
                org.ids.append(got)
            out.append(org)
    return _unique(out)


def bods_entities(folders: list[Path]) -> list[Org]:
    out: list[Org] = []
    for folder in folders:
        for path in sorted(folder.glob("*.json*")):
            text = path.read_text(encoding="utf-8")
            stmts = (json.loads(text) if path.suffix == ".json"
                     else [json.loads(x) for x in text.splitlines() if x.strip()])
            for st in stmts:
                if st.get("recordType") != "entity":
                    continue
                d = st.get("recordDetails") or {}
                name = (d.get("name") or "").strip()
                ids: list[tuple[str, str]] = []
                for i in d.get("identifiers") or []:
                    scheme = (i.get("scheme") or "").upper()
                    if scheme == "XI-LEI":
                        got = classify_id("lei", i.get("id") or "")
                    elif scheme == "RU-INN":
                        got = classify_id("tax id", i.get("id") or "")
                    else:
                        got = None
                    if got:
                        ids.append(got)
                lei = next((v for s, v in ids if s == "lei"), "")
                if name and lei:
                    out.append(Org(f"gleif:{lei}", name, [], ids))
    return _unique(out)


def _unique(orgs: list[Org]) -> list[Org]:
    seen: dict[str, Org] = {}
    for o in orgs:
        if o.rid not in seen:
            seen[o.rid] = o
        else:
            have = seen[o.rid]
            have.others += [x for x in o.others if x not in have.others]
            have.ids += [x for x in o.ids if x not in have.ids]
    return list(seen.values())


# -- kinds ------------------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _icu(tid: str) -> Any:
    import icu  # type: ignore[import-untyped]

    return icu.Transliterator.createInstance(tid)


def _alnum(s: str) -> str:
    return "".join(ch for ch in s.casefold() if ch.isalnum())


def _latin(s: str) -> bool:
    return all(not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for ch in s)


def script_or_translit(other: str, latin: str) -> str:
    from rapidfuzz import fuzz

    read = _icu("Any-Latin; Latin-ASCII").transliterate(other)
    return "translit" if fuzz.ratio(_alnum(read), _alnum(latin)) >= 75 else "script"


def han_variant(name: str) -> str:
    """The other Chinese script of a Han name (ICU), or "" when it is the same."""
    if not any("CJK UNIFIED" in unicodedata.name(ch, "") for ch in name):
        return ""
    for tid in ("Simplified-Traditional", "Traditional-Simplified"):
        got = str(_icu(tid).transliterate(name))
        if got != name:
            return got
    return ""


_STOP = {"of", "the", "and", "for", "&", "de", "la", "du", "des", "el", "al"}
# Legal forms as ISO 20275 (ELF) lists their abbreviations, written out by hand here (not
# taken from ringfence's tables). Each tuple: spellings of one form, the first the long one.
LEGAL_FORMS: list[tuple[str, ...]] = [
    ("Public Joint Stock Company", "PJSC", "Public Joint-Stock Company"),
    ("Open Joint Stock Company", "OJSC", "OAO"),
    ("Closed Joint Stock Company", "CJSC", "ZAO"),
    ("Joint Stock Company", "JSC", "Joint-Stock Company", "AO"),
    ("Limited Liability Company", "LLC", "L.L.C.", "OOO"),
    ("Public Limited Company", "PLC", "P.L.C."),
    ("Company Limited", "Co., Ltd.", "Co. Ltd", "Co Ltd"),
    ("Limited", "Ltd", "Ltd."),
    ("Corporation", "Corp", "Corp."),
    ("Incorporated", "Inc", "Inc."),
    ("Company", "Co", "Co."),
    ("Aktiengesellschaft", "AG"),
    ("Gesellschaft mit beschränkter Haftung", "GmbH"),
    ("Sociedad Anónima", "S.A.", "SA"),
    ("Société Anonyme", "S.A.", "SA"),
    ("Private Limited", "Pvt Ltd", "Pvt. Ltd."),
    ("Публичное акционерное общество", "ПАО"),
    ("Открытое акционерное общество", "ОАО"),
    ("Закрытое акционерное общество", "ЗАО"),
    ("Акционерное общество", "АО"),
    ("Общество с ограниченной ответственностью", "ООО"),
]
_FORM_WORDS = {w.casefold().strip(".,") for forms in LEGAL_FORMS for f in forms
               for w in f.split()} | {  # the Russian forms as the lists romanise them
    "otkrytoe", "zakrytoe", "aktsionernoe", "publichnoe", "obshchestvo", "ogranichennoi",
    "ogranichennoy", "otvetstvennostyu"}


def _form_re(spelling: str) -> re.Pattern[str]:
    body = r"[\s\-]+".join(re.escape(w) for w in re.split(r"[\s\-]+", spelling))
    return re.compile(rf"(?<![\w]){body}(?![\w])", re.IGNORECASE)


def legal_form_variant(name: str, rng: random.Random) -> str:
    """``name`` with one legal form it carries spelled another way, or dropped."""
    for forms in LEGAL_FORMS:
        for spelling in sorted(forms, key=len, reverse=True):
            m = _form_re(spelling).search(name)
            if not m:
                continue
            choices = [f for f in forms if f.casefold() != spelling.casefold()] + [""]
            new = rng.choice(choices)
            if name.isupper():
                new = new.upper()
            out = (name[:m.start()] + new + name[m.end():]).strip(" ,")
            out = re.sub(r"\s{2,}", " ", re.sub(r"\s+,", ",", out))
            if out and _alnum(out) != _alnum(name) and len(_alnum(out)) >= 3:
                return out
    return ""


_QWERTY = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def _neighbour(ch: str, rng: random.Random) -> str:
    low = ch.lower()
    for r, row in enumerate(_QWERTY):
        c = row.find(low)
        if c >= 0:
            near = [row[k] for k in (c - 1, c + 1) if 0 <= k < len(row)]
            near += [_QWERTY[rr][c] for rr in (r - 1, r + 1)
                     if 0 <= rr < 3 and c < len(_QWERTY[rr])]
            got = rng.choice(near)
            return got.upper() if ch.isupper() else got
    return ch


def typo_variant(name: str, rng: random.Random) -> str:
    """One edit in the longest distinctive Latin word of ``name`` (≥ 5 letters)."""
    words = [(m.start(), m.group()) for m in re.finditer(r"[A-Za-z]{5,}", name)
             if m.group().casefold() not in _FORM_WORDS]
    if not words:
        return ""
    start, word = max(words, key=lambda w: (len(w[1]), -w[0]))
    i = rng.randrange(1, len(word) - 1)  # not the first letter
    op = rng.choice(("substitute", "delete", "swap", "double"))
    if op == "substitute":
        new = word[:i] + _neighbour(word[i], rng) + word[i + 1:]
    elif op == "delete":
        new = word[:i] + word[i + 1:]
    elif op == "swap":
        new = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    else:
        new = word[:i] + word[i] + word[i:]
    return "" if new == word else name[:start] + new + name[start + len(word):]


def is_acronym_of(alias: str, primary: str) -> bool:
    """``alias`` is, but for legal-form words, one word of 2-10 capitals that are the
    initials of ``primary``'s words (all, without stopwords, or without stopwords and
    legal forms): IRISL, KBP OAO."""
    rest = [w for w in re.split(r"[\s,]+", alias.strip())
            if w and w.casefold().strip(".") not in _FORM_WORDS]
    a = rest[0] if len(rest) == 1 else ""
    if not re.fullmatch(r"[A-Z]{2,10}", a):
        return False
    words = [w for w in re.split(r"[\s\-/,.()']+", primary) if w]
    forms = [
        words,
        [w for w in words if w.casefold() not in _STOP],
        [w for w in words if w.casefold() not in _STOP and w.casefold() not in _FORM_WORDS],
    ]
    return any("".join(w[0].upper() for w in ws) == a for ws in forms if ws)


_ID_LABELS = {
    "lei": ["LEI: {}", "LEI {}", "{lower}"],
    "ru_inn": ["ИНН {}", "INN: {}", "ИНН/INN {}"],
    "ru_ogrn": ["ОГРН {}", "OGRN: {}", "ОГРН {}"],
    "cn_uscc": ["统一社会信用代码：{}", "USCC {}", "{lower}"],
    "bic": ["SWIFT/BIC {}", "{lower}", "BIC: {}"],
}


def id_variant(scheme: str, value: str, rng: random.Random) -> str:
    """``value`` written as people write it: spaced in fours, a label, another case."""
    spaced = " ".join(value[k:k + 4] for k in range(0, len(value), 4))
    body = rng.choice([value, spaced, "-".join(value[k:k + 4] for k in range(0, len(value), 4))])
    labels = _ID_LABELS.get(scheme, ["No. {}", "{}"])
    out = rng.choice(labels)
    return out.replace("{lower}", body.lower()).format(body)


# -- pairs -------------------------------------------------------------------------------------

def _side(name: str, ident: tuple[str, str] | None = None) -> dict[str, str]:
    out = {"name": name}
    if ident:
        out["id_scheme"], out["id"] = ident
    return out


def part_of(record_id: str) -> str:
    """``"dev"`` or ``"test"``: the split of a source record (by a hash of its id, so one
    record's pairs all fall on one side). ``benchmarks/build_lexicon.py`` mines only the
    ``dev`` part with it."""
    return "test" if zlib.crc32(record_id.encode()) % 2 else "dev"


def pairs(orgs: list[Org], source: str, seed: int = 14) -> list[tuple[str, Pair]]:
    from rapidfuzz import fuzz, process

    names = [o.primary for o in orgs]
    out: list[tuple[str, Pair]] = []

    def add(rid: str, a: dict[str, str], b: dict[str, str], match: bool, kind: str,
            note: str = "") -> None:
        out.append((rid, {"a": a, "b": b, "match": match, "kind": kind,
                          "source": f"{source} {rid}{note}"}))

    for k, org in enumerate(orgs):
        rng = random.Random(f"{seed}:{org.rid}")
        seen: set[str] = {org.primary.casefold()}
        real: list[tuple[str, str]] = []
        for kind, other in org.others:
            if other.casefold() in seen:
                continue
            seen.add(other.casefold())
            if kind == "non_latin":
                kind = script_or_translit(other, org.primary)
            elif kind in ("list_alias", "weak_alias") and is_acronym_of(other, org.primary):
                kind = "abbrev"
            elif kind == "weak_alias":
                continue  # a low-quality alias that is not an acronym: not a labelled pair
            real.append((kind, other))
            label = kind
            if kind == "list_alias" and not has_string_evidence(other, org.primary,
                                                                 frozenset(_FORM_WORDS)):
                label = "list_alias_other"  # no string evidence at all (alias_evidence.py)
            add(org.rid, _side(other), _side(org.primary), True, label)
        for _kind, other in [("", org.primary), *real]:
            variant = han_variant(other)
            if variant:
                add(org.rid, _side(variant), _side(other), True, "script_variant")
        made: list[tuple[str, str]] = []
        for kind, make in (("legal_form", legal_form_variant), ("typo", typo_variant)):
            got = make(org.primary, rng)
            if got and got.casefold() not in seen:
                seen.add(got.casefold())
                made.append((kind, got))
                add(org.rid, _side(got), _side(org.primary), True, kind,
                    " (generated from the primary name)")
        # identifiers: another name of the record on the query side, so the id decides
        other_name = next((n for kd, n in real if kd in ("former_name", "list_alias",
                                                         "script", "translit")), "")
        if other_name:
            for scheme, value in org.ids[:1]:
                add(org.rid, _side(other_name, (scheme, id_variant(scheme, value, rng))),
                    _side(org.primary, (scheme, value)), True, "id_format",
                    " (identifier written another way)")
            schemes = {}
            for scheme, value in org.ids:
                schemes.setdefault(scheme, value)
            if len(schemes) >= 2:
                (s1, v1), (s2, v2) = list(schemes.items())[:2]
                add(org.rid, _side(other_name, (s1, v1)), _side(org.primary, (s2, v2)), True,
                    "id_cross_scheme")
        # negatives
        queries = [n for _, n in real] + [n for _, n in made]
        if not queries:
            continue
        query = queries[0]
        best = process.extract(query, names, scorer=fuzz.token_set_ratio, limit=4)
        for cand, _score, j in best:
            if j != k and cand.casefold() != org.primary.casefold():
                add(org.rid, _side(query), _side(cand), False, "hard_negative_list",
                    f" vs {orgs[j].rid}")
                break
        j = rng.randrange(len(orgs))
        if j != k and names[j].casefold() != org.primary.casefold():
            add(org.rid, _side(query), _side(names[j]), False, "negative_random",
                f" vs {orgs[j].rid}")
        for scheme, value in org.ids[:1]:
            same = [(j, dict(o.ids)[scheme]) for j, o in enumerate(orgs)
                    if j != k and scheme in dict(o.ids) and dict(o.ids)[scheme] != value
                    and o.primary.casefold() != org.primary.casefold()]
            if same:
                j, theirs = max(same, key=lambda x: fuzz.token_set_ratio(query, names[x[0]]))
                add(org.rid, _side(query, (scheme, value)), _side(names[j], (scheme, theirs)),
                    False, "hard_negative_id", f" vs {orgs[j].rid}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    args = ap.parse_args(argv)
    d = args.data
    rows: list[tuple[str, Pair]] = []
    sources = [
        (ofac_entities(d / "sanctions/ofac_xml/CONS_ENHANCED.ZIP"),
         "OFAC consolidated enhanced XML"),
        (sdn_csv_entities(d / "sanctions/ofac_sdn_csv/excerpt_2021-07"),
         "OFAC SDN CSV 2021-07 excerpt"),
        (uk_entities(d / "sanctions/uk_hmt/sanctionsconlist_2014-04-02_excerpt.csv"),
         "UK HM Treasury consolidated list 2014-04-02 excerpt"),
        (un_entities(d / "sanctions/un_sc/UN_consolidated.xml"), "UN SC consolidated list"),
        (_unique(gleif_entities(d / "gleif") + bods_entities(
            [d / "bods/0.4-gleif-real-cc0", d / "bods/0.4-oo-published-gleif-cc0"])),
         "GLEIF golden copy, API and GLEIF-derived BODS"),
    ]
    for orgs, source in sources:
        rows += pairs(orgs, source)
    # one translated word in common, across sources within a part (translated_negatives.py)
    label = {o.rid: source for orgs, source in sources for o in orgs}
    for rid, pair in translated_negatives(
        [o for orgs, _ in sources for o in orgs], part_of, STOPWORDS | frozenset(_FORM_WORDS)
    ):
        pair["source"] = f"{label[rid]} {rid}{pair['source']}"
        rows.append((rid, pair))
    args.out.mkdir(parents=True, exist_ok=True)
    counts: dict[tuple[str, str], int] = {}
    with (args.out / "real-dev.jsonl").open("w", encoding="utf-8") as dev, (
        args.out / "real-test.jsonl"
    ).open("w", encoding="utf-8") as test:
        for rid, pair in rows:
            part = part_of(rid)
            (test if part == "test" else dev).write(json.dumps(pair, ensure_ascii=False) + "\n")
            key = (part, str(pair["kind"]))
            counts[key] = counts.get(key, 0) + 1
    for (part, kind), n in sorted(counts.items()):
        print(f"{part:<5} {kind:<20} {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
