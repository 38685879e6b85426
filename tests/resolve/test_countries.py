"""A country written in full counts as the country (``resolve.countries``): its long form's
extra words are not words of the company, in either direction and in any word order of
the name. The phrases come from the lexicon's ISO 3166-1 rows; a word that is in several
countries' names (Korea) is no phrase of its own. Company words here are made up
(Velmont, Zorbaks, Kestrin)."""

from __future__ import annotations

import pytest

from ringfence.resolve import Record, compare
from ringfence.resolve.countries import country_phrases


def _cmp(a: str, b: str) -> tuple[bool, list[str]]:
    got = compare(Record.of(a), Record.of(b))
    return got.match, [f.feature for f in got.explanation]


def test_the_phrases_come_from_the_lexicons_country_rows() -> None:
    table = country_phrases()
    assert table[("people", "republik", "china")] == {"CN"}
    assert table[("north", "korea")] == {"KP"}
    assert "KP" in table[("demokratik", "people", "republik", "korea")]
    assert ("korea",) not in table  # North and South share it


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("VELMONT FOREIGN TRADE BANK OF THE DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA",
         "NORTH KOREA'S VELMONT FOREIGN TRADE BANK"),
        ("Zorbaks Machinery Bank of the People's Republic of China",
         "Zorbaks Machinery Bank of China"),
        ("KESTRIN SHIPPING OF THE ISLAMIC REPUBLIC OF IRAN", "KESTRIN SHIPPING OF IRAN"),
    ],
)
def test_a_country_written_in_full_matches_its_short_name(a: str, b: str) -> None:
    for x, y in ((a, b), (b, a)):
        match, feats = _cmp(x, y)
        assert match, (x, y)
        assert "country_spelt_out" in feats, (x, y)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # the other side's word is not the same country's name
        ("Velmont Trading of the Republic of Korea",
         "Velmont Trading of the Democratic People's Republic of Korea"),
        ("South Korea Kestrin Trading", "North Korea Kestrin Trading"),
        # "People's" of a company's own name is no country's
        ("People's Bank of China", "Bank of China"),
    ],
)
def test_words_of_another_country_or_of_the_company_still_count(a: str, b: str) -> None:
    for x, y in ((a, b), (b, a)):
        match, _ = _cmp(x, y)
        assert not match, (x, y)


def test_a_one_sided_country_in_full_costs_as_its_short_name() -> None:
    long_ = compare(Record.of("Velmont Kestrin Bank of the Democratic People's Republic of Korea"),
                    Record.of("Velmont Kestrin Bank"))
    short = compare(Record.of("Velmont Kestrin Bank of DPRK"), Record.of("Velmont Kestrin Bank"))
    bare = compare(Record.of("Velmont Kestrin Bank of Korea"), Record.of("Velmont Kestrin Bank"))
    assert long_.score == pytest.approx(bare.score, abs=0.02)
    assert long_.match == bare.match
    assert short.score > 0


def test_a_sibling_named_for_another_country_still_matches() -> None:
    # fail closed: "X Bank of Iran" against a listed "X Bank of Russia" may be the
    # subsidiary abroad the ownership rules are about; the names of the unsupported
    # regions are common words of the lists (weight 0.35), and the country alone does
    # not tell the two apart
    for other in ("IRAN", "THE ISLAMIC REPUBLIC OF IRAN"):
        match, _ = _cmp("ZORBAKS VELMONT BANK OF RUSSIA", f"ZORBAKS VELMONT BANK OF {other}")
        assert match, other


def test_a_one_sided_country_in_full_costs_one_of_its_words() -> None:
    long_ = compare(Record.of("ZORBAKS CENTRAL BANK OF THE SYRIAN ARAB REPUBLIC"),
                    Record.of("ZORBAKS CENTRAL BANK OF RUSSIA"))
    short = compare(Record.of("ZORBAKS CENTRAL BANK OF SYRIA"),
                    Record.of("ZORBAKS CENTRAL BANK OF RUSSIA"))
    assert long_.match == short.match
    assert long_.score == pytest.approx(short.score, abs=0.05)


def test_one_country_named_two_ways_is_no_difference() -> None:
    match, _ = _cmp("ZORBAKS CENTRAL BANK OF RUSSIA",
                        "ZORBAKS CENTRAL BANK OF THE RUSSIAN FEDERATION")
    assert match
