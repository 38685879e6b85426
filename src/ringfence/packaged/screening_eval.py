"""An honest screening evaluation built from the bundled public-groups data.

Queries are made the way customers declare themselves, and scored as the batch ``screen``
command reports them (top-1 entity, empty when nothing matches):

* ``held_out:KIND`` — one of an entity's other names (another script, a transliteration,
  an alias, a trade or former name) is *removed from the index* and used as the query. The
  entity stays findable only through its remaining names. Names are held out in folds: fold
  k removes every entity's k-th other name, so one index per fold serves all its queries.
* ``variant:*`` — the legal name as customers retype it: without its legal form, upper
  case with the legal form abbreviated, or with a registry identifier written with a label
  and spaces (``LEI 2534 00JT ...``). Every name stays indexed.
* ``negative:unknown`` — real-looking organisations that are not in the data (other real
  companies in each script) must match nothing.
* ``negative:lookalike`` — an indexed entity's name with a discriminating qualifier or
  word added (``(Hong Kong)``, ``(Asia)``, ``Neft``, ``Leasing``): a subsidiary or
  sibling that is *not* the indexed entity, so it must match nothing.

Half of the queries (chosen by a stable hash) carry the entity's country. A positive is
correct when the top candidate is the entity and matches; a negative when no candidate
matches. Nothing here names a company to special-case in the matcher; the negatives are
fixed lists of real organisations absent from the data and generated look-alikes.
"""

from __future__ import annotations

import csv
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.resources import as_file, files
from pathlib import Path

from ringfence.resolve.ids import ParsedId, parse_id
from ringfence.resolve.score import Record

__all__ = [
    "UNKNOWN",
    "EvalQuery",
    "EvalResult",
    "evaluate",
    "folds",
    "public_entities",
    "public_groups_dir",
]


@dataclass(frozen=True, slots=True)
class EvalQuery:
    name: str
    country: str  # "" when not declared
    id: str  # SCHEME:VALUE or ""
    want: str  # entity id; "" when nothing may match
    kind: str
    fold: int  # -1: all names indexed; k: the index of fold k (held-out names removed)

    def record(self) -> Record:
        ids: tuple[ParsedId, ...] = ()
        if self.id:
            scheme, _, value = self.id.partition(":")
            ids = (parse_id(scheme, value),)
        return Record.of(self.name, country=self.country or None, ids=ids)


@dataclass(frozen=True, slots=True)
class EvalResult:
    query: EvalQuery
    got: str  # top entity when it matches, else ""
    top: str  # top candidate whatever its score
    score: float

    @property
    def correct(self) -> bool:
        return self.got == self.query.want


def public_groups_dir() -> Path:
    with as_file(files("ringfence") / "data" / "public-groups") as p:
        return Path(p)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# Real organisations (public names) that are not in the public-groups data.
UNKNOWN = [
    ("Siemens AG", "DE"),
    ("Toyota Motor Corporation", "JP"),
    ("Nestlé S.A.", "CH"),
    ("Samsung Electronics Co., Ltd.", "KR"),
    ("삼성전자 주식회사", "KR"),
    ("Xiaomi Corporation", "CN"),
    ("小米集团", "CN"),
    ("比亚迪股份有限公司", "CN"),
    ("宁德时代新能源科技股份有限公司", "CN"),
    ("中国工商银行股份有限公司", "CN"),
    ("中国移动通信集团有限公司", "CN"),
    ("深圳市大疆创新科技有限公司", "CN"),
    ("Industrial and Commercial Bank of China Limited", "CN"),
    ("China Petroleum & Chemical Corporation", "CN"),
    ("CNOOC Limited", "CN"),
    ("ПАО Сбербанк", "RU"),
    ("ПАО «Магнит»", "RU"),
    ("ООО «Лента»", "RU"),
    ("ПАО «НОВАТЭК»", "RU"),
    ("Государственная корпорация по атомной энергии «Росатом»", "RU"),
    ("Norilsk Nickel", "RU"),
    ("Bank Mellat", "IR"),
    ("بانک ملت", "IR"),
    ("بانک سپه", "IR"),
    ("بانک آینده", "IR"),
    ("National Iranian Oil Company", "IR"),
    ("Acme Widgets GmbH", ""),
    ("Sunrise Bakery LLC", ""),
    ("Nordic Timber AB", ""),
    ("Meridian Dental Clinic Pte. Ltd.", "SG"),
    ("Tata Consultancy Services Limited", "IN"),
    ("Reliance Industries Limited", "IN"),
    ("Volkswagen AG", "DE"),
    ("Oracle Financial Services Software Limited", "IN"),
    ("Tencent Music Entertainment Group", "CN"),
    ("Alibaba Health Information Technology Limited", "CN"),
    ("华为终端有限公司", "CN"),
    ("ПАО «Газпром нефть»", "RU"),
    ("Gazprombank", "RU"),
    ("Geely Automobile Holdings Limited", "CN"),
    ("Shanghai Fosun Pharmaceutical (Group) Co., Ltd.", "CN"),
]

