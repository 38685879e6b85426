"""Names as a reader sees them (``resolve.shown``), and names spelt letter by letter
(``shown.join_spelt_letters``): the stored characters of an applicant's name may say
something else than what a reviewer, or a contract, shows. Company words are made up
(Velmont, Zorbaks) unless the test is about a real bundled entity."""

from __future__ import annotations

import pytest

from ringfence.resolve import Record, compare
from ringfence.resolve.normalise import clean_name
from ringfence.resolve.shown import (
    display_order,
    join_spelt_letters,
    latin_letter_forms,
    reading_order,
)

RLO, LRO, PDF = "\u202e", "\u202d", "\u202c"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (RLO + "tnomleV" + PDF + " Trading", "Velmont Trading"),
        ("Zorbaks " + RLO + "tnomleV", "Zorbaks Velmont"),  # no PDF: to the end
        (RLO + "»скаброЗ« ОАП" + PDF, "ПАО «Зорбакс»"),
        (LRO + "تلم کناب" + PDF, "بانک ملت"),  # Arabic script forced left to right
        (RLO + "tnomleV\n" + "Zorbaks", "Velmont\nZorbaks"),  # a paragraph ends it
    ],
)
def test_an_override_is_read_in_the_order_it_is_shown(stored: str, shown: str) -> None:
    assert display_order(stored) == shown


@pytest.mark.parametrize(
    "text",
    [
        "Velmont Trading",
        RLO + "بانک ملت" + PDF,  # right-to-left letters under RLO: shown as usual
        LRO + "Velmont" + PDF,
        RLO + "\u202a" + "Velmont" + PDF + PDF,  # an embedding inside resets the direction
    ],
)
def test_no_override_that_changes_the_order_gives_no_reading(text: str) -> None:
    assert display_order(text) == ""


def test_the_reading_with_the_legal_form_leads_and_the_other_is_kept() -> None:
    assert reading_order("dtL tnomleV", "Velmont Ltd") == ("Velmont Ltd", "dtL tnomleV")
    assert reading_order("Velmont Ltd", "dtL tnomleV") == ("Velmont Ltd", "dtL tnomleV")
    backwards = clean_name(RLO + ".dtL tnomleV" + PDF)
    assert backwards.text == "Velmont Ltd."
    assert backwards.alternative == ".dtL tnomleV"
    assert backwards.disguised
    wrapped = clean_name(RLO + "Velmont Ltd." + PDF)  # shown backwards, stored right
    assert wrapped.text == "Velmont Ltd."


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (RLO + ".dtL tnomleV sknabroZ" + PDF, "Zorbaks Velmont Ltd."),
        (RLO + "tnomleV sknabroZ" + PDF, "Zorbaks Velmont"),
        (RLO + "Zorbaks Velmont" + PDF, "Zorbaks Velmont"),
    ],
)
def test_either_order_matches(a: str, b: str) -> None:
    assert compare(Record.of(a), Record.of(b)).match


def test_small_capitals_are_read_as_letters_and_recorded() -> None:
    text, changed = latin_letter_forms("\u1d20\u1d07\u029f\u1d0d\u1d0f\u0274\u1d1b Trading")
    assert text == "VELMONT Trading"
    assert changed == [("\u1d20\u1d07\u029f\u1d0d\u1d0f\u0274\u1d1b", "VELMONT")]
    cleaned = clean_name("\u1d20\u1d07\u029f\u1d0d\u1d0f\u0274\u1d1b Trading")
    assert cleaned.text == "VELMONT Trading" and "confusable" in cleaned.changes


def test_turkish_dotless_i_is_a_letter_not_a_disguise() -> None:
    cleaned = clean_name("Velmont Danışmanlık Ticaret A.Ş.")
    assert not cleaned.disguised
    assert "ı" in cleaned.text


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("V e l m o n t Trading", "Velmont Trading"),
        ("V.E.L.M.O.N.T Trading", "VELMONT Trading"),
        ("V. E. L. M. O. N. T. Trading", "VELMONT Trading"),
        ("U.S.A. Velmont", "USA Velmont"),
        ("Velmont S.r.l. Shipping", "Velmont S.r.l. Shipping"),  # a legal form stays
        ("J. P. Velmont", "J. P. Velmont"),  # two letters: initials, left alone
        ("ZORBAKS LLC (F.K.A. VELMONT)", "ZORBAKS LLC (F.K.A. VELMONT)"),
        ("Velmont A B", "Velmont A B"),
    ],
)
def test_letters_written_one_by_one_are_one_word(text: str, read: str) -> None:
    assert join_spelt_letters(text) == read


