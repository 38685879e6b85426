"""The snapshot rules :meth:`ScreeningIndex.search` applies on top of ``compare``
(``resolve.gates``): each with a name it should match and a look-alike it must not."""

from __future__ import annotations

from ringfence.resolve import EntityNames, Record, ScreeningIndex, needs_review
from ringfence.snapshot.screening import SnapshotResolver


def _with_fillers(*ents: EntityNames) -> ScreeningIndex:
    return ScreeningIndex.build(
        [*ents, *(EntityNames(f"filler{i}", (f"Filler{i} Trading",)) for i in range(300))]
    )


def _matched(index: ScreeningIndex, name: str) -> list[str]:
    return [c.entity_id for c in index.search(Record.of(name), limit=3) if c.match]


def test_a_query_mixing_two_names_of_one_entity_matches_it() -> None:
    # Listed as KRASTEL and as VARNIA NORTHERN INDUSTRIES GROUP CORPORATION: "Krastel
    # Group" takes one word from each name. Pairwise, "Krastel Group" ~ "Krastel" stays
    # below the threshold (a group word on one side only).
    index = _with_fillers(
        EntityNames.with_kinds("krastel", [("Varnia Northern Industries Group Corporation",
                                            "legal"), ("Krastel", "alias")]),
    )
    found = index.search(Record.of("KRASTEL GROUP"), limit=1)
    assert [c.entity_id for c in found if c.match] == ["krastel"]
    assert found[0].explanation[0].feature == "unique_mixed_names"


def test_common_words_taken_from_two_names_do_not_mix_into_a_match() -> None:
    # "Oil" (نفت) from one name and "Star" from another: both words are in a fifth of
    # the index, so the compared name finds no distinctive query word (NORINCO above is
    # one), however well the words cover the query.
    index = ScreeningIndex.build([
        EntityNames.with_kinds("ir", [("ایران نفت", "legal"),
                                      ("Gohdekon Varlik Star Holdings Co., Ltd.", "alias")]),
        *(EntityNames(f"filler{i}", (f"Filler{i} Trading",)) for i in range(300)),
        *(EntityNames(f"oil{i}", (f"Oilfill{i} Oil Company",)) for i in range(60)),
        *(EntityNames(f"star{i}", (f"Starfill{i} Star Company",)) for i in range(60)),
    ])
    assert _matched(index, "Oil Star Co.") == []


def test_a_subsidiary_word_in_none_of_the_entitys_names_stays_unmatched() -> None:
    # The same entity; "Krastel Shipping" adds a word none of its names has: how a
    # subsidiary looks, not one of its names. Not a match; the candidate carries the
    # ``name_within`` flag (tests/resolve/test_name_within.py).
    index = _with_fillers(
        EntityNames.with_kinds("krastel", [("Varnia Northern Industries Group Corporation",
                                            "legal"), ("Krastel", "alias")]),
    )
    assert _matched(index, "KRASTEL SHIPPING") == []
    found = index.search(Record.of("KRASTEL SHIPPING"), limit=1)
    assert found[0].entity_id == "krastel"
    assert found[0].explanation[0].feature == "name_within"


def test_a_shorter_name_without_a_registered_legal_form_matches_the_one_entity() -> None:
    index = _with_fillers(EntityNames("zelvor", ("Zelvor Solutions Handels GmbH",)))
    for declared in ("Zelvor Solutions", "ZELVOR SOLUTIONS CO."):
        found = index.search(Record.of(declared), limit=1)
        assert [c.entity_id for c in found if c.match] == ["zelvor"], declared
        assert found[0].explanation[0].feature == "unique_partial_name"


