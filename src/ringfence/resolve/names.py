"""A name, analysed once into tokens that carry every form the comparison needs.

``analyse_name("ПАО «НК «Роснефть»")`` keeps the native words, strips the legal form
(ПАО), notes the quoted core («Роснефть») as a second variant, and gives each token its
romanised keys (BGN with variants folded), its stem and its English glosses. Chinese runs
are converted to simplified, stripped of legal-form suffixes, segmented on CC-CEDICT words
and given pinyin, Cantonese (Hong Kong spelling) and English keys. Persian words get a
consonant skeleton and glosses; Hangul a Revised Romanization.

Analyses are cached: screening compares the same candidate names many times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ringfence.resolve.gloss import (
    en_key,
    fa_gloss,
    ru_gloss,
    ru_stem,
    zh_gloss,
    zh_places,
    zh_words,
)
from ringfence.resolve.legal import (
    STOPWORDS,
    STRUCTURAL_KEYS,
    legal_class,
    rigour_strip,
    strip_han_suffix,
)
from ringfence.resolve.normalise import Cleaned, clean_name, confusable_key
from ringfence.resolve.text import (
    arabic_skeleton,
    cantonese,
    cyrillic_to_latin,
    fold_persian,
    korean_to_latin,
    latin_skeleton,
    loose,
    pinyin,
    script_of,
    to_simplified,
)

__all__ = ["GENERIC_KEYS", "NameForm", "Token", "analyse_name"]

# Words so common in organisation names that they weigh little when no snapshot
# frequencies are available (countries, nationalities, "national", organisational words).
GENERIC_KEYS: frozenset[str] = frozenset(
    loose(w)
    for w in [
        "china",
        "chinese",
        "zhongguo",
        "russia",
        "russian",
        "rossii",
        "iran",
        "iranian",
        "islamic",
        "republic",
        "national",
        "state",
        "international",
        "group",
        "holding",
        "korea",
        "korean",
        "hong",
        "kong",
        "general",
        "federal",
        "public",
    ]
)


# Business abbreviations customers and lists write for whole words (HLDGS, GRP, INTL):
# the token also carries the keys of the full word.
ABBREVIATIONS: dict[str, str] = {
    "hldgs": "holdings",
    "hldg": "holding",
    "hlds": "holdings",
    "grp": "group",
    "intl": "international",
    "int'l": "international",
    "natl": "national",
    "mfg": "manufacturing",
    "svcs": "services",
    "svc": "service",
    "srvces": "services",
    "inds": "industries",
    "indus": "industrial",
    "tech": "technology",
    "techs": "technologies",
    "comm": "communications",
    "comms": "communications",
    "invt": "investment",
    "invest": "investment",
    "mgmt": "management",
    "dev": "development",
    "eng": "engineering",
    "elec": "electric",
    "chem": "chemical",
    "pharm": "pharmaceutical",
    "bk": "bank",
    "assn": "association",
    "ent": "enterprises",
    "entmt": "entertainment",
}


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a name with every comparable form of it."""

    text: str  # normalised native form (Han in simplified)
    script: str  # Latn, Cyrl, Hani, Arab, Hang, Zyyy
    keys: frozenset[str]  # romanised comparison keys (loose spellings, stems)
    primary: str  # the main key, used for joined spans and the index
    skeleton: str  # consonant skeleton (Latin and Arabic-script tokens)
    gloss: tuple[tuple[str, ...], ...]  # English phrases as en_key tuples
    qualifier: bool  # inside parentheses: "(Asia)", "（上海）"
    structural: bool  # group, holding, 集团, 控股 ...
    generic: bool  # china, national, state, group ... (low default weight)
    upper: bool = False  # written all in capitals in the source (acronym candidate)
    confusable: str = ""  # loose key of the TS #39 skeleton when it differs (A1ibaba → alibaba)


@dataclass(frozen=True, slots=True)
class NameForm:
    """A name's token variants: the full name and, where quoted, its quoted core."""

    original: str
    script: str
    variants: tuple[tuple[Token, ...], ...]
    legal_forms: tuple[str, ...]
    raw_words: tuple[str, ...]  # lower-cased Latin words before stripping (for acronyms)
    legal_class: str = ""  # joint_stock | limited | "" (unknown or ambiguous, e.g. "Ltd")
    cleaned: Cleaned | None = None  # what normalisation changed (resolve.normalise)

    @property
    def tokens(self) -> tuple[Token, ...]:
        return self.variants[0] if self.variants else ()


