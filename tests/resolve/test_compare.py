"""Pairwise comparison: scores with explanations that name the values compared."""

from __future__ import annotations

from ringfence.resolve import DEFAULT_THRESHOLD, Comparison, Record, compare, parse_id


def features(result: Comparison) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for f in result.explanation:
        out.setdefault(f.feature, []).append((f.a, f.b))
    return out


def test_cyrillic_against_latin_through_romanisation() -> None:
    r = compare(Record.of("ПАО «Газпром»"), Record.of("Gazprom PJSC", country="ru"))
    assert r.match and r.score >= DEFAULT_THRESHOLD
    assert ("газпром", "gazprom") in features(r)["token:romanised"]


def test_chinese_against_english_through_pinyin_and_translation() -> None:
    r = compare(Record.of("中国长江电力股份有限公司"), Record.of("China Yangtze Power Co., Ltd."))
    f = features(r)
    assert r.match
    assert ("中国", "china") in f["token:translation"]
    assert ("长江", "yangtze") in f["token:translation"]


def test_pinyin_spelling_with_legal_form() -> None:
    r = compare(
        Record.of("Jiaotong Yinhang Gufen Youxian Gongsi"), Record.of("交通银行股份有限公司")
    )
    assert r.match
    # 交通银行 is one dictionary word; the two pinyin words join to meet it.
    assert ("jiaotong yinhang", "交通银行") in features(r)["token:joined"]
    assert ("gufen youxian gongsi", "股份有限公司") in features(r)["legal_form_ignored"]


def test_single_member_sarl_forms_are_legal_forms() -> None:
    # rigour's table lists SUARL and EURL but not SARLU (OHADA) or SARLAU (Morocco)
    for form in ("SARLU", "SARLAU", "SUARL"):
        r = compare(Record.of(f"VELMONT INVEST {form}"), Record.of("VELMONT INVEST"))
        assert r.match and r.score == 1.0, form
        assert "token_unmatched" not in features(r), form


def test_simplified_and_traditional_are_the_same_name() -> None:
    r = compare(Record.of("华为技术有限公司"), Record.of("華為技術有限公司"))
    assert r.score == 1.0


def test_persian_against_latin_by_romanisation_and_gloss() -> None:
    r = compare(Record.of("بانک ملت", country="ir"), Record.of("Bank Mellat", country="IR"))
    f = features(r)
    assert r.match
    assert ("ملت", "mellat") in f["token:romanised"]
    assert ("بانک", "bank") in f["token:translation"]
    assert ("IR", "IR") in f["country"]


def test_one_sided_qualifier_counts_against() -> None:
    r = compare(
        Record.of("China Construction Bank Corporation"),
        Record.of("China Construction Bank (Asia) Corporation Limited"),
    )
    assert not r.match
    assert ("", "asia") in features(r)["qualifier_one_sided"]


def test_parent_and_subsidiary_differ_by_organisational_word() -> None:
    r = compare(
        Record.of("中国联合网络通信股份有限公司"), Record.of("中国联合网络通信集团有限公司")
    )
    f = features(r)
    assert not r.match
    assert ("", "集团") in f["organisational_word_one_sided"]
    assert ("joint_stock", "limited") in f["legal_form_differs"]


def test_same_identifier_decides_whatever_the_names() -> None:
    a = Record.of(
        "Публичное акционерное общество «Северсталь»", ids=[parse_id("ru_inn", "3528000597")]
    )
    b = Record.of("PAO SEVERSTAL", ids=[parse_id("ru_inn", "ИНН 3528000597")])
    r = compare(a, b)
    assert r.score == 1.0 and r.match
    assert features(r)["identifier:ru_inn"] == [("3528000597", "ИНН 3528000597")]


def test_different_identifiers_of_one_scheme_are_strong_evidence_against() -> None:
    a = Record.of("DBS Bank Ltd.", ids=[parse_id("sg_uen", "196800306E")])
    b = Record.of("DBS Bank Limited", ids=[parse_id("sg_uen", "193200032W")])
    r = compare(a, b)
    assert not r.match
    assert features(r)["identifier_conflict:sg_uen"] == [("196800306E", "193200032W")]


def test_country_mismatch_is_explained() -> None:
    r = compare(
        Record.of("Bank Saderat Iran", country="ir"), Record.of("Bank Saderat PLC", country="gb")
    )
    assert not r.match
    assert features(r)["country_mismatch"] == [("IR", "GB")]


def test_typo_and_abbreviation() -> None:
    typo = compare(Record.of("PJSC LUKUIL"), Record.of("PJSC LUKOIL"))
    assert typo.match and ("lukuil", "lukoil") in features(typo)["token:fuzzy"]
    ab = compare(
        Record.of("CNOOC", country="cn"), Record.of("China National Offshore Oil Corporation")
    )
    assert ab.match and features(ab)["abbreviation"] == [
        ("CNOOC", "China National Offshore Oil Corporation")
    ]


def test_different_companies_of_one_form_do_not_match() -> None:
    assert not compare(Record.of("ПАО «ЛУКОЙЛ»"), Record.of("ПАО «Сургутнефтегаз»")).match
    assert not compare(Record.of("华为技术有限公司"), Record.of("深圳市大疆创新科技有限公司")).match
    assert not compare(
        Record.of("SHAHID NURI INDUSTRIES"), Record.of("SHAHID SHUSTARI INDUSTRIES")
    ).match


def test_score_in_range_and_symmetric_enough() -> None:
    a, b = Record.of("Rosneft Oil Company"), Record.of("ПАО «НК «Роснефть»")
    ab, ba = compare(a, b), compare(b, a)
    assert 0.0 <= ab.score <= 1.0
    assert abs(ab.score - ba.score) < 1e-9


def test_one_character_translation_is_weak_evidence() -> None:
    """运 (move, transport, luck ...) glosses as "move" like 移动: no longer enough to pair
    China Mobile Communications Group with an unrelated communications-transport group."""
    r = compare(Record.of("中国移动通信集团有限公司"), Record.of("保通信运集团有限公司"))
    assert not r.match
    weak = [f for f in r.explanation if f.feature == "token:translation" and f.b == "运"]
    assert weak and weak[0].score <= 0.7


def test_an_acronym_takes_more_than_one_letter_from_one_word_at_most() -> None:
    """Found by the 1M retrieval benchmark once initials were indexed: "CNOOC" fitted
    Cefvocon NOrthern OCean (two words giving two letters each)."""
    assert not compare(Record.of("CNOOC Limited"),
                       Record.of("Cefvocon Northern Ocean Limited")).match
    assert compare(Record.of("CNOOC"),
                   Record.of("China National Offshore Oil Corporation")).match
    assert compare(Record.of("HKEX"),
                   Record.of("Hong Kong Exchanges and Clearing Limited")).match
