"""What turns scored candidates into matches: the rules a snapshot makes sharper.

* :func:`need_distinctive` — a match needs one distinctive query word found strongly.
* :func:`unique_partial_name` — a name part of exactly one entity matches it.
* :func:`rank_key` — the order of candidates.
* :func:`ambiguous_initials` — a bare acronym that spells several names is flagged.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from ringfence.resolve.candidate import EntityNames
from ringfence.resolve.keys import acronym_keys, acronym_lookups
from ringfence.resolve.legal import is_legal_word
from ringfence.resolve.names import GENERIC_KEYS, analyse_name
from ringfence.resolve.normalise import clean_name
from ringfence.resolve.score import Comparison, Feature, Record, TokenWeights
from ringfence.resolve.text import loose

__all__ = [
    "COVER_LONG",
    "MATCH_WEIGHT",
    "QUERY_SIDE_GAPS",
    "STRONG_LONG",
    "STRONG_TOKEN",
    "ambiguous_initials",
    "distinctive",
    "long_words",
    "need_distinctive",
    "needs_review",
    "rank_key",
    "unique_part",
]

_DISTINCTIVE_WEIGHT = 0.5
MATCH_WEIGHT = 0.6  # a matching query needs one word this rare (≈ in < 0.4% of 1M)
STRONG_TOKEN = 0.85  # ... found with evidence at least this strong
STRONG_LONG = (8, 0.80)  # ... or a word this long found this strongly (TERNEFTGAS ~
# TERNEFTEGAZ: two edits in ten letters; a short word's 0.80 is a letter or two by chance)
COVER_LONG = (8, 0.85)  # a query word counts as found at 0.9, or this long at 0.85
# a query mixing two of an entity's names: the compared name carries this much already
# ("International Battalion" for ISLAMIC INTERNATIONAL BRIGADE, also known as ...
# PEACEKEEPING BATTALION, 0.28, does not; NORINCO GROUP, 0.60, does)
_MIXED_FLOOR = 0.5
QUERY_SIDE_GAPS = ("token_unmatched", "qualifier_one_sided", "organisational_word_one_sided")


def long_words(f: Feature, n: int) -> bool:
    """Every word on both sides of a token match has ``n`` letters or more."""
    words = (f.a + " " + f.b).split()
    return bool(words) and min(map(len, words)) >= n


def _covers_query(
    result: Comparison, *, strict: bool = True, known: frozenset[str] = frozenset()
) -> bool:
    """Every query token found (≥ 0.9 each; ≥ 0.85 for a word of eight letters or more)
    in the entity's name; no identifier conflict;
    the countries (when both are given) agree. Not ``strict``: query words written before
    the shared name may be missing ("Lukoil Litasco SA" ~ LITASCO SA, the parent's name
    first). A query word the compared name lacks but another name of the same entity has
    (``known``: "NORINCO GROUP" for an entity known as NORINCO and as ... GROUP
    CORPORATION) counts as found: the query mixes two of the entity's names."""
    feats = result.explanation
    if not feats or result.score <= 0:
        return False
    found = False
    for f in feats:
        if f.feature.startswith(("identifier_conflict", "country_mismatch", "legal_form_differs")):
            return False
        gap = f.feature in QUERY_SIDE_GAPS or f.feature == "token_leading_extra"
        if gap and f.a and known and all(w in known for w in f.a.split()):
            continue
        if f.feature in QUERY_SIDE_GAPS and f.a:
            return False
        if strict and f.feature == "token_leading_extra" and f.a:
            return False
        if f.feature.startswith("token:"):
            if f.score < 0.9 and not (f.score >= COVER_LONG[1] and long_words(f, COVER_LONG[0])):
                return False
            found = True
    return found


@lru_cache(maxsize=1)
def _country_words() -> frozenset[str]:
    """One-word country names (Armenia, Singapore, Germany), as loose keys; not the
    generic ones (China, Russia, Iran), which names carry and drop freely."""
    from rigour.territories import get_territories

    names = {loose(t.name) for t in get_territories() if t.is_country and " " not in t.name}
    return frozenset(names - GENERIC_KEYS)


