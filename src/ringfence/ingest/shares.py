"""Share parsing shared by the readers: percentages, BODS 0.3/0.4 bounds, UK PSC bands,
FollowTheMoney's free-text percentages."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ringfence.model import SCALE, Share

__all__ = [
    "PSC_BANDS",
    "ShareError",
    "bods_share",
    "pct",
    "psc_band",
    "text_share",
]


class ShareError(ValueError):
    """An impossible or unreadable share; the message says why."""


def pct(value: object) -> int | None:
    """A percentage (number or numeric string, 0–100) → parts per billion, rounded to
    one part per billion; ``None`` when absent (``None`` or ``""``)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ShareError(f"a boolean is not a percentage: {value!r}")
    if not isinstance(value, int | float | str):
        raise ShareError(f"not a number: {value!r}")
    try:
        d = Decimal(str(value).strip().rstrip("%").strip())
    except InvalidOperation:
        raise ShareError(f"not a number: {value!r}") from None
    if not d.is_finite():
        raise ShareError(f"not a finite number: {value!r}")
    if d < 0 or d > 100:
        raise ShareError(f"percentage outside 0–100: {value!r}")
    return int((d * SCALE / 100).to_integral_value())


# UK PSC bands (companieshouse/api-enumerations psc_descriptions.yml): "25-to-50" is more
# than 25 and not more than 50; "50-to-75" more than 50, not more than 75; "75-to-100" is
# "more than 75%" in one text and "75% or more" in the other, so we take both: [75, 100].
PSC_BANDS: dict[str, Share] = {
    "25-to-50": Share(SCALE // 4, SCALE // 2, lo_open=True),
    "50-to-75": Share(SCALE // 2, SCALE * 3 // 4, lo_open=True),
    "75-to-100": Share(SCALE * 3 // 4, SCALE),
}
_BAND_BY_BOUNDS = {(25, 50): "25-to-50", (50, 75): "50-to-75", (75, 100): "75-to-100"}
_SLUG = re.compile(r"(ownership-of-shares|voting-rights|right-to-share-surplus-assets)-"
                   r"(25-to-50|50-to-75|75-to-100)-percent")


def psc_band(details: str, slug_prefix: str) -> Share | None:
    """The band a UK PSC ``natures_of_control`` slug in ``details`` gives for one nature
    (``ownership-of-shares`` or ``voting-rights``), if any."""
    for m in _SLUG.finditer(details):
        if m.group(1) == slug_prefix:
            return PSC_BANDS[m.group(2)]
    return None


def band_from_bounds(minimum: object, maximum: object) -> Share | None:
    try:
        lo, hi = pct(minimum), pct(maximum)
    except ShareError:
        return None
    if lo is None or hi is None:
        return None
    key = (round(lo * 100 / SCALE), round(hi * 100 / SCALE))
    if lo * 100 % SCALE or hi * 100 % SCALE:
        return None
    band = _BAND_BY_BOUNDS.get(key)
    return PSC_BANDS[band] if band else None


def bods_share(share: object, *, version: str) -> Share | None:
    """A BODS ``share`` object → :class:`Share`; ``None`` when it states nothing.

    0.4: ``minimum``/``maximum`` inclusive, ``exclusiveMinimum``/``exclusiveMaximum``
    separate numbers. 0.3: ``exclusiveMinimum`` (default false) and
    ``exclusiveMaximum`` (default **true**) are booleans qualifying ``minimum`` and
    ``maximum``. ``exact`` wins over bounds; 0.3's ``minimum == maximum`` is exact. A
    boolean flag in a 0.4 file is read the 0.3 way (drift seen in published files).
    """
    if share is None or share == "":
        return None
    if not isinstance(share, dict):
        raise ShareError(f"share must be an object, got {type(share).__name__}")
    exact = pct(share.get("exact"))
    if exact is not None:
        return Share.exact(exact)
    lo_v, hi_v = share.get("minimum"), share.get("maximum")
    ex_lo, ex_hi = share.get("exclusiveMinimum"), share.get("exclusiveMaximum")
    lo, hi = pct(lo_v), pct(hi_v)
    lo_open = hi_open = False
    if version.startswith("0.3") or isinstance(ex_lo, bool) or isinstance(ex_hi, bool):
        if lo is not None and lo == hi:
            return Share.exact(lo)
        lo_open = bool(ex_lo) if isinstance(ex_lo, bool) else False
        hi_open = bool(ex_hi) if isinstance(ex_hi, bool) else (hi is not None)
    else:
        xlo, xhi = pct(ex_lo), pct(ex_hi)
        if xlo is not None and (lo is None or xlo >= lo):
            lo, lo_open = xlo, True
        if xhi is not None and (hi is None or xhi <= hi):
            hi, hi_open = xhi, True
    if lo is None and hi is None:
        return None
    result = Share(lo if lo is not None else 0, hi if hi is not None else SCALE,
                   lo_open if lo is not None else False,
                   hi_open if hi is not None else False)
    reason = result.validate()
    if reason:
        raise ShareError(reason)
    return result


_NUM = r"(\d+(?:[.,]\d+)?)"
_RANGE = re.compile(rf"^{_NUM}\s*%?\s*(?:-|–|—|to|bis|до)\s*{_NUM}\s*%?$", re.IGNORECASE)
_MORE = re.compile(rf"^(?:>|more than|over|above|greater than)\s*{_NUM}\s*%?$", re.IGNORECASE)
_ATLEAST = re.compile(rf"^(?:>=|≥|at least)\s*{_NUM}\s*%?$", re.IGNORECASE)
_LESS = re.compile(rf"^(?:<|less than|under|below)\s*{_NUM}\s*%?$", re.IGNORECASE)
_ATMOST = re.compile(rf"^(?:<=|≤|at most|up to)\s*{_NUM}\s*%?$", re.IGNORECASE)
_SINGLE = re.compile(rf"^{_NUM}\s*%?$")


def text_share(text: str) -> Share:
    """A free-text percentage (FollowTheMoney ``percentage``): ``"51"``, ``"51.5%"``,
    ``"25–50%"`` (read as a UK PSC band when it is one), ``"more than 50%"``,
    ``"<25"``; a value in 0–1 without ``%`` is **not** rescaled (it is ambiguous)."""
    t = text.strip().replace("\u00a0", " ")

    def num(s: str) -> int:
        got = pct(s.replace(",", "."))
        assert got is not None
        return got

    if m := _RANGE.match(t):
        band = band_from_bounds(m.group(1).replace(",", "."), m.group(2).replace(",", "."))
        if band is not None:
            return band
        return _checked(Share(num(m.group(1)), num(m.group(2))))
    if m := _MORE.match(t):
        return _checked(Share(num(m.group(1)), SCALE, lo_open=True))
    if m := _ATLEAST.match(t):
        return _checked(Share(num(m.group(1)), SCALE))
    if m := _LESS.match(t):
        return _checked(Share(0, num(m.group(1)), hi_open=True))
    if m := _ATMOST.match(t):
        return _checked(Share(0, num(m.group(1))))
    if m := _SINGLE.match(t):
        return Share.exact(num(m.group(1)))
    raise ShareError(f"unreadable percentage {text!r}")


def _checked(share: Share) -> Share:
    reason = share.validate()
    if reason:
        raise ShareError(reason)
    return share