_OPEN = "(（[【"
_CLOSE = ")）]】"
_PART_SPLIT = re.compile(r"[-'’.]")  # Alfa-Bank, Almaz-Antey, BANK-E, ВЭБ.РФ, Co.
_WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*", re.UNICODE)
_QUOTE_CORE = re.compile(r"[«“\"„]([^«»“”\"„]+)[»”\"]?\s*$|[«“\"„]([^«»“”\"„]+)[»”\"]")


@lru_cache(maxsize=1 << 17)
def analyse_name(name: str) -> NameForm:
    """Analyse one organisation name (any script) into comparable tokens."""
    cleaned = clean_name(name)
    text = fold_persian(to_simplified(cleaned.text))
    script = script_of(text)
    legal: list[str] = []
    raw_words: list[str] = []
    full = _tokens(text, legal, raw_words, strip=True)
    if not full:  # the whole name is a legal form ("ООО", "有限公司"): keep its words
        legal = []
        full = _tokens(text, [], [], strip=False)
    variants = [full] if full else []
    core = _quoted_core(text)
    if core and core.strip() != text.strip():
        core_tokens = _tokens(core, [], [], strip=True)
        if core_tokens and core_tokens != full:
            variants.append(core_tokens)
    return NameForm(
        original=name,
        script=script,
        variants=tuple(variants),
        legal_forms=tuple(legal),
        raw_words=tuple(raw_words),
        legal_class=legal_class(legal),
        cleaned=cleaned if cleaned.changes else None,
    )


def _quoted_core(text: str) -> str:
    """The innermost quoted proper name: «Нефтяная компания «Роснефть»» → Роснефть."""
    if not any(q in text for q in '«“"„'):
        return ""
    last = max(text.rfind(q) for q in '«“"„')
    rest = text[last + 1 :]
    for q in '»”"':
        idx = rest.find(q)
        if idx >= 0:
            rest = rest[:idx]
    return rest.strip()


def _pieces(text: str) -> list[tuple[str, bool]]:
    """Split into (piece, inside-parentheses) runs."""
    out: list[tuple[str, bool]] = []
    depth = 0
    buf: list[str] = []
    for ch in text:
        if ch in _OPEN:
            if buf:
                out.append(("".join(buf), depth > 0))
            buf = []
            depth += 1
        elif ch in _CLOSE:
            if buf:
                out.append(("".join(buf), depth > 0))
            buf = []
            depth = max(0, depth - 1)
        else:
            buf.append(ch)
    if buf:
        out.append(("".join(buf), depth > 0))
    return out


def _tokens(text: str, legal: list[str], raw_words: list[str], *, strip: bool) -> tuple[Token, ...]:
    tokens: list[Token] = []
    for piece, qualifier in _pieces(text):
        words: list[str] = []
        uppers: set[str] = set()
        for m in _WORD.finditer(piece):
            word = m.group(0)
            for part in _PART_SPLIT.split(word):
                if not part:
                    continue
                if part.isupper() and len(part) >= 2:
                    uppers.add(part.casefold())
                words.extend(_split_han(part.casefold()))
        raw_words.extend(w for w in words if w not in STOPWORDS)
        non_han = [w for w in words if script_of(w) != "Hani"]
        kept, removed = rigour_strip(tuple(non_han)) if non_han and strip else (non_han, ())
        legal.extend(removed)
        kept_set = list(kept)
        for w in words:
            if script_of(w) == "Hani":
                han, han_removed = strip_han_suffix(w) if strip else (w, [])
                legal.extend(han_removed)
                for seg in _segment(han):
                    tokens.append(_token(seg, qualifier=qualifier, upper=False))
            elif w in kept_set:
                kept_set.remove(w)
                if w in STOPWORDS or (len(w) == 1 and not w.isdigit()):
                    continue
                tokens.append(_token(w, qualifier=qualifier, upper=w in uppers))
    return tuple(tokens)