def _extra_country(result: Comparison) -> bool:
    """The entity's name names a country the query does not ("Mellat Bank Armenia" for
    "Bank Mellat"): a jurisdiction marker, so a branch or subsidiary, not a trade name."""
    words = _country_words()
    return any(
        f.feature in QUERY_SIDE_GAPS and f.b and loose(f.b) in words for f in result.explanation
    )


def _distinct_extra(result: Comparison) -> bool:
    """The entity's name has a distinctive word the query lacks."""
    return any(
        f.feature == "token_unmatched" and f.b and -f.score >= _DISTINCTIVE_WEIGHT
        for f in result.explanation
    )


def rank_key(
    query: Record, ent: EntityNames, result: Comparison, shared: float = 0.0
) -> tuple[float, int, float, float, str]:
    """Best score first; on ties, an identifier match, then the rarer keys shared with
    the query (``shared``, the candidate stage's summed inverse document frequency: the
    scorer's word weights stop at 1.0 for every word of a few entities, so "ANGARSK
    REFINERY" ties OJSC ANGARSK PETROCHEMICAL with every refinery), then the name written
    most alike (word order and spelling: "Melli Bank plc" before "Bank Melli Iran" for
    MELLI BANK PLC)."""
    id_same = any(f.feature.startswith("identifier:") for f in result.explanation)
    alike = 0.0
    for q in query.names:
        qc = clean_name(q).text.casefold()  # ＴｉｋＴｏｋ Ｌｔｄ． is written as TikTok Ltd.
        for n in ent.names:
            alike = max(alike, Levenshtein.normalized_similarity(qc, n.casefold()))
    return (-round(result.score, 6), -int(id_same), -round(shared, 6), -alike, ent.id)


def unique_part(
    query: Record,
    scored: list[tuple[EntityNames, Comparison]],
    threshold: float,
    weights: TokenWeights,
) -> list[tuple[EntityNames, Comparison]]:
    """A short name that is part of exactly one entity's name matches that entity.

    Customers declare trade names ("Motorola" for Motorola Mobility LLC). Pairwise,
    "Gazprom" against "Gazprom Germania" stays below the threshold (a bare name and a
    subsidiary look alike); against a whole snapshot the question is sharper: when every
    word of the query is found, strongly, in one candidate's name and in no other
    candidate's, and one of those words is distinctive in the snapshot, that entity is
    what the query names. Words on the *query* side that the entity lacks (a qualifier,
    "Shipping", "Neft") disqualify, so look-alike subsidiaries are untouched; so does a
    query written with a registered company's legal form (:func:`_registered_form`).

    When no candidate covers the query so, a query word the compared name lacks but
    another name of the same entity has counts as found (``unique_mixed_names``: "NORINCO
    GROUP" for an entity listed as NORINCO and as CHINA NORTH INDUSTRIES GROUP
    CORPORATION: the query mixes two of its names), provided the compared name already
    scores :data:`_MIXED_FLOOR` and finds a distinctive query word strongly
    (:func:`_anchored`: NORINCO, not "Oil" of "Oil Star Co." for an entity known as ایران
    نفت and as X Star Co., Ltd.). A subsidiary's word is in none of the parent's names.
    """
    # Every query word found, else every one but those written before the shared name:
    # "GOLDEN SUN I/E DALIAN" is DALIAN GOLDEN SUN IMPORT AND EXPORT (all three words),
    # not a 达联 (da lian) that has the last one only; else with the words of the
    # entity's other names counted as found.
    covering = [i for i, (_, r) in enumerate(scored) if _covers_query(r)]
    every_word = bool(covering)
    covering = covering or [
        i for i, (_, r) in enumerate(scored) if _covers_query(r, strict=False)
    ]
    feature = "unique_partial_name"
    if not covering:
        feature = "unique_mixed_names"
        covering = [i for i, (e, r) in enumerate(scored)
                    if len(e.names) > 1 and r.score >= _MIXED_FLOOR
                    and _anchored(query, r, weights)
                    and _covers_query(r, known=_words_of(e.names))]
    if len(covering) > 1:
        # "Midea": Midea Group (only an organisational word more) rather than Guangdong
        # Midea Electric (a distinctive word more), when exactly one is that close.
        covering = [i for i in covering if not _distinct_extra(scored[i][1])]
    if len(covering) != 1:
        return scored
    i = covering[0]
    ent, result = scored[i]
    if result.match or not distinctive(query, weights) or _extra_country(result):
        return scored
    if _translated_only(result):
        # one word carries the name, only through a translation or another script: with
        # query words missing (written before it, or taken from another name) that is
        # another company's name (TIDEWATER MIDDLE EAST CO. ~ 中东 ...); with every
        # query word found ("Dawn" for a name whose one distinctive word means dawn) it
        # may be the entity's trade name in English, and the analyst decides
        if not every_word or feature != "unique_partial_name":
            return scored
        feature = "translated_word_review"
    elif _registered_form(result):
        # a full registered name against a longer one: a sibling or a vehicle of the
        # group as often as the same company; a match an analyst reviews, never a
        # refusal (an applicant writing a restricted brand with "LLC" would pass)
        feature = "registered_form_differs"
    feats = (
        Feature(feature, threshold, query.names[0], ent.names[0]),
        *result.explanation,
    )
    scored[i] = (ent, Comparison(score=threshold, match=True, explanation=feats))
    return scored


