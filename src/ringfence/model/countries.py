"""Country codes: ISO 3166-1 alpha-2, from pycountry, plus user-assigned codes in use."""

from __future__ import annotations

from functools import cache

import pycountry

__all__ = ["is_country", "normalise_country"]

_EXTRA = {"XK"}  # Kosovo: user-assigned, used by GLEIF, the EU and most registries


@cache
def _codes() -> frozenset[str]:
    return frozenset({c.alpha_2 for c in pycountry.countries} | _EXTRA)


def is_country(code: str) -> bool:
    return code in _codes()


def normalise_country(value: str) -> str:
    """``"cn"`` → ``"CN"``; ``"US-DE"`` (ISO 3166-2) → ``"US"``; ``""`` stays empty.

    Raises ``ValueError`` for anything that is not a known code.
    """
    code = value.strip().upper()
    if not code:
        return ""
    if "-" in code:
        code = code.split("-", 1)[0]
    if not is_country(code):
        raise ValueError(f"unknown country code {value!r} (ISO 3166-1 alpha-2 expected)")
    return code