def test_a_full_registered_name_against_a_longer_one_goes_to_review() -> None:
    # A group's companies and vehicles share the name and differ by a descriptive word
    # and the legal form (B.V., S.A., GmbH & Co. KG; or the same LLC): declared with a
    # registered company's legal form, the name may be another company of the group, or
    # the same one. Refusing the match would let "<restricted brand> LLC" through as no
    # match at all; it is a match flagged for review instead.
    index = _with_fillers(
        EntityNames("zelvor-es", ("Zelvor Solutions Sociedad de Valores S.A.",)),
        EntityNames("ocean", ("Second Zelvor Administration GmbH",)),
        EntityNames("wind", ("Tarvik Wind Class B Member, LLC",)),
    )
    for declared, entity in (("Zelvor Solutions B.V.", "zelvor-es"),
                             ("Second Zelvor GmbH & Co. KG", "ocean"),
                             ("Tarvik Wind, LLC", "wind")):
        found = [c for c in index.search(Record.of(declared), limit=3) if c.match]
        assert [c.entity_id for c in found] == [entity], declared
        assert found[0].explanation[0].feature == "registered_form_differs"
        assert needs_review(found[0].explanation)  # onboarding: review
        match = SnapshotResolver(index).best_match(Record.of(declared))
        assert match is not None and match.entity_id == entity and not match.confident


def test_a_parents_name_before_a_registered_name_still_matches_it() -> None:
    # The entity's name is not longer: the query adds its parent's name in front.
    index = _with_fillers(EntityNames("varlasco", ("VARLASCO SA",)))
    assert _matched(index, "Kestrov Varlasco SA") == ["varlasco"]


def test_a_partial_name_may_spell_a_long_word_once_differently() -> None:
    # VORASIND ~ VARASIND (0.875): one letter in eight; a seven-letter word as close
    # (VORASIN ~ VARASIN, 0.857) is not enough for the shorter-name rule.
    index = _with_fillers(
        EntityNames("long", ("Zelmora Varasind Shipping Agency",)),
        EntityNames("short", ("Kelmar Varasin Shipping Agency",)),
    )
    assert _matched(index, "Zelmora Vorasind") == ["long"]
    assert _matched(index, "Kelmar Vorasin") == []


def test_a_syllable_acronym_finds_the_compound_it_shortens() -> None:
    # "VPB" starts the parts of VARNOPROMBANK (varno-prom-bank): the scorer reads it so,
    # and the index must bring the entity to be scored (its sy: keys).
    index = _with_fillers(
        EntityNames("vpb", ("VARNOPROMBANK JOINT STOCK COMPANY",)),
        EntityNames("other", ("VPB INTERNATIONAL SA",)),
    )
    assert _matched(index, "BANK VPB JSC") == ["vpb"]


def test_letters_that_do_not_start_the_compounds_parts_find_nothing() -> None:
    index = _with_fillers(EntityNames("vpb", ("VARNOPROMBANK JOINT STOCK COMPANY",)))
    assert _matched(index, "BANK VKB JSC") == []
    assert _matched(index, "BANK VPT JSC") == []


def test_the_compound_keys_cover_every_syllable_acronym_the_scorer_reads() -> None:
    from itertools import product
    from string import ascii_lowercase

    from ringfence.resolve import analyse_name
    from ringfence.resolve.acronyms import _TAIL_WORDS, _syllables
    from ringfence.resolve.keys import compound_skeletons, syllable_lookup

    ends = sorted({t[0] for t in _TAIL_WORDS})
    for word in ("varnoprombank", "kestrelneftegaz", "tolvaleasing"):
        keys = compound_skeletons(analyse_name(word.upper()).tokens[0])
        for k in (3, 4):
            for middle in product(ascii_lowercase, repeat=k - 2):
                for last in ends:
                    acro = word[0] + "".join(middle) + last
                    if _syllables(acro, word):
                        assert syllable_lookup(analyse_name(acro.upper()).tokens[0]) in keys


def test_a_long_word_spelt_twice_differently_is_strong_enough_to_match() -> None:
    # VELNEFTGAS ~ VELNEFTEGAZ: two edits in ten letters (0.82), the name's only word.
    index = _with_fillers(EntityNames("vel", ("VELNEFTEGAZ, ZAO",)))
    assert _matched(index, "ZAO VELNEFTGAS") == ["vel"]


