"""A whole indexed name inside a longer query (``name_within``): the evidence a snapshot
gives that the declared name holds one entity's name and words of its own.

Kept apart from :mod:`ringfence.resolve.gates`, whose thresholds it shares.
"""

from __future__ import annotations

from ringfence.resolve.aliasform import own_word
from ringfence.resolve.candidate import EntityNames
from ringfence.resolve.gates import (
    COVER_LONG,
    MATCH_WEIGHT,
    QUERY_SIDE_GAPS,
    STRONG_LONG,
    STRONG_TOKEN,
    long_words,
)
from ringfence.resolve.names import analyse_name
from ringfence.resolve.score import Comparison, Feature, Record, TokenWeights
from ringfence.resolve.text import script_of

__all__ = ["name_within"]


# Token evidence that reads a word as written (spelling, romanisation, a joined or split
# form, a confusable or consonant skeleton), not as a translation or a gloss: "Star" is a
# translation of ZVEZDA, and says nothing of which star.
_READ_AS_WRITTEN = ("token:translation", "token:acronym", "token:truncated")


def name_within(
    query: Record,
    scored: list[tuple[EntityNames, Comparison]],
    threshold: float,
    weights: TokenWeights,
) -> list[tuple[EntityNames, Comparison]]:
    """One entity's whole name inside a longer query: flagged, and beside a match that
    misses it, a match for review.

    "Gooryong Shipping Bangkok" for GOORYONG SHIPPING CO LTD, "Tidewater Middle East
    Co." for TIDEWATER, "Krastel Shipping" for an entity known as KRASTEL: the query
    adds words the entity's name lacks. Pairwise these stay below the threshold, and
    rightly: that is how a branch, a subsidiary or an unrelated company reusing a brand
    looks, as often as another name of the same company. A candidate whose compared
    name is found whole in the query, every one of its words strongly
    (:func:`_within`), one of them a name of its own, rare in the snapshot and read as
    written (:func:`_own_anchors`), carries ``name_within`` first in its evidence, with
    the query's extra words (whatever its identifiers, legal form or country: see
    :func:`_within`). A name whose own words the query lacks is not within
    (ANGARSK PETROCHEMICAL for "Angarsk Refinery").

    * When no candidate matches, the flagged candidate stays below the threshold, not a
      match: the bundled evaluation (``tests/resolve/test_evaluation.py``) labels such
      look-alikes ("ByteDance Trading Ltd.", "TikTok (Singapore) Ltd.") as matching
      nothing, and a match here would send 190 of its 216 look-alikes to review, clear
      entities' look-alikes as much as restricted ones' (the review would have to be
      weighed against the entity's verdict, which this layer does not know). The flag
      is the evidence a caller that knows the verdict can act on.
    * When a candidate matches but none of the matches finds the flagged name's own
      word ("Tidewater Middle East Co.": a name 中东, "Middle East", matched and TIDEWATER
      left unfound), the query may name either entity and a confident match would deny
      one of them on a guess: the matches carry ``rival_name_within`` and the flagged
      candidate becomes a match at the threshold; :func:`needs_review` reads both,
      so onboarding sends the declaration to review, never a confident match.
    """
    within = {i: _own_anchors(query, r, weights) for i, (_, r) in enumerate(scored)
              if not r.match and _within(r)}
    within = {i: words for i, words in within.items() if words}
    matched = [i for i, (_, r) in enumerate(scored) if r.match]
    if matched:
        found = {w for i in matched for f in scored[i][1].explanation
                 if f.feature.startswith("token:") for w in f.a.split()}
        within = {i: words for i, words in within.items() if not words & found}
        for i in matched if within else ():
            ent, result = scored[i]
            rival = _compared_name(scored[next(iter(within))][1])
            feats = (Feature("rival_name_within", result.score, query.names[0], rival),
                     *result.explanation)
            scored[i] = (ent, Comparison(score=result.score, match=True, explanation=feats))
        _rival_matches(query, scored, matched, weights)
    for i in within:
        ent, result = scored[i]
        extra = " ".join(f.a for f in result.explanation
                         if f.a and f.feature in (*QUERY_SIDE_GAPS, "token_leading_extra"))
        flag = Feature("name_within", threshold if matched else 0.0, query.names[0],
                       f"{_compared_name(result)} (+ {extra})")
        if matched:
            scored[i] = (ent, Comparison(score=threshold, match=True,
                                         explanation=(flag, *result.explanation)))
        else:
            scored[i] = (ent, Comparison(score=result.score, match=False,
                                         explanation=(flag, *result.explanation)))
    return scored