# Legal forms list aliases append to a short name (X Co., X Co., Ltd., X Ltd, X OOO, the
# Russian forms and their English renderings) and a joint venture: they do not make the
# name a full registered one.
_APPENDED_FORMS = frozenset((
    "ltd", "coltd", "pte ltd", "co", "jv",
    "ooo", "ao", "zao", "oao", "pao", "nao", "jsc", "cjsc", "ojsc", "pjsc",
))


def _translated_only(result: Comparison) -> bool:
    """One translated or romanised word carries the name score, and the names differ by
    other words (``translated_word_only``, ``resolve.score``)."""
    return any(f.feature == "translated_word_only" for f in result.explanation)


def _registered_form(result: Comparison) -> bool:
    """The query is written with the legal form of a registered company (LLC, Inc.,
    GmbH, B.V., S.A., GmbH & Co. KG: rigour's generic forms, not
    :data:`_APPENDED_FORMS`): a full registered name, so a longer name is another
    company, a sibling or a vehicle of the group ("TAHOKA WIND, LLC" and "TAHOKA WIND
    CLASS B MEMBER, LLC"; "X B.V." and "X Sociedad de Valores S.A."), not the same one
    under a shorter name."""
    name = next((f for f in result.explanation if f.feature == "name"), None)
    if name is None or not _entity_extra(result):
        return False  # "Lukoil Litasco SA" ~ LITASCO SA: the entity's name is no longer
    return bool(_org_types(name.a) - _APPENDED_FORMS)


def _entity_extra(result: Comparison) -> bool:
    """The entity's name has words the query lacks."""
    return any(f.feature in QUERY_SIDE_GAPS and f.b and not f.a for f in result.explanation)


@lru_cache(maxsize=4096)
def _org_types(name: str) -> frozenset[str]:
    """rigour's generic legal forms (ISO 20275 based) written in ``name``."""
    from rigour.names.org_types import extract_org_types

    return frozenset(g for _, g in extract_org_types(name.casefold()))


@lru_cache(maxsize=4096)
def _words_of(names: tuple[str, ...]) -> frozenset[str]:
    """The words (token texts, every variant) of an entity's names."""
    return frozenset(t.text for name in names for v in analyse_name(name).variants for t in v)


_INITIALS = ("abbreviation", "token:acronym")


def _initials_only(result: Comparison) -> bool:
    """The match rests on the query being the initials of the entity's name, nothing
    else (no word, no identifier)."""
    evidence = [f.feature for f in result.explanation
                if f.feature.startswith(("token:", "identifier:")) or f.feature in _INITIALS]
    return bool(evidence) and all(e in _INITIALS for e in evidence)


