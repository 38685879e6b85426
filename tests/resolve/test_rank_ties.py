"""How :meth:`ScreeningIndex.search` orders candidates whose scores tie."""

from __future__ import annotations

from ringfence.decide.onboarding import onboarding_status
from ringfence.decide.reasons import ReasonCode
from ringfence.decide.rules import OrgStatus
from ringfence.resolve import EntityNames, Record, ScreeningIndex, needs_review
from ringfence.snapshot.screening import SnapshotResolver


def test_a_tie_goes_to_the_candidate_sharing_the_rarer_word() -> None:
    # "Refinery" is in three names, "Zelvor" in one: each candidate shares one word with
    # the query and lacks the other, so the name scores tie; the rarer shared word wins,
    # not the shortest name (which whole-string similarity would put first).
    index = ScreeningIndex.build(
        [
            EntityNames("tarnik", ("OJSC Tarnik Refinery",)),
            EntityNames("brost", ("OJSC Brost Refinery",)),
            EntityNames("zelvor", ("OJSC Zelvor Petrochemical Company",)),
            *(EntityNames(f"filler{i}", (f"Filler{i} Trading",)) for i in range(300)),
        ]
    )
    found = index.search(Record.of("Zelvor Refinery"), limit=3)
    assert [c.entity_id for c in found][:1] == ["zelvor"]
    assert len({round(c.score, 6) for c in found}) == 1  # it is a tie on score


def test_a_partial_name_matches_the_entity_with_every_query_word() -> None:
    # "Golden Sun Dalian" names the entity that has all three words, not the one whose
    # name is only the last (达联, read da lian), however much shorter that name is.
    index = ScreeningIndex.build(
        [
            EntityNames("full", ("Dalian Golden Sun Import and Export Co., Ltd.",)),
            EntityNames("han", ("达联有限公司",)),
            *(EntityNames(f"filler{i}", (f"Filler{i} Trading",)) for i in range(300)),
        ]
    )
    found = index.search(Record.of("GOLDEN SUN I/E DALIAN CO., LTD."), limit=2)
    matched = [c.entity_id for c in found if c.match]
    assert matched == ["full"]


def _with_fillers(*ents: EntityNames) -> ScreeningIndex:
    return ScreeningIndex.build(
        [*ents, *(EntityNames(f"filler{i}", (f"Filler{i} Trading",)) for i in range(300))]
    )


def test_an_acronym_that_spells_several_names_is_flagged_on_each_of_them() -> None:
    one = _with_fillers(EntityNames("cgn", ("Corvane Gelmar Nordlund Corporation",)))
    found = one.search(Record.of("CGN"))
    assert [c.entity_id for c in found if c.match] == ["cgn"]
    assert not needs_review(found[0].explanation)
    two = _with_fillers(
        EntityNames("cgn", ("Corvane Gelmar Nordlund Corporation",)),
        EntityNames("other", ("Cappok Golden Northern Inc.",)),
    )
    found = two.search(Record.of("CGN"))
    # both still match (a match dropped below the threshold would read as "no match",
    # and onboarding allows that); each says the acronym does not tell them apart
    assert {c.entity_id for c in found if c.match} == {"cgn", "other"}
    assert all(c.explanation[0].feature == "initials_ambiguous" for c in found
               if c.entity_id in ("cgn", "other"))


def test_onboarding_sends_an_ambiguous_acronym_to_review_not_to_allowed() -> None:
    # The fail-open this guards: "CGN" spells a restricted company and an unrelated one.
    # Onboarding must not read that as no match (allowed); it is an ambiguous match.
    index = _with_fillers(
        EntityNames("restricted", ("Corvane Gelmar Nordlund Corporation",)),
        EntityNames("other", ("Cappok Golden Northern Inc.",)),
    )
    match = SnapshotResolver(index).best_match(Record.of("CGN"))
    assert match is not None and not match.confident
    assert {match.entity_id, *(a for a, _ in match.alternatives)} == {"restricted", "other"}
    status, reasons = onboarding_status(match=match, verdict="restricted")
    assert status == OrgStatus.REVIEW
    assert [r.code for r in reasons] == [ReasonCode.AMBIGUOUS_MATCH]
    # and compare --snapshot does not resolve a pair through the shared acronym
    assert index.same_entity(Record.of("CGN"), Record.of("Cappok Golden Northern Inc.")) is None


def test_an_acronym_recorded_as_a_name_still_matches_among_look_alike_initials() -> None:
    index = _with_fillers(
        EntityNames("cgn", ("Corvane Gelmar Nordlund Corporation", "CGN")),
        EntityNames("other", ("Cappok Golden Northern Inc.",)),
    )
    found = index.search(Record.of("CGN"))
    assert found[0].entity_id == "cgn" and found[0].match
    assert not needs_review(found[0].explanation)
    # the look-alike is still flagged, and the recorded name settles it
    assert all(needs_review(c.explanation) for c in found[1:] if c.match)
    match = SnapshotResolver(index).best_match(Record.of("CGN"))
    assert match is not None and match.entity_id == "cgn" and match.confident
