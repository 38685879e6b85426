"""IP country, AS and network class from geoip2fast's offline databases (shipped in the
package) and the curated network-class lists."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from ringfence.decide.signals import Net

__all__ = ["geoip_country_of", "geoip_net_of"]


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


def geoip_net_of(cache_size: int = 65536) -> Callable[[str], Net | None]:
    """A function ``ip -> Net(country, AS name, network class) | None`` from geoip2fast's
    ASN database and the curated network-class lists the detection package reads
    (``ringfence/data/asn``, one copy, loaded by :class:`ringfence.traffic.enrich.
    NetClassifier`). None: private, unknown or not an IP. One geoip2fast lookup per
    distinct address (cached); one list scan per distinct AS name (cached)."""
    from geoip2fast import GeoIP2Fast

    from ringfence.traffic.enrich import NetClassifier

    geo = GeoIP2Fast(verbose=False, geoip2fast_data_file="geoip2fast-asn.dat.gz")
    classifier = NetClassifier.load()

    @lru_cache(maxsize=4096)
    def netclass(asn_name: str) -> str:
        return classifier.classify(None, asn_name) if asn_name else "unknown"

    @lru_cache(maxsize=cache_size)
    def net_of(ip: str) -> Net | None:
        try:
            result = geo.lookup(ip)
        except Exception:  # a malformed address is "no signal", never an error
            return None
        code = getattr(result, "country_code", "") or ""
        if getattr(result, "is_private", False):
            return None
        country = str(code).upper() if len(code) == 2 and code.isalpha() else None
        name = str(getattr(result, "asn_name", "") or "")
        if country is None and not name:
            return None
        return Net(country, name, netclass(name))

    return net_of
