"""IP country from geoip2fast's offline database (shipped in the package)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

__all__ = ["geoip_country_of"]


def geoip_country_of(cache_size: int = 65536) -> Callable[[str], str | None]:
    """A function ``ip -> ISO alpha-2 | None`` (None: private, unknown or not an IP)."""
    from geoip2fast import GeoIP2Fast

    geo = GeoIP2Fast(verbose=False)

    @lru_cache(maxsize=cache_size)
    def country_of(ip: str) -> str | None:
        try:
            result = geo.lookup(ip)
        except Exception:  # a malformed address is "no signal", never an error
            return None
        code = getattr(result, "country_code", "") or ""
        if len(code) != 2 or not code.isalpha() or getattr(result, "is_private", False):
            return None
        return str(code).upper()

    return country_of