_HAN_RUNS = re.compile(
    "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+"
    "|[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+"
)


def _split_han(word: str) -> list[str]:
    """Separate Han runs from other characters inside one word."""
    if word.isascii():
        return [word]
    return _HAN_RUNS.findall(word)


_MAX_WORD = 4  # longer CEDICT headwords are mostly whole company names: split them


@lru_cache(maxsize=1 << 16)
def _segment(han: str) -> tuple[str, ...]:
    """Bidirectional maximum matching on CC-CEDICT words.

    Forward and backward longest-match segmentations are both made; the one with fewer
    words wins, then the one with fewer single characters, then backward (usually right
    for Chinese: 中信实业银行 → 中信/实业/银行, where forward gives 中/信实/业/银行).
    Runs of unknown single characters are merged into one token (奕瑞, 比亚迪).
    """
    if not han:
        return ()
    vocab = zh_words()
    fwd: list[str] = []
    i = 0
    while i < len(han):
        for n in range(min(_MAX_WORD, len(han) - i), 0, -1):
            if n == 1 or han[i : i + n] in vocab:
                fwd.append(han[i : i + n])
                i += n
                break
    bwd: list[str] = []
    j = len(han)
    while j > 0:
        for n in range(min(_MAX_WORD, j), 0, -1):
            if n == 1 or han[j - n : j] in vocab:
                bwd.append(han[j - n : j])
                j -= n
                break
    bwd.reverse()

    def cost(segs: list[str]) -> tuple[int, int]:
        return len(segs), sum(1 for x in segs if len(x) == 1)

    segs = fwd if cost(fwd) < cost(bwd) else bwd
    merged: list[str] = []
    for seg in segs:
        if len(seg) == 1 and merged and _single_run(merged[-1]):
            merged[-1] += seg
        else:
            merged.append(seg)
    return tuple(merged)


def _single_run(seg: str) -> bool:
    # A previous segment made only of merged single characters (not a dictionary word).
    return len(seg) == 1 or seg not in zh_words()


@lru_cache(maxsize=1 << 18)
def _token(word: str, *, qualifier: bool, upper: bool) -> Token:
    script = script_of(word)
    keys: set[str] = set()
    gloss: tuple[tuple[str, ...], ...] = ()
    skeleton = ""
    if script == "Hani":
        primary = loose(pinyin(word))
        keys.add(primary)
        keys.add(loose("".join(cantonese(word))))
        gloss = zh_gloss(word)
    elif script == "Cyrl":
        primary = loose(cyrillic_to_latin(word))
        keys.add(primary)
        keys.add(loose(cyrillic_to_latin(ru_stem(word))))
        gloss = ru_gloss(word)
        skeleton = latin_skeleton(cyrillic_to_latin(word))
    elif script == "Arab":
        skeleton = arabic_skeleton(word)
        primary = "fa:" + word
        gloss = fa_gloss(word)
    elif script == "Hang":
        primary = loose(korean_to_latin(word))
        keys.add(primary)
    else:
        primary = loose(word)
        keys.add(primary)
        keys.add(en_key(word))
        full = ABBREVIATIONS.get(word)
        if full:
            keys.add(loose(full))
            keys.add(en_key(full))
        skeleton = latin_skeleton(word)
    confusable = ""
    if script == "Latn":
        confusable = loose(confusable_key(word))
        if confusable in keys or not confusable.isascii():
            confusable = ""
    keys.discard("")
    gloss_keys = {p[0] for p in gloss[:1] if len(p) == 1}
    structural = bool((keys | gloss_keys) & STRUCTURAL_KEYS)
    # Chinese names lead with their city or province (杭州, Shanghai), which short and
    # English forms often drop: a place name weighs like a generic word.
    place = (word in zh_places()) if script == "Hani" else ("pinyin:" + word in zh_places())
    generic = bool((keys | gloss_keys) & GENERIC_KEYS) or structural or place
    return Token(
        text=word,
        script=script,
        keys=frozenset(keys),
        primary=primary,
        skeleton=skeleton,
        gloss=gloss,
        qualifier=qualifier,
        structural=structural,
        generic=generic,
        upper=upper,
        confusable=confusable,
    )
