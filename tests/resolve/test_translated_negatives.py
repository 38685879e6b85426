"""The translated-word negative set (benchmarks/translated_negatives.py, kind
``hard_negative_translated`` of benchmarks/real_pairs.py) is built from the names and
the lexicon's data alone: two records of one list whose short names share one word only
across a translation or a script, never two records that could be one organisation, never
across the dev/test split."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _module() -> ModuleType:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location(
        "translated_negatives", ROOT / "benchmarks" / "translated_negatives.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["translated_negatives"] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


tn = _module()
DROP = tn.STOPWORDS | frozenset({"ooo", "oao", "llc", "ltd", "co", "company", "jsc"})


@dataclass
class Org:
    rid: str
    primary: str
    others: list[tuple[str, str]] = field(default_factory=list)
    ids: list[tuple[str, str]] = field(default_factory=list)


def _kind(a: str, b: str) -> str | None:
    lex = tn.lexicon()
    got = tn._kind_of(tn.read_name(a, DROP, lex), tn.read_name(b, DROP, lex), set())
    return got[0] if got else None


def test_one_word_shared_through_the_lexicon_is_found() -> None:
    assert _kind("RASSVET OAO", "DAWN VELMONT TRADING") == "distinctive"  # рассвет dawn
    assert _kind("ООО Рассвет", "Dawn Kestrin") == "distinctive"
    assert _kind("ВЕЛМОНТ-ИНВЕСТ", "KESTRIN INVEST") == "distinctive"  # across scripts


def test_words_shared_as_written_or_two_words_shared_are_not_this_kind() -> None:
    assert _kind("DAWN VELMONT", "DAWN KESTRIN") is None  # the same word, as written
    assert _kind("Зорбакс Рассвет", "Zorbaks Dawn") is None  # two words meet
    assert _kind("VELMONT TRADING", "KESTRIN SHIPPING") is None  # nothing in common


def _all_part(rid: str) -> str:
    return "dev"


def test_pairs_are_within_one_list_and_one_part_and_never_one_organisation() -> None:
    orgs = [
        Org("un:1", "RASSVET OAO"),
        Org("un:2", "DAWN VELMONT TRADING"),
        Org("gleif:3", "DAWN KESTRIN HOLDINGS"),  # another list: not paired with un:1
    ]
    got = tn.negatives(orgs, _all_part, DROP)
    assert [(rid, p["a"]["name"], p["b"]["name"]) for rid, p in got] == [
        ("un:1", "RASSVET OAO", "DAWN VELMONT TRADING")
    ]
    assert all(p["match"] is False and p["kind"] == "hard_negative_translated" for _, p in got)
    split = {"un:1": "dev", "un:2": "test"}
    assert tn.negatives(orgs[:2], split.__getitem__, DROP) == []
    same_id = [
        Org("un:1", "RASSVET OAO", ids=[("ru_inn", "7706107510")]),
        Org("un:2", "DAWN VELMONT TRADING", ids=[("ru_inn", "7706107510")]),
    ]
    assert tn.negatives(same_id, _all_part, DROP) == []
    same_reading = [
        Org("un:1", "RASSVET OAO", [("list_alias", "Velmont Dawn")]),
        Org("un:2", "Velmont Dawn LLC"),
    ]
    assert tn.negatives(same_reading, _all_part, DROP) == []
