"""Acronyms and shortened compounds of list aliases (resolve/acronyms.py), through
``compare``: a word of capitals for a run of words (stopwords skipped, words repeated in
the name kept in their place), the syllables of a compound ending in a descriptive word,
a compound of word starts, and a legal form written as its initials on one side and in
full on the other. Each shape is also shown refusing a name it does not fit."""

from __future__ import annotations

import pytest

from ringfence.resolve import Record, compare


def _match(a: str, b: str) -> bool:
    return compare(Record.of(a), Record.of(b)).match


@pytest.mark.parametrize(("a", "b", "feature"), [
    ("FSUE SRPE BAZALT",
     "FEDERAL STATE UNITARY ENTERPRISE STATE RESEARCH AND PRODUCTION ENTERPRISE BAZALT",
     "token:acronym"),
    ("VO STANKOIMPORT, OAO",
     "OTKRYTOE AKTSIONERNOE OBSHCHESTVO VNESHNEEKONOMICHESKOE OBEDINENIE STANKOIMPORT",
     "token:acronym"),
    ("ZAO SNGB", "JOINT STOCK COMPANY SURGUTNEFTEGASBANK", "token:acronym"),
    ("AKB MOSOBLBANK OAO",
     "AKTSIONERNY KOMMERCHESKI BANK MOSKOVSKI OBLASTNOI BANK OTKRYTOE AKTSIONERNOE OBSHCHESTVO",
     "token:compound"),
    ("INRESBANK OOO", "INVESTITSIONNY RESPUBLIKANSKI BANK", "token:compound"),
    ("NPO OPTIKA, AO", "AKTSIONERNOE OBSHCHESTVO NAUCHNO-PROIZVODSTVENNOE OBEDINENIE OPTIKA",
     "legal_form_initials"),
])
def test_shortened_forms_match(a: str, b: str, feature: str) -> None:
    for x, y in ((a, b), (b, a)):
        got = compare(Record.of(x), Record.of(y))
        assert got.match, (x, y, got.as_dict())
        assert feature in {f.feature for f in got.explanation}


@pytest.mark.parametrize(("a", "b"), [
    ("ZAO SNGB", "JOINT STOCK COMPANY SURGUTNEFTEGAS"),  # no descriptive word for the B
    ("GPB", "GAZPROMNEFT"),  # the compound ends in neft, not in a word the B starts
    ("MOSOBLBANK", "MOSKOVSKI KREDITNY BANK"),  # obl is not the start of kreditny
    ("NPO OPTIKA", "NAUCHNO PROIZVODSTVENNOE OBEDINENIE LAZER"),  # the name itself differs
    ("FSUE BAZALT", "FEDERAL STATE UNITARY ENTERPRISE GRANIT"),
    ("VO STANKOIMPORT", "VOLGA OIL STANKOIMPORT TRADING"),  # two letters need long words
    ("SRPE BAZALT", "STATE RESEARCH ENTERPRISE BAZALT"),  # SRE, not SRPE
])
def test_shapes_that_do_not_fit_stay_apart(a: str, b: str) -> None:
    assert not _match(a, b)
    assert not _match(b, a)
