"""The kinds of an entity's names (legal, alias, former, weak_alias, trade,
transliteration, short, other) as screening uses them: a weak alias's name score is lowered,
and a match through a name that is not legal says which name and its kind."""

from __future__ import annotations

__all__ = ["NAME_KIND_LABELS", "WEAK_ALIAS", "kind_evidence", "kind_of", "weight_of"]

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


def kind_of(kinds: tuple[str, ...], i: int) -> str:
    """The kind of name ``i``: as recorded, else legal for the first, alias after."""
    if i < len(kinds) and kinds[i]:
        return kinds[i]
    return "legal" if i == 0 else "alias"


def weight_of(kinds: tuple[str, ...], n: int) -> list[float]:
    """The factor on the name score of each of ``n`` names (a weak alias scores lower)."""
    return [WEAK_ALIAS if kind_of(kinds, i) == "weak_alias" else 1.0 for i in range(n)]


def kind_evidence(
    kinds_a: tuple[str, ...], ia: int, kinds_b: tuple[str, ...], ib: int
) -> list[str]:
    """``name_kind:<label>`` for each side whose kinds are recorded and whose
    best-matching name (``ia``, ``ib``) is not a legal name (a former name still
    matches, and says so)."""
    out: list[str] = []
    for kinds, i in ((kinds_a, ia), (kinds_b, ib)):
        kind = kind_of(kinds, i)
        if kinds and kind != "legal":
            out.append("name_kind:" + NAME_KIND_LABELS.get(kind, kind))
    return out
