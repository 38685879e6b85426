"""One translated word carrying a match (``translated_word_only``): the evidence
``score._align_score`` penalises when it is all two names share (docs/screening.md,
"One translated word")."""

from __future__ import annotations

from ringfence.resolve.names import Token

__all__ = ["lone_translation"]


_CROSSED = frozenset({"translation"})


def lone_translation(
    ta: tuple[Token, ...],
    tb: tuple[Token, ...],
    aligned: list[tuple[str, tuple[int, ...], tuple[int, ...]]],
    weights: tuple[list[float], list[float]],
    used: tuple[dict[int, float], dict[int, float]],
    lead: set[int],
) -> tuple[str, str] | None:
    """The two sides of the one word that carries a match across a translation or a
    script, when nothing else distinctive does and the names differ by other words
    (``translated_word_only``; docs/screening.md, "One translated word"), else None.

    The carriers are the aligned words of some weight, and of those the distinctive ones
    (weight 0.8 or more, not generic) when there are any. When the only carrier is

    * a translation (a lexicon or dictionary gloss: рассвет ~ dawn, 中东 ~ Middle East)
      and either name has a word left over (a word of weight, matched to nothing, not
      generic: a country name comes and goes, MOOYOKBANK ~ KOREA TRADE BANK), or
    * a common word (no distinctive word is aligned) matched across scripts some other
      way (инвест ~ invest, in a snapshot where invest is common) and a distinctive word
      is left over before the shared name, where ``token_leading_extra`` would otherwise
      leave it unpenalised (a rare word romanised is a brand, and keeps the exemption:
      the parent's name before it, ЛУКОЙЛ ЛИТАСКО ~ LITASCO SA),

    one translated or romanised word is all the two names share: brands are seldom
    translated, and a word of meaning (dawn, invest, Middle East) is in many unrelated
    names in every language. A name that is the other's translation word for word (the
    names differ by nothing) is not touched."""
    wa, wb = weights
    ua, ub = used

    def weighty(ia: tuple[int, ...], ib: tuple[int, ...]) -> bool:
        return any(wa[i] > 0 for i in ia) or any(wb[j] > 0 for j in ib)

    def distinctive(ia: tuple[int, ...], ib: tuple[int, ...]) -> bool:
        return any(wa[i] >= 0.8 and not ta[i].generic for i in ia) or any(
            wb[j] >= 0.8 and not tb[j].generic for j in ib
        )

    pos = [(m, ia, ib) for m, ia, ib in aligned if weighty(ia, ib)]
    dist = [c for c in pos if distinctive(c[1], c[2])]
    carriers = dist or pos
    if len(carriers) != 1:
        return None
    m, ia, ib = carriers[0]
    scripts = {ta[i].script for i in ia} | {tb[j].script for j in ib}
    if m not in _CROSSED and (len(scripts) < 2 or dist):
        return None  # a rare word romanised (ЛИТАСКО ~ LITASCO) is a brand: strong
    if m in _CROSSED:  # a country or another generic word may come and go (KOREA)
        left = [i for i, w in enumerate(wa) if i not in ua and w > 0 and not ta[i].generic] + [
            j for j, w in enumerate(wb) if j not in ub and w > 0 and not tb[j].generic
        ]
    else:
        left = [i for i, w in enumerate(wa) if i not in ua and i in lead and w >= 0.8
                and not ta[i].generic] + [
            j for j, w in enumerate(wb) if j not in ub and -1 - j in lead and w >= 0.8
            and not tb[j].generic
        ]
    if not left:
        return None
    return " ".join(ta[i].text for i in ia), " ".join(tb[j].text for j in ib)
