"""The real-pairs benchmark's kinds (benchmarks/real_pairs.py) are what they say: the
generated variants change only what their kind names, acronyms are initials, script
variants differ only in their Chinese script, identifiers keep their value. Run on real
names from the shared lists when they are at hand."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest

from ringfence.resolve import parse_id

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"  # shared/ beside the work tree, as CI lays it


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("real_pairs",
                                                  ROOT / "benchmarks" / "real_pairs.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["real_pairs"] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


rp = _module()


@pytest.mark.parametrize(("name", "spellings"), [
    ("OPEN JOINT-STOCK COMPANY ROSNEFT OIL COMPANY", {"OJSC", "OAO", ""}),
    ("VEB LEASING OJSC", {"OPEN JOINT STOCK COMPANY", "OAO", ""}),
    ("Rosneft Deutschland GmbH", {"Gesellschaft mit beschränkter Haftung", ""}),
    ('ООО "РН-Капитал"', {"Общество с ограниченной ответственностью", ""}),
])
def test_legal_form_variant_swaps_only_the_form(name: str, spellings: set[str]) -> None:
    seen = set()
    for seed in range(12):
        got = rp.legal_form_variant(name, random.Random(seed))
        assert got and got != name
        seen.add(got)
    core = {"OPEN JOINT-STOCK COMPANY ROSNEFT OIL COMPANY": "ROSNEFT OIL COMPANY",
            "VEB LEASING OJSC": "VEB LEASING", "Rosneft Deutschland GmbH":
            "Rosneft Deutschland", 'ООО "РН-Капитал"': '"РН-Капитал"'}[name]
    for got in seen:
        assert core in got, got
        rest = got.replace(core, "").strip(" ,")
        assert rest in spellings, (got, rest)


def test_typo_variant_is_one_edit_in_a_distinctive_word() -> None:
    from rapidfuzz.distance import DamerauLevenshtein

    for seed in range(30):
        name = "KOREA SOUTH-SOUTH COOPERATION CORPORATION"
        got = rp.typo_variant(name, random.Random(seed))
        assert DamerauLevenshtein.distance(got, name) == 1, got
        assert got.endswith("CORPORATION") and got.startswith("KOREA SOUTH-SOUTH")
    assert rp.typo_variant("OOO ABC", random.Random(1)) == ""  # no word of 5 letters


def test_acronyms_are_initials() -> None:
    assert rp.is_acronym_of("IRISL", "ISLAMIC REPUBLIC OF IRAN SHIPPING LINES")
    assert rp.is_acronym_of("KBP OAO", "KONSTRUKTORSKOE BYURO PRIBOROSTROENIYA OTKRYTOE "
                            "AKTSIONERNOE OBSHCHESTVO")
    assert not rp.is_acronym_of("HESA", "IRAN AIRCRAFT MANUFACTURING INDUSTRIAL COMPANY")
    assert not rp.is_acronym_of("Rosneft", "ROSNEFT OIL COMPANY")


def test_script_variant_changes_only_the_chinese_script() -> None:
    assert rp.han_variant("华为技术有限公司") == "華為技術有限公司"
    assert rp.han_variant("華為技術有限公司") == "华为技术有限公司"
    assert rp.han_variant("Huawei") == ""


@pytest.mark.parametrize("scheme,value", [
    ("lei", "253400JT3MQWNDKMJE44"), ("ru_inn", "7706107510"),
    ("ru_ogrn", "1027739609391"), ("cn_uscc", "91110000710924910P"),
])
def test_id_variant_keeps_the_value(scheme: str, value: str) -> None:
    import re

    for seed in range(10):
        written = rp.id_variant(scheme, value, random.Random(seed))
        # a label first, then the value spaced, hyphenated or in another case
        assert re.sub(r"[^0-9A-Za-z]", "", written).upper().endswith(value)


@pytest.mark.skipif(not (DATA / "sanctions").exists(), reason="shared data not at hand")
def test_every_kind_is_built_from_the_shared_data(tmp_path: Path) -> None:
    import json

    assert rp.main([str(tmp_path), "--data", str(DATA)]) == 0
    pairs = [json.loads(x) for part in ("dev", "test")
             for x in (tmp_path / f"real-{part}.jsonl").read_text().splitlines()]
    kinds = {p["kind"] for p in pairs}
    assert {"translit", "script", "script_variant", "legal_form", "abbrev", "typo",
            "list_alias", "id_format", "id_cross_scheme", "former_name",
            "hard_negative_list", "hard_negative_id", "negative_random"} <= kinds
    for p in pairs:
        if p["kind"] == "id_format":  # both sides carry the same identifier
            a, b = p["a"], p["b"]
            assert parse_id(a["id_scheme"], a["id"]).value == b["id"]