def test_a_short_word_as_close_is_not() -> None:
    # Tarkar ~ Tarkoria scores as much (0.80) from a few letters in common.
    index = _with_fillers(EntityNames("tark", ("Tarkoria plc",)))
    assert _matched(index, "Tarkar Company") == []


def test_the_initials_of_query_words_find_an_acronym_written_in_capitals() -> None:
    index = _with_fillers(EntityNames("en", ("EN BANK",)))
    found = index.search(Record.of("Eghtesad Novin Bank"), limit=3)
    assert "en" in [c.entity_id for c in found]


def test_the_initials_of_query_words_are_not_a_chinese_reading() -> None:
    # LUKVAR OIL's initials "lo" are also the Cantonese reading of 络 (lok): looked up
    # as a bare key they gave every 络 name of a large index the weight of a rare shared
    # word, twice (once per query word), and crowded out the entity named LUKVAR.
    from ringfence.resolve.keys import Readings, entity_keys, query_groups

    groups = query_groups(["LUKVAR OIL COMPANY"])
    assert all("lo" not in g for g in groups)
    assert any("in:lo" in g for g in groups)
    assert "in:lo" not in entity_keys(("络新兴有限公司",), Readings())
    assert "in:lo" in entity_keys(("LO TRADING",), Readings())


def test_an_acronym_that_is_one_names_initials_matches_it_confidently() -> None:
    # KOCA is Kestrel Ocean Capital Agency's initials; it spells Kodfar Ocean
    # Agricultural only taking two letters of a word (K-OC-A): no ambiguity.
    from ringfence.resolve import needs_review

    index = _with_fillers(
        EntityNames("exact", ("Kestrel Ocean Capital Agency",)),
        EntityNames("run", ("Kodfar Ocean Agricultural plc",)),
    )
    found = index.search(Record.of("KOCA"), limit=2)
    assert found[0].entity_id == "exact" and found[0].match
    assert not needs_review(found[0].explanation)


def test_an_acronym_that_spells_names_only_through_runs_of_letters_is_a_review() -> None:
    # K-OC-A (Kodfar Ocean Agricultural) and KOC-A (Kocar Avant): runs of letters spell
    # both and tell neither apart: each match is flagged (onboarding: review).
    from ringfence.resolve import needs_review

    index = _with_fillers(
        EntityNames("run", ("Kodfar Ocean Agricultural plc",)),
        EntityNames("other", ("Kocar Avant",)),
    )
    found = [c for c in index.search(Record.of("KOCA"), limit=3) if c.match]
    assert found and all(needs_review(c.explanation) for c in found)


def test_a_legal_form_left_as_the_only_word_matches_no_one() -> None:
    # "A. B. Co.": the initials are dropped, "Co" is kept as the name's only word, and its
    # reading meets 科 (ke, Cantonese fo; "ko") in Chinese names: at 0.79 it matched an
    # unrelated 科云安股份有限公司 before. A legal form is no distinctive word.
    index = _with_fillers(
        EntityNames("han", ("科云安股份有限公司",)),
        EntityNames("zelvor", ("Zelvor Company Limited",)),
    )
    for declared in ("A. B. Co.", "E. S. Co.", "K. L. Co."):
        assert _matched(index, declared) == [], declared
    assert _matched(index, "ZELVOR CO.") == ["zelvor"]


def test_a_name_that_is_an_acronym_matches_itself_whatever_its_letters_spell() -> None:
    # TBB, SPD, HHK read letter by letter in Cyrillic spell forms rigour's legal-form
    # table lists (ТББ, СПД, ХХК). Taken for legal forms they were stripped or weighed
    # nothing, and a listed company's exact name stopped matching (fail open).
    index = _with_fillers(
        EntityNames("tbb", ("TBB",)),
        EntityNames("spd", ("SPD Holding",)),
        EntityNames("hhk", ("HHK Group",)),
    )
    for declared, entity in (("TBB", "tbb"), ("SPD Holding", "spd"), ("HHK Group", "hhk")):
        assert _matched(index, declared)[:1] == [entity], declared