def test_a_spelt_out_name_matches_and_an_ordinary_one_is_unchanged() -> None:
    assert compare(Record.of("Z o r b a k s Velmont GmbH"), Record.of("Zorbaks Velmont GmbH")).match
    assert not compare(Record.of("Velmont S.r.l. Shipping"), Record.of("Velmont S.r.l.")).match


def test_look_alike_letters_spelt_one_by_one_are_joined_then_folded() -> None:
    # Cyrillic В, у, е among Latin letters, each a word of its own
    cleaned = clean_name("\u0412 \u0443 l m \u043e n t Trading")
    assert "Bylmont Trading" in cleaned.readings  # a further reading (see below)
    assert "confusable" in cleaned.changes


# Review (scr-review1): what matched before the shown order and the joined letters came in
# must still match. A bidi override around a name that needs its other-script reading
# (a whole word of Cyrillic look-alikes) kept only the shown order as the second reading,
# and letters joined as the only reading turned legal forms and abbreviations the name
# ends with (S.A.C., T.O.O., U.S.A., "S.A. J.S.C.") into words of the company.


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (RLO + "\u0410l\u0456b\u0430b\u0430" + PDF, "Alibaba"),  # АІіЬаЬа wrapped, stored right
        (RLO + "\u0430b\u0430b\u0456l\u0410" + PDF, "Alibaba"),  # ... stored backwards
        (RLO + "\u0405h\u0435ll \u0440l\u0441" + PDF, "Shell plc"),
    ],
)
def test_an_override_keeps_the_other_script_reading(a: str, b: str) -> None:
    assert compare(Record.of(a), Record.of(b)).match


@pytest.mark.parametrize(
    "declared",
    [
        "Velmont S.A.C.",
        "Velmont T.O.O.",
        "Velmont S.L.U.",
        "Velmont T.A.\u015e.",
        "Velmont U.S.A.",
        "Velmont S.A. J.S.C.",
        "Velmont S.A.P.I. de C.V.",
        "Velmont S.D.N. B.H.D.",
    ],
)
def test_dotted_letters_after_a_name_still_match_it(declared: str) -> None:
    assert compare(Record.of(declared), Record.of("Velmont")).match


def test_letters_joined_are_a_further_reading() -> None:
    assert "VELMONT Trading" in clean_name("V.E.L.M.O.N.T Trading").readings
    cleaned = clean_name("\u0412 \u0443 l m \u043e n t Trading")
    assert "Bylmont Trading" in cleaned.readings


@pytest.mark.parametrize("text", [RLO + "tnomleV\ud800" + PDF, RLO + "ab \ud800 cd" + PDF])
def test_a_lone_surrogate_in_an_override_does_not_crash(text: str) -> None:
    # JSON may carry one ("\\ud800"); the legal-form count of the two orders met it whole
    assert clean_name(text).text
    compare(Record.of(text), Record.of("Velmont"))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (RLO + "KBT-RUS" + PDF, "KVT-RUS"),  # shown SUR-TBK: Tbk, a legal form, leads
        (RLO + "\u041e\u041e\u041e \u00ab\u0417\u043e\u0440\u0431\u0430\u043a\u0441\u00bb dtL"
         + PDF, "\u0417\u043e\u0440\u0431\u0430\u043a\u0441"),  # ООО «Зорбакс»: quoted core
    ],
)
def test_the_second_order_is_read_as_fully_as_the_first(a: str, b: str) -> None:
    # the order with fewer legal-form words is the second reading; its split words
    # joined (respelt) and its quoted core are read as the first order's are
    assert compare(Record.of(a), Record.of(b)).match


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (RLO + "tnomleV \u0628" + PDF, "\u0628 Velmont"),  # one Arabic letter in the run
        (LRO + "\u062a\u0644\u0645 x" + PDF, "\u0645\u0644\u062a x"),  # one Latin letter
    ],
)
def test_a_letter_of_the_other_direction_does_not_stop_the_reversal(stored: str,
                                                                     shown: str) -> None:
    # under an override every letter is laid out in its direction: the Latin letters of
    # an RLO run are read reversed, its Arabic ones (read right to left) as stored
    assert display_order(stored) == shown
    if stored.startswith(RLO):
        assert compare(Record.of(stored), Record.of("Velmont")).match


def test_a_lone_surrogate_is_removed_with_the_invisible_characters() -> None:
    # a56cfe7 crashed here too (respell asked rigour about "ıfias\ud800")
    text = "\u0131\ufb01\u0430S\ud800 S.A.B \u202d.A"
    assert "\ud800" not in clean_name(text).text
    compare(Record.of(text), Record.of("Velmont"))
