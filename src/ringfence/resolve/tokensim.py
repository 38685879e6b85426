"""How alike two name tokens are, or a token and a run of tokens written as one (for
:mod:`ringfence.resolve.score`): spellings, romanisations, confusable characters,
translations, Persian consonant skeletons and small edit distances."""

from __future__ import annotations

from functools import lru_cache

import snowballstemmer
from rapidfuzz.distance import DamerauLevenshtein

from ringfence.resolve.arabic_latin import block_key, fit_score
from ringfence.resolve.names import Token
from ringfence.resolve.rucompound import same_place
from ringfence.resolve.text import korean_key, loose

__all__ = ["span_sim", "token_sim"]

_SINGLE_HAN_GLOSS = 0.7  # a translation through a one-character Chinese word is weak


@lru_cache(maxsize=1 << 18)
def token_sim(x: Token, y: Token) -> tuple[float, str]:
    if x.text == y.text:
        return 1.0, "exact"
    if x.keys & y.keys:
        return (1.0, "spelling") if x.script == y.script else (0.95, "romanised")
    if {x.script, y.script} == {"Hang", "Latn"}:
        ko, la = (x, y) if x.script == "Hang" else (y, x)
        key = korean_key(la.text)
        if len(key) >= 4 and "ko:" + key in ko.keys:
            return 0.9, "romanised"  # 삼성 ~ Samsung, 고려 ~ Koryo (see text.korean_key)
    if (x.confusable & (y.keys | y.confusable)) or (y.confusable & x.keys):
        return 0.95, "confusable"  # A1ibaba ~ Alibaba: TS #39 skeletons agree
    if x.script == y.script == "Latn":
        if _same_stem(x.text, y.text):
            return 0.9, "stem"  # Finance ~ Financial, Agriculture ~ Agricultural
        if x.text.isalpha() and y.text.isalpha() and same_place(x.text, y.text):
            return 0.85, "stem"  # KALINOVSKI ~ KALINOVO (resolve.rucompound)
        if _contraction(x.text, y.text) or _contraction(y.text, x.text):
            return 0.85, "contraction"  # SHPG ~ Shipping, MGMT ~ Management
    g = max(_gloss_sim(x, y), _gloss_sim(y, x))
    if g > 0:
        if any(t.script == "Hani" and len(t.text) == 1 for t in (x, y)):
            g = min(g, _SINGLE_HAN_GLOSS)  # one character has many senses (运: move, luck ...)
        return g, "translation"
    if {x.script, y.script} == {"Arab", "Latn"}:
        # letter by letter, each as the romanisations spell it (arabic_latin); a shared
        # consonant skeleton alone is not enough (سامان is not Summon, نور not Nar)
        fa, la = (x, y) if x.script == "Arab" else (y, x)
        fit = fit_score(fa.text, la.text)
        return (fit, "romanised") if fit else (0.0, "")
    if x.script == y.script == "Arab" and len(x.skeleton) >= 3 and x.skeleton == y.skeleton:
        return 0.8, "skeleton"
    best = _closest(x.keys, y.keys)
    if not best and len(x.text) == len(y.text) == 4 and x.skeleton == y.skeleton:
        # QUDS ~ QODS: a vowel changed in four letters
        best = 0.75 if x.script == y.script == "Latn" and len(x.skeleton) >= 2 else 0.0
    if x.script == y.script == "Latn":
        # the letters as typed too, one edit: a typo can change the loose key a lot more
        # than the word (GAXPROM → gaksprom, EENRGY → inrgi)
        best = max(best, _closest(frozenset({x.text}), frozenset({y.text}), most=1))
    if best > 0:
        return min(best, 0.9), "fuzzy"
    if x.script == y.script == "Latn" and _loan_spelling(x, y):
        return 0.8, "skeleton"  # LIZING ~ LEASING, SIBIRIA ~ SIBIR
    if x.script == y.script == "Arab" and len(x.skeleton) >= 4 and len(y.skeleton) >= 4:
        d = DamerauLevenshtein.distance(x.skeleton, y.skeleton, score_cutoff=1)
        if d <= 1:
            return 0.7, "skeleton"
    return 0.0, ""


def _closest(xs: frozenset[str], ys: frozenset[str], most: int = 2) -> float:
    """1 - edits/length for the closest pair within one edit (two from nine letters)."""
    best = 0.0
    for kx in xs:
        if len(kx) < 4:
            continue
        for ky in ys:
            if len(ky) < 4 or len(kx) == len(ky) == 4:
                continue  # a letter changed in four is another word (SHIG, SBIG)
            allowed = 1 if min(len(kx), len(ky)) < 9 else most
            d = DamerauLevenshtein.distance(kx, ky, score_cutoff=allowed)
            if d <= allowed:
                best = max(best, 1.0 - d / max(len(kx), len(ky)))
    return best


_STEMMER = snowballstemmer.stemmer("english")
_VOWELS = frozenset("aeiouy")


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def _same_stem(a: str, b: str) -> bool:
    """English words of one stem (Snowball), or stems one letter apart at the end
    (financ ~ financi, russia ~ russian): the same word inflected or derived."""
    if not (a.isalpha() and b.isalpha()) or min(len(a), len(b)) < 5:
        return False
    sa, sb = sorted((_stem(a), _stem(b)), key=len)
    return len(sa) >= 5 and sb.startswith(sa) and len(sb) - len(sa) <= 1


