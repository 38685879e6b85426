"""``resolve.within.name_within`` through :meth:`ScreeningIndex.search` and onboarding's
:meth:`SnapshotResolver.best_match`: one entity's whole name inside a longer declared
name ("X Shipping Bangkok" for X SHIPPING CO LTD) is flagged on that candidate; beside
a match that leaves the flagged name's own word unfound, both go to review."""

from __future__ import annotations

from ringfence.resolve import EntityNames, Record, ScreeningIndex, needs_review
from ringfence.snapshot.screening import SnapshotResolver


def _index(*ents: EntityNames) -> ScreeningIndex:
    return ScreeningIndex.build(
        [*ents, *(EntityNames(f"filler{i}", (f"Filler{i} Trading",)) for i in range(300))]
    )


def _flagged(index: ScreeningIndex, name: str) -> list[str]:
    return [c.entity_id for c in index.search(Record.of(name), limit=3)
            if c.explanation and c.explanation[0].feature == "name_within"]


def test_a_restricted_name_with_words_added_is_flagged_not_matched() -> None:
    index = _index(EntityNames("gelv", ("Gelvorn Shipping Co Ltd",)),
                   EntityNames("tarq", ("TARQUENDE",)))
    for declared, entity, extra in (("Gelvorn Shipping Bangkok", "gelv", "bangkok"),
                                    ("Tarquende Middle East Co.", "tarq", "middle east"),
                                    ("TARQUENDE SHIPPING LTD", "tarq", "shipping")):
        found = index.search(Record.of(declared), limit=3)
        assert found[0].entity_id == entity and not found[0].match, declared
        first = found[0].explanation[0]
        assert first.feature == "name_within" and extra in first.b, declared
        assert found[0].score < 0.7, declared  # the pairwise score, kept


def test_the_name_of_an_alias_within_the_query_is_enough() -> None:
    # Listed as KRASTEL and as VARNIA NORTHERN INDUSTRIES GROUP CORPORATION: "Krastel
    # Shipping" is how its subsidiary would be named, or a company reusing the brand.
    index = _index(EntityNames.with_kinds(
        "krastel", [("Varnia Northern Industries Group Corporation", "legal"),
                    ("Krastel", "alias")]))
    assert _flagged(index, "KRASTEL SHIPPING") == ["krastel"]


def test_a_han_name_with_a_descriptive_word_added_is_flagged() -> None:
    # 依图科技有限公司 is YITU + 科技 (technology) + a legal form: the entity YITU
    # LIMITED's name within it, read as written (romanised), with one word more.
    index = _index(EntityNames("yitu", ("YITU LIMITED",)))
    assert _flagged(index, "依图科技有限公司") == ["yitu"]


def test_the_exact_name_stays_a_confident_match() -> None:
    index = _index(EntityNames("gelv", ("Gelvorn Shipping Co Ltd",)))
    found = index.search(Record.of("Gelvorn Shipping Co., Ltd."), limit=1)
    assert found[0].match and not needs_review(found[0].explanation)
    assert found[0].explanation[0].feature != "name_within"
    match = SnapshotResolver(index).best_match(Record.of("Gelvorn Shipping Co., Ltd."))
    assert match is not None and match.confident


def test_a_name_whose_own_word_the_query_lacks_is_not_within() -> None:
    # "Angvarsk Refinery" and ANGVARSK PETROCHEMICAL COMPANY: the entity's own word
    # PETROCHEMICAL is not in the query; the query names a different plant as often.
    index = _index(EntityNames("ang", ("OJSC Angvarsk Petrochemical Company",)))
    assert _flagged(index, "Angvarsk Refinery") == []


def test_descriptive_words_alone_are_no_anchor() -> None:
    # Every word of the entity's name is in the query, but they are domain and
    # organisational words (security, maritime, services), however rare in the snapshot:
    # no name of its own ties the query to this entity.
    index = _index(EntityNames("ms", ("Maritime Security Services",)))
    assert _flagged(index, "Political Maritime Security Services Directorate") == []


def test_a_short_stem_is_no_anchor() -> None:
    # ISI ~ ISIS: a three-letter word found through a stem is no name of its own.
    index = _index(EntityNames.with_kinds("isk", [("Islamic State Khorasan", "legal"),
                                                  ("ISIS-K", "alias")]))
    assert _flagged(index, "ISI Maritime Limited (Malta)") == []


def test_two_names_within_are_both_flagged() -> None:
    index = _index(EntityNames("g", ("Gelvorn",)), EntityNames("gn", ("Gelvorn Neft",)))
    assert sorted(_flagged(index, "Gelvorn Neft Shipping")) == ["g", "gn"]


def test_an_unrelated_name_sharing_only_a_common_word_is_untouched() -> None:
    index = _index(EntityNames("gelv", ("Gelvorn Shipping Co Ltd",)))
    assert _flagged(index, "Morvane Shipping Bangkok") == []
    assert [c for c in index.search(Record.of("Morvane Shipping Bangkok")) if c.match] == []


