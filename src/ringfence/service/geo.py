"""IP country, AS and network class from geoip2fast's offline databases (shipped in the
package) and the curated network-class lists."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from functools import lru_cache

from ringfence.decide.signals import Net, embedded_ipv4

__all__ = ["embedded_ipv4", "geoip_country_of", "geoip_net_of"]



def geoip_country_of(cache_size: int = 65536) -> Callable[[str], str | None]:
    """A function ``ip -> ISO alpha-2 | None`` (None: private, unknown or not an IP)."""
    from geoip2fast import GeoIP2Fast

    geo = GeoIP2Fast(verbose=False)

    @lru_cache(maxsize=cache_size)
    def country_of(ip: str) -> str | None:
        try:
            result = geo.lookup(embedded_ipv4(ip))
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
    NetClassifier`). None: private, unknown or not an IP. Cached per address; the class
    is kept per AS name (at most the database's AS names).

    The lookup reads geoip2fast's loaded tables with the same two bisections its own
    ``lookup`` makes, without building its result object and CIDR strings (a third of the
    cost); if those tables are not there (another geoip2fast version) it uses ``lookup``.
    ``tests/service/test_geo.py`` checks both agree."""
    from geoip2fast import GeoIP2Fast

    from ringfence.traffic.enrich import NetClassifier

    geo = GeoIP2Fast(verbose=False, geoip2fast_data_file="geoip2fast-asn.dat.gz")
    classifier = NetClassifier.load()

    classes: dict[str, str] = {"": "unknown"}  # bounded by the database's AS names

    def netclass(asn_name: str) -> str:
        c = classes.get(asn_name)
        if c is None:
            c = classes[asn_name] = classifier.classify(None, asn_name)
        return c

    def public(ip: str) -> tuple[str | None, str] | None:
        try:
            result = geo.lookup(embedded_ipv4(ip))
        except Exception:  # a malformed address is "no signal", never an error
            return None
        if getattr(result, "is_private", False):
            return None
        code = str(getattr(result, "country_code", "") or "")
        country = code.upper() if len(code) == 2 and code.isalpha() else None
        return country, str(getattr(result, "asn_name", "") or "")

    raw = _lean_lookup() or public

    @lru_cache(maxsize=cache_size)
    def net_of(ip: str) -> Net | None:
        found = raw(ip)
        if found is None:
            return None
        country, name = found
        if country is None and not name:
            return None
        return Net(country, name, netclass(name))

    net_of.public = public  # type: ignore[attr-defined]  # for the agreement test
    net_of.lean = raw  # type: ignore[attr-defined]
    return net_of


def _lean_lookup() -> Callable[[str], tuple[str | None, str] | None] | None:
    """geoip2fast's lookup over its loaded tables (IPv4 and IPv6), or None when this
    geoip2fast does not keep them where 1.2 does."""
    import bisect
    import socket
    import struct

    try:
        from geoip2fast import geoip2fast as g

        index, first_ip, netlen = g.mainIndex, g.mainListFirstIP, g.mainListNetlength
        cc_ids, cc_names = g.mainListIDCountryCodes, g.mainListNamesCountry
        a_index, a_first, a_netlen = g.mainIndexASN, g.mainListFirstIPASN, g.mainListNetlengthASN
        a_ids, a_names = g.mainListIDASN, g.mainListNamesASN
        n4, n6 = g.numIPsv4, g.numIPsv6
    except (ImportError, AttributeError):
        return None
    codes = [n.split(":", 1)[0] for n in cc_names]
    unpack = struct.Struct(">L").unpack
    right = bisect.bisect_right
    v4_country = _V4Table(first_ip, netlen, cc_ids, n4)
    v4_asn = _V4Table(a_first, a_netlen, a_ids, n4)

    def lookup(ip: str) -> tuple[str | None, str] | None:
        if ":" in ip:
            ip = embedded_ipv4(ip)
        v4 = "." in ip and ":" not in ip
        try:
            n = unpack(socket.inet_aton(ip))[0] if v4 else \
                int.from_bytes(socket.inet_pton(socket.AF_INET6, ip), "big")
        except (OSError, ValueError):
            return None
        if "." in ip and ip.count(".") != 3:  # inet_aton accepts "1.2" shorthand; refuse
            return None
        if v4:
            cid = v4_country.find(n)
            if 0 <= cid < 16:  # geoip2fast's reserved and private networks
                return None
            code = codes[cid] if cid >= 0 else ""
            aid = v4_asn.find(n)
            return (code.upper() if len(code) == 2 and code.isalpha() else None,
                    a_names[aid] if aid >= 0 else "")
        sizes = n6
        country: str | None = None
        r = right(index, n) - 1
        if r >= 0:
            c = right(first_ip[r], n) - 1
            if c >= 0 and n <= first_ip[r][c] + sizes[netlen[r][c]] - 1:
                cid = cc_ids[r][c]
                if cid < 16:  # geoip2fast's reserved and private networks
                    return None
                code = codes[cid]
                country = code.upper() if len(code) == 2 and code.isalpha() else None
        name = ""
        r = right(a_index, n) - 1
        if r >= 0:
            c = right(a_first[r], n) - 1
            if c >= 0 and n <= a_first[r][c] + sizes[a_netlen[r][c]] - 1:
                name = a_names[a_ids[r][c]]
        return country, name

    return lookup


class _V4Table:
    """One of geoip2fast's IPv4 range tables laid out flat for the hot path: range starts
    and inclusive ends as contiguous 32-bit arrays, with, for every /16, where its ranges
    begin, so a lookup is one bisection over a few entries instead of two over lists of
    Python ints (measured: 0.9 against 3.5 µs a table). Same answers as geoip2fast's
    two-level lookup (``tests/service/test_geo.py``)."""

    def __init__(self, first_ip: list[list[int]], netlen: list[list[int]],
                 ids: list[list[int]], sizes: list[int]) -> None:
        from array import array

        max4 = 2**32 - 1
        starts, ends, values = array("I"), array("I"), array("l")
        for r, row in enumerate(first_ip):
            for c, first in enumerate(row):
                if first > max4:
                    continue
                starts.append(first)
                ends.append(min(first + sizes[netlen[r][c]] - 1, max4))
                values.append(ids[r][c])
        self.starts, self.ends, self.values = starts, ends, values
        # prefix[h]: the first range starting at or after h << 16
        prefix, k = [], 0
        for h in range(65537):
            while k < len(starts) and starts[k] < h << 16:
                k += 1
            prefix.append(k)
        self.prefix = prefix

    def find(self, n: int) -> int:
        """The id of the range holding ``n``, or -1."""
        h = n >> 16
        lo = self.prefix[h] - 1 if self.prefix[h] > 0 else 0
        i = bisect_right(self.starts, n, lo, self.prefix[h + 1]) - 1
        if i < 0 or n > self.ends[i]:
            return -1
        return int(self.values[i])
