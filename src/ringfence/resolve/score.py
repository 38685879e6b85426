"""Compare two organisation records: a score in 0..1, a match flag, and the evidence.

The name score aligns the tokens of the two names: each token may pair with one token or
with a run of two or three tokens on the other side (Hong Kong ~ Hongkong, 长城 ~ Great
Wall, 中国石油 ~ Zhongguo Shiyou). A pair is scored by the best agreeing form:

========================  =====  ==============================================
method                    score  example
========================  =====  ==============================================
exact                     1.00   华为 ~ 華為 (after simplification)
spelling                  1.00   Antey ~ Antei; Co ~ Company (same script)
romanised                 0.95   Газпром ~ Gazprom; 长城 ~ Changcheng
translation               0.90   银行 ~ Bank; нефтяная ~ Oil; بانک ~ Bank
skeleton                  0.85   ملت ~ Mellat (consonants mlt)
fuzzy                     ≤0.90  LUKUIL ~ LUKOIL (one edit in six letters)
truncated                 0.85   IMP. ~ IMPORT (cut short, with a period)
========================  =====  ==============================================

Each side's coverage is the weighted share of its tokens that found a partner (weights:
rare tokens more, see :class:`TokenWeights`); the name score is the harmonic mean of the
two coverages, so words present on one side only pull it down. Parenthesised qualifiers
("(Asia)", "（上海）") and organisational words (group, holding, 集团, 控股) that only one
side has cut it further: they are what separates a parent from its subsidiary. List
aliases shift that balance where the structure says so: words inside the shared name, a
description of three words or more before it, a word repeating a found word of the same
name (see docs/screening.md, "Inside the shared name").

Identifiers are decisive: a shared valid identifier scores 1.0 whatever the names; two
different valid identifiers in one scheme cap the score far below any threshold. Different
countries (when both are given) cost a little.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import DamerauLevenshtein

from ringfence.resolve.acronyms import acronym_spans, legal_form_initials, legal_form_runs
from ringfence.resolve.ids import IdOutcome, ParsedId, compare_ids
from ringfence.resolve.kinds import kind_evidence, weight_of
from ringfence.resolve.listnames import acronym_fits
from ringfence.resolve.names import GENERIC_KEYS, NameForm, Token, analyse_name
from ringfence.resolve.normalise import DISGUISES
from ringfence.resolve.tokensim import span_sim, token_sim

__all__ = [
    "DEFAULT_THRESHOLD",
    "Comparison",
    "Feature",
    "Record",
    "TokenWeights",
    "compare",
]

DEFAULT_THRESHOLD = 0.7

_GENERIC_WEIGHT = 0.35
_ONE_SIDED_PENALTY = 0.7  # per unmatched qualifier / organisational word, at most two
_DISTINCT_PENALTY = 0.75  # per unmatched distinctive word, at most two
_LEGAL_CLASS_PENALTY = 0.8
_COUNTRY_PENALTY = 0.75
_CONFLICT_CAP = 0.3
_ABBREV_SCORE = 0.85

# an alignment candidate: (score, width, method, indices in a, indices in b)
_Cand = tuple[float, int, str, tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class Record:
    """One side of a comparison: names (any script), countries, identifiers."""

    names: tuple[str, ...]
    countries: frozenset[str] = frozenset()
    ids: tuple[ParsedId, ...] = ()
    kinds: tuple[str, ...] = ()  # parallel to names (``resolve.kinds``); empty: unknown

    @classmethod
    def of(
        cls,
        name: str | Iterable[str],
        *,
        country: str | Iterable[str] | None = None,
        ids: Iterable[ParsedId] = (),
    ) -> Record:
        names = (name,) if isinstance(name, str) else tuple(name)
        if country is None:
            countries: frozenset[str] = frozenset()
        elif isinstance(country, str):
            countries = frozenset({country.strip().upper()} - {""})
        else:
            countries = frozenset(c.strip().upper() for c in country if c and c.strip())
        return cls(
            names=tuple(n for n in names if n and n.strip()), countries=countries, ids=tuple(ids)
        )


@dataclass(frozen=True, slots=True)
class Feature:
    """One piece of evidence: which feature, its score, and the values it compared."""

    feature: str
    score: float
    a: str
    b: str

    def as_dict(self) -> dict[str, Any]:
        return {"feature": self.feature, "score": round(self.score, 4), "a": self.a, "b": self.b}


@dataclass(frozen=True, slots=True)
class Comparison:
    score: float
    match: bool
    explanation: tuple[Feature, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "match": self.match,
            "score": round(self.score, 4),
            "explanation": [f.as_dict() for f in self.explanation],
        }


class TokenWeights:
    """How much a token counts: inverse document frequency over a snapshot's names.

    Without frequencies (``TokenWeights()``), generic words (countries, nationalities,
    organisational words) weigh 0.35 and every other word 1.0. With frequencies, a word's
    weight is its IDF scaled to 0.2..1 (and never above the generic weight for generic
    words), so "bank" weighs little in a list of banks.
    """

    def __init__(self, doc_freq: Mapping[str, int] | None = None, total: int = 0) -> None:
        self._df = doc_freq or {}
        self._n = max(total, 1)
        self._log_n = math.log(self._n + 1)

    def weight(self, token: Token) -> float:
        base = _GENERIC_WEIGHT if token.generic else 1.0
        if not self._df:
            return base
        df = self._df.get(token.primary, 0)
        idf = math.log((self._n + 1) / (df + 1)) / self._log_n if self._log_n > 0 else 1.0
        return min(base, max(0.2, min(1.0, 0.2 + idf)))


def _lead_weight(w: TokenWeights, token: Token, leading_extra: bool) -> float:
    """A word's weight; two letters written before the shared name and left unmatched
    ("NK", "SK", "RN": an abbreviated kind of company or a parent's initials), and a
    descriptive word so placed ("COMMERCIAL BANK AGROSOYUZ", see ``_own_word``), weigh
    like a generic word. Found, or after the name ("TikTok UK"), they count in full."""
    short = len(token.text) <= 2 and token.text.isalpha() and token.script in ("Latn", "Cyrl")
    light = short or not _own_word(token)  # "COMMERCIAL BANK AGROSOYUZ": a kind, not a name
    return min(w.weight(token), _GENERIC_WEIGHT) if light and leading_extra else w.weight(token)


_DEFAULT_WEIGHTS = TokenWeights()


def compare(
    a: Record,
    b: Record,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    weights: TokenWeights | None = None,
) -> Comparison:
    """Score how likely ``a`` and ``b`` are the same organisation, with the evidence."""
    w = weights or _DEFAULT_WEIGHTS
    features: list[Feature] = []
    outcome, ida, idb = compare_ids(a.ids, b.ids)
    name_score, name_features = _best_name_score(a, b, w)
    score = name_score
    if outcome is IdOutcome.SAME and ida and idb:
        features.append(Feature(f"identifier:{ida.scheme}", 1.0, ida.raw, idb.raw))
        score = 1.0
    elif outcome is IdOutcome.CONFLICT and ida and idb:
        features.append(Feature(f"identifier_conflict:{ida.scheme}", -1.0, ida.raw, idb.raw))
        score = min(score, name_score * _CONFLICT_CAP)
    for x in a.ids:
        if not x.valid:
            features.append(Feature(f"identifier_invalid:{x.scheme}", 0.0, x.raw, ""))
    for y in b.ids:
        if not y.valid:
            features.append(Feature(f"identifier_invalid:{y.scheme}", 0.0, "", y.raw))
    features.extend(name_features)
    features.extend(normalisation_features(a.names, "a"))
    features.extend(normalisation_features(b.names, "b"))
    if a.countries and b.countries and outcome is not IdOutcome.SAME:
        ca, cb = ",".join(sorted(a.countries)), ",".join(sorted(b.countries))
        if a.countries & b.countries:
            features.append(Feature("country", 1.0, ca, cb))
        else:
            features.append(Feature("country_mismatch", _COUNTRY_PENALTY - 1.0, ca, cb))
            score *= _COUNTRY_PENALTY
    score = max(0.0, min(1.0, score))
    return Comparison(score=score, match=score >= threshold, explanation=tuple(features))


def normalisation_features(names: Iterable[str], side: str) -> list[Feature]:
    """``normalised:CHANGE`` for each disguise (invisible, control, marks, confusable)
    that :func:`ringfence.resolve.normalise.clean_name` undid in a name of one side."""
    out: list[Feature] = []
    for name in names:
        cleaned = analyse_name(name).cleaned
        if cleaned is None:
            continue
        for change in cleaned.changes:
            if change not in DISGUISES:
                continue
            pair = (cleaned.original, cleaned.text)
            out.append(Feature(f"normalised:{change}", 0.0, *(pair if side == "a" else pair[::-1])))
    return out


def _best_name_score(a: Record, b: Record, w: TokenWeights) -> tuple[float, list[Feature]]:
    wa, wb = weight_of(a.kinds, len(a.names)), weight_of(b.kinds, len(b.names))
    best, at, best_feats = 0.0, (0, 0), list[Feature]()
    for i, j in ((i, j) for i in range(len(a.names)) for j in range(len(b.names))):
        s, feats = _name_score(analyse_name(a.names[i]), analyse_name(b.names[j]), w)
        s *= min(wa[i], wb[j])  # a weak alias scores lower (resolve.kinds)
        if s > best or not best_feats:
            best, best_feats, at = s, feats, (i, j)
        if best >= 1.0:
            break
    kinds = kind_evidence(a.kinds, at[0], b.kinds, at[1]) if best_feats else []  # which alias
    return best, [*best_feats, *(Feature(k, best, a.names[at[0]], b.names[at[1]]) for k in kinds)]


def _name_score(fa: NameForm, fb: NameForm, w: TokenWeights) -> tuple[float, list[Feature]]:
    best = -1.0
    feats: list[Feature] = []
    for va_i, va in enumerate(fa.variants):
        for vb_i, vb in enumerate(fb.variants):
            s, f = _align_score(
                va,
                vb,
                w,
                (fa.legal_forms, fb.legal_forms),
                (fa.raw_words, fb.raw_words),
                (fa.original, fb.original),
            )
            if va_i or vb_i:
                s *= 0.97  # a quoted core is slightly weaker evidence than the full name
                f.insert(0, Feature("quoted_core", s, _show(va), _show(vb)))
            if s > best:
                best, feats = s, f
    ab = _abbreviation(fa, fb) or _abbreviation(fb, fa)
    if ab and best < _ABBREV_SCORE:
        short, long_ = ab
        best, feats = _ABBREV_SCORE, [Feature("abbreviation", _ABBREV_SCORE, short, long_)]
    if best < 0:
        return 0.0, [Feature("name", 0.0, fa.original, fb.original)]
    if fa.legal_class and fb.legal_class and fa.legal_class != fb.legal_class:
        best *= _LEGAL_CLASS_PENALTY
        feats.append(
            Feature(
                "legal_form_differs", _LEGAL_CLASS_PENALTY - 1.0, fa.legal_class, fb.legal_class
            )
        )
    feats.insert(0, Feature("name", best, fa.original, fb.original))
    if fa.legal_forms or fb.legal_forms:
        feats.append(
            Feature("legal_form_ignored", 0.0, " ".join(fa.legal_forms), " ".join(fb.legal_forms))
        )
    return best, feats


def _show(tokens: tuple[Token, ...]) -> str:
    return " ".join(t.text for t in tokens)


# --- token alignment -------------------------------------------------------------------


def _align_score(
    ta: tuple[Token, ...],
    tb: tuple[Token, ...],
    w: TokenWeights,
    legal: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()),
    raw: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()),
    texts: tuple[str, str] = ("", ""),
) -> tuple[float, list[Feature]]:
    fa_legal, fb_legal = legal
    cands: list[_Cand] = []
    for i, x in enumerate(ta):
        for j, y in enumerate(tb):
            s, m = token_sim(x, y)
            if s > 0:
                cands.append((s, 1, m, (i,), (j,)))
    for k in (2, 3):
        for i, x in enumerate(ta):
            for j in range(len(tb) - k + 1):
                s, m = span_sim(x, tb[j : j + k])
                if s > 0:
                    cands.append((s, k, m, (i,), tuple(range(j, j + k))))
        for j, y in enumerate(tb):
            for i in range(len(ta) - k + 1):
                s, m = span_sim(y, ta[i : i + k])
                if s > 0:
                    cands.append((s, k, m, tuple(range(i, i + k)), (j,)))
    cands.extend(acronym_spans(ta, tb, raw[1]))
    cands.extend((s, k, m, ia, ib) for s, k, m, ib, ia in acronym_spans(tb, ta, raw[0]))
    cands.sort(key=lambda c: (-c[0], c[2] != "exact", -c[1]))  # RN-Kapital: rn ~ rn first
    if _repeats(ta) or _repeats(tb):  # HONG KONG HONG PANG ~ HONG PANG (HK): hong ~ hong
        cands.sort(key=lambda c: (-c[0], c[2] != "exact", -c[1], not _in_context(ta, tb, c)))
    used_a: dict[int, float] = {}
    used_b: dict[int, float] = {}
    feats: list[Feature] = []
    for s, _k, m, ia, ib in cands:
        if any(i in used_a for i in ia) or any(j in used_b for j in ib):
            continue
        for i in ia:
            used_a[i] = s
        for j in ib:
            used_b[j] = s
        feats.append(
            Feature(
                f"token:{m}", s, " ".join(ta[i].text for i in ia), " ".join(tb[j].text for j in ib)
            )
        )
    feats.extend(_truncations(ta, tb, used_a, used_b, texts))
    for tokens, used in ((ta, used_a), (tb, used_b)):
        # a word written twice ("Insurance Company VTB-Insurance") is found once
        found = {tokens[i].primary: s for i, s in used.items()}
        for i, t in enumerate(tokens):
            if i not in used and t.primary in found:
                used[i] = found[t.primary]
    lead = _leading_extras(ta, used_a, used_b, len(tb), texts[0]) | {
        -1 - j for j in _leading_extras(tb, used_b, used_a, len(ta), texts[1])
    }
    wa = [_lead_weight(w, t, i in lead) for i, t in enumerate(ta)]
    wb = [_lead_weight(w, t, -1 - j in lead) for j, t in enumerate(tb)]
    _cap_description(wa, [i for i in lead if i >= 0])
    _cap_description(wb, [-1 - j for j in lead if j < 0])
    for tokens, used, weights, other_legal, side in (
        (ta, used_a, wa, fb_legal, "a"),
        (tb, used_b, wb, fa_legal, "b"),
    ):
        for i, t in enumerate(tokens):
            form = "" if i in used else _misspelt_form(t, other_legal)
            initials = "" if i in used or form else legal_form_initials(t, other_legal)
            if form or initials:  # ENETRPRISE / FSUE where the other side's legal form went
                weights[i] = 0.0
                used[i] = 0.0
                pair = (t.text, form or initials)
                feats.append(
                    Feature(
                        "legal_form_misspelt" if form else "legal_form_initials",
                        0.0,
                        *(pair if side == "a" else pair[::-1]),
                    )
                )
        for run, form in legal_form_runs(tokens, used, other_legal):
            for i in run:  # Nauchno-Proizvodstvennoe Obedinenie where the other's NPO went
                weights[i], used[i] = 0.0, 0.0
            pair = (" ".join(tokens[i].text for i in run), form)
            feats.append(
                Feature("legal_form_initials", 0.0, *(pair if side == "a" else pair[::-1]))
            )
        for i, inner in _repeated_in(tokens, used):
            weights[i], used[i] = 0.0, 0.0  # LUKOIL OIL COMPANY: "oil" is said in LUKOIL
            va, vb = (tokens[i].text, inner) if side == "a" else (inner, tokens[i].text)
            feats.append(Feature("token_repeated", 0.0, va, vb))
    tot_a, tot_b = sum(wa), sum(wb)
    if tot_a <= 0 or tot_b <= 0:
        return 0.0, feats
    cov_a = sum(wa[i] * s for i, s in used_a.items()) / tot_a
    cov_b = sum(wb[j] * s for j, s in used_b.items()) / tot_b
    score = 0.0 if cov_a + cov_b == 0 else 2 * cov_a * cov_b / (cov_a + cov_b)
    penalties = 0
    distinct = 0
    for side, tokens, used, weights, other in (
        ("a", ta, used_a, wa, fb_legal),
        ("b", tb, used_b, wb, fa_legal),
    ):
        inside = _inserted(tokens, used, *((used_b, tb) if side == "a" else (used_a, ta)))
        for i, t in enumerate(tokens):
            if i in used:
                continue
            if (i if side == "a" else -1 - i) in lead:
                va, vb = (t.text, "") if side == "a" else ("", t.text)
                feats.append(Feature("token_leading_extra", -round(weights[i], 4), va, vb))
                continue
            if t.structural and t.script == "Hani" and "corporation" in other:
                # 集团(有限)公司 is routinely rendered "Corporation", stripped as a legal form.
                feats.append(
                    Feature(
                        "token:translation",
                        0.9,
                        *((t.text, "corporation") if side == "a" else ("corporation", t.text)),
                    )
                )
                continue
            if t.qualifier or t.structural:
                kind = "qualifier_one_sided" if t.qualifier else "organisational_word_one_sided"
                if penalties < 2:
                    score *= _ONE_SIDED_PENALTY
                    penalties += 1
                va, vb = (t.text, "") if side == "a" else ("", t.text)
                feats.append(Feature(kind, _ONE_SIDED_PENALTY - 1.0, va, vb))
            else:
                va, vb = (t.text, "") if side == "a" else ("", t.text)
                feats.append(Feature("token_unmatched", -round(weights[i], 4), va, vb))
                if i in inside:
                    continue
                if weights[i] >= 0.8 and not t.generic and distinct < 2:
                    score *= _DISTINCT_PENALTY
                    distinct += 1
    return score, feats


def _inserted(
    tokens: tuple[Token, ...],
    used: dict[int, float],
    other_used: dict[int, float],
    other: tuple[Token, ...],
) -> set[int]:
    """Words of ``tokens`` written *inside* what both sides share, when the other side is
    wholly found and what is shared has two words of its own, of three letters or more:
    a word a list inserts or leaves out in the middle of a name ("... CORRECTIONAL
    MANAGEMENT BUREAU", "HAJI KHAIRULLAH HAJI SATTAR MONEY EXCHANGE"). They cost coverage
    but not the distinctive-word penalty. Words before or after the shared part do not
    qualify: "X Shipping" and "X Finance" are how subsidiaries are named."""
    if len(other_used) < len(other) or len(used) == len(tokens):
        return set()
    found = [i for i, s in used.items() if s > 0 and not tokens[i].qualifier]  # "(publ)"
    if sum(1 for i in found if _own_word(tokens[i]) and len(tokens[i].text) >= 3) < 2:
        return set()
    lo, hi = min(found), max(found)
    return {i for i in range(lo + 1, hi) if i not in used}


_TRUNCATED_SCORE = 0.85


def _truncations(
    ta: tuple[Token, ...],
    tb: tuple[Token, ...],
    used_a: dict[int, float],
    used_b: dict[int, float],
    texts: tuple[str, str],
) -> list[Feature]:
    """Words left unmatched on both sides where one is the other cut short and marked so
    with a period, as lists shorten a name's descriptive words ("IMP. & EXP." ~ IMPORT
    AND EXPORT, "INTL." ~ INTERNATIONAL): three letters or more, two or more cut off, the
    same script. Each is paired with the first such word of the other side, in order."""
    feats: list[Feature] = []
    if len(used_a) == len(ta) or len(used_b) == len(tb):
        return feats
    for short_side, tokens, others, used, other_used, text in (
        ("a", ta, tb, used_a, used_b, texts[0]),
        ("b", tb, ta, used_b, used_a, texts[1]),
    ):
        for i, t in enumerate(tokens):
            if i in used or len(t.text) < 3 or not t.text.isalpha() or t.script != "Latn":
                continue
            if not _written_cut(t.text, text):
                continue
            for j, y in enumerate(others):
                if j in other_used or y.script != "Latn" or len(y.text) < len(t.text) + 2:
                    continue
                if y.text.startswith(t.text):
                    used[i] = other_used[j] = _TRUNCATED_SCORE
                    pair = (t.text, y.text) if short_side == "a" else (y.text, t.text)
                    feats.append(Feature("token:truncated", _TRUNCATED_SCORE, *pair))
                    break
    return feats


def _written_cut(word: str, text: str) -> bool:
    """``word`` is written with a period right after it in ``text`` ("IMP.", "Intl.")."""
    return word in _cut_words(text)


_CUT = re.compile(r"(?<![^\W_])([^\W\d_]+)\.")


@lru_cache(maxsize=1 << 16)
def _cut_words(text: str) -> frozenset[str]:
    return frozenset(w.casefold() for w in _CUT.findall(text)) if "." in text else frozenset()


def _misspelt_form(t: Token, other_legal: tuple[str, ...]) -> str:
    """The word of the other side's stripped legal forms ``t`` is one edit from."""
    if t.script != "Latn" or len(t.text) < 5:
        return ""
    for form in other_legal:
        for word in form.split():
            if len(word) >= 5 and DamerauLevenshtein.distance(t.text, word, score_cutoff=1) <= 1:
                return word
    return ""


def _repeated_in(tokens: tuple[Token, ...], used: dict[int, float]) -> list[tuple[int, str]]:
    """Unmatched Latin words that repeat a found word of the same name: its end (three
    letters or more: OIL of LUKOIL, the kind a compound ends in; not GAZ of GAZPROM) or
    its first seven letters (STRAKHOVAYA after STRAKHOVANIE). A name says its kind twice;
    the repeat is not a word the other side lacks."""
    out: list[tuple[int, str]] = []
    if len(used) == len(tokens):
        return out
    found = [tokens[i].text for i, s in used.items() if s > 0 and tokens[i].script == "Latn"]
    for i, t in enumerate(tokens):
        if i in used or t.script != "Latn" or len(t.text) < 3 or not t.text.isalpha():
            continue
        for w in found:
            ends = len(w) > len(t.text) and w.endswith(t.text)
            if ends or (min(len(w), len(t.text)) >= 7 and w[:7] == t.text[:7]):
                out.append((i, w))
                break
    return out


def _repeats(tokens: tuple[Token, ...]) -> bool:
    return len({t.primary for t in tokens}) < len(tokens)


def _in_context(ta: tuple[Token, ...], tb: tuple[Token, ...], c: _Cand) -> bool:
    """A one-word pair whose next or previous words agree too: of a word written twice,
    the occurrence that stands where the other side has it."""
    if len(c[3]) != 1 or len(c[4]) != 1:
        return False
    i, j = c[3][0], c[4][0]
    after = i + 1 < len(ta) and j + 1 < len(tb) and ta[i + 1].primary == tb[j + 1].primary
    return after or (i > 0 and j > 0 and ta[i - 1].primary == tb[j - 1].primary)


def _cap_description(weights: list[float], extra: list[int]) -> None:
    """The words ``_leading_extras`` found (before the shared name, or after it opened by
    of / in / for / on), when they are a description of the name ("OIL TRANSPORTING JSC
    TRANSNEFT", "STATE CORPORATION FOR THE PROMOTION OF ... ROSTEC", "... FOR MONEY
    EXCHANGE") rather than a parent's brand (one word, "TRANSNEFT-DRUZHBA", or two words
    of their own, "GOLDEN SUN ..."): three or more words, or two of which one is
    descriptive or generic, together weigh like one generic word."""
    if len(extra) < 2 or (len(extra) == 2 and min(weights[i] for i in extra) > _GENERIC_WEIGHT):
        return
    total = sum(weights[i] for i in extra)
    if total > _GENERIC_WEIGHT:
        for i in extra:
            weights[i] *= _GENERIC_WEIGHT / total


def _leading_extras(
    tokens: tuple[Token, ...],
    used: dict[int, float],
    other_used: dict[int, float],
    n_other: int,
    text: str = "",
) -> set[int]:
    """Words one side has *before* everything both sides share, when the other side is
    wholly found and what is shared has a word of its own: a parent's brand, a province
    or a kind of institution written first ("BANCO VTB AFRICA", "AVIC SHENYANG AIRCRAFT",
    "ANHUI GREATWALL MILITARY INDUSTRY") cost coverage but not the distinctive-word
    penalty. Words *after* the shared part are how a subsidiary is named ("Gazprom
    Germania", "DCB Finance") and keep it, unless the name joins them with "of" or "in"
    (``_after_preposition``) or opens them with "for" or "on" ("SELSELAT AL-THAHAB FOR
    MONEY EXCHANGE"); so does a shared part of only common words ("Agricultural Bank of
    China" is not "Bank of China")."""
    if not used or len(other_used) < n_other:
        return set()
    extra = [i for i in range(len(tokens)) if i not in used and not tokens[i].qualifier]
    if not extra:
        return set()
    if not any(_own_word(tokens[i]) for i in used):
        return set()
    if max(extra) <= min(used):
        return set(extra)
    first = tokens[min(extra)].text
    if min(extra) > max(used) and (first in _PREPOSITIONS or _after_preposition(text, first)):
        return set(extra)  # "STRATEGIC ROCKET FORCE OF THE KOREAN PEOPLE'S ARMY"
    return set()


# words that open a phrase a list adds after the name ("... FOR MONEY EXCHANGE", "... ON
# THE AFRICAN CONTINENT"), kept as words by the analysis ("of" and "in" are not)
_PREPOSITIONS = frozenset(["for", "on"])


def _after_preposition(text: str, word: str) -> bool:
    """``word`` follows "of", "in" or "fi" (and maybe "the") in the name as written: what
    comes after says whose or where ("... GROUP OF UZBEKISTAN", "... IN TUNISIA"), the
    way lists extend a name, not how a subsidiary is named ("DCB Finance")."""
    return (
        re.search(rf"\b(?:of|in|fi)\s+(?:the\s+)?{re.escape(word)}\b", text.casefold()) is not None
    )


def _own_word(t: Token) -> bool:
    """Not a country or nationality, not an organisational word, not a word rigour tags:
    "Shenyang" or "VTB", not "China", "Bank" or "Group"."""
    return not t.structural and t.primary not in GENERIC_KEYS and not _tagged(t.text)


@lru_cache(maxsize=1 << 16)
def _tagged(word: str) -> bool:
    """rigour's organisation-name tagger (OpenSanctions' symbol tables) reads the word as
    a domain (bank, aircraft), a common symbol (capital, industry), a place or a legal
    form: descriptive, not a name of its own."""
    from rigour.names import NameTypeTag, analyze_names

    return any(n.spans for n in analyze_names(NameTypeTag.ORG, [word]))


# --- abbreviations ---------------------------------------------------------------------


def _abbreviation(short: NameForm, long_: NameForm) -> tuple[str, str] | None:
    """``CNOOC`` ~ China National Offshore Oil Corporation: each letter run is a prefix
    of successive words of the other name; words after the last one used may be left."""
    toks = short.tokens
    if len(toks) != 1 or not toks[0].upper or toks[0].script not in ("Latn", "Cyrl"):
        return None
    acro = toks[0].primary if toks[0].script == "Cyrl" else toks[0].text
    acro = acro.replace("-", "")
    words = [w for w in long_.raw_words if w.isalpha() and w.isascii()]
    if not 3 <= len(acro) <= 6 or len(words) < 2 or acro.casefold() in words:
        return None  # KUKA ~ KUKA AG is the same word, not an acronym of "ku"+"ka"
    if any(t.qualifier for t in long_.tokens):
        return None  # BSI is not "Bank Saderat Iran (Shanghai)"
    if acronym_fits(acro, tuple(words)):
        return short.original, long_.original
    return None
