"""Russian compound words and initialisms (resolve/rucompound.py, data
``data/lexicon/ru_parts.tsv``), through ``compare``: a compound split into clipped parts
against the words it stands for (translated, romanised or itself a compound), an
initialism against its words, and the shapes that must stay apart (a part in excess on
either side, a different part, the same initialism before another name). The brand
names are made up (Zorbaks, Velmont) so that the parts are what is tested; the data's
rows are checked against the words they stand for.
"""

from __future__ import annotations

import pytest

from ringfence.exc import IngestError
from ringfence.resolve import Record, compare
from ringfence.resolve.gloss import dictionaries
from ringfence.resolve.rucompound import split_compound
from ringfence.resolve.ruparts import parse_parts


def _features(a: str, b: str) -> tuple[bool, set[str]]:
    got = compare(Record.of(a), Record.of(b))
    return got.match, {f.feature for f in got.explanation}


@pytest.mark.parametrize(("a", "b", "feature"), [
    ("ROSAGROLIZING", "RUSSIAN AGRICULTURAL LEASING", "token:clipped"),
    ("SEVMASHZAVOD", "NORTHERN MACHINE BUILDING PLANT", "token:clipped"),
    ("VNESHTORGBANK", "BANK FOR FOREIGN TRADE", "token:clipped"),
    ("ZORBAKSNEFTEGAZ OOO", "ZORBAKS OIL AND GAS LLC", "token:clipped"),
    ("РОСЭНЕРГОБАНК", "RUSSIAN ENERGY BANK", "token:clipped"),
    ("АО РОСТЕХМАШ", "RUSSIAN MACHINE ENGINEERING TECHNOLOGIES JSC", "token:clipped"),
    ("ZORBAKSMASHPLANT", "ZORBAKSMASHZAVOD OAO", "token:clipped"),  # both compounds
    ("VELMONT SPETSSTAL", "VELMONT SPECIAL STEELS", "token:clipped"),
    ("NII ZORBAKS", "ZORBAKS SCIENTIFIC RESEARCH INSTITUTE", "token:initialism"),
    ("ЦКБ ЗОРБАКС", "ZORBAKS CENTRAL DESIGN BUREAU", "token:initialism"),
    ("TSKB ZORBAKS", "TSENTRALNOE KONSTRUKTORSKOE BYURO ZORBAKS", "token:initialism"),
    ("SK VELMONT", "VELMONT INSURANCE COMPANY", "token:initialism"),
    ("MZ VELMONT", "VELMONT MACHINE BUILDING PLANT", "token:initialism"),
    ("NPK VELMONT", "SPC VELMONT", "token:initialism"),
    ("ZORBAKS KONSALTING SNG", "ZORBAKS CONSULTING CIS", "token:initialism"),
    ("VELMONT INSURANCE IC", "INSURANCE COMPANY VELMONT INSURANCE", "token:initialism"),
    ("VELMONTBANK JCSB", "JOINT STOCK COMMERCIAL BANK VELMONTBANK", "legal_form_initials"),
    ("FGUP ZORBAKS", "FEDERAL STATE UNITARY ENTERPRISE ZORBAKS", "legal_form_initials"),
    ("ФГУП ЦКБ ЗОРБАКС", "FSUE CENTRAL DESIGN BUREAU ZORBAKS", "legal_form_initials"),
    ("ПАО Зорбакссельхозбанк", "Zorbaks Agricultural Bank PJSC", "token:clipped"),
    ("ZORBAKSNEFT", "ZORBAKSNEFT OIL COMPANY", "token_repeated"),  # the part said again
    ("KALINOVO ZORBAKS PLANT", "KALINOVSKI ZORBAKS ZAVOD", "token:stem"),  # a place's adjective
])
def test_compounds_and_initialisms_match_their_words(a: str, b: str, feature: str) -> None:
    for x, y in ((a, b), (b, a)):
        match, features = _features(x, y)
        assert match, (x, y)
        assert feature in features, (x, y, features)


def test_an_unpaired_initialism_weighs_like_a_generic_word() -> None:
    """A kind of organisation the other side leaves out (OKB ZORBAKS ~ ZORBAKS) costs
    coverage only; another name after it still differs."""
    assert _features("OKB ZORBAKS", "ZORBAKS")[0]
    assert _features("VELMONT NII", "VELMONT")[0]
    assert not _features("OKB ZORBAKS", "OKB VELMONT")[0]
    assert not _features("NII ZORBAKS", "ZORBAKS DESIGN BUREAU")[0]


@pytest.mark.parametrize(("a", "b"), [
    ("GAZPROM", "GAZPROMBANK"),  # bank in excess
    ("ROSNEFT", "ROSNEFTEGAZ"),  # gaz in excess
    ("GAZPROM", "GAZPROM NEFT"),
    ("ZORBAKSNEFTEGAZ", "ZORBAKS OIL"),  # gas left over
    ("ZORBAKSNEFT", "ZORBAKS OIL AND GAS"),  # the other side's gas left over
    ("ROSAGROLIZING", "RUSSIAN AGRICULTURAL BANK"),  # a different part
    ("SEVMASHZAVOD", "NORTHERN SHIPBUILDING PLANT"),
    ("ZORBAKSMASHZAVOD", "ZORBAKSKHIMZAVOD"),  # machine building is not chemical
    ("VNESHTORGBANK", "FOREIGN TRADE"),  # the bank in excess
    ("ZORBAKSENERGO", "VELMONT ENERGY"),  # the free piece must be found too
    ("NPC ZORBAKS", "ZORBAKS SCIENTIFIC PRODUCTION CORPORATION"),  # NPC is not НПК's BGN
    ("ZORBAKSNEFT", "ZORBAKSNEFT GAS"),  # gas is no part of it
    ("ZORBAKSPROM", "ZORBAKSPROM OIL"),  # nor oil of an industrial compound
    ("MOSKVA ZORBAKS", "MOSKOVSKI VELMONT"),  # a place is not the name
    ("IC ZORBAKS", "ZORBAKS INVESTMENT"),  # IC is an insurance company here, not investment
])
def test_a_part_in_excess_or_another_part_keeps_names_apart(a: str, b: str) -> None:
    assert not _features(a, b)[0], (a, b)
    assert not _features(b, a)[0], (b, a)


