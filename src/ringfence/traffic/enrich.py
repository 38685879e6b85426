"""Enrichment data: IP -> (country, ASN, network class), throwaway e-mail domains.

Country and AS name come from geoip2fast's bundled databases (re-derived, not trusted from
the log; the log's values are used when geoip2fast has none). The network class comes from
the curated lists in ``ringfence/data/asn/`` (README there names the sources). The result is
a plain function the detection logic calls (``ringfence.detect.detector.NetLookup``).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

from ringfence.decide.signals import embedded_ipv4
from ringfence.detect.config import RESTRICTED_REGIONS
from ringfence.detect.state import NetInfo

__all__ = ["NetClassifier", "load_net_lookup", "load_throwaway_domains"]

_CLASSES = ("vpn", "education", "mobile", "hosting")  # first match wins, in this order


def _data_text(*parts: str) -> str:
    return resources.files("ringfence").joinpath("data", *parts).read_text(encoding="utf-8")


def _asn_key(asn: Any) -> str:
    if asn is None or asn == "":
        return ""
    s = str(asn).strip().upper()
    return s if s.startswith("AS") else f"AS{s}"


@dataclass
class NetClassifier:
    """AS number or AS name -> network class, from the curated lists."""

    numbers: dict[str, str]
    names: list[tuple[str, str]]  # (substring, class)

    @classmethod
    def load(cls) -> NetClassifier:
        numbers: dict[str, str] = {}
        names: list[tuple[str, str]] = []
        for klass in _CLASSES:
            for line in _data_text("asn", f"{klass}.txt").splitlines():
                line = line.split("#", 1)[0].strip()
                if not line:
                    continue
                if line.startswith("name:"):
                    names.append((line[5:].strip().upper(), klass))
                else:
                    numbers.setdefault(line.split()[0].upper(), klass)
        return cls(numbers, names)

    def classify(self, asn: Any, asn_name: Any) -> str:
        key = _asn_key(asn)
        if key and key in self.numbers:
            return self.numbers[key]
        name = str(asn_name or "").upper()
        if not name:
            return "unknown" if not key else "residential"
        for sub, klass in self.names:
            if sub in name:
                return klass
        return "residential"


def load_net_lookup(*, use_geoip: bool = True) -> Any:
    """A function ``(ip, asn, asn_name, country) -> (country, asn, class)``."""
    classifier = NetClassifier.load()
    geo: Any = None
    if use_geoip:
        from geoip2fast import GeoIP2Fast

        geo = GeoIP2Fast(verbose=False, geoip2fast_data_file="geoip2fast-asn.dat.gz")

    def lookup(ip: str, asn: Any, asn_name: Any, country: Any) -> NetInfo:
        g_country = g_name = ""
        if geo is not None and ip:
            try:
                r = geo.lookup(embedded_ipv4(ip))
            except Exception:  # a malformed address gives no signal, never an error
                r = None
            if r is not None and not getattr(r, "is_private", False):
                code = str(getattr(r, "country_code", "") or "")
                g_country = code.upper() if len(code) == 2 and code.isalpha() else ""
                g_name = str(getattr(r, "asn_name", "") or "")
        logged = str(country).upper() if isinstance(country, str) else ""
        c = g_country or logged
        if logged in RESTRICTED_REGIONS and c not in RESTRICTED_REGIONS:
            c = logged  # either source placing the client in a restricted region counts
        name = asn_name if asn_name else g_name
        return c, _asn_key(asn), classifier.classify(asn, name)

    return lookup


def load_throwaway_domains() -> frozenset[str]:
    return frozenset(line.strip().lower() for line in
                     _data_text("email", "throwaway.txt").splitlines()
                     if line.strip() and not line.startswith("#"))
