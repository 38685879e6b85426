"""Each script normaliser on real organisation names."""

from __future__ import annotations

from pathlib import Path

import pytest

from ringfence.resolve.text import (
    arabic_skeleton,
    cantonese,
    cyrillic_to_latin,
    fold_persian,
    korean_to_latin,
    latin_skeleton,
    loose,
    pinyin,
    script_of,
    to_simplified,
)


def test_script_detection() -> None:
    assert script_of("华为技术有限公司") == "Hani"
    assert script_of("ПАО «Газпром»") == "Cyrl"
    assert script_of("بانک ملت") == "Arab"
    assert script_of("조선광선은행") == "Hang"
    assert script_of("Bank Mellat") == "Latn"


def test_traditional_to_simplified() -> None:
    assert to_simplified("中國銀行（香港）有限公司") == "中国银行（香港）有限公司"
    assert to_simplified("長城汽車") == "长城汽车"
    assert to_simplified("Gazprom") == "Gazprom"


def test_pinyin_resolves_polyphones_by_phrase() -> None:
    assert pinyin("长城") == "changcheng"
    assert pinyin("重庆") == "chongqing"  # not zhongqing
    assert pinyin("银行") == "yinhang"  # not yinxing


def test_cantonese_in_hong_kong_spelling() -> None:
    assert cantonese("長江") == ("cheung", "kong")
    assert cantonese("新鴻基")[:2] == ("sun", "hung")


def test_cyrillic_romanisation_meets_other_systems_through_loose_keys() -> None:
    assert cyrillic_to_latin("Газпром") == "gazprom"
    assert loose(cyrillic_to_latin("Ростех")) == loose("Rostekh")
    assert loose(cyrillic_to_latin("Антей")) == loose("Antei") == loose("Antey")
    assert loose(cyrillic_to_latin("РЖД")) == loose("RZhD")


def test_persian_folding_and_skeleton() -> None:
    # Arabic yeh/kaf fold to the Persian letters; ZWNJ plural suffix dropped.
    assert fold_persian("بانك ملي") == "بانک ملی"
    assert fold_persian("فرآورده\u200cهای") == "فراورده"  # alef madda folded too
    assert arabic_skeleton("ملت") == latin_skeleton("Mellat") == "mlt"
    # a final he is a vowel in Latin spellings (Sepah, Sepa): dropped on both sides
    assert arabic_skeleton("سپه") == latin_skeleton("Sepah") == latin_skeleton("Sepa") == "sp"
    assert arabic_skeleton("اقتصاد") == latin_skeleton("Eghtesad")
    assert arabic_skeleton("ملی") != arabic_skeleton("ملت")  # Melli vs Mellat


def test_korean_revised_romanization() -> None:
    assert korean_to_latin("조선") == "joseon"


def test_dictionary_tables_are_cached_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parsed CC-CEDICT tables are kept in the user cache so a new process (each CLI
    call) does not parse the dictionary again; a second read gives the same table. The
    folder is chosen at the entry point from the environment."""
    from ringfence.resolve import gloss
    from ringfence.snapshot.usercache import DiskTableStore, cache_dir_from_env

    folder = cache_dir_from_env({"RINGFENCE_CACHE_DIR": str(tmp_path)})
    assert folder == tmp_path
    assert cache_dir_from_env({"XDG_CACHE_HOME": "/x"}) == Path("/x/ringfence")
    calls: list[int] = []

    def build() -> dict[str, int]:
        calls.append(1)
        return {"银行": 1}

    gloss.use_table_store(DiskTableStore(folder))
    try:
        assert gloss._kept("t", build) == {"银行": 1}
        assert gloss._kept("t", build) == {"银行": 1}
        assert len(calls) == 1 and len(list(tmp_path.glob("t-*.pickle"))) == 1
        assert gloss.zh_gloss("银行")  # the real table goes through the store too
        assert list(tmp_path.glob("cedict-*.pickle"))
    finally:
        gloss.use_table_store(None)
