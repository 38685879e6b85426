"""How list aliases write a name around what two names share: words inserted inside it, a
description before it or a list's addition after it, a word cut short or repeated (see
docs/screening.md, "Inside the shared name"). The alignment in
:mod:`ringfence.resolve.score` asks these questions of the words it left unmatched."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein

from ringfence.resolve.names import GENERIC_KEYS, Token
from ringfence.resolve.rucompound import last_part

__all__ = [
    "Cand",
    "cap_description",
    "in_context",
    "inserted",
    "leading_extras",
    "misspelt_form",
    "own_word",
    "repeated_in",
    "repeats",
    "subsidiary_word",
    "trailing",
    "written_cut",
]

# a candidate pairing of the alignment: (score, length, method, positions a, positions b)
Cand = tuple[float, int, str, tuple[int, ...], tuple[int, ...]]


def inserted(
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
    if sum(1 for i in found if own_word(tokens[i]) and len(tokens[i].text) >= 3) < 2:
        return set()
    lo, hi = min(found), max(found)
    return {i for i in range(lo + 1, hi) if i not in used}


def trailing(
    tokens: tuple[Token, ...],
    used: dict[int, float],
    other_used: dict[int, float],
    other: tuple[Token, ...],
) -> set[int]:
    """Words of ``tokens`` written *after* what both sides share, under the conditions of
    :func:`inserted`: the other side wholly found, and what is shared has two words of its
    own of three letters or more ("PROVEN GLORY" ~ "PROVEN GLORY CAPITAL LIMITED",
    "DONGHAI INTERNATIONAL SHIP" ~ "... SHIP MANAGEMENT LTD"). They cost coverage but not
    the distinctive-word penalty (the two words of its own are counted on both sides: the
    other side may write a word of one in English, STRAKHOVANIE ~ INSURANCE, that rigour
    reads as descriptive). A business line or a place after the name keeps it ("X Y
    FINANCE, INC.", "X Y LEASING", "X Y NEFT", "X Y TRADING", "X Y GERMANY": how a
    subsidiary is named, see :func:`subsidiary_word`), and so do a one-word shared name
    ("DCB" ~ "DCB FINANCE") and an organisational word or qualifier after it ("...
    HOLDING", "(ASIA)"), which the alignment penalises on their own account, and
    words after one the alignment read as the other side's legal form misspelt or as its
    initials ("X JOINT VENDOR" ~ "X JOINT VENTURE")."""
    if len(other_used) < len(other) or len(used) == len(tokens):
        return set()
    found = [i for i, s in used.items() if s > 0 and not tokens[i].qualifier]
    if min(_own(tokens[i] for i in found), _own(other)) < 2:
        return set()  # counted on both sides: ZORBAKS STRAKHOVANIE is ZORBAKS INSURANCE
    hi = max(found)
    if any(i > hi for i in used):
        return set()  # KORVANE EXPO JOINT VENDOR: a word read as a legal form stands there
    return {i for i in range(hi + 1, len(tokens)) if not subsidiary_word(tokens[i])}


def _own(tokens: Iterable[Token]) -> int:
    return sum(1 for t in tokens if own_word(t) and len(t.text) >= 3)


def subsidiary_word(t: Token) -> bool:
    """rigour's organisation-name tagger (OpenSanctions' symbol tables) reads the word, as
    written or romanised (ФИНАНС finans), as a domain of business (shipping, leasing,
    finance, neft, energy, logistics), as trade, or as a place (Germany, USA), or the word
    is a territory's, region's or subregion's name of one word (rigour's territories:
    Europe, Asia), or the lexicon's English for it is such a name: the word a group adds
    to its brand to name a subsidiary."""
    words = {t.text, t.primary} if t.primary.isascii() else {t.text}
    if any(_line_tag(w) for w in words) or t.text in _one_word_places():
        return True
    return any(len(p) == 1 and p[0] in _place_keys() for p in t.gloss)  # ГЕРМАНИЯ


@lru_cache(maxsize=1)
def _place_keys() -> frozenset[str]:
    """The English keys (``gloss.en_key``) of those places, as the lexicon glosses a word
    of another script (ГЕРМАНИЯ → germany)."""
    from ringfence.resolve.gloss import en_key

    return frozenset(en_key(w) for w in _one_word_places())


@lru_cache(maxsize=1)
def _one_word_places() -> frozenset[str]:
    """Territory, region and subregion names of one word (rigour's territories: Europe,
    Asia, Africa, Germany), lower-cased."""
    from rigour.territories import get_territories

    out: set[str] = set()
    for t in get_territories():
        for name in (t.name, t.region, t.subregion):
            if name and name.isalpha():
                out.add(name.casefold())
    return frozenset(out)


@lru_cache(maxsize=1 << 16)
def _line_tag(word: str) -> bool:
    from rigour.names import NameTypeTag, Symbol, analyze_names

    return any(
        s.symbol.category in (Symbol.Category.DOMAIN, Symbol.Category.LOCATION)
        or (s.symbol.category == Symbol.Category.SYMBOL and s.symbol.id == "TRADE")
        for n in analyze_names(NameTypeTag.ORG, [word])
        for s in n.spans
    )


def written_cut(word: str, text: str) -> bool:
    """``word`` is written with a period right after it in ``text`` ("IMP.", "Intl.")."""
    return word in _cut_words(text)


_CUT = re.compile(r"(?<![^\W_])([^\W\d_]+)\.")


@lru_cache(maxsize=1 << 16)
def _cut_words(text: str) -> frozenset[str]:
    return frozenset(w.casefold() for w in _CUT.findall(text)) if "." in text else frozenset()


def misspelt_form(t: Token, other_legal: tuple[str, ...]) -> str:
    """The word of the other side's stripped legal forms ``t`` is one edit from."""
    if t.script != "Latn" or len(t.text) < 5:
        return ""
    for form in other_legal:
        for word in form.split():
            if len(word) >= 5 and DamerauLevenshtein.distance(t.text, word, score_cutoff=1) <= 1:
                return word
    return ""


