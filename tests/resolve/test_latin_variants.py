"""Words of Arabic, Persian and Urdu written in Latin letters (``resolve.latin_variants``)
and the list-alias words aligned for the lexicon (``benchmarks/lexicon_sources_arko.py``):
each through ``compare`` with a positive and a look-alike negative (two different
organisations sharing "al" and "Islam" stay apart)."""

from __future__ import annotations

import pytest

from ringfence.resolve import Record, compare
from ringfence.resolve.latin_variants import arabic_latin_key, latin_variant_gloss


def _match(a: str, b: str) -> bool:
    return compare(Record.of(a), Record.of(b)).match


@pytest.mark.parametrize(("one", "other"), [
    ("Tehreek", "Tehrik"), ("Jaysh", "Jeish"), ("Dhahab", "Thahab"), ("Jamaah", "Jamaa"),
    ("Masjed", "Masjid"), ("Harakat", "Haraket"),
])  # fmt: skip
def test_arabic_spellings_share_a_key(one: str, other: str) -> None:
    assert arabic_latin_key(one) == arabic_latin_key(other)


def test_different_words_keep_different_keys() -> None:
    assert arabic_latin_key("Harakat") != arabic_latin_key("Hizb")
    assert arabic_latin_key("Jund") != arabic_latin_key("Jamaat")


def test_construct_ending_and_spelling_find_the_entry() -> None:
    assert latin_variant_gloss("Harakatul") == latin_variant_gloss("Haraket") != ()
    assert latin_variant_gloss("Hara") == ()  # too short to be looked up this way


@pytest.mark.parametrize(("a", "b"), [
    ("The Soldiers of Aqsa", "JUND AL AQSA"),
    ("Sham al-Islam Movement", "HARAKAT SHAM AL-ISLAM"),
    ("Sham al-Islam Movement", "HARAKATUL SHAM AL-ISLAM"),
    ("Sham al-Islam Movement", "Haraket Sham al-Islam"),
])  # fmt: skip
def test_translated_organisation_word_matches(a: str, b: str) -> None:
    assert _match(a, b)


@pytest.mark.parametrize(("a", "b"), [
    ("The Soldiers of Aqsa", "JUND AL ISLAM"),
    ("Sham al-Islam Movement", "HARAKAT AL-ISLAMI AL-JIHAD"),
    ("Islamic Movement of Sham", "Jund al-Sham"),
    ("Soldiers of the Islamic State", "Harakat al-Islam"),
])  # fmt: skip
def test_organisations_sharing_al_and_islam_stay_apart(a: str, b: str) -> None:
    assert not _match(a, b)


def test_a_place_is_not_a_translated_word() -> None:
    """Saint ~ Sankt holds (aligned in two name pairs), but a different place after it does
    not match."""
    assert _match("GAZPROM TRANSGAZ SAINT PETERSBURG", "GAZPROM TRANSGAZ SANKT-PETERBURG")
    assert not _match("GAZPROM TRANSGAZ SAINT PETERSBURG", "GAZPROM TRANSGAZ MOSKVA")


@pytest.mark.parametrize(("word", "english"), [
    ("Islamique", "islamic"), ("Islamiya", "islamic"), ("Islamiyyah", "islamic"),
    ("Islami", "islamic"), ("Electronique", "electronic"),
])  # fmt: skip
def test_french_and_arabic_adjectives_read_as_english_ic(word: str, english: str) -> None:
    from ringfence.resolve.gloss import en_key
    from ringfence.resolve.latin_variants import adjective_gloss

    assert adjective_gloss(word) == ((en_key(english),),)


def test_short_stems_and_other_words_get_no_adjective() -> None:
    from ringfence.resolve.latin_variants import adjective_gloss

    assert adjective_gloss("Samsung") == adjective_gloss("Iraqi") == adjective_gloss("Bank") == ()


def test_adjective_matches_its_english_but_not_another_group() -> None:
    assert _match("Groupe Islamique Combattant Marocain", "MOROCCAN ISLAMIC COMBATANT GROUP")
    assert not _match("Groupe Islamique Combattant Marocain", "LIBYAN ISLAMIC FIGHTING GROUP")
    assert not _match("Groupe Islamique Combattant Marocain", "TUNISIAN COMBATANT GROUP")


def test_second_pass_word_and_its_negative() -> None:
    """khilafah → caliphate was aligned once jund → soldiers was known (second pass)."""
    assert _match("Soldiers of the Caliphate in Algeria", "JUND AL-KHILAFAH IN ALGERIA")
    assert not _match("Soldiers of the Caliphate in Algeria", "JUND AL-AQSA IN ALGERIA")


def test_country_initials() -> None:
    assert _match("DPRK NAMGANG TRADING COMPANY", "KOREA NAMGANG TRADING CORPORATION")
    assert _match("DPRK NAMGANG TRADING COMPANY", "NAMGANG TRADING CORPORATION OF NORTH KOREA")
    assert not _match("DPRK NAMGANG TRADING COMPANY", "KOREA KWANGSON TRADING CORPORATION")
    assert not _match("DPRK NAMGANG TRADING COMPANY", "CHINA NAMGANG TRADING CORPORATION")


def test_one_pair_alignment_and_a_look_alike() -> None:
    assert _match("Khalid ibn al-Walid Army", "Jaysh Khalid Ibn al Waleed")
    assert not _match("Khalid ibn al-Walid Army", "Jaysh Muhammad Ibn al Waleed")
    assert _match("AVIATRANS ESTABLISHMENT", "AVIATRANS ANSTALT")
    assert not _match("AVIATRANS ESTABLISHMENT", "AEROTRANS ANSTALT")


def test_romanised_korean_compound_splits_on_known_parts() -> None:
    from ringfence.resolve.latin_variants import korean_compound_gloss

    assert ("trade", "bank") in korean_compound_gloss("MOOYOKBANK")
    assert korean_compound_gloss("MUYOKBANK") == korean_compound_gloss("MOOYOKBANK")
    # a brand before "bank" is no Korean lexicon word: nothing to split
    assert korean_compound_gloss("GLOBEXBANK") == korean_compound_gloss("SAMSUNGBANK") == ()
    assert _match("MOOYOKBANK", "KOREA TRADE BANK")
    assert not _match("MOOYOKBANK", "KOREA DEVELOPMENT BANK")
    assert not _match("MOOYOKBANK", "KOREA TRADE INSURANCE")