def _rival_matches(query: Record, scored: list[tuple[EntityNames, Comparison]],
                   matched: list[int], weights: TokenWeights) -> None:
    """Two matches, each leaving unfound the other's own word, where one of them is whole
    inside the query ("Epic Games Tencent": EPIC GAMES, INC. matches with TENCENT after
    it, and TENCENT, a match of its own, is whole in the query): the query may name
    either, and the higher score alone would pick one on a guess (a clear company's name
    written before a restricted one's, allowed). The other's own words are its anchors
    (:func:`_own_anchors`) or, a match being evidence enough, every query word it found
    (a short acronym: "Epic Games MPI"). Each such match carries ``rival_name_within``,
    for review (:func:`needs_review`)."""
    found = {i: _found_words(scored[i][1]) for i in matched}
    inside = {i: _own_anchors(query, scored[i][1], weights) for i in matched
              if _within(scored[i][1])}
    for i in matched:
        ent, result = scored[i]
        if any(f.feature == "rival_name_within" for f in result.explanation):
            continue
        words = found[i]
        rival = next((j for j, anchors in inside.items() if j != i and (
            (anchors and not anchors & words) or (found[j] and not found[j] & words))), None)
        if rival is None:
            continue
        feats = (Feature("rival_name_within", result.score, query.names[0],
                         _compared_name(scored[rival][1])), *result.explanation)
        scored[i] = (ent, Comparison(score=result.score, match=True, explanation=feats))


def _found_words(result: Comparison) -> frozenset[str]:
    """The query words the candidate's compared name found (its ``token:`` evidence)."""
    return frozenset(w for f in result.explanation if f.feature.startswith("token:")
                     for w in f.a.split())


def _within(result: Comparison) -> bool:
    """Every word of the compared name found in the query (≥ 0.9 each; ≥ 0.85 for a word
    of eight letters or more), the query having words more. Another country, another
    registration number or another legal form does not count against it: a subsidiary
    named after its group is a company of its own, registered abroad as often as not (a
    Singapore company of a Beijing group), and an applicant declaring its own LEI must
    not shed the flag by it."""
    feats = result.explanation
    if not feats or result.score <= 0:
        return False
    found = extra = False
    for f in feats:
        if f.feature in (*QUERY_SIDE_GAPS, "token_leading_extra"):
            if f.b:
                return False  # a word of the entity's name the query lacks
            extra = extra or bool(f.a)
        if f.feature.startswith("token:"):
            if f.score < 0.9 and not (f.score >= COVER_LONG[1] and long_words(f, COVER_LONG[0])):
                return False
            found = True
    return found and extra


def _own_anchors(query: Record, result: Comparison, weights: TokenWeights) -> frozenset[str]:
    """The query words of the match that are names of their own: rare in the snapshot (weight ≥
    :data:`MATCH_WEIGHT`), not generic, not a place, a domain or an organisational word
    (``own_word``: TIDEWATER, GOORYONG, 依图; not SECURITY, MARITIME, BANK), four letters
    or more in an alphabet (ISI ~ ISIS is a stem, not a name), and found strongly as
    written: spelled, romanised, joined, not translated (STAR for ZVEZDA) nor read as
    initials; Han against Han, the same characters (华信 and 华新 read alike)."""
    own: dict[str, float] = {}
    for name in query.names:
        for variant in analyse_name(name).variants:
            for t in variant:
                short = t.script in ("Latn", "Cyrl", "Grek") and len(t.text) < 4
                if t.generic or t.qualifier or short or not own_word(t):
                    continue
                own[t.text] = max(own.get(t.text, 0.0), weights.rarity(t))
    anchors: set[str] = set()
    for f in result.explanation:
        if not f.feature.startswith("token:") or f.feature.startswith(_READ_AS_WRITTEN):
            continue
        if f.feature != "token:exact" and script_of(f.a) == script_of(f.b) == "Hani":
            continue  # 华信 ~ 华新: one reading, two names (Huaxin is many companies)
        strong = f.score >= STRONG_TOKEN or (f.score >= STRONG_LONG[1]
                                              and long_words(f, STRONG_LONG[0]))
        if strong and max(own.get(w, 0.0) for w in f.a.split()) >= MATCH_WEIGHT:
            anchors.update(f.a.split())
    return frozenset(anchors)


def _compared_name(result: Comparison) -> str:
    """The entity's name the query was compared with (the name that matched best)."""
    for f in result.explanation:
        if f.feature.startswith("name_kind:"):
            return f.b
    return next((f.b for f in result.explanation if f.feature == "name"), "")