def ambiguous_initials(
    query: Record,
    scored: list[tuple[EntityNames, Comparison]],
    threshold: float,
    sharing: int,
    runs_sharing: int = 0,
) -> list[tuple[EntityNames, Comparison]]:
    """A bare acronym that spells the initials of ``sharing`` > 1 entities' names does not
    say which one it is: a match through those initials alone keeps its score and its
    match, and carries ``initials_ambiguous`` first in its evidence, which
    :func:`needs_review` reads (onboarding sends such a match to review rather than
    deciding on it; ``compare --snapshot`` does not resolve a pair through it). Demoting
    the match below the threshold instead would let an acronym that spells a restricted
    company and an unrelated one through as no match at all: fail open. An entity that
    records the acronym as one of its names matches it as a word and is untouched.

    ``sharing`` is at least the number of candidates matched through the acronym whose
    names' initials it is; when none is, the number matched through it at all and
    ``runs_sharing``, the indexed names it spells with a run of letters of a word. (Counting
    every candidate matched through initials, exact ones or not, was tried: on the dev
    part of ``benchmarks/retrieval_real.py`` it sent GICM to review although GICM is
    exactly one candidate's initials, the others' only through runs.)"""
    acro = _bare_acronym(query)
    through = [ent for ent, r in scored if r.match and _initials_only(r)] if acro else []
    if through:
        # The candidates the acronym spells: those whose names' initials it is, else
        # those it spells taking a run of letters of a word (F-OC-A: Fudnopar Ocean
        # Agricultural; FO-C-A: Forces Combattantes Abacunguzi). Runs tell no one apart:
        # when only they match, every indexed name the acronym's runs spell counts
        # (``runs_sharing``: CSICP spells C-SI-C-P Cusguf Silk Crown plc and others).
        exact = [ent for ent in through if _spells(ent.names, acro)]
        sharing = max(sharing, len(exact) or max(len(through), runs_sharing))
    if sharing <= 1:
        return scored
    out = []
    for ent, result in scored:
        if result.match and _initials_only(result):
            feats = (Feature("initials_ambiguous", 0.0, query.names[0], f"{sharing} entities"),
                     *result.explanation)
            result = Comparison(score=result.score, match=True, explanation=feats)
        out.append((ent, result))
    return out


def _bare_acronym(query: Record) -> str:
    """The query's one word of 2 to 6 capitals (its legal form aside), or ""."""
    for name in query.names:
        form = analyse_name(name)
        if acronym_lookups(form):
            return form.tokens[0].text
    return ""


@lru_cache(maxsize=4096)
def _spells(names: tuple[str, ...], acro: str) -> bool:
    """``acro`` is the initials of one of ``names``: all its words', its words' but the
    legal forms at the end (WSIEC: Wuhan Sanjiang Import and Export Co. Ltd), or the
    first three, as the index's ``ac:`` / ``ac3:`` keys have them."""
    want = {"ac:" + acro, "ac3:" + acro if len(acro) == 3 else ""}
    for name in names:
        form = analyse_name(name)
        if want & acronym_keys(form):
            return True
        words = [w for w in form.raw_words if w.isascii() and w.isalpha()]
        if ("".join(w[0] for w in words).startswith(acro)
                and all(is_legal_word(w) for w in words[len(acro):])):
            return True
    return False


def needs_review(explanation: Sequence[Feature]) -> bool:
    """The match does not say which entity it is, and goes to review: it rests on a bare
    acronym that spells several indexed names' initials (``initials_ambiguous``), or on
    a registered company's full name being part of a longer one
    (``registered_form_differs``: "X LLC" and "X Digital Technology Co., Ltd"), on a
    query that may name another entity as well, one whose whole name it holds
    (``rival_name_within``, and ``name_within`` on that other entity: "Tidewater Middle
    East Co." for 中东, Middle East, and for TIDEWATER; see
    :func:`ringfence.resolve.within.name_within`), on a query that is all of one
    translated word found in a longer name of one entity only
    (``translated_word_review``: "Dawn" and a name whose one distinctive word means
    dawn), or on the words of a name too common to decide alone, every one of them and
    no other (``common_words_exact``: "Islamic Group" for ISLAMIC GROUP)."""
    return any(f.feature in _REVIEW_FEATURES for f in explanation)


