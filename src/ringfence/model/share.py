"""Shares held exactly.

A share is a closed, open or half-open interval of the owned entity's equity (or votes),
held as integers in parts per billion (``SCALE``) so that sums meet thresholds exactly:
``0.3 + 0.2`` is ``500_000_000`` and meets ``>= 0.5`` with no rounding doubt.

An exact share is the interval ``[x, x]``. An exclusive end (``>0.5``, "more than half")
keeps the limit value and sets the ``*_open`` flag: the true share lies strictly beyond it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

__all__ = ["SCALE", "Share", "parse_fraction", "parse_share"]

SCALE = 1_000_000_000
"""Units per whole: shares are integers in parts per billion."""


def parse_fraction(text: str, *, allow_percent: bool = True) -> int:
    """Parse ``0.6``, ``60%`` or ``3/5`` into parts per billion.

    Raises ``ValueError`` with a readable reason; values are not range-checked here.
    Precision beyond one part per billion is refused rather than silently rounded.
    """
    raw = text.strip()
    if not raw:
        raise ValueError("empty share")
    percent = raw.endswith("%")
    if percent:
        if not allow_percent:
            raise ValueError(f"percent not allowed here: {text!r}")
        raw = raw[:-1].strip()
    try:
        value = Fraction(raw) if "/" in raw else Fraction(Decimal(raw))
    except (InvalidOperation, ValueError, ZeroDivisionError):
        raise ValueError(f"not a number: {text!r}") from None
    if percent:
        value /= 100
    scaled = value * SCALE
    if scaled.denominator != 1:
        raise ValueError(f"more precise than one part per billion: {text!r}")
    return int(scaled)


@dataclass(frozen=True, slots=True)
class Share:
    """An interval of ownership, in parts per billion."""

    lo: int
    hi: int
    lo_open: bool = False
    hi_open: bool = False

    @classmethod
    def exact(cls, value: int) -> Share:
        return cls(value, value)

    @classmethod
    def of(cls, value: float | str | Fraction) -> Share:
        """An exact share from a float, string or Fraction (convenience for tests)."""
        return cls.exact(parse_fraction(str(value)) if not isinstance(value, Fraction)
                         else int(value * SCALE))

    @property
    def is_exact(self) -> bool:
        return self.lo == self.hi and not self.lo_open and not self.hi_open

    def validate(self) -> str | None:
        """The reason this interval is impossible, or None when it is fine."""
        if self.lo < 0 or self.hi < 0:
            return "share below 0"
        if self.lo > SCALE or self.hi > SCALE:
            return "share above 1 (100%)"
        if self.lo > self.hi:
            return "share_min greater than share_max"
        if self.lo == self.hi and (self.lo_open or self.hi_open):
            return "empty range: an open end equals the other end"
        return None

    def __str__(self) -> str:
        if self.is_exact:
            return _fmt(self.lo)
        left = "(" if self.lo_open else "["
        right = ")" if self.hi_open else "]"
        return f"{left}{_fmt(self.lo)}, {_fmt(self.hi)}{right}"

    def as_dict(self) -> dict[str, object]:
        if self.is_exact:
            return {"exact": self.lo / SCALE}
        return {
            "min": self.lo / SCALE,
            "max": self.hi / SCALE,
            "min_exclusive": self.lo_open,
            "max_exclusive": self.hi_open,
        }


def _fmt(ppb: int) -> str:
    pct = Fraction(ppb, SCALE) * 100
    if pct.denominator == 1:
        return f"{pct.numerator}%"
    return f"{float(pct):.7g}%"


def parse_share(share: str, share_min: str, share_max: str) -> Share:
    """Parse the CSV contract's three share columns into a :class:`Share`.

    Exactly one of ``share`` or (``share_min``, ``share_max``) must be given. Range ends
    are inclusive unless prefixed ``>`` (for the minimum) or ``<`` (for the maximum).
    A missing end of a range defaults to 0 or 1.
    """
    share, share_min, share_max = share.strip(), share_min.strip(), share_max.strip()
    if share and (share_min or share_max):
        raise ValueError("give either share or share_min/share_max, not both")
    if share:
        if share[0] in "<>":
            raise ValueError("an exclusive bound belongs in share_min/share_max")
        return Share.exact(parse_fraction(share))
    if not share_min and not share_max:
        raise ValueError("no share given (share, or share_min/share_max)")
    lo_open = share_min.startswith(">")
    hi_open = share_max.startswith("<")
    if share_min.startswith("<"):
        raise ValueError("share_min cannot be an upper bound ('<')")
    if share_max.startswith(">"):
        raise ValueError("share_max cannot be a lower bound ('>')")
    lo = parse_fraction(share_min.lstrip(">").lstrip("=")) if share_min else 0
    hi = parse_fraction(share_max.lstrip("<").lstrip("=")) if share_max else SCALE
    return Share(lo, hi, lo_open, hi_open)
