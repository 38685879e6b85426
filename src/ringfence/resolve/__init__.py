"""Name screening and entity resolution: a declared organisation → ranked entities.

Public surface:

* :func:`clean_name`, :class:`Cleaned` — untrusted name text normalised once, the same
  way for indexing and querying, with what was changed; :func:`remove_controls` (what
  onboarding stores), :func:`remove_hidden` (what ingest stores).
* :func:`analyse_name` — one name in any script → tokens with every comparable form.
* :func:`parse_id`, :func:`parse_id_ref`, :class:`ParsedId` — identifiers, validated.
* :class:`Record`, :func:`compare`, :class:`Comparison`, :class:`Feature` — score two
  records with the evidence for the score.
* :class:`ScreeningIndex`, :class:`Candidate` — candidate generation over a snapshot;
  :func:`needs_review` — a match onboarding sends to review (an acronym several names
  spell, a name within a longer one ...).

Saving a built index and loading it back is file I/O, so it lives in an adapter:
``ringfence.snapshot.screenindex``.

This package imports only the core (``ringfence.model``, ``ringfence.exc``), the standard
library and name/text libraries; adapters feed it plain iterables.
"""

from __future__ import annotations

from ringfence.resolve.gates import needs_review
from ringfence.resolve.ids import SCHEMES, IdOutcome, ParsedId, compare_ids, parse_id, parse_id_ref
from ringfence.resolve.index import Candidate, EntityNames, ScreeningIndex
from ringfence.resolve.names import NameForm, Token, analyse_name
from ringfence.resolve.normalise import (
    DISGUISES,
    Cleaned,
    clean_name,
    remove_controls,
    remove_hidden,
)
from ringfence.resolve.score import (
    DEFAULT_THRESHOLD,
    Comparison,
    Feature,
    Record,
    TokenWeights,
    compare,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "DISGUISES",
    "SCHEMES",
    "Candidate",
    "Cleaned",
    "Comparison",
    "EntityNames",
    "Feature",
    "IdOutcome",
    "NameForm",
    "ParsedId",
    "Record",
    "ScreeningIndex",
    "Token",
    "TokenWeights",
    "analyse_name",
    "clean_name",
    "clear_caches",
    "compare",
    "compare_ids",
    "needs_review",
    "parse_id",
    "parse_id_ref",
    "remove_controls",
    "remove_hidden",
]


def clear_caches() -> None:
    """Drop every cached analysis (for cold-start measurements)."""
    from ringfence.resolve import names, normalise, text, tokensim

    names.analyse_name.cache_clear()
    normalise._clean.cache_clear()
    names._token.cache_clear()
    text._KNOWN_PINYIN.clear()
    text._KNOWN_CANTONESE.clear()
    tokensim.token_sim.cache_clear()
    tokensim.span_sim.cache_clear()