def repeated_in(tokens: tuple[Token, ...], used: dict[int, float]) -> list[tuple[int, str]]:
    """Unmatched Latin words that repeat a found word of the same name: its end (three
    letters or more: OIL of LUKOIL, the kind a compound ends in; not GAZ of GAZPROM), the
    English of a Russian compound's last part (OIL of ROSNEFT: ``resolve.rucompound``) or
    its first seven letters (STRAKHOVAYA after STRAKHOVANIE). A name says its kind twice;
    the repeat is not a word the other side lacks."""
    out: list[tuple[int, str]] = []
    if len(used) == len(tokens):
        return out
    found = [tokens[i] for i, s in used.items() if s > 0 and tokens[i].script in ("Latn", "Cyrl")]
    for i, t in enumerate(tokens):
        if i in used or t.script != "Latn" or len(t.text) < 3 or not t.text.isalpha():
            continue
        for f in found:
            w = f.text
            ends = len(w) > len(t.text) and w.endswith(t.text) and f.script == "Latn"
            if ends or (min(len(w), len(t.text)) >= 7 and w[:7] == t.text[:7]) or (
                t.keys & last_part(f)
            ):
                out.append((i, w))
                break
    return out


def repeats(tokens: tuple[Token, ...]) -> bool:
    return len({t.primary for t in tokens}) < len(tokens)


def in_context(ta: tuple[Token, ...], tb: tuple[Token, ...], c: Cand) -> bool:
    """A one-word pair whose next or previous words agree too: of a word written twice,
    the occurrence that stands where the other side has it."""
    if len(c[3]) != 1 or len(c[4]) != 1:
        return False
    i, j = c[3][0], c[4][0]
    after = i + 1 < len(ta) and j + 1 < len(tb) and ta[i + 1].primary == tb[j + 1].primary
    return after or (i > 0 and j > 0 and ta[i - 1].primary == tb[j - 1].primary)


def cap_description(weights: list[float], extra: list[int], light: float) -> None:
    """The words ``leading_extras`` found (before the shared name, or after it opened by
    of / in / for / on), when they are a description of the name ("OIL TRANSPORTING JSC
    TRANSNEFT", "STATE CORPORATION FOR THE PROMOTION OF ... ROSTEC", "... FOR MONEY
    EXCHANGE") rather than a parent's brand (one word, "TRANSNEFT-DRUZHBA", or two words
    of their own, "GOLDEN SUN ..."): three or more words, or two of which one is
    descriptive or generic, together weigh like one generic word (``light``)."""
    if len(extra) < 2 or (len(extra) == 2 and min(weights[i] for i in extra) > light):
        return
    total = sum(weights[i] for i in extra)
    if total > light:
        for i in extra:
            weights[i] *= light / total


def leading_extras(
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
    if not any(own_word(tokens[i]) for i in used):
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


def own_word(t: Token) -> bool:
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
