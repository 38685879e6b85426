"""The multilingual lexicon of company-name parts (``data/lexicon/names.tsv``) and the
transliteration variants (``resolve.variants``).

Properties over the packaged entries (an entry's English makes a name match its
translation, both ways); a malformed lexicon fails closed naming file, line and field; the
mined entries come only from the development part of ``benchmarks/real_pairs.py``; generic
words alone never make two different companies match.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringfence.exc import IngestError
from ringfence.resolve import Record, compare
from ringfence.resolve.gloss import dictionaries
from ringfence.resolve.lexicon import LexiconEntry, parse_lexicon
from ringfence.resolve.variants import parse_wade_giles, wade_giles

ROOT = Path(__file__).resolve().parents[2]


def _entries() -> tuple[LexiconEntry, ...]:
    text, location = dictionaries().lexicon("names.tsv")
    return parse_lexicon(text, location=location)


# A made-up brand in each script, so that the pair has a distinctive word and the
# lexicon word is what is tested. Han and kana words take a Latin brand (names written
# partly in Latin are ordinary: TCL科技), since Chinese names are written without spaces.
_BRAND = {"ru": ("Зорбакс", "Zorbaks"), "ru-Latn": ("Zorbaks", "Zorbaks"),
          "zh": ("Zorbaks", "Zorbaks"), "ja": ("Zorbaks", "Zorbaks"),
          "ko": ("삼호", "Samho"), "fa": ("روشان", "Roshan"),
          "ar": ("روشان", "Roshan"), "en": ("Zorbaks", "Zorbaks"),
          "und-Latn": ("Zorbaks", "Zorbaks")}  # fmt: skip


def _one_word(e: LexiconEntry) -> bool:
    return bool(re.fullmatch(r"[A-Za-z]+", e.english))


def test_the_packaged_lexicon_parses_and_every_entry_has_a_source() -> None:
    entries = _entries()
    assert len(entries) > 3000
    langs = {e.lang for e in entries}
    assert {"zh", "ja", "ko", "ru", "fa", "ar"} <= langs
    assert all(e.source for e in entries)


def test_every_one_word_entry_makes_a_name_match_its_translation_both_ways() -> None:
    """For every entry whose English is one word: brand + word matches brand + English,
    either way round. A lexicon line the analysis cannot use (split into two words,
    stripped as a legal form, looked up under another form) fails here."""
    bad = []
    for e in _entries():
        if not _one_word(e):
            continue
        native_brand, latin_brand = _BRAND[e.lang]
        a, b = Record.of(f"{native_brand} {e.word}"), Record.of(f"{latin_brand} {e.english}")
        if not (compare(a, b).match and compare(b, a).match):
            bad.append((e.line, e.word, e.english))
    assert not bad


_OTHER_BRAND = {"ru": "Квиллон", "ko": "대명", "fa": "پارسیان", "ar": "پارسیان"}


@settings(max_examples=120, deadline=None)
@given(st.data())
def test_a_shared_lexicon_word_alone_does_not_make_two_companies_match(
    data: st.DataObject,
) -> None:
    """Adversarial: the same generic part (a country, a city, bank, development ...) with
    two different distinctive words is two companies, whichever side is translated."""
    entry = data.draw(st.sampled_from([e for e in _entries() if _one_word(e)]))
    native_brand, _ = _BRAND[entry.lang]
    other = _OTHER_BRAND.get(entry.lang, "Quillon")
    a = Record.of(f"{native_brand} {entry.word}")
    for b in (Record.of(f"Quillon {entry.english}"), Record.of(f"{other} {entry.word}")):
        assert not compare(a, b).match, (entry, b)
        assert not compare(b, a).match, (entry, b)


_HEADER = "lang\tword\tenglish\tsource\n"


@pytest.mark.parametrize(
    ("body", "line", "field"),
    [
        ("ru\tбанк\tbank\n", 3, None),  # three fields
        ("ru\tбанк\t\tCLDR\n", 3, "english"),
        ("xx\tбанк\tbank\tCLDR\n", 3, "lang"),
        ("ru\t\tbank\tCLDR\n", 3, "word"),
        ("ru\tбанк\tбанк\tCLDR\n", 3, "english"),  # not English
    ],
)
def test_a_malformed_line_fails_naming_file_line_and_field(
    body: str, line: int, field: str | None
) -> None:
    text = "# comment\n" + _HEADER + body
    with pytest.raises(IngestError) as err:
        parse_lexicon(text, location="lexicon/names.tsv")
    problem = err.value.problems[0]
    assert (problem.location, problem.line, problem.field) == ("lexicon/names.tsv", line, field)
    assert "lexicon/names.tsv:3" in str(err.value)


def test_a_lexicon_without_its_header_fails() -> None:
    with pytest.raises(IngestError, match="header"):
        parse_lexicon("ru\tбанк\tbank\tCLDR\n", location="x.tsv")


def test_a_malformed_wade_giles_line_fails_naming_the_line() -> None:
    with pytest.raises(IngestError) as err:
        parse_wade_giles("pinyin\twade_giles\tsource\nbei\tpei\n", location="wg.tsv")
    assert err.value.problems[0].line == 2


def test_mined_entries_come_only_from_the_development_part() -> None:
    spec = importlib.util.spec_from_file_location(
        "real_pairs", ROOT / "benchmarks" / "real_pairs.py")
    assert spec and spec.loader
    real_pairs = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("real_pairs", real_pairs)  # its dataclasses look themselves up
    spec.loader.exec_module(real_pairs)
    ids = [m.group(0) for e in _entries()
           for m in [re.search(r"\b(?:ofac|un|gleif):\S+", e.source)] if m]
    assert ids  # the mined part exists
    assert all(real_pairs.part_of(i) == "dev" for i in ids), ids


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("中国石油", "中国银行"),
        ("中国石油", "Bank of China"),
        ("ЦЕНТРАЛЬНЫЙ БАНК РОССИИ", "CENTRAL OIL COMPANY OF RUSSIA"),
        ("Государственная корпорация развития", "State Energy Corporation"),
        ("Российская нефтяная компания", "Russian Electronics Company"),
        ("شركة الصين للنفط", "Iran Oil Company"),
        ("ロシア銀行", "Bank of Japan"),
    ],
)
def test_generic_lexicon_words_alone_do_not_make_a_match(a: str, b: str) -> None:
    assert not compare(Record.of(a), Record.of(b)).match
    assert not compare(Record.of(b), Record.of(a)).match


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ЦЕНТРАЛЬНЫЙ БАНК РОССИЙСКОЙ ФЕДЕРАЦИИ", "CENTRAL BANK OF THE RUSSIAN FEDERATION"),
        ("Зорбакс Шанхай", "Zorbaks Shanghai"),
        ("Зорбакс развития", "Zorbaks Development"),  # rigour's symbol table
        ("ZORBAKS FINANSOVAYA", "ZORBAKS FINANCIAL"),  # romanised Russian
        # Mueller's English-Russian dictionary, romanised words with their endings
        ("90 EKSPERIMENTALNY ZAVOD OAO", "90 EXPERIMENTAL PLANT OPEN JOINT STOCK COMPANY"),
        ("ZAO NOVYE FINANSOVYE TEKHNOLOGII", "NEW FINANCIAL TECHNOLOGIES OOO"),
        ("PS ZORBAKS.DENGI OOO", "OOO PS ZORBAKS.MONEY"),
        ("AO ZORBAKS-OKHRANA", "JSC ZORBAKS-GUARD"),
        ("ЗОРБАКС СТРАХОВАНИЕ", "ZORBAKS INSURANCE"),
        ("Zorbaks ロシア", "Zorbaks Russia"),
        # a country's short and official names (CLDR, pycountry's ISO 3166-1)
        ("CENTRAL BANK OF RUSSIA", "CENTRAL BANK OF THE RUSSIAN FEDERATION"),
        ("ZORBAKS BANK OF SYRIA", "ZORBAKS BANK OF THE SYRIAN ARAB REPUBLIC"),
        ("ZORBAKS GROUPE", "ZORBAKS GROUP"),  # rigour's symbol table, a dev-part word
        ("CHOSUN ZORBAKS", "KOREA ZORBAKS"),  # 조선 romanised, through the Korean lexicon
        ("ZORBAKS SINYONG BANK", "ZORBAKS CREDIT BANK"),  # 신용
        ("トヨタ", "Toyota"),
    ],
)
def test_lexicon_translations_match(a: str, b: str) -> None:
    assert compare(Record.of(a), Record.of(b)).match


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("北京银行", "Pei-ching Bank"),  # Wade–Giles
        ("招商银行", "Chao-shang Bank"),
        ("长江", "Ch'ang-chiang"),
        ("华为", "Hua2wei2"),  # pinyin with tone numbers
        ("北京银行", "Běijīng Bank"),  # with tone marks
        ("Жуковский", "Žukovskij"),  # ISO 9
        ("Нижний", "Nižnij"),
        ("القاعدة", "AL-QAIDA"),  # the Arabic article written as a word of its own
        ("البرز", "Alborz"),  # ... or glued
        ("توسعه صادرات", "Tose-e Saderat"),  # final he as a vowel
    ],
)
def test_transliteration_variants_match(a: str, b: str) -> None:
    assert compare(Record.of(a), Record.of(b)).match


@pytest.mark.parametrize(
    ("a", "b"),
    [("القاعدة", "AL-QALAM"), ("ملت", "Omlat"), ("北京银行", "Pei-king Bank Shipping")],
)
def test_transliteration_variants_do_not_overreach(a: str, b: str) -> None:
    assert not compare(Record.of(a), Record.of(b)).match


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # the translation matches, the distinctive word does not
        ("90 EKSPERIMENTALNY ZAVOD OAO", "91 EXPERIMENTAL PLANT OPEN JOINT STOCK COMPANY"),
        ("ZAO NOVYE FINANSOVYE TEKHNOLOGII", "NEW MEDICAL TECHNOLOGIES OOO"),
        ("AO ZORBAKS-OKHRANA", "JSC QUILLON-GUARD"),
        ("ZORBAKS PLANT", "ZORBAKS PROJECT"),  # plant is not план (project) + t
        ("CENTRAL BANK OF RUSSIA", "CENTRAL BANK OF THE SYRIAN ARAB REPUBLIC"),
        ("ZORBAKS GROUPE", "QUILLON GROUP"),
        ("CHOSUN ZORBAKS", "JAPAN ZORBAKS"),
    ],
)
def test_romanised_russian_glosses_do_not_overreach(a: str, b: str) -> None:
    assert not compare(Record.of(a), Record.of(b)).match
    assert not compare(Record.of(b), Record.of(a)).match


def test_a_romanised_stem_takes_only_a_russian_ending() -> None:
    from ringfence.resolve.gloss import ru_latin_gloss

    assert ru_latin_gloss("plan") and ru_latin_gloss("plana")  # план, плана
    assert not ru_latin_gloss("plant")  # t is no Russian ending
    assert not ru_latin_gloss("generali")  # генерал is spelt general: not in the lexicon


@pytest.mark.parametrize(
    ("word", "stem"),
    [("strakhovaya", "strahov"), ("novye", "nov"), ("poluprovodnikovykh", "poluprovodnikov"),
     ("zavod", "zavod"), ("zavoda", "zavod"), ("gosudarstvennoye", "gosudarstven")],
)
def test_romanised_endings_are_russian_inflections(word: str, stem: str) -> None:
    from ringfence.resolve.gloss import ru_latin_endings
    from ringfence.resolve.text import loose

    key = loose(word)
    assert key.startswith(stem) and key[len(stem):] in ru_latin_endings()


def test_mueller_articles_give_noun_and_adjective_senses_only() -> None:
    spec = importlib.util.spec_from_file_location(
        "build_lexicon_for_test", ROOT / "benchmarks" / "build_lexicon.py")
    assert spec and spec.loader
    from ringfence.resolve.gloss import use_dictionaries

    before = dictionaries()  # the builder hands in its own (without names.tsv) on import
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        build = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(build)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
        use_dictionaries(before)
    article = (
        "plant\n   [plɑ:nt]\n   1. _n.\n      1) растение; саженец; in plant растущий\n"
        "      2) _жарг. сыщик\n   2. _v.\n      1) сажать (растения); засаживать\n"
        "   _II [plɑ:nt] _n.\n      1) завод, фабрика; plant and equipment основной\n"
        "      капитал\n      3) _attr. заводской\n")
    got = build.mueller_translations(article)
    assert [(s, w) for s, w, _a in got] == [
        (1, "растение"), (1, "саженец"), (1, "завод"), (1, "фабрика"), (3, "заводской")]
    assert got[-1][2]  # attributive


def test_wade_giles_comes_from_the_packaged_table() -> None:
    assert wade_giles("北京") == "pei-ching"
    assert wade_giles("清华") == "ch'ing-hua"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # an adjective read through the noun it is made of, romanised or not
        ("ZORBAKS ZAVOD POLUPROVODNIKOVYKH PRIBOROV", "ZORBAKS FACTORY OF SEMICONDUCTOR DEVICES"),
        ("ЗОРБАКС ЗАВОД ПОЛУПРОВОДНИКОВЫХ ПРИБОРОВ", "ZORBAKS FACTORY OF SEMICONDUCTOR DEVICES"),
        ("ZORBAKS UPRAVLENIE AKTIVAMI", "ZORBAKS ASSET MANAGEMENT"),
        ("OBYEDINENNAYA ZORBAKS", "UNITED ZORBAKS"),  # е after ъ as ye (BGN) ...
        ("OBEDINENNAYA ZORBAKS", "UNITED ZORBAKS"),  # ... and as e
        ("ZORBAKS SUDOSTROENIE", "ZORBAKS SHIPBUILDING"),  # a Mueller headword rigour tags
    ],
)
def test_russian_initials_and_derived_words_match(a: str, b: str) -> None:
    assert compare(Record.of(a), Record.of(b)).match
    assert compare(Record.of(b), Record.of(a)).match


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("AKB ZORBAKSBANK OAO", "PAO QUILLONBANK"),
        ("ZORBAKS ZAVOD POLUPROVODNIKOVYKH PRIBOROV", "ZORBAKS FACTORY OF MEDICAL DEVICES"),
        ("ZORBAKS UPRAVLENIE AKTIVAMI", "QUILLON ASSET MANAGEMENT"),
        ("OBYEDINENNAYA ZORBAKS", "UNITED QUILLON"),
        ("ZORBAKS SUDOSTROENIE", "ZORBAKS REINSURANCE"),
    ],
)
def test_russian_initials_and_derived_words_do_not_overreach(a: str, b: str) -> None:
    assert not compare(Record.of(a), Record.of(b)).match
    assert not compare(Record.of(b), Record.of(a)).match


def test_latin_initials_are_a_legal_form_only_as_rigour_lists_them_in_cyrillic() -> None:
    from ringfence.resolve.legal import russian_initials_form

    assert russian_initials_form("akb") and russian_initials_form("fgup")
    assert not russian_initials_form("pat")  # ПАТ is listed; pat is too often a word
    assert not russian_initials_form("xyz") and not russian_initials_form("bank")
