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
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ringfence.resolve.gloss import (
    en_key,
    ru_gloss,
    ru_stem,
    zh_gloss,
    zh_places,
)
from ringfence.resolve.han import close_han_gaps, segment_han, split_han
from ringfence.resolve.legal import (
    STOPWORDS,
    STRUCTURAL_KEYS,
    is_legal_word,
    legal_class,
    legal_word_uncached,
    rigour_strip,
    strip_han_suffix,
)
from ringfence.resolve.lexicon import ko_gloss, ko_segments, latin_gloss, lexicon_gloss
from ringfence.resolve.listnames import alias_bracket, alias_parts
from ringfence.resolve.normalise import Cleaned, clean_name
from ringfence.resolve.persian import fa_gloss
from ringfence.resolve.respell import digit_readings, read_digits, respell
from ringfence.resolve.text import (
    arabic_skeleton,
    cantonese,
    cyrillic_to_latin,
    fold_persian,
    korean_key,
    korean_to_latin,
    latin_skeleton,
    loose,
    pinyin,
    script_of,
    to_simplified,
)
from ringfence.resolve.variants import (
    cantonese_variant_keys,
    cyrillic_variant_keys,
    drop_particles,
    han_variant_keys,
    join_marks,
    kana_latin,
    korean_variant_keys,
    latin_variant_keys,
    persian_latin_keys,
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
    # loose keys of the word read through TS #39 skeletons when they differ from its own
    # (A1ibaba → alibaba; Ho1dings → holdings, hoidings)
    confusable: frozenset[str] = frozenset()


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
    # what each variant after the first is, where it is not a quoted core or an alias
    # part: "confusable_reading" (a mixed-script word read the other way), "respelt"
    labels: tuple[str, ...] = ()

    @property
    def tokens(self) -> tuple[Token, ...]:
        return self.variants[0] if self.variants else ()


_OPEN = "(（[【"
_CLOSE = ")）]】"
_BRACKET = re.compile("[" + re.escape(_OPEN + _CLOSE) + "]")
_PART_SPLIT = re.compile(r"[-'’.]")  # Alfa-Bank, Almaz-Antey, BANK-E, ВЭБ.РФ, Co.
_WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*", re.UNICODE)
_QUOTE_CORE = re.compile(r"[«“\"„]([^«»“”\"„]+)[»”\"]?\s*$|[«“\"„]([^«»“”\"„]+)[»”\"]")


@lru_cache(maxsize=1 << 17)
def analyse_name(name: str) -> NameForm:
    """Analyse one organisation name (any script) into comparable tokens."""
    cleaned = clean_name(name)
    text = close_han_gaps(fold_persian(to_simplified(cleaned.text)))
    script = script_of(text)
    legal: list[str] = []
    raw_words: list[str] = []
    full = _tokens(text, legal, raw_words, strip=True)
    if not full:  # the whole name is a legal form ("ООО", "有限公司"): keep its words
        legal = []
        full = _tokens(text, [], [], strip=False)
    variants = [full] if full else []
    labels = [""] if full else []

    def add(words: str, label: str) -> None:
        other_tokens = _tokens(words, [], [], strip=True)
        if other_tokens and other_tokens not in variants:
            variants.append(other_tokens)
            labels.append(label)

    others = [close_han_gaps(fold_persian(to_simplified(o)))  # see Cleaned.alternative, readings
              for o in (cleaned.alternative, *cleaned.readings) if o]
    for other in others:
        add(other, "confusable_reading")
    for reading, forms in ((text, legal), *((o, []) for o in others)):  # each read in full
        if respelt := respell(reading, forms):  # "CN-PC", "KUKAAG", "Bank Sad erat"
            add(respelt, "respelt")  # a split or a join undone
        core = _quoted_core(reading)
        for other in ((core,) if core and core.strip() != reading.strip() else ()) + alias_parts(
            reading, _pieces(reading)
        ):
            add(other, "")  # a quoted core or an alias part
    return NameForm(
        original=name,
        script=script,
        variants=tuple(variants),
        legal_forms=tuple(legal),
        raw_words=tuple(raw_words),
        legal_class=legal_class(legal),
        cleaned=cleaned if cleaned.changes else None,
        labels=tuple(labels),
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
    if not _BRACKET.search(text):
        return [(text, False)] if text else []
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
    pieces = _pieces(text)
    for piece, qualifier in pieces:
        if qualifier and alias_bracket(piece, pieces):
            continue  # "DAEDONG CREDIT BANK (DCB)": the bracket is an alias (listnames)
        words: list[str] = []
        uppers: set[str] = set()
        compound: dict[str, str] = {}  # part of a hyphenated word → the word joined
        for word in _WORD.findall(piece):
            split, upper, joined = _split_word(word)
            words.extend(split)
            uppers.update(upper)
            if joined:
                compound[joined[0]] = joined[1]
        words = _repair_split_legal(words) if strip else words
        raw_words.extend(w for at, w in enumerate(words) if not _stopword(w, at))
        non_han = [w for w in words if script_of(w) != "Hani"]
        kept, removed = rigour_strip(tuple(non_han)) if non_han and strip else (non_han, ())
        legal.extend(removed)
        kept_at = _kept_positions(words, kept)
        for position, w in enumerate(words):
            if script_of(w) == "Hani":
                han, han_removed = strip_han_suffix(w) if strip else (w, [])
                legal.extend(han_removed)
                for seg in segment_han(han):
                    tokens.append(_token(seg, qualifier=qualifier, upper=False))
            elif position in kept_at and script_of(w) == "Hang":
                for seg in ko_segments(w):
                    tokens.append(_token(seg, qualifier=qualifier, upper=False))
            elif position in kept_at:
                if _stopword(w, position) or (len(w) == 1 and not w.isdigit()):
                    continue
                tokens.append(
                    _token(w, qualifier=qualifier, upper=w in uppers, joined=compound.get(w, ""))
                )
    return tuple(tokens)


def _stopword(word: str, position: int) -> bool:
    """A word names drop; romanised fi (in), wa (and) only between words (not FI Group)."""
    return word in STOPWORDS and (position > 0 or word not in ("fi", "wa"))


def _kept_positions(words: list[str], kept: tuple[str, ...] | list[str]) -> set[int]:
    """Where the words legal-form stripping kept stand in ``words``, in order ("BANK
    MOSKOVSKI OBLASTNOI BANK" keeps the second BANK); a kept word not found is passed over."""
    out: set[int] = set()
    start = 0
    for word in kept:
        try:
            at = words.index(word, start)
        except ValueError:
            continue
        out.add(at)
        start = at + 1
    return out


@lru_cache(maxsize=1 << 18)
def _split_word(word: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, str] | None]:
    """One written word (``_WORD``) as the words analysis sees (split on hyphens and
    apostrophes, legal forms glued to it split off, Han runs apart, lower-cased, digits
    read as letters in legal forms, diacritics folded), the parts written in capitals,
    and for a hyphenated word whose other parts cannot stand, (the standing part, the
    word joined). Cached: names share most of their words."""
    pieces = drop_particles([p for p in _PART_SPLIT.split(join_marks(word)) if p])
    parts = [q for p in pieces for q in _unglue(p)]
    words: list[str] = []
    uppers: list[str] = []
    for part in parts:
        if part.isupper() and len(part) >= 2:
            uppers.append(part.casefold())
        words.extend(split_han(part.casefold()))
    joined = None
    if "-" in word and len(parts) > 1:
        survivors = [p.casefold() for p in parts if not _dropped(p.casefold())]
        if len(survivors) == 1:
            # "Hisen-se", "C-NPC": the other parts are too short or too common to
            # stand; the part that stands also carries the word joined
            joined = (survivors[0], "".join(parts).casefold())
    # diacritics folded in Latin words, so "Límitéd" and "Cö." are legal forms too
    return tuple(_fold_latin(read_digits(w)) for w in words), tuple(uppers), joined


_CASE_BOUNDARY = re.compile(r"(?<=[^\W\d_])(?=[A-ZА-ЯЁ][a-zа-яё])|(?<=[a-zа-яё])(?=[A-ZА-ЯЁ])")
# Legal forms that no ordinary word ends with: split off even without a case boundary.
_GLUED_SUFFIXES = ("corporation", "incorporated", "limited", "company", "gmbh", "corp",
                   "ltd", "llc", "plc", "inc")  # fmt: skip


def _unglue(part: str) -> list[str]:
    """A legal form or a short word glued to a name ("ByteDanceLtd", "PJSCGazprom",
    "ofHuawei", "BANKPLC") is split off; the name itself stays one word."""
    if len(part) < 5 or not part.isalpha() or script_of(part) not in ("Latn", "Cyrl"):
        return [part]
    segs = [x for x in _CASE_BOUNDARY.split(part) if x]
    head: list[str] = []
    while len(segs) > 1 and _glue_word(segs[0]):
        head.append(segs.pop(0))
    tail: list[str] = []
    while len(segs) > 1 and _glue_word(segs[-1]):
        tail.insert(0, segs.pop())
    core = "".join(segs)
    if not tail and core.casefold().endswith(_GLUED_SUFFIXES):  # one test before the loop
        low = core.casefold()
        for suffix in _GLUED_SUFFIXES:
            if low.endswith(suffix) and len(low) - len(suffix) >= 3 and low != suffix:
                tail, core = [core[-len(suffix) :]], core[: -len(suffix)]
                break
    return [*head, core, *tail]


def _glue_word(seg: str) -> bool:
    low = seg.casefold()
    return low in STOPWORDS or is_legal_word(low)


def _fold_latin(word: str) -> str:
    if word.isascii() or script_of(word) != "Latn":
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", folded)


def _dropped(part: str) -> bool:
    """A word part that would not become a token of its own."""
    if len(part) <= 2 and not part.isdigit():
        return True
    return part in STOPWORDS or is_legal_word(part)


def _repair_split_legal(words: list[str]) -> list[str]:
    """Two neighbouring words that are a legal form only together ("Lim ited",
    "Corp oration") are joined back, so the legal form is stripped as usual."""
    if len(words) < 2:
        return words
    out: list[str] = []
    i = 0
    while i < len(words):
        if i + 1 < len(words):
            a, b = words[i], words[i + 1]
            both = a + b
            if (
                len(both) >= 5
                and both.isalpha()
                and not is_legal_word(a)
                and not is_legal_word(b)
                # both is mostly made up once: asked without the per-word caches
                and script_of.__wrapped__(both) != "Hani"
                and legal_word_uncached(both)
            ):
                out.append(both)
                i += 2
                continue
        out.append(words[i])
        i += 1
    return out


@lru_cache(maxsize=1 << 18)
def _token(word: str, *, qualifier: bool, upper: bool, joined: str = "") -> Token:
    script = script_of(word)
    keys: set[str] = set()
    gloss: tuple[tuple[str, ...], ...] = ()
    skeleton = ""
    if script == "Hani":
        primary = loose(pinyin(word))
        keys.add(primary)
        if len(word) >= 3 and word[-1] in "市省县区" and word[:-1] in zh_places():
            keys.add(loose(pinyin(word[:-1])))  # 深圳市 ~ Shenzhen
        keys.add(loose("".join(cantonese(word))))
        keys |= han_variant_keys(word)  # Wade–Giles
        keys |= cantonese_variant_keys(word)  # Jyutping, Yale, Hong Kong spellings
        gloss = zh_gloss(word)
    elif script == "Cyrl":
        primary = loose(cyrillic_to_latin(word))
        keys.add(primary)
        keys.add(loose(cyrillic_to_latin(ru_stem(word))))
        keys |= cyrillic_variant_keys(word)  # ISO 9
        gloss = ru_gloss(word)
        skeleton = latin_skeleton(cyrillic_to_latin(word))
    elif script == "Arab":
        skeleton = arabic_skeleton(word)
        primary = "fa:" + word
        gloss = fa_gloss(word)
    elif script == "Hang":
        latin = korean_to_latin(word)
        primary = loose(latin)
        keys.add(primary)
        if len(korean_key(latin)) >= 4:
            keys.add("ko:" + korean_key(latin))
        keys |= korean_variant_keys(word)  # McCune–Reischauer, Revised by pronunciation
        gloss = ko_gloss(word)
    elif script == "Zyyy" and kana_latin(word):
        primary = loose(kana_latin(word))  # Japanese kana: romaji (トヨタ toyota)
        keys.add(primary)
        gloss = lexicon_gloss("ja:" + word)
    else:
        primary = loose(word)
        keys.add(primary)
        keys.add(en_key(word))
        keys |= latin_variant_keys(word)  # pinyin with tone numbers
        keys |= persian_latin_keys(word)  # Persian x for kh
        gloss = latin_gloss(word)  # romanised Russian, other Latin-letter words
        full = ABBREVIATIONS.get(word)
        if full:
            keys.add(loose(full))
            keys.add(en_key(full))
        skeleton = latin_skeleton(word)
    if joined and script != "Hani":
        keys.add(loose(joined) if script == "Latn" else loose(cyrillic_to_latin(joined)))
    confusable: frozenset[str] = frozenset()
    if script == "Latn" and not word.isalpha():
        confusable = frozenset(loose(r) for r in digit_readings(word) if r.isascii()) - keys
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