_REVIEW_FEATURES = frozenset(("initials_ambiguous", "registered_form_differs", "name_within",
                              "rival_name_within", "translated_word_review",
                              "common_words_exact"))


def need_distinctive(
    query: Record,
    er: tuple[EntityNames, Comparison],
    threshold: float,
    weights: TokenWeights,
) -> tuple[EntityNames, Comparison]:
    """A match needs one distinctive query word found with strong evidence.

    Generic and common words (bank, group, 通信, 集团) plus weak evidence (a one-letter
    translation, a consonant skeleton of a common word) can add up past the threshold
    between two unrelated names in a large snapshot; they do not make a match alone.
    A shared identifier or an acronym is enough. A query made of exactly the words of one
    of the entity's names keeps its match, flagged ``common_words_exact`` so that
    onboarding sends it to review: a listed name of common words (ISLAMIC GROUP) must not
    let the organisation it names in as "no match".
    """
    ent, result = er
    if not result.match or _anchored(query, result, weights):
        return er
    same = _same_words(query.names, ent.names)
    if same:
        # every word of a listed name, and nothing else: too common to decide alone, yet
        # the applicant may be that very organisation (ISLAMIC GROUP): review, not allow
        feats = (Feature("common_words_exact", 0.0, same[0], same[1]), *result.explanation)
        return ent, Comparison(score=result.score, match=True, explanation=feats)
    capped = min(result.score, threshold - 0.01)
    feats = (
        Feature("no_distinctive_match", capped - result.score, query.names[0], ent.names[0]),
        *result.explanation,
    )
    return ent, Comparison(score=capped, match=False, explanation=feats)


def _same_words(query: Sequence[str], names: Sequence[str]) -> tuple[str, str] | None:
    """A query name and an entity name with the same words, in any order and legal forms
    aside (TRADING BANK LLC and Bank Trading), or None."""
    wanted = {_words(n): n for n in names}
    for q in query:
        words = _words(q)
        if words and words in wanted:
            return q, wanted[words]
    return None


def _words(name: str) -> tuple[str, ...]:
    """The name's words as analysed (normalised, legal forms stripped), sorted."""
    return tuple(sorted(t.text for t in analyse_name(name).tokens))


def _anchored(query: Record, result: Comparison, weights: TokenWeights) -> bool:
    """An identifier or an acronym decides, or a distinctive query word (weight ≥
    :data:`MATCH_WEIGHT`, not generic, not a place, not a legal form) is found with
    strong evidence (≥ :data:`STRONG_TOKEN`, or a long word at :data:`STRONG_LONG`)."""
    word_weight: dict[str, float] = {}
    for name in query.names:
        for variant in analyse_name(name).variants:
            for t in variant:
                # a legal form kept as the name's only word ("A. B. Co.": Co) names no one
                legal = t.script == "Latn" and is_legal_word(t.text)
                w = 0.0 if t.generic or t.qualifier or legal else weights.rarity(t)
                word_weight[t.text] = max(word_weight.get(t.text, 0.0), w)
    for f in result.explanation:
        if f.feature.startswith(("identifier:", "abbreviation")):
            return True
        strong = f.feature.startswith("token:") and (
            f.score >= STRONG_TOKEN
            or (f.score >= STRONG_LONG[1] and long_words(f, STRONG_LONG[0])))
        if strong and max(word_weight.get(w, 0.0) for w in f.a.split()) >= MATCH_WEIGHT:
            return True
    return False


def distinctive(query: Record, weights: TokenWeights) -> bool:
    """One query word is distinctive in the snapshot (not generic, rare)."""
    for name in query.names:
        for token in analyse_name(name).tokens:
            if token.generic or token.qualifier or len(token.primary) < 3:
                continue
            if weights.rarity(token) >= _DISTINCTIVE_WEIGHT:
                return True
    return False
