"""The network lookup: geoip2fast's tables read directly give what its ``lookup`` gives."""

from __future__ import annotations

import random

from ringfence.service.geo import geoip_net_of


def test_lean_lookup_agrees_with_geoip2fast() -> None:
    net_of = geoip_net_of()
    lean, public = net_of.lean, net_of.public  # type: ignore[attr-defined]
    assert lean is not public, "the lean path is in use with this geoip2fast"
    rng = random.Random(4)
    ips = [f"{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}."
           f"{rng.randrange(256)}" for _ in range(3000)]
    ips += [":".join(f"{rng.randrange(65536):x}" for _ in range(8)) for _ in range(500)]
    ips += ["2a03:2880:f12f:83:face:b00c::25de", "8.8.8.8", "10.1.2.3", "127.0.0.1",
            "192.168.0.1", "::1", "not-an-ip", "999.1.1.1", ""]
    def norm(found: tuple[str | None, str] | None) -> tuple[str | None, str] | None:
        return None if found is None or found == (None, "") else found

    for ip in ips:
        assert norm(lean(ip)) == norm(public(ip)), ip
    # geoip2fast reads "1.2" as 1.0.0.2 (inet_aton's shorthand); a client IP is not
    # written like that, so the lean path gives no signal rather than a guess
    assert lean("1.2") is None


def test_classes_from_the_curated_lists() -> None:
    net_of = geoip_net_of()
    assert net_of("8.8.8.8").netclass == "hosting"  # AS15169 GOOGLE
    assert net_of("5.160.0.1").country == "IR"
    assert net_of("10.0.0.1") is None and net_of("garbage") is None


def test_flat_ipv4_tables_agree_at_every_range_boundary() -> None:
    """The flattened IPv4 tables (one bisection inside a /16) answer as geoip2fast does
    on the first and last address of its ranges and on either side of them, including
    ranges that span several /16s and the ends of the address space."""
    import ipaddress

    from geoip2fast import geoip2fast as g

    net_of = geoip_net_of()
    lean, public = net_of.lean, net_of.public  # type: ignore[attr-defined]
    rng = random.Random(9)
    rows = [(r, c) for r in range(len(g.mainListFirstIP))
            for c in rng.sample(range(len(g.mainListFirstIP[r])),
                                min(3, len(g.mainListFirstIP[r])))]
    probes = {0, 1, 2**16 - 1, 2**16, 2**32 - 2, 2**32 - 1}
    for r, c in rows:
        first = g.mainListFirstIP[r][c]
        if first > 2**32 - 1:
            continue
        last = first + g.numIPsv4[g.mainListNetlength[r][c]] - 1
        probes |= {first - 1, first, last, last + 1, (first + last) // 2}
    checked = 0
    for n in sorted(p for p in probes if 0 <= p <= 2**32 - 1):
        ip = str(ipaddress.IPv4Address(n))
        got, want = lean(ip), public(ip)
        assert (None if got in (None, (None, "")) else got) == \
            (None if want in (None, (None, "")) else want), ip
        checked += 1
    assert checked > 300


def test_an_ipv4_address_written_as_ipv6_gets_the_same_answer() -> None:
    """A client refused by its IPv4 address cannot step around the country rule by writing
    the same address IPv4-mapped, 6to4 or through the NAT64 prefix."""
    from ringfence.service.geo import embedded_ipv4, geoip_country_of

    net_of, country_of = geoip_net_of(), geoip_country_of()
    iran = net_of("5.160.0.1")
    assert iran is not None and iran.country == "IR"
    for ip in ("::ffff:5.160.0.1", "::FFFF:5.160.0.1", "::ffff:05a0:0001",
               "2002:05a0:0001::1", "64:ff9b::5.160.0.1"):
        assert net_of(ip) == iran, ip
        assert country_of(ip) == "IR", ip
    native = "2a03:2880:f12f:83:face:b00c::25de"  # an IPv6 address that carries no IPv4
    assert embedded_ipv4(native) == native and embedded_ipv4("5.160.0.1") == "5.160.0.1"


def test_the_detector_reads_an_ipv4_mapped_address_as_its_ipv4() -> None:
    """The request-log enrichment gives a log line's mapped address the IPv4 country too."""
    from ringfence.traffic.enrich import load_net_lookup

    lookup = load_net_lookup()
    assert lookup("::ffff:5.160.0.1", None, None, None) == lookup("5.160.0.1", None, None,
                                                                  None)
    assert lookup("5.160.0.1", None, None, None)[0] == "IR"
