"""The index build's fast paths give what the plain code they replace gives.

Strategy: each fast path (a rule chain written out, a test skipped when a cheap check
proves its answer, a reading assembled from cached parts) is compared with the plain
computation it stands for, on the words and names that reach it: real names of the
public groups and written-out edge cases.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from ringfence.resolve import text

_EDGE_WORDS = [
    "Shchukin", "schwarz", "Tchaikovsky", "dzhet", "zhong", "khodro", "ghavamin", "phone",
    "check", "ckh", "tchx", "Tsang", "Tzu", "xiaomi", "qavamin", "Wuwei", "yyyy", "beeoou",
    "Société", "ÆØ-ß", "aaa", "mellat", "Tosee", "Alborz", "elektronik", "Sepah", "dj",
    "Rostekh", "Rostech", "Antey", "chowtaifook", "cheungkong", "leekumkee", "", "12ab",
]  # fmt: skip


def _words(public_groups: Any) -> list[str]:
    words = list(_EDGE_WORDS)
    for ent in public_groups["entities"]:
        words.extend(re.findall(r"\w+", ent["name"]))
    return words


def _chain(rules: tuple[tuple[str, str], ...], s: str) -> str:
    for old, new in rules:
        s = s.replace(old, new)
    return s


def test_loose_is_its_rules_in_order(public_groups: Any) -> None:
    for word in _words(public_groups):
        folded = _chain(text._LOOSE_RULES, text.ascii_fold(word))
        assert text.loose.__wrapped__(word) == re.sub(r"(.)\1+", r"\1", folded), word


def test_latin_skeleton_is_its_rules_in_order(public_groups: Any) -> None:
    for word in _words(public_groups):
        s = text.ascii_fold(word)
        if len(s) > 3 and s[-1] == "h" and s[-2] in "aeiou":
            s = s[:-1]
        if len(s) >= 5 and s[:2] in ("al", "el") and s[2] not in "aeiou":
            s = s[2:]
        s = _chain(text._SKELETON_RULES, s)
        expected = re.sub("[aeiouyvw]", "", re.sub(r"(.)\1+", r"\1", s))
        assert text.latin_skeleton.__wrapped__(word) == expected, word


@pytest.mark.parametrize("s", ["", "a", "aa", "aab", "abba", "mississippi", "x__y", "ーー"])
def test_doubled_letters_fold_as_runs(s: str) -> None:
    assert text._DOUBLED.sub("", s) == re.sub(r"(.)\1+", r"\1", s)


def test_simplified_text_skips_the_conversion(public_groups: Any) -> None:
    """Text holding no blocker character is what OpenCC returns for it; the blockers are
    what makes the shortcut safe, so traditional text is still converted."""
    blockers = text._t2s_blockers()
    assert blockers, "the t2s tables were not read: the shortcut is off"
    conv = text._t2s()
    names = [e["name"] for e in public_groups["entities"]] + [
        "深圳市腾讯计算机系统有限公司", "中國銀行股份有限公司", "有序", "沈默科技", "長江實業",
        "上海华泰丰股份有限公司", "乾隆", "後來"]  # fmt: skip
    for name in names:
        assert text.to_simplified.__wrapped__(name) == conv.convert(name), name  # type: ignore[attr-defined]
        if blockers.isdisjoint(name):
            assert conv.convert(name) == name  # type: ignore[attr-defined]
    assert text.to_simplified("中國銀行") == "中国银行"


def _han_words(public_groups: Any) -> list[str]:
    names = [n["name"] for n in public_groups["names"]]
    names += [e["name"] for e in public_groups["entities"]]
    runs = re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+", " ".join(names))
    words = {
        r[i:j] for r in runs for i in range(len(r)) for j in range(i + 2, min(len(r), i + 5) + 1)
    }
    extra = ["华泰丰", "长江实业", "中国银行", "重庆", "银行行长", "李錦記", "周大福"]
    return [*sorted(words), *extra]


def test_han_readings_from_characters_agree(public_groups: Any) -> None:
    """A word's pinyin and Jyutping assembled from its characters (when no phrase of the
    tables spans two of them) are what pypinyin and ToJyutping give for the word."""
    import ToJyutping  # type: ignore[import-untyped]
    from pypinyin import lazy_pinyin

    assembled = 0
    for word in _han_words(public_groups):
        py = tuple(s for s in lazy_pinyin(word) if s.isascii() and s.isalnum())
        assert text.pinyin_syllables.__wrapped__(word) == py, word
        jp = tuple(j.split(" ")[0] for _c, j in ToJyutping.get_jyutping_list(word) if j)
        assert text.jyutping.__wrapped__(word) == jp, word
        assembled += not text._pinyin_phrase_starts(word)
    assert assembled > 100  # the shortcut is taken


def test_misspelt_legal_words_as_the_distance_says(public_groups: Any) -> None:
    from rapidfuzz.distance import DamerauLevenshtein

    from ringfence.resolve import legal

    words = [w.casefold() for w in _words(public_groups)] + [
        "corpuration", "lmiited", "limitde", "compnay", "cmopany", "incorprated",
        "ogranichenoi", "obshestvo", "otvetstvennostiu", "corporatoin", "limitedd", "company",
        "comapnyy"]  # fmt: skip
    for word in words:
        expected = len(word) >= 6 and word.isascii() and any(
            abs(len(form) - len(word)) <= (allowed := 2 if len(form) >= 9 else 1)
            and DamerauLevenshtein.distance(word, form) <= allowed
            for form in legal._LONG_LEGAL)
        assert legal._misspelt_legal.__wrapped__(word) == expected, word


def _script_of_plain(s: str) -> str:
    if s.isascii():
        return "Latn" if any(c.isalpha() for c in s) else "Zyyy"
    best, best_n = "Zyyy", 0
    for code, rx in text._SCRIPT_RES:
        n = len(rx.findall(s))
        if n > best_n:
            best, best_n = code, n
    latin = sum(1 for ch in text._LATIN_RE.findall(s) if text._char_script(ch) == "Latn")
    return "Latn" if latin > best_n else best


def test_script_of_skips_the_letters_of_the_four_scripts(public_groups: Any) -> None:
    names = [n["name"] for n in public_groups["names"]] + [
        e["name"] for e in public_groups["entities"]] + [
        "Аlibаbа", "深圳 Tencent Technology", "Ꞌꞌabc 中文中文", "ＡＢＣ 中", "٣٤ بانک abc",
        "삼성 Electronics Co", "ПАО Gazprom Neft", "ℌello 中", "ꜲꜳꜴ 中中"]  # fmt: skip
    for name in names:
        assert text.script_of.__wrapped__(name) == _script_of_plain(name), name


_COMPOUND_NAMES = [
    "GAZPROMBANK", "SURGUTNEFTEGASBANK", "Rosneftegaz Holding", "Promsvyazbank PJSC",
    "Transneft Group", "Sovcomflot", "AEROFLOT", "Mashzavod", "Ufaneftekhimservis",
    "Gazprom Neft", "Bank", "Bankgroup", "Ba-nkbank", "Énergobank", "ÉNERGOBANK",
    "Vneshtorgbank VTB SRPE NZPP", "CGN Power", "VO Technoexport", "中国银行",
]  # fmt: skip


def _names(public_groups: Any) -> list[str]:
    return ([e["name"] for e in public_groups["entities"]]
            + [n["name"] for n in public_groups["names"]] + _COMPOUND_NAMES)


def _compound_skeletons_plain(token: Any) -> set[str]:
    from ringfence.resolve.acronyms import _TAIL_WORDS

    word = token.text
    if token.script != "Latn" or len(word) < 8 or not word.isascii() or not word.isalpha():
        return set()
    out: set[str] = set()
    for tail in _TAIL_WORDS:
        end = len(word) - len(tail)
        if word.endswith(tail) and end >= 4:
            out.update(f"sy:{word[0]}{word[p]}{tail[0]}" for p in range(2, end - 1))
    return out


def _name_keys_plain(name: str) -> set[str]:
    """The index keys of one name as the build gathered them before the per-token
    shortcuts: each token's keys, its compound skeletons, ``in:`` key and a Russian
    compound's ``cj:`` and ``cp:`` keys asked apart."""
    from ringfence.resolve import keys as k
    from ringfence.resolve.names import analyse_name

    form = analyse_name(name)
    out = k.acronym_keys(form) | k.acronym_lookups(form)
    for variant in form.variants:
        for token in variant:
            out.update(k.token_keys(token))
            out |= _compound_skeletons_plain(token)
            if k._acronym_word(token):
                out.add("in:" + token.text)
            leads, english, free, known = k.part_keys(token)
            out |= {"cj:" + x for x in leads if x != token.primary}
            out |= {"cp:" + x for x in english | free if known}
        for _, joined in k.joined_pairs(variant):
            out.add(joined)
            if len(joined) >= 6:
                out.update(("p:" + joined[:4], "s:" + joined[-4:]))
        out.update(block for _, block in k.joined_blocks(variant))
    return out


