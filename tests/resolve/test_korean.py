"""Korean names: split on the lexicon's parts, romanised, glossed through their hanja."""

from __future__ import annotations

import pytest

from ringfence.resolve import Record, compare
from ringfence.resolve.lexicon import ko_entries, ko_segments
from ringfence.resolve.text import korean_key


@pytest.mark.parametrize(
    ("korean", "english"),
    [
        ("고려항공", "Air Koryo"),
        ("삼성전자 주식회사", "Samsung Electronics Co., Ltd."),
        ("현대자동차 주식회사", "Hyundai Motor Company"),
        ("현대중공업", "Hyundai Heavy Industries"),
    ],
)
def test_korean_names_match_their_english_names(korean: str, english: str) -> None:
    assert compare(Record.of(korean), Record.of(english)).match


@pytest.mark.parametrize(
    ("korean", "english"),
    [
        ("고려항공", "Koryo Shipping"),
        ("삼성전자 주식회사", "Samsung Heavy Industries"),
        ("현대자동차", "Hyundai Electronics"),
        ("삼성전자", "Sinsung Electronics"),
    ],
)
def test_a_shared_brand_or_part_is_not_enough(korean: str, english: str) -> None:
    assert not compare(Record.of(korean), Record.of(english)).match


def test_romanisations_fold_together() -> None:
    assert len({korean_key(x) for x in ("samseong", "samsŏng", "Samsung")}) == 1
    assert len({korean_key(x) for x in ("goryeo", "koryŏ", "Koryo")}) == 1
    assert korean_key("Samsung") != korean_key("Sinsung")


def test_every_lexicon_entry_has_english() -> None:
    entries = ko_entries()
    assert len(entries) >= 60
    assert all(glosses for glosses in entries.values()), [w for w, g in entries.items() if not g]


def test_compounds_split_from_the_right() -> None:
    assert ko_segments("조선무역은행") == ("조선", "무역", "은행")
    assert ko_segments("삼성전자") == ("삼성", "전자")
    assert ko_segments("은행") == ("은행",)