def test_han_characters_that_only_read_alike_are_no_anchor() -> None:
    # 华新 and 华信 are both "huaxin": two brands of one reading, not one name written
    # twice. A declared 华信船务(香港)有限公司 is not 华新有限公司 within a longer name.
    index = _index(EntityNames("hx", ("华新有限公司",)))
    assert _flagged(index, "華信船務(香港)有限公司") == []
    exact = _index(EntityNames("hx", ("华信有限公司",)))
    assert _flagged(exact, "華信船務(香港)有限公司") == ["hx"]


def test_a_match_that_leaves_another_names_own_word_unfound_goes_to_review() -> None:
    # "Tarquende Morvel Lines": MORVEL LINES matches (0.80) with the word before it left
    # unfound, and that word is the whole of TARQUENDE's name: the query may name either
    # entity, and a confident match would deny one of them on a guess (DENY or ALLOW by
    # MORVEL's verdict alone). Both are matches flagged for review.
    index = _index(EntityNames("tarq", ("TARQUENDE",)),
                   EntityNames("morvel", ("Morvel Lines",)))
    found = [c for c in index.search(Record.of("Tarquende Morvel Lines"), limit=3) if c.match]
    assert sorted(c.entity_id for c in found) == ["morvel", "tarq"]
    assert all(needs_review(c.explanation) for c in found)
    by_id = {c.entity_id: c.explanation[0].feature for c in found}
    assert by_id == {"tarq": "name_within", "morvel": "rival_name_within"}
    match = SnapshotResolver(index).best_match(Record.of("Tarquende Morvel Lines"))
    assert match is not None and not match.confident
    assert {match.entity_id, *(a for a, _ in match.alternatives)} == {"morvel", "tarq"}


def test_a_match_that_finds_the_within_names_word_is_untouched() -> None:
    # The match itself finds GELVORN: the shorter name within adds nothing; the exact
    # name stays a confident match.
    index = _index(EntityNames("g", ("Gelvorn",)),
                   EntityNames("gs", ("Gelvorn Shipping Bangkok",)))
    match = SnapshotResolver(index).best_match(Record.of("Gelvorn Shipping Bangkok"))
    assert match is not None and match.entity_id == "gs" and match.confident


def test_onboarding_weighs_the_flagged_name_against_its_verdict() -> None:
    # "Tarquende Shipping Ltd" for a listed TARQUENDE: no match, but a lead. A restricted
    # or uncertain entity's name inside the declared one goes to review (it was allowed
    # as no match); a clear entity's stays allowed, naming the entity it came near.
    from ringfence.decide.onboarding import onboarding_status
    from ringfence.decide.reasons import ReasonCode
    from ringfence.decide.rules import OrgStatus

    index = _index(EntityNames("tarq", ("TARQUENDE",)))
    match = SnapshotResolver(index).best_match(Record.of("TARQUENDE SHIPPING LTD"))
    assert match is not None and match.entity_id == "tarq"
    assert match.within and not match.confident
    for verdict in ("restricted", "uncertain", None):
        status, reasons = onboarding_status(match=match, verdict=verdict)
        assert status == OrgStatus.REVIEW, verdict
        assert [r.code for r in reasons] == [ReasonCode.NAME_WITHIN]
    status, reasons = onboarding_status(match=match, verdict="clear")
    assert status == OrgStatus.ALLOWED
    assert [r.code for r in reasons] == [ReasonCode.NO_MATCH]
    # a name with no entity's whole name in it is no lead at all
    assert SnapshotResolver(index).best_match(Record.of("Velmora Shipping Ltd")) is None
    # an analyst's dismissal of the candidate ends the lead too
    assert SnapshotResolver(index).best_match(Record.of("TARQUENDE SHIPPING LTD"),
                                              exclude=frozenset({"tarq"})) is None


def test_a_clear_entitys_name_beside_a_restricted_ones_does_not_allow() -> None:
    # "Tarquende Orvanel Meridian Trading": TARQUENDE (restricted) and ORVANEL MERIDIAN
    # (clear) are both whole inside the declared name, and nothing matches. The clear
    # one scores higher and leads; the declaration must still go to review, as
    # "Tarquende Trading" alone does: an applicant adding a clear company's name to a
    # restricted one's must not turn its name_within review into "no match, allowed".
    from ringfence.decide.onboarding import onboarding_status
    from ringfence.decide.reasons import ReasonCode
    from ringfence.decide.rules import OrgStatus

    index = _index(EntityNames("orv", ("ORVANEL MERIDIAN",)),
                   EntityNames("tarq", ("TARQUENDE",)))
    verdicts = {"orv": "clear", "tarq": "restricted"}
    match = SnapshotResolver(index).best_match(Record.of("Tarquende Orvanel Meridian Trading"))
    assert match is not None and match.within and match.entity_id == "orv"
    assert [a for a, _ in match.alternatives] == ["tarq"]
    status, reasons = onboarding_status(match=match, verdict=verdicts[match.entity_id])
    assert status == OrgStatus.REVIEW, reasons
    assert [r.code for r in reasons] == [ReasonCode.NAME_WITHIN]
    assert reasons[0].evidence["alternatives"] == [["tarq", match.alternatives[0][1]]]
    # (a clear entity's name alone inside the declared one stays allowed:
    # test_onboarding_weighs_the_flagged_name_against_its_verdict)