def test_english_initials_are_initials_of_an_expansion() -> None:
    """SPC (НПК), CIS (СНГ), JCSB (АКБ) are read as the initialism; a one-word English
    alternative that is a word (bank for АБ, group for ГК) is not."""
    from ringfence.resolve.ruparts import english_initials

    got = english_initials()
    assert {"spc", "cis", "jcsb", "sme", "ic"} <= set(got)
    assert not {"bank", "group", "russia", "hydro"} & set(got)


def test_a_compound_splits_on_known_parts_with_a_free_piece_at_either_end() -> None:
    pieces = [[p for p, _ in s] for s in split_compound("uralmashzavod")]
    assert ["ural", "mash", "zavod"] in pieces
    assert [p for p, _ in split_compound("rosselkhozbank")[0]] == ["ros", "selkhoz", "bank"]
    assert split_compound("velmont") == ()  # no known part
    assert split_compound("bank") == ()  # one piece is no compound


def test_every_row_stands_for_its_words() -> None:
    """A clip starts like the first word it stands for (рос ~ российский, эксим ~
    экспортно-импортный); an initialism is the initials of its words, hyphenated words
    counted as their parts (НИИ ~ научно-исследовательский институт)."""
    text, _ = dictionaries().lexicon("ru_parts.tsv")
    rows = [ln.split("\t") for ln in text.splitlines() if ln and not ln.startswith("#")][1:]
    assert len(rows) >= 80
    for kind, part, stands, english, _latin, source in rows:
        assert english and source, part
        for words in stands.split("|"):
            if kind == "clip":
                assert words.casefold().startswith(part[:2].casefold()), (part, words)
            else:
                initials = "".join(
                    w[0] for w in words.replace("-", " ").split() if w != "и"  # and
                )
                assert initials.casefold() == part.casefold(), (part, words)


@pytest.mark.parametrize(("text", "field"), [
    ("kind\tpart\n", None),  # a wrong header
    ("kind\tpart\tstands_for\tenglish\tlatin\tsource\nclip\tрос\tроссийский\t\t-\tx\n",
     "english"),
    ("kind\tpart\tstands_for\tenglish\tlatin\tsource\nword\tрос\tроссийский\trussia\t-\tx\n",
     "kind"),
])
def test_a_malformed_table_fails_closed_naming_line_and_field(text: str, field: str | None) -> None:
    with pytest.raises(IngestError) as err:
        parse_parts(text, location="ru_parts.tsv")
    problem = err.value.problems[0]
    assert problem.location == "ru_parts.tsv" and problem.field == field


@pytest.mark.parametrize(("listed", "query"), [
    ("SK Group", "SK GROUP CO LTD"),
    ("MZ Holdings", "MZ Holdings"),
    ("NII Holdings", "NII HOLDINGS"),
    ("MSP Bank", "MSP"),
])
def test_a_listed_initialism_that_is_the_names_own_word_still_decides(
    listed: str, query: str
) -> None:
    """An initialism is cheap only where it pairs with nothing; found, it is the name's
    own word (SK, MZ, NII: many companies are called so), and the declared name resolves
    to its entity with confidence, not to review or "no match" (issue 14 review)."""
    from ringfence.resolve import EntityNames, ScreeningIndex, needs_review

    others = [EntityNames(f"o{i}", (f"Velmont {w} {i}",))
              for i, w in enumerate(["Group", "Holdings", "Bank", "Trading"] * 15)]
    index = ScreeningIndex.build([EntityNames("t", (listed,)), *others])
    found = index.search(Record.of(query), limit=1)[0]
    assert found.entity_id == "t" and found.match
    assert not needs_review(found.explanation)


def test_a_compounds_lead_does_not_outrank_the_word_itself_in_retrieval() -> None:
    """A query word looks up ``cj:`` + itself, which only compounds that lead with it hold
    (TRANSNEFT-METROLOGIYA, TRANSNEFTEPRODUKT); rarer than the word, it must not rank
    them above the entity named by the word itself (ТРАНСНЕФТЬ), which a family of
    subsidiaries could then push out of the re-scored few (issue 14 review)."""
    from ringfence.resolve import EntityNames, ScreeningIndex

    family = [EntityNames(f"s{i}", (f"TRANSNEFT-{w}, AO",)) for i, w in enumerate(
        ["SEVER", "URAL", "SIBIR", "DRUZHBA", "PRIKAME", "OKHRANA", "DIASKAN", "MEDIA"])]
    index = ScreeningIndex.build([
        EntityNames("parent", ("ПУБЛИЧНОЕ АКЦИОНЕРНОЕ ОБЩЕСТВО ТРАНСНЕФТЬ",)),
        EntityNames("lead", ("TRANSNEFT-METROLOGIYA, AO",)),
        EntityNames("lead2", ("TRANSNEFTEPRODUKT, PAO",)),
        *family,
        *(EntityNames(f"o{i}", (f"Velmont Trading {i}",)) for i in range(60)),
    ])
    ids = [e.id for e in index.entities]
    shared = {ids[i]: w for i, w in index._shared(Record.of("TRANSNEFT"), 40).items()}
    assert shared["parent"] >= shared["lead"]
    assert shared["parent"] >= shared["lead2"]
