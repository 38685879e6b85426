"""List-style alias forms through ``compare``: words a list adds after the name with
"of" or "in" (whose, where), descriptive words written before the name (a kind of
institution), and a word romanised back from Russian that differs from its English
spelling only in vowels, z for s or j for g. Subsidiaries named by a word after the
parent's name stay apart, as before, and so does a shared part of only common words."""

from __future__ import annotations

import pytest

from ringfence.resolve import Record, compare


def _match(a: str, b: str) -> bool:
    return compare(Record.of(a), Record.of(b)).match


@pytest.mark.parametrize(("a", "b"), [
    ("Strategic Rocket Force", "STRATEGIC ROCKET FORCE OF THE KOREAN PEOPLE’S ARMY"),
    ("Islamic Jihad Group of Uzbekistan", "ISLAMIC JIHAD GROUP"),
    ("Zorbaks Trading", "ZORBAKS TRADING IN THE PHILIPPINES"),
    ("AGROSOYUZ LLC", "COMMERCIAL BANK AGROSOYUZ"),  # a kind of institution written first
])
def test_words_after_of_or_in_are_the_lists_addition(a: str, b: str) -> None:
    assert _match(a, b) and _match(b, a)


@pytest.mark.parametrize(("a", "b"), [
    ("DCB", "DCB FINANCE LIMITED"),
    ("GAZPROM", "GAZPROM GERMANIA"),
    ("CHINA MOBILE LTD", "CHINA MOBILE COMMUNICATIONS GROUP"),
    ("Zorbaks", "ZORBAKS SHIPPING OF SHANGHAI"),  # a word before the "of"
    ("Zorbaks Kimia", "ZORBAKS KIMIA TRADING OF DUBAI"),
    ("BANK OF CHINA", "AGRICULTURAL BANK OF CHINA"),  # nothing of its own is shared
])
def test_subsidiaries_stay_apart(a: str, b: str) -> None:
    assert not _match(a, b) and not _match(b, a)


@pytest.mark.parametrize(("a", "b"), [
    ("OAO VEB LIZING", "VEB LEASING OJSC"),
    ("TRANSNEFT SIBIRIA, JSC", "TRANSNEFT-SIBIR, AO"),
    ("OOO LADOGA MANAGEMENT", "LADOGA MENEDZHMENT, OOO"),
])
def test_romanised_loanwords(a: str, b: str) -> None:
    got = compare(Record.of(a), Record.of(b))
    assert got.match
    assert "token:skeleton" in {f.feature for f in got.explanation}


@pytest.mark.parametrize(("a", "b"), [
    ("VEB SIBOR", "VEB SABIRA"),  # three consonants, neither word starts the other
    ("VEB LIZING", "VEB LANGUAGE"),  # the consonants differ
])
def test_vowel_changes_alone_do_not_make_short_words_alike(a: str, b: str) -> None:
    assert not _match(a, b)