def test_compound_skeletons_as_the_plain_loop(public_groups: Any) -> None:
    from ringfence.resolve.keys import compound_skeletons
    from ringfence.resolve.names import analyse_name

    found = 0
    for name in _names(public_groups):
        for variant in analyse_name(name).variants:
            for token in variant:
                plain = _compound_skeletons_plain(token)
                assert compound_skeletons(token) == plain, token.text
                found += bool(plain)
    assert found >= 5  # the end words are met, not only passed over


def test_chunk_keys_are_each_names_plain_keys(public_groups: Any) -> None:
    """A run's keys (each token's keys remembered per token, compound skeletons and
    ``in:`` keys with them) are, name by name, the keys asked token by token."""
    from ringfence.resolve.keys import chunk_keys

    names = list(dict.fromkeys(_names(public_groups)))
    chunk = chunk_keys(names + names[:50])  # tokens met again come from the memory
    at = 0
    for name, count in zip(names + names[:50], chunk.counts.tolist(), strict=True):
        got = {chunk.vocab[i] for i in chunk.flat[at : at + count].tolist()}
        assert len(got) == count
        assert got == _name_keys_plain(name), name
        at += count
    assert any(k.startswith("sy:") for k in chunk.vocab)
    assert any(k.startswith("in:") for k in chunk.vocab)


def test_packed_strings_end_where_the_plain_count_says() -> None:
    import numpy as np

    from ringfence.snapshot.screenindex import _pack

    for strings in ([], [""], ["a", "", "中国银行", "x\x00y", "Аlibаbа", "🙂"], ["ab"] * 5):
        blob, ends = _pack(strings)
        plain = np.cumsum([len(s) + 1 for s in strings]).astype(np.int64) - 1
        assert ends.tolist() == plain.tolist()
        assert blob.tobytes() == "\x00".join(strings).encode("utf-8", "surrogatepass")

