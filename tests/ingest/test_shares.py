"""Share semantics of each format, exactly."""

from __future__ import annotations

import pytest

from ringfence.ingest.ids import classify_identifier, country_code, is_lei
from ringfence.ingest.shares import ShareError, bods_share, psc_band, text_share
from ringfence.model import SCALE, Share

P = SCALE // 100


def test_bods_04_bounds() -> None:
    assert bods_share({"exact": 60}, version="0.4") == Share.exact(60 * P)
    assert bods_share({"minimum": 25, "maximum": 50}, version="0.4") == Share(25 * P, 50 * P)
    assert bods_share({"exclusiveMinimum": 50, "maximum": 75}, version="0.4") == Share(
        50 * P, 75 * P, lo_open=True)
    assert bods_share({"minimum": 75, "exclusiveMaximum": 100}, version="0.4") == Share(
        75 * P, SCALE, hi_open=True)
    assert bods_share({"minimum": "", "maximum": ""}, version="0.4") is None
    with pytest.raises(ShareError):
        bods_share({"exact": 101}, version="0.4")
    with pytest.raises(ShareError):
        bods_share({"minimum": 60, "maximum": 40}, version="0.4")


def test_bods_03_defaults() -> None:
    # exclusiveMinimum defaults false, exclusiveMaximum defaults TRUE
    assert bods_share({"minimum": 25, "maximum": 50}, version="0.3") == Share(
        25 * P, 50 * P, hi_open=True)
    assert bods_share({"minimum": 25, "maximum": 50, "exclusiveMinimum": True,
                       "exclusiveMaximum": False}, version="0.3") == Share(
        25 * P, 50 * P, lo_open=True)
    assert bods_share({"minimum": 50, "maximum": 50}, version="0.3") == Share.exact(50 * P)
    # a boolean flag in a 0.4 file is read the 0.3 way
    assert bods_share({"minimum": 25, "maximum": 50, "exclusiveMaximum": False},
                      version="0.4") == Share(25 * P, 50 * P)


def test_psc_bands() -> None:
    d = "['ownership-of-shares-25-to-50-percent', 'voting-rights-50-to-75-percent']"
    assert psc_band(d, "ownership-of-shares") == Share(25 * P, 50 * P, lo_open=True)
    assert psc_band(d, "voting-rights") == Share(50 * P, 75 * P, lo_open=True)
    assert psc_band("ownership-of-shares-75-to-100-percent-as-trust",
                    "ownership-of-shares") == Share(75 * P, SCALE)


def test_text_share() -> None:
    assert text_share("51") == Share.exact(51 * P)
    assert text_share("33.5 %") == Share.exact(335 * P // 10)
    assert text_share("25–50%") == Share(25 * P, 50 * P, lo_open=True)
    assert text_share("more than 50%") == Share(50 * P, SCALE, lo_open=True)
    assert text_share("<25") == Share(0, 25 * P, hi_open=True)
    for bad in ("lots", "150", "-5"):
        with pytest.raises(ShareError):
            text_share(bad)


def test_identifiers_and_countries() -> None:
    assert is_lei("2138008KTNTDICZU8L25") and not is_lei("2138008KTNTDICZU8L26")
    assert classify_identifier("XI-LEI", "2138008KTNTDICZU8L25") == (
        "lei", "2138008KTNTDICZU8L25")
    assert classify_identifier("RA000092", "91330783717672584H", "CN") == (
        "cn_uscc", "91330783717672584H")
    assert classify_identifier("RA000xxx", "1027700132195", "RU") == ("ru_ogrn",
                                                                     "1027700132195")
    assert classify_identifier("GB-COH", "4152338") == ("gb_crn", "04152338")
    assert classify_identifier("RA000585", "HRB 123", "DE") == ("reg_de", "HRB 123")
    assert classify_identifier("XI-LEI", "2138008KTNTDICZU8L26")[0] == "lei_invalid"
    assert country_code("Islamic Republic Of Iran") == "IR"
    assert country_code({"name": "Hong Kong", "code": "HK"}) == "HK"
    assert country_code("US-DE") == "US"
    assert country_code("Narnia") is None
    assert country_code("") == ""