def test_a_lead_behind_closer_non_matches_is_still_found() -> None:
    # "Tarquende Meridian Bangkok Shipping Lines": eight unrelated names share the
    # declaration's other words and score above TARQUENDE's lead, none of them a match.
    # The lead is still found (review), not crowded out of the first five ("no match,
    # allowed"); nor is the restricted lead beside a clear one's.
    from ringfence.decide.onboarding import onboarding_status
    from ringfence.decide.rules import OrgStatus

    pads = [EntityNames(f"pad{i}", (f"Meridian Bangkok Shipping Lines Pad{i}",))
            for i in range(8)]
    index = _index(EntityNames("tarq", ("TARQUENDE",)),
                   EntityNames("orv", ("ORVANEL MERIDIAN",)), *pads)
    verdicts = {"orv": "clear", "tarq": "restricted"}
    for declared in ("Tarquende Meridian Bangkok Shipping Lines",
                     "Tarquende Orvanel Meridian Bangkok Shipping Lines"):
        top5 = index.search(Record.of(declared), limit=5)
        assert "tarq" not in [c.entity_id for c in top5], declared  # the premise
        match = SnapshotResolver(index).best_match(Record.of(declared))
        assert match is not None and match.within, declared
        assert "tarq" in {match.entity_id, *(a for a, _ in match.alternatives)}, declared
        status, _ = onboarding_status(match=match, verdict=verdicts[match.entity_id])
        assert status == OrgStatus.REVIEW, declared


def test_a_clear_names_match_leaving_a_restricted_name_after_it_goes_to_review() -> None:
    # "Orvanel Meridian Tarquende": ORVANEL MERIDIAN INC. matches (a word after a shared
    # name of two words of its own costs coverage only), and TARQUENDE, whole in the
    # declaration, matches too, lower. The higher score alone would make a confident
    # match of the clear entity (allowed) where TARQUENDE alone was the match (denied):
    # both carry rival_name_within, and onboarding sends the declaration to review.
    from ringfence.decide.onboarding import onboarding_status
    from ringfence.decide.rules import OrgStatus

    index = _index(EntityNames("orv", ("Orvanel Meridian, Inc.",)),
                   EntityNames("tarq", ("TARQUENDE", "Tarquende Holdings Limited")))
    verdicts = {"orv": "clear", "tarq": "restricted"}
    declared = "Orvanel Meridian Tarquende"
    found = {c.entity_id: c for c in index.search(Record.of(declared), limit=3) if c.match}
    assert set(found) == {"orv", "tarq"}  # the premise: both match
    assert all(needs_review(c.explanation) for c in found.values())
    match = SnapshotResolver(index).best_match(Record.of(declared))
    assert match is not None and not match.confident
    status, _ = onboarding_status(match=match, verdict=verdicts[match.entity_id])
    assert status == OrgStatus.REVIEW
    # the clear name alone, and a clear name that finds the other's word, are untouched
    alone = SnapshotResolver(index).best_match(Record.of("Orvanel Meridian Inc"))
    assert alone is not None and alone.entity_id == "orv" and alone.confident


def test_a_clear_names_match_leaving_a_restricted_acronym_after_it_goes_to_review() -> None:
    # The same with the restricted entity's short acronym (TQD, too short to anchor a
    # lead, yet a match of its own): "Orvanel Meridian TQD" is not a confident match of
    # the clear entity.
    from ringfence.decide.onboarding import onboarding_status
    from ringfence.decide.rules import OrgStatus

    index = _index(EntityNames("orv", ("Orvanel Meridian, Inc.",)),
                   EntityNames("tarq", ("Tarquende Quarrying Development", "TQD")))
    found = {c.entity_id for c in index.search(Record.of("Orvanel Meridian TQD"), limit=3)
             if c.match}
    assert found == {"orv", "tarq"}  # the premise: both match
    match = SnapshotResolver(index).best_match(Record.of("Orvanel Meridian TQD"))
    assert match is not None and not match.confident
    status, _ = onboarding_status(match=match, verdict="clear")
    assert status == OrgStatus.REVIEW


def test_the_applicants_own_registration_number_does_not_shed_the_flag() -> None:
    # A subsidiary has an LEI of its own: declaring it (a conflict with the group's LEI)
    # or another legal form must not turn the lead back into "no match, allowed".
    from stdnum.iso7064 import mod_97_10

    from ringfence.resolve import parse_id

    def lei(base: str) -> str:
        return base + mod_97_10.calc_check_digits(base)

    index = _index(EntityNames("tarq", ("Tarquende Holdings Ltd",), frozenset({"CN"}),
                               (parse_id("lei", lei("5299000TARQUENDE01")),)))
    own = (parse_id("lei", lei("5299000OTHERCOMP01")),)
    for declared, ids in (("Tarquende Holdings Logistics Ltd", own),
                          ("Tarquende Holdings Logistics JSC", ())):
        match = SnapshotResolver(index).best_match(Record(names=(declared,), ids=ids))
        assert match is not None and match.entity_id == "tarq" and match.within, declared
