"""Designation-list membership with its dates: the tokens of an entity's ``lists``.

An entity's ``lists`` holds one token per stretch of membership of one named list::

    SDN                                   on SDN, dates not known
    SDN@2014-07-16                        on SDN since 2014-07-16
    SDN@2014-07-16/2022-03-01             on SDN from 2014-07-16 until (not on) 2022-03-01
    SDN@/2022-03-01                       on SDN, start not stated, delisted 2022-03-01
    SDN@2014-07-16#UKRAINE-EO13661|CYBER2 the same with the programmes the list gave

Validity is half-open like a holding's: ``[since, until)``. A plain name (the CSV
contract's ``lists`` column) is a token with no dates. The list readers write dated
tokens (:mod:`ringfence.ingest.lists`); origins read them as of a day
(:mod:`ringfence.attribution.origin`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Listing", "parse_listing"]


@dataclass(frozen=True, slots=True)
class Listing:
    list: str
    since: dt.date | None = None
    until: dt.date | None = None
    programmes: tuple[str, ...] = ()

    def in_force(self, as_of: dt.date | None) -> bool:
        """Listed on ``as_of`` (``None``: today's view, i.e. not delisted)."""
        if as_of is None:
            return self.until is None
        if self.since is not None and as_of < self.since:
            return False
        return self.until is None or as_of < self.until

    def token(self) -> str:
        out = self.list
        if self.since is not None or self.until is not None:
            out += "@" + (self.since.isoformat() if self.since else "")
            if self.until is not None:
                out += "/" + self.until.isoformat()
        if self.programmes:
            out += "#" + "|".join(_clean(p) for p in self.programmes)
        return out

    def describe(self) -> str:
        """``listed on SDN since 2014-07-16, programmes UKRAINE-EO13661, CYBER2``."""
        text = f"listed on {self.list}"
        if self.since is not None:
            text += f" since {self.since.isoformat()}"
        else:
            text += " (listing date not stated by the source)"
        if self.until is not None:
            text += f", delisted {self.until.isoformat()}"
        if self.programmes:
            word = "programme" if len(self.programmes) == 1 else "programmes"
            text += f", {word} {', '.join(self.programmes)}"
        return text


def _clean(programme: str) -> str:
    # ';' separates tokens in staging, '|' programmes, '#' and '@' the token's parts
    return " ".join(programme.replace(";", ",").replace("|", "/").replace("#", " ")
                    .replace("@", " at ").split())


@lru_cache(maxsize=65536)
def parse_listing(token: str) -> Listing:
    """A token (see the module docstring) → :class:`Listing`. A malformed date is
    read as not stated (the token is still a membership: failing closed)."""
    head, _, progs = token.partition("#")
    name, _, dates = head.partition("@")
    since_s, _, until_s = dates.partition("/")
    programmes = tuple(p for p in progs.split("|") if p) if progs else ()
    return Listing(name.strip(), _date(since_s), _date(until_s), programmes)


def _date(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
