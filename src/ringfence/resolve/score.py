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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ringfence.resolve.acronyms import acronym_spans, legal_form_initials, legal_form_runs
from ringfence.resolve.aliasform import (
    Cand,
    cap_description,
    in_context,
    inserted,
    leading_extras,
    misspelt_form,
    own_word,
    repeated_in,
    repeats,
    trailing,
    written_cut,
)
from ringfence.resolve.countries import absorb_countries
from ringfence.resolve.ids import IdOutcome, ParsedId, compare_ids
from ringfence.resolve.kinds import kind_evidence, weight_of
from ringfence.resolve.listnames import acronym_fits
from ringfence.resolve.names import NameForm, Token, analyse_name
from ringfence.resolve.normalise import DISGUISES
from ringfence.resolve.rucompound import is_initialism
from ringfence.resolve.tokensim import span_sim, token_sim
from ringfence.resolve.translated import lone_translation

__all__ = ["DEFAULT_THRESHOLD", "Comparison", "Feature", "Record", "TokenWeights", "compare"]

DEFAULT_THRESHOLD = 0.7

_GENERIC_WEIGHT = 0.35
_ONE_SIDED_PENALTY = 0.7  # per unmatched qualifier / organisational word, at most two
_DISTINCT_PENALTY = 0.75  # per unmatched distinctive word, at most two
_LEGAL_CLASS_PENALTY = 0.8
_COUNTRY_PENALTY = 0.75
_CONFLICT_CAP = 0.3
_ABBREV_SCORE = 0.85

# an alignment candidate: (score, width, method, indices in a, indices in b)
_Cand = Cand


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
    weight is its IDF scaled to 0.2..1 (never above the generic weight for generic words
    and, in a score, listed initialisms: NII), so "bank" weighs little in a list of banks.
    """

    def __init__(self, doc_freq: Mapping[str, int] | None = None, total: int = 0) -> None:
        self._df = doc_freq or {}
        self._n = max(total, 1)
        self._log_n = math.log(self._n + 1)

    def weight(self, token: Token) -> float:
        rare = self.rarity(token)
        return min(rare, _GENERIC_WEIGHT) if is_initialism(token) else rare

    def rarity(self, token: Token) -> float:
        """The weight, a found initialism being the name's own word (SK in SK Group)."""
        base = _GENERIC_WEIGHT if token.generic else 1.0
        if not self._df:
            return base
        df = self._df.get(token.primary, 0)
        idf = math.log((self._n + 1) / (df + 1)) / self._log_n if self._log_n > 0 else 1.0
        return min(base, max(0.2, min(1.0, 0.2 + idf)))


def _lead_weight(w: TokenWeights, token: Token, leading_extra: bool) -> float:
    """A word's weight; two letters written before the shared name and left unmatched
    ("NK", "SK", "RN": an abbreviated kind of company or a parent's initials), and a
    descriptive word so placed ("COMMERCIAL BANK AGROSOYUZ", see ``own_word``), weigh
    like a generic word. Found, or after the name ("TikTok UK"), they count in full."""
    short = len(token.text) <= 2 and token.text.isalpha() and token.script in ("Latn", "Cyrl")
    light = short or not own_word(token)  # "COMMERCIAL BANK AGROSOYUZ": a kind, not a name
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
                label = _label(fa, va_i) or _label(fb, vb_i) or "quoted_core"
                f.insert(0, Feature(label, s, _show(va), _show(vb)))
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


def _label(form: NameForm, at: int) -> str:
    """What the variant ``at`` of ``form`` is (see ``NameForm.labels``), "" for the full
    name and for a quoted core or alias part."""
    return form.labels[at] if 0 < at < len(form.labels) else ""


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
    if repeats(ta) or repeats(tb):  # HONG KONG HONG PANG ~ HONG PANG (HK): hong ~ hong
        cands.sort(key=lambda c: (-c[0], c[2] != "exact", -c[1], not in_context(ta, tb, c)))
    used_a: dict[int, float] = {}
    used_b: dict[int, float] = {}
    feats: list[Feature] = []
    aligned: list[tuple[str, tuple[int, ...], tuple[int, ...]]] = []
    for s, _k, m, ia, ib in cands:
        if any(i in used_a for i in ia) or any(j in used_b for j in ib):
            continue
        aligned.append((m, ia, ib))
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
    lead = leading_extras(ta, used_a, used_b, len(tb), texts[0]) | {
        -1 - j for j in leading_extras(tb, used_b, used_a, len(ta), texts[1])
    }
    wa = [_lead_weight(w, t, i in lead) for i, t in enumerate(ta)]
    wb = [_lead_weight(w, t, -1 - j in lead) for j, t in enumerate(tb)]
    cap_description(wa, [i for i in lead if i >= 0], _GENERIC_WEIGHT)
    cap_description(wb, [-1 - j for j in lead if j < 0], _GENERIC_WEIGHT)
    for tokens, used, weights, other_legal, side in (
        (ta, used_a, wa, fb_legal, "a"),
        (tb, used_b, wb, fa_legal, "b"),
    ):
        for i, t in enumerate(tokens):
            form = "" if i in used else misspelt_form(t, other_legal)
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
        for i, inner in repeated_in(tokens, used):
            weights[i], used[i] = 0.0, 0.0  # LUKOIL OIL COMPANY: "oil" is said in LUKOIL
            va, vb = (tokens[i].text, inner) if side == "a" else (inner, tokens[i].text)
            feats.append(Feature("token_repeated", 0.0, va, vb))
    absorbed = absorb_countries((ta, tb), (used_a, used_b), (wa, wb), aligned, lead)
    feats.extend(Feature("country_spelt_out", 0.0, x, y) for x, y in absorbed)
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
        others = (used_b, tb) if side == "a" else (used_a, ta)
        inside = inserted(tokens, used, *others) | trailing(tokens, used, *others)
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
    carrier = lone_translation(ta, tb, aligned, (wa, wb), (used_a, used_b), lead)
    if carrier is not None:
        score *= _DISTINCT_PENALTY
        feats.append(Feature("translated_word_only", _DISTINCT_PENALTY - 1.0, *carrier))
    return score, feats


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
            if not written_cut(t.text, text):
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
