"""Labelled name pairs from independent real sources, split into dev and test.

    .venv/bin/python benchmarks/real_pairs.py OUT_DIR [--data /work/shared/data]

Writes ``OUT_DIR/real-dev.jsonl`` and ``OUT_DIR/real-test.jsonl`` in the format of
``benchmarks/screening.py`` (``{"a", "b", "match", "kind", "source"}``); run that script
on them for the per-kind figures of ringfence, nomenklatura logic-v2 and rapidfuzz side
by side. Nothing here was seen while the matcher was developed; ``test`` must not be
used to tune it (the split is by a hash of the source record id, so one organisation's
pairs all fall on one side).

Sources (all under ``../shared/data``; see its README for provenance and licences):

* OFAC consolidated (non-SDN) list, enhanced XML (``sanctions/ofac_xml/CONS_ENHANCED.ZIP``,
  U.S. Treasury): entities' primary names with their Cyrillic and Chinese
  translations (``script``), their strong A.K.A. names (``list_alias``) and F.K.A. names
  (``former_name``).
* UN Security Council consolidated list (``sanctions/un_sc/UN_consolidated.xml``):
  entity names with ``NAME_ORIGINAL_SCRIPT`` (``script``) and good-quality aliases
  (``list_alias``).
* GLEIF golden copy extracts (``gleif/golden-copy-xml/lei-*.xml``, CC0): legal names with
  ``TransliteratedOtherEntityName`` (``translit``) and ``OtherEntityName`` of type
  ``PREVIOUS_LEGAL_NAME`` (``former_name``).

Negatives: for every positive, the name of *another* entity of the same source that
rapidfuzz finds most alike (``hard_negative_list``), and one drawn at random
(``negative_random``).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

Pair = dict[str, object]
Entity = tuple[str, str, list[tuple[str, str]]]  # (record id, primary name, [(kind, name)])


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(el: ET.Element, name: str) -> Iterator[ET.Element]:
    return (c for c in el if _local(c.tag) == name)


def _child(el: ET.Element, name: str) -> ET.Element | None:
    return next(_children(el, name), None)


def _text(el: ET.Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


def ofac_entities(path: Path) -> list[Entity]:
    with zipfile.ZipFile(path) as z:
        root = ET.fromstring(z.read(z.namelist()[0]))
    out: list[Entity] = []
    for ent in root.iter():
        if _local(ent.tag) != "entity":
            continue
        info = _child(ent, "generalInfo")
        etype = _text(_child(info, "entityType")) if info is not None else ""
        if etype != "Entity":
            continue
        primary = ""
        others: list[tuple[str, str]] = []
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
                    primary = full
                elif script != "Latin":
                    others.append(("script", full))
                elif not low and alias == "A.K.A.":
                    others.append(("list_alias", full))
                elif alias == "F.K.A.":
                    others.append(("former_name", full))
        if primary:
            out.append((f"ofac:{ent.get('id')}", primary, others))
    return out


def un_entities(path: Path) -> list[Entity]:
    root = ET.parse(path).getroot()
    out: list[Entity] = []
    for ent in root.iter("ENTITY"):
        name = _text(ent.find("FIRST_NAME"))
        if not name:
            continue
        others: list[tuple[str, str]] = []
        orig = _text(ent.find("NAME_ORIGINAL_SCRIPT"))
        if orig:
            others.append(("script", orig))
        for alias in ent.iter("ENTITY_ALIAS"):
            quality = _text(alias.find("QUALITY"))
            value = _text(alias.find("ALIAS_NAME"))
            if value and quality in ("Good", "a.k.a.", ""):
                others.append(("list_alias", value))
        out.append((f"un:{_text(ent.find('DATAID'))}", name, others))
    return out


def gleif_entities(folder: Path) -> list[Entity]:
    out: list[Entity] = []
    for path in sorted(folder.glob("lei-*.xml")):
        root = ET.parse(path).getroot()
        for rec in root.iter():
            if _local(rec.tag) != "LEIRecord":
                continue
            lei = ""
            legal = ""
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
            if lei and legal:
                out.append((f"gleif:{lei}", legal, [o for o in others if o[1]]))
    return out


def part_of(record_id: str) -> str:
    """``"dev"`` or ``"test"``: the split of a source record (by a hash of its id, so one
    organisation's pairs all fall on one side). ``benchmarks/build_lexicon.py`` mines only
    the ``dev`` part with it."""
    return "test" if zlib.crc32(record_id.encode()) % 2 else "dev"


def pairs(entities: list[Entity], source: str, seed: int = 14) -> list[tuple[str, Pair]]:
    from rapidfuzz import fuzz, process

    rng = random.Random(seed)
    names = [e[1] for e in entities]
    out: list[tuple[str, Pair]] = []
    for k, (rid, primary, others) in enumerate(entities):
        seen = set()
        for kind, other in others:
            if other.casefold() == primary.casefold() or other in seen:
                continue
            seen.add(other)
            out.append((rid, {"a": {"name": other}, "b": {"name": primary}, "match": True,
                              "kind": kind, "source": f"{source} {rid}"}))
        if not others:
            continue
        query = others[0][1]
        best = process.extract(query, names, scorer=fuzz.token_set_ratio, limit=3)
        for cand, _score, j in best:
            if j != k and cand.casefold() != primary.casefold():
                out.append((rid, {"a": {"name": query}, "b": {"name": cand}, "match": False,
                                  "kind": "hard_negative_list",
                                  "source": f"{source} {rid} vs {entities[j][0]}"}))
                break
        j = rng.randrange(len(entities))
        if j != k:
            out.append((rid, {"a": {"name": query}, "b": {"name": names[j]}, "match": False,
                              "kind": "negative_random",
                              "source": f"{source} {rid} vs {entities[j][0]}"}))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    args = ap.parse_args(argv)
    d = args.data
    rows: list[tuple[str, Pair]] = []
    rows += pairs(ofac_entities(d / "sanctions/ofac_xml/CONS_ENHANCED.ZIP"),
                  "OFAC consolidated enhanced XML")
    rows += pairs(un_entities(d / "sanctions/un_sc/UN_consolidated.xml"),
                  "UN SC consolidated list")
    rows += pairs(gleif_entities(d / "gleif/golden-copy-xml"), "GLEIF golden copy")
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
