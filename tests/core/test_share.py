"""Exact shares: parsing the CSV contract's share columns."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ringfence.model import SCALE, Share, parse_fraction, parse_share


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0.6", Fraction(3, 5)), ("60%", Fraction(3, 5)), ("1", Fraction(1)), ("0", Fraction(0)),
     ("33.3333333%", Fraction(333333333, 10**9)), ("1/4", Fraction(1, 4)),
     (" 0.5 ", Fraction(1, 2))],
)
def test_parse_fraction_reads_fractions_and_percents(text: str, expected: Fraction) -> None:
    assert Fraction(parse_fraction(text), SCALE) == expected


@pytest.mark.parametrize("text", ["", "abc", "0.1234567891", "1/3", "%"])
def test_parse_fraction_refuses_what_it_cannot_hold_exactly(text: str) -> None:
    with pytest.raises(ValueError):
        parse_fraction(text)


def test_sums_meet_thresholds_exactly() -> None:
    # The float sum 0.1 + 0.2 is 0.30000000000000004; held in parts per billion it is exact.
    assert parse_fraction("0.1") + parse_fraction("0.2") == parse_fraction("0.3")
    assert parse_fraction("0.3") + parse_fraction("0.2") == parse_fraction("0.5")


def test_range_ends_are_inclusive_unless_marked() -> None:
    majority = parse_share("", ">0.5", "1")
    assert (majority.lo, majority.hi) == (SCALE // 2, SCALE)
    assert majority.lo_open and not majority.hi_open
    band = parse_share("", "25%", "<50%")
    assert band.hi_open and not band.lo_open
    assert parse_share("0.6", "", "").is_exact


@pytest.mark.parametrize(
    ("share", "smin", "smax", "reason"),
    [("0.5", "0.4", "", "either share"), ("", "", "", "no share"),
     ("", "<0.2", "", "cannot be an upper"), ("", "", ">0.2", "cannot be a lower"),
     (">0.5", "", "", "exclusive bound")],
)
def test_bad_share_columns_say_why(share: str, smin: str, smax: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_share(share, smin, smax)


@pytest.mark.parametrize(
    ("share", "reason"),
    [(Share(0, SCALE + 1), "above 1"), (Share(-1, 5), "below 0"), (Share(6, 5), "greater"),
     (Share(5, 5, lo_open=True), "empty range")],
)
def test_validate_names_the_impossible(share: Share, reason: str) -> None:
    assert reason in (share.validate() or "")


@given(st.integers(0, SCALE), st.integers(0, SCALE))
def test_parsed_ranges_round_trip(a: int, b: int) -> None:
    lo, hi = min(a, b), max(a, b)
    s = parse_share("", f"{Fraction(lo, SCALE).numerator}/{Fraction(lo, SCALE).denominator}",
                    f"{Fraction(hi, SCALE).numerator}/{Fraction(hi, SCALE).denominator}")
    assert (s.lo, s.hi) == (lo, hi)
    assert s.validate() is None
