"""Name analysis: legal forms stripped in every script, qualifiers and cores kept."""

from __future__ import annotations

from ringfence.resolve import analyse_name


def texts(name: str, variant: int = 0) -> list[str]:
    return [t.text for t in analyse_name(name).variants[variant]]


def test_chinese_legal_suffix_stripped_without_spaces() -> None:
    form = analyse_name("长城汽车股份有限公司")
    assert texts("长城汽车股份有限公司") == ["长城", "汽车"]
    assert form.legal_forms == ("股份有限公司",)
    assert form.legal_class == "joint_stock"
    assert analyse_name("华为技术有限公司").legal_class == "limited"


def test_chinese_regional_qualifier_is_kept_and_marked() -> None:
    tokens = analyse_name("中國銀行（香港）有限公司").tokens
    qualifiers = [t.text for t in tokens if t.qualifier]
    assert qualifiers == ["香港"]


def test_chinese_segmentation_prefers_the_right_split() -> None:
    assert texts("中信实业银行") == ["中信", "实业", "银行"]


def test_russian_legal_forms_and_quoted_core() -> None:
    form = analyse_name("Публичное акционерное общество «Нефтяная компания «Роснефть»")
    assert "публичное акционерное общество" in form.legal_forms
    assert texts("Публичное акционерное общество «Нефтяная компания «Роснефть»", 1) == ["роснефть"]
    assert texts("ООО «Яндекс»") == ["яндекс"]
    assert texts("ПАО «Транснефть»") == ["транснефть"]


def test_latin_legal_forms_and_pinyin_forms() -> None:
    assert texts("Singapore Telecommunications Pte. Ltd.") == ["singapore", "telecommunications"]
    assert texts("Gazprom Germania GmbH") == ["gazprom", "germania"]
    assert texts("Changcheng Qiche Gufen Youxian Gongsi") == ["changcheng", "qiche"]
    assert texts("Xiaomi Corpuration") == ["xiaomi"]  # misspelt legal form


def test_english_qualifier_marked() -> None:
    tokens = analyse_name("China Construction Bank (Asia) Corporation Limited").tokens
    assert [t.text for t in tokens if t.qualifier] == ["asia"]


def test_persian_legal_form_and_glosses() -> None:
    tokens = analyse_name("شرکت ملی نفت ایران").tokens
    assert [t.text for t in tokens] == ["ملی", "نفت", "ایران"]
    assert ("oil",) in tokens[1].gloss


def test_organisational_words_are_structural_not_legal() -> None:
    tokens = analyse_name("China Life Insurance (Group) Company").tokens
    group = [t for t in tokens if t.text == "group"]
    assert group and group[0].structural and group[0].qualifier
    assert [t.text for t in analyse_name("腾讯控股有限公司").tokens if t.structural] == ["控股"]
