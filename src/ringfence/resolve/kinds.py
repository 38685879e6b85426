"""The kinds of an entity's names (legal, alias, former, weak_alias, trade,
transliteration, short, other) as screening uses them: a weak alias's name score is lowered,
and a match through a name that is not legal says which name, its kind and its dates.

A kind as recorded (the snapshot's ``names.kind``) may carry the dates the source gives,
written like a designation-list token (``ringfence.model.listing``), half-open
``[since, until)``::

    former                      a former name, dates not stated
    former@/2019-03-01          not used from 2019-03-01 on
    former@2005-01-01/2019-03-01
    alias@2021-06-01            used since 2021-06-01
"""

from __future__ import annotations

import datetime as dt

__all__ = ["NAME_KIND_LABELS", "WEAK_ALIAS", "describe_kind", "kind_evidence", "kind_of",
           "kind_token", "parse_kind", "weight_of"]

WEAK_ALIAS = 0.9  # a match through a weak alias (list "low quality", FtM weakAlias)

# How the evidence names a matched name of each kind (``name_kind:<label>``).
NAME_KIND_LABELS = {
    "alias": "alias",
    "former": "former name",
    "weak_alias": "weak alias",
    "trade": "trade name",
    "transliteration": "transliteration",
    "short": "abbreviation",
    "other": "other name",
}


def kind_token(kind: str, since: str = "", until: str = "") -> str:
    """``kind`` with its dates (ISO ``YYYY-MM-DD``, either may be empty) as recorded.
    Raises ``ValueError`` naming the bad date, or when ``until`` is not after ``since``."""
    for label, value in (("since", since), ("until", until)):
        try:
            ok = not value or (len(value) == 10 and bool(dt.date.fromisoformat(value)))
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"{label}: {value!r} is not a date written YYYY-MM-DD")
    if since and until and until <= since:
        raise ValueError(f"until: {until} is not after {since}")
    if not since and not until:
        return kind
    return f"{kind}@{since}" + (f"/{until}" if until else "")


def parse_kind(token: str) -> tuple[str, str, str]:
    """``(kind, since, until)`` of a recorded kind (dates ISO or empty)."""
    kind, _, dates = token.partition("@")
    since, _, until = dates.partition("/")
    return kind, since, until


def describe_kind(token: str) -> str:
    """How evidence names a kind: ``former name, until 2019-03-01``."""
    kind, since, until = parse_kind(token)
    label = NAME_KIND_LABELS.get(kind, kind)
    if since and until:
        return f"{label}, {since} to {until}"
    if until:
        return f"{label}, until {until}"
    if since:
        return f"{label}, since {since}"
    return label


def kind_of(kinds: tuple[str, ...], i: int) -> str:
    """The kind of name ``i`` (without its dates): as recorded, else legal for the
    first, alias after."""
    if i < len(kinds) and kinds[i]:
        return kinds[i].partition("@")[0]
    return "legal" if i == 0 else "alias"


def weight_of(kinds: tuple[str, ...], n: int) -> list[float]:
    """The factor on the name score of each of ``n`` names (a weak alias scores lower)."""
    return [WEAK_ALIAS if kind_of(kinds, i) == "weak_alias" else 1.0 for i in range(n)]


def kind_evidence(
    kinds_a: tuple[str, ...], ia: int, kinds_b: tuple[str, ...], ib: int
) -> list[str]:
    """``name_kind:<label>`` for each side whose kinds are recorded and whose
    best-matching name (``ia``, ``ib``) is not a legal name (a former name still
    matches, and says so, with its dates when recorded: ``name_kind:former name, until
    2019-03-01``)."""
    out: list[str] = []
    for kinds, i in ((kinds_a, ia), (kinds_b, ib)):
        kind = kind_of(kinds, i)
        if kinds and kind != "legal":
            out.append("name_kind:" + describe_kind(kinds[i] if i < len(kinds) and kinds[i]
                                                    else kind))
    return out