_QUALIFIERS = ["(Hong Kong)", "(Asia)", "(Deutschland)", "(Singapore)", "(Shanghai)"]
_WORDS = ["Neft", "Leasing", "Trading", "Shipping", "Finance"]
_LEGAL_TAIL = re.compile(
    r"[,\s]+(?:co\.?,?\s*ltd\.?|limited|ltd\.?|inc\.?|llc|plc|corporation|corp\.?|"
    r"gmbh|s\.?a\.?|s\.p\.a\.|pte\.?\s*ltd\.?|b\.v\.|ag|oy|ab(?:\s*\(publ\))?|sas|s\.à r\.l\.|"
    r"d\.d\.|tbk|s\.a\. de c\.v\.)\s*$",
    re.IGNORECASE,
)
_LEGAL_HEAD = re.compile(r"^(?:pjsc|jsc|pt)\s+", re.IGNORECASE)
_ABBREV = [("Limited", "Ltd"), ("Corporation", "Corp"), ("Company", "Co"), ("Holdings", "Hldgs")]


def _stable(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def _core(name: str) -> str:
    return _LEGAL_HEAD.sub("", _LEGAL_TAIL.sub("", name)).strip(" ,")


def public_entities(
    directory: Path | None = None,
) -> tuple[list[dict[str, str]], dict[str, list[str]], dict[str, list[tuple[str, str]]]]:
    """Entities (company/state rows), every entity's names (main first) and identifiers."""
    d = directory or public_groups_dir()
    ents = _read(d / "entities.csv")
    names: dict[str, list[str]] = {e["id"]: [e["name"]] for e in ents}
    for n in _read(d / "names.csv"):
        if n["name"] and n["name"] not in names[n["entity"]]:
            names[n["entity"]].append(n["name"])
    ids: dict[str, list[tuple[str, str]]] = {}
    for i in _read(d / "identifiers.csv"):
        ids.setdefault(i["entity"], []).append((i["scheme"], i["value"]))
    return ents, names, ids


def folds(directory: Path | None = None) -> tuple[list[list[tuple[str, ...]]], list[EvalQuery]]:
    """Per fold, every entity's indexed names (aligned with ``entities.csv``); the queries.

    Fold 0 is the full index (variants and negatives run against it); fold k ≥ 1 holds out
    each entity's k-th other name.
    """
    d = directory or public_groups_dir()
    ents, names, ids = public_entities(d)
    kinds = {(n["entity"], n["name"]): n["kind"] for n in _read(d / "names.csv")}
    n_folds = max(len(v) for v in names.values())
    indexed: list[list[tuple[str, ...]]] = [[tuple(names[e["id"]]) for e in ents]]
    queries: list[EvalQuery] = []
    all_names = {n.casefold() for v in names.values() for n in v}

    def country(e: dict[str, str], key: str) -> str:
        return e["hq_country"] if _stable(key) % 2 == 0 else ""

    for k in range(1, n_folds):
        fold_names = []
        for e in ents:
            own = names[e["id"]]
            if k < len(own):
                q = own[k]
                kind = kinds.get((e["id"], q), "other")
                queries.append(EvalQuery(q, country(e, q), "", e["id"], f"held_out:{kind}", k))
                fold_names.append(tuple(n for n in own if n != q))
            else:
                fold_names.append(tuple(own))
        indexed.append(fold_names)
    for e in ents:
        if e["type"] == "person":
            continue
        main = e["name"]
        core = _core(main)
        if core and core != main and core.casefold() not in all_names:
            queries.append(
                EvalQuery(core, country(e, core), "", e["id"], "variant:no_legal_form", 0)
            )
        upper = main
        for long_, short in _ABBREV:
            upper = re.sub(rf"\b{long_}\b", short, upper)
        upper = upper.upper()
        if upper != main.upper():
            queries.append(
                EvalQuery(upper, country(e, upper), "", e["id"], "variant:abbreviated", 0)
            )
        for scheme, value in ids.get(e["id"], [])[:1]:
            spaced = " ".join(value[i : i + 4] for i in range(0, len(value), 4))
            label = {"lei": "LEI", "cn_uscc": "USCC", "ru_ogrn": "ОГРН", "ru_inn": "ИНН"}.get(
                scheme, ""
            )
            ref = f"{scheme}:{label} {spaced}".replace(": ", ":")
            queries.append(EvalQuery(core or main, "", ref, e["id"], "variant:identifier", 0))
        # look-alikes: a subsidiary or sibling named after this entity
        if len(core) >= 4 and core.isascii():
            h = _stable(main)
            legal = main[len(core) :] if main.startswith(core) else ""
            for extra in (_QUALIFIERS[h % len(_QUALIFIERS)], _WORDS[h % len(_WORDS)]):
                look = f"{core} {extra}{legal}"
                if look.casefold() not in all_names:
                    queries.append(
                        EvalQuery(look, country(e, look), "", "", "negative:lookalike", 0)
                    )
    for name, cc in UNKNOWN:
        if name.casefold() not in all_names:
            queries.append(EvalQuery(name, cc, "", "", "negative:unknown", 0))
    return indexed, queries


def evaluate(
    search: Callable[[int, Record], tuple[str, float, bool]],
    queries: Iterable[EvalQuery],
) -> list[EvalResult]:
    """Run ``search(fold, record) -> (top entity, score, match)`` over the queries."""
    out = []
    for q in queries:
        top, score, match = search(q.fold, q.record())
        out.append(EvalResult(q, top if match else "", top, score))
    return out


def summary(results: list[EvalResult]) -> dict[str, tuple[int, int]]:
    """``kind -> (correct, total)``, with ``all``, ``positive`` and ``negative`` totals."""
    out: dict[str, list[int]] = {}
    for r in results:
        group = "negative" if not r.query.want else "positive"
        for key in ("all", group, r.query.kind):
            c = out.setdefault(key, [0, 0])
            c[0] += r.correct
            c[1] += 1
    return {k: (v[0], v[1]) for k, v in sorted(out.items())}
