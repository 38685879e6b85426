"""A country's name spelt out in full counts as the country, not as several words.

"Bank of the People's Republic of China" and "Bank of China" name the country the same
way as far as the name's evidence goes: the long form's extra words (people, republic,
democratic ...) are not words of the company. Left as they are, each of them costs
coverage, and "democratic" or "people" also costs the distinctive-word penalty, so a
list alias that writes a country in full ("FOREIGN TRADE BANK OF THE DEMOCRATIC PEOPLE'S
REPUBLIC OF KOREA" ~ "NORTH KOREA'S FOREIGN TRADE BANK") falls far below a match.

The phrases are data: the lexicon's rows from pycountry's ISO 3166-1 names (short name,
official name, common name) set against CLDR's short country names
(``benchmarks/build_lexicon.py``), each row naming its alpha-2 code in its source. A bare
word that several countries share in their names (Korea, Congo) is never a phrase of its
own, so "North Korea" against "Korea" still costs the word "north".

Two readings, both in :func:`country_absorbed`:

* a whole phrase on one side whose words are partly found on the other side, where the
  other side's words they were found in are themselves a phrase (or the one-word name) of
  the same country: the rest of the phrase is absorbed (found, weight 0);
* a whole phrase found on one side only: it costs as one word, its last (the country's
  own name, which keeps its generic weight), the others absorbed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ringfence.resolve.gloss import en_phrase
from ringfence.resolve.lexicon import lexicon_entries
from ringfence.resolve.names import Token

__all__ = ["absorb_countries", "clear_caches", "country_absorbed", "country_phrases"]

_CODE = re.compile(r"ISO 3166-1 ([A-Z]{2})\b")
_LONGEST = 7  # words of the longest phrase looked for


@lru_cache(maxsize=1)
def country_phrases() -> dict[tuple[str, ...], frozenset[str]]:
    """Phrase (word keys, as tokens carry them in ``primary``) → the ISO 3166-1 codes it
    names. Phrases of two words or more, and the one-word short names the rows are keyed
    by (China, Iran, DPRK); a one-word *English* side (KP's "Korea") is left out."""
    out: dict[tuple[str, ...], set[str]] = {}
    for entry in lexicon_entries():
        if entry.lang != "en":
            continue
        found = _CODE.search(entry.source)
        if found is None:
            continue
        code = found.group(1)
        short = en_phrase(entry.word)
        if short:
            out.setdefault(short, set()).add(code)
        long_ = en_phrase(entry.english)
        if len(long_) >= 2:
            out.setdefault(long_, set()).add(code)
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def _phrase_words() -> frozenset[str]:
    return frozenset(w for phrase in country_phrases() for w in phrase)


def _runs(tokens: tuple[Token, ...]) -> tuple[tuple[int, int, frozenset[str]], ...]:
    """Country phrases in ``tokens`` as (start, end exclusive, codes), longest first and
    not overlapping."""
    words = _phrase_words()
    keys = tuple(t.primary for t in tokens)
    if not any(k in words for k in keys):  # most names: no country word at all
        return ()
    return _runs_of(keys)


@lru_cache(maxsize=65536)
def _runs_of(keys: tuple[str, ...]) -> tuple[tuple[int, int, frozenset[str]], ...]:
    table = country_phrases()
    out: list[tuple[int, int, frozenset[str]]] = []
    i = 0
    while i < len(keys):
        for k in range(min(_LONGEST, len(keys) - i), 0, -1):
            codes = table.get(tuple(keys[i : i + k]))
            if codes:
                out.append((i, i + k, codes))
                i += k
                break
        else:
            i += 1
    return tuple(out)


def _codes_at(tokens: tuple[Token, ...], at: set[int]) -> frozenset[str]:
    """Codes of the country phrases of ``tokens`` holding every index of ``at``."""
    for start, end, codes in _runs(tokens):
        if at and all(start <= j < end for j in at):
            return codes
    return frozenset()


def country_absorbed(
    tokens: tuple[Token, ...],
    used: dict[int, float],
    other: tuple[Token, ...],
    aligned: list[tuple[str, tuple[int, ...], tuple[int, ...]]],
    side: str,
    described: frozenset[int] = frozenset(),
    weights: list[float] | None = None,
) -> list[tuple[tuple[int, ...], float, str]]:
    """The words of ``tokens`` (one side of an alignment; ``aligned`` holds (method, a
    indices, b indices) and ``side`` says which of them are ``tokens``') that a country
    phrase absorbs: a list of (indices, the score they take, the phrase as written).

    Only words not yet found are absorbed; a phrase none of whose words are found keeps
    its weightiest word (by ``weights``; else its last) unabsorbed: it costs as one word
    of it would, the way a country written short costs one word. Not when one of its words
    is in ``described``: words the scorer already reads as a description before or after
    the shared name (``aliasform.leading_extras``), whose cost it caps."""
    out: list[tuple[tuple[int, ...], float, str]] = []
    for start, end, codes in _runs(tokens):
        if end - start < 2:
            continue
        run = range(start, end)
        found = [i for i in run if i in used]
        missing = tuple(i for i in run if i not in used)
        if not missing:
            continue
        text = " ".join(tokens[i].text for i in run)
        if not found:
            if not described.intersection(run):
                keep = max(missing, key=lambda i: (weights[i] if weights else 0.0, i))
                out.append((tuple(i for i in missing if i != keep), 0.0, text))
            continue
        partners: set[int] = set()
        for _m, ia, ib in aligned:
            mine, theirs = (ia, ib) if side == "a" else (ib, ia)
            if any(i in found for i in mine):
                partners.update(theirs)
        if codes & _codes_at(other, partners):
            out.append((missing, min(used[i] for i in found), text))
    return out


def absorb_countries(
    tokens: tuple[tuple[Token, ...], tuple[Token, ...]],
    used: tuple[dict[int, float], dict[int, float]],
    weights: tuple[list[float], list[float]],
    aligned: list[tuple[str, tuple[int, ...], tuple[int, ...]]],
    lead: set[int],
) -> list[tuple[str, str]]:
    """Both sides through :func:`country_absorbed`: each absorbed word is marked found
    (``used``) at weight 0, in place. ``lead`` holds the described words as the scorer
    keeps them (a's index ``i``, b's ``-1 - j``). Returns (a text, b text) of each phrase
    so read, the other side's text empty."""
    out: list[tuple[str, str]] = []
    for k, side in ((0, "a"), (1, "b")):
        described = frozenset(i if k == 0 else -1 - i for i in lead if (i >= 0) == (k == 0))
        found = country_absorbed(tokens[k], used[k], tokens[1 - k], aligned, side, described,
                                 weights[k])
        for idx, _score, text in found:
            for i in idx:
                weights[k][i], used[k][i] = 0.0, 0.0
            out.append((text, "") if side == "a" else ("", text))
    return out


def clear_caches() -> None:
    """Forget the phrases (the dictionaries handed in changed)."""
    country_phrases.cache_clear()
    _phrase_words.cache_clear()
    _runs_of.cache_clear()
