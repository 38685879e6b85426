"""The snapshot rules :meth:`ScreeningIndex.search` applies on top of ``compare``
(``resolve.gates``): each with a name it should match and a look-alike it must not."""

from __future__ import annotations

from ringfence.resolve import EntityNames, Record, ScreeningIndex


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


def test_a_subsidiary_word_in_none_of_the_entitys_names_stays_unmatched() -> None:
    # The same entity; "Krastel Shipping" adds a word none of its names has: how a
    # subsidiary looks, not one of its names.
    index = _with_fillers(
        EntityNames.with_kinds("krastel", [("Varnia Northern Industries Group Corporation",
                                            "legal"), ("Krastel", "alias")]),
    )
    assert _matched(index, "KRASTEL SHIPPING") == []