def _contraction(short: str, word: str) -> bool:
    """A business contraction keeps the word's first letter, consonants in order and its
    last letter (or the one before): SHPG ~ shipping, HLDGS ~ holdings, SVC ~ service.
    CSTC is not "constructions" (it ends elsewhere)."""
    if not (3 <= len(short) <= 6 and len(word) >= len(short) + 3 and short.isalpha()):
        return False
    if short[0] != word[0] or short[-1] not in word[-2:] or _VOWELS & set(short[1:]):
        return False
    it = iter(word)
    return all(ch in it for ch in short)


_LOAN_FOLD = str.maketrans("zj", "sg")


def _loan_spelling(x: Token, y: Token) -> bool:
    """One word in two Latin spellings that differ in vowels only, z for s or j for g
    (a word romanised back from Russian: LIZING ~ LEASING, SIBIRIA ~ SIBIR): the same
    first letter, five letters or more each, four consonants or more agreeing (three when
    one word starts the other)."""
    if min(len(x.text), len(y.text)) < 5 or x.text[0] != y.text[0] or len(x.skeleton) < 3:
        return False
    short, long_ = sorted((x.text, y.text), key=len)
    if len(x.skeleton) < 4 and not long_.startswith(short):
        return False  # SOBER is not SABER
    return x.skeleton.translate(_LOAN_FOLD) == y.skeleton.translate(_LOAN_FOLD)


def _words(t: Token) -> frozenset[str]:
    if t.script in ("Latn", "Hang", "Zyyy"):
        return t.keys
    return frozenset(p[0] for p in t.gloss if len(p) == 1)


def _gloss_sim(x: Token, y: Token) -> float:
    if not x.gloss:
        return 0.0
    words = _words(y)
    if not words:
        return 0.0
    best = 0.0
    for p in x.gloss:
        if len(p) == 1 and p[0] in words:
            return 0.9
        if len(p) == 2 and words & set(p):
            best = 0.75
    if y.gloss and x.script != "Latn" and y.script != "Latn":
        ys = {p for p in y.gloss}
        if ys & set(x.gloss):
            return 0.85
    return best


@lru_cache(maxsize=1 << 18)
def span_sim(x: Token, span: tuple[Token, ...]) -> tuple[float, str]:
    if any(t.primary.startswith("fa:") for t in span) or x.primary.startswith("fa:"):
        return _arabic_span(x, span) or _gloss_span(x, span)
    joined = "".join(t.primary for t in span)
    if all(t.script == "Latn" for t in span):
        spelled = loose("".join(t.text for t in span))  # Gail lon ~ Gaillon (ll → l)
        if spelled in x.keys or spelled == x.primary:  # 长江 ~ Coeng Gong (coengong)
            return (1.0 if x.script == "Latn" else 0.95), "joined"
    if len(joined) >= 2 and (joined in x.keys or joined == x.primary):
        same = all(t.script == x.script for t in span)
        return (1.0 if same else 0.95), "joined"
    if x.script == "Hang" and all(t.script == "Latn" for t in span):
        key = korean_key("".join(t.text for t in span))  # 조선련봉 ~ Choson Ryonbong
        if len(key) >= 6 and "ko:" + key in x.keys:
            return 0.9, "romanised"
    if len(joined) >= 8 and len(x.primary) >= 8:
        d = DamerauLevenshtein.distance(joined, x.primary, score_cutoff=1)
        if d <= 1:
            return 0.85, "joined_fuzzy"
    head = "".join(t.primary for t in span[:-1])
    tail = x.primary[len(head) :]
    if (
        x.script == span[-1].script
        and len(head) >= 4
        and x.primary.startswith(head)
        and len(tail) >= 3
        and span[-1].primary.startswith(tail)
    ):
        return 0.9, "joined_truncated"  # ВымпелКом ~ Вымпел-Коммуникации
    return _gloss_span(x, span)


def _arabic_span(x: Token, span: tuple[Token, ...]) -> tuple[float, str] | None:
    """An Arabic-script word written as two Latin words, or the other way round
    (بندرعباس ~ Bandar Abbas; Gharzolhasaneh ~ قرض الحسنه), read letter by letter."""
    scripts = {t.script for t in span}
    if len(span) != 2 or any(len(t.skeleton) < 2 for t in span):
        return None  # two words of their own (not Roshan + Niue); the index joins pairs
    if x.script == "Arab" and scripts == {"Latn"}:
        arabic, latin = x.text, "".join(t.text for t in span)
    elif x.script == "Latn" and scripts == {"Arab"}:
        arabic, latin = "".join(t.text for t in span), x.text
    else:
        return None
    if len(block_key(arabic)) < 3:  # no ab: key the index could find it by (keys._BLOCK_MIN)
        return None
    fit = fit_score(arabic, latin)
    return (fit, "joined") if fit >= 0.9 else None


def _gloss_span(x: Token, span: tuple[Token, ...]) -> tuple[float, str]:
    if not x.gloss:
        return 0.0, ""
    span_words = [_words(t) for t in span]
    for p in x.gloss:
        if len(p) != len(span):
            continue
        if all(any(word in ws for word in p) for ws in span_words) and all(
            any(word in ws for ws in span_words) for word in p
        ):
            return 0.9, "translation"
    return 0.0, ""
