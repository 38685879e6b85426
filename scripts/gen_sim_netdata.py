"""Build src/ringfence/traffic/sim/netdata.json from geoip2fast's ASN data.

The simulator draws client IPs from real networks so that re-deriving country and ASN with
geoip2fast (as the detector does) agrees with the log. This script takes a curated list of
networks (ASN number, the name geoip2fast stores, network class, country) and keeps up to
``PER_ASN`` prefixes of each whose country geoip2fast reports as the expected one.

    .venv/bin/python scripts/gen_sim_netdata.py

ASN numbers are those the registries publish for these operators (RIR whois / PeeringDB);
geoip2fast ships names and prefixes, not numbers.
"""

from __future__ import annotations

import json
from pathlib import Path

from geoip2fast import GeoIP2Fast

PER_ASN = 12

# (asn, geoip2fast asn_name, class, country)
NETWORKS: list[tuple[int, str, str, str]] = [
    # residential broadband
    (7922, "COMCAST-7922", "residential", "US"),
    (7018, "ATT-INTERNET4", "residential", "US"),
    (20115, "CHARTER-20115", "residential", "US"),
    (812, "ROGERS-COMMUNICATIONS", "residential", "CA"),
    (852, "TELUS Communications", "residential", "CA"),
    (3320, "Deutsche Telekom AG", "residential", "DE"),
    (3209, "Vodafone GmbH", "residential", "DE"),
    (3215, "Orange", "residential", "FR"),
    (12322, "Free SAS", "residential", "FR"),
    (2856, "British Telecommunications PLC", "residential", "GB"),
    (1136, "KPN B.V.", "residential", "NL"),
    (3352, "Telefonica De Espana S.a.u.", "residential", "ES"),
    (3301, "Telia Company AB", "residential", "SE"),
    (9121, "Turk Telekom", "residential", "TR"),
    (2516, "KDDI CORPORATION", "residential", "JP"),
    (17676, "SoftBank Corp.", "residential", "JP"),
    (4766, "Korea Telecom", "residential", "KR"),
    (9318, "SK Broadband Co Ltd", "residential", "KR"),
    (24560, "Bharti Airtel Ltd., Telemedia Services", "residential", "IN"),
    (9506, "Singtel Fibre Broadband", "residential", "SG"),
    (4657, "StarHub Ltd", "residential", "SG"),
    (4760, "Hong Kong Telecommunications HKT Limited", "residential", "HK"),
    (9299, "Philippine Long Distance Telephone Company", "residential", "PH"),
    (7552, "Viettel Group", "residential", "VN"),
    (1221, "Telstra Limited", "residential", "AU"),
    (4804, "Optus Customer Network", "residential", "AU"),
    (27699, "TELEFONICA BRASIL S.A", "residential", "BR"),
    (7303, "Telecom Argentina S.A.", "residential", "AR"),
    (33771, "Safaricom", "residential", "KE"),
    (8551, "Bezeq- THE ISRAEL TELECOMMUNICATION CORP. LTD.", "residential", "IL"),
    (17557, "Pakistan Telecommunication Company Limited", "residential", "PK"),
    (4837, "China Unicom", "residential", "CN"),
    (12389, "Rostelecom", "residential", "RU"),
    (58224, "Iran Telecommunication Company PJS", "residential", "IR"),
    # mobile carriers
    (21928, "T-MOBILE-AS21928", "mobile", "US"),
    (22394, "CELLCO", "mobile", "US"),
    (9605, "NTT DOCOMO, INC.", "mobile", "JP"),
    (55836, "Reliance Jio Infocomm Limited", "mobile", "IN"),
    (45609, "Bharti Airtel Ltd. AS for GPRS Service", "mobile", "IN"),
    (30722, "Vodafone Italia S.p.A.", "mobile", "IT"),
    (4775, "Globe Telecom Inc.", "mobile", "PH"),
    (9808, "China Mobile communications corporation", "mobile", "CN"),
    (8359, "MTS PJSC", "mobile", "RU"),
    (197207, "Mobile Communication Company of Iran PLC", "mobile", "IR"),
    # hosting / cloud
    (16509, "AMAZON-02", "hosting", "US"),
    (14618, "AMAZON-AES", "hosting", "US"),
    (396982, "GOOGLE-CLOUD-PLATFORM", "hosting", "US"),
    (8075, "MICROSOFT-CORP-MSN-AS-BLOCK", "hosting", "US"),
    (14061, "DIGITALOCEAN-ASN", "hosting", "US"),
    (16276, "OVH SAS", "hosting", "FR"),
    (24940, "Hetzner Online GmbH", "hosting", "DE"),
    (63949, "Akamai Connected Cloud", "hosting", "US"),
    (20473, "AS-CHOOPA", "hosting", "US"),
    (51167, "Contabo GmbH", "hosting", "DE"),
    (12876, "Scaleway S.a.s.", "hosting", "FR"),
    (45102, "Alibaba US Technology Co., Ltd.", "hosting", "US"),
    (45090, "Tencent Building, Kejizhongyi Avenue", "hosting", "CN"),
    (31898, "ORACLE-BMC-31898", "hosting", "US"),
    (21859, "Zenlayer", "hosting", "US"),
    (28753, "Leaseweb Deutschland GmbH", "hosting", "DE"),
    # VPN / privacy egress
    (9009, "M247 Europe SRL", "vpn", "RO"),
    (9009, "M247 Ltd", "vpn", "GB"),
    (60068, "Datacamp Limited", "vpn", "GB"),
    (39351, "31173 Services AB", "vpn", "SE"),
    (147049, "Packethub s.a.", "vpn", "US"),
    # education and research networks
    (3, "MIT-GATEWAYS", "education", "US"),
    (32, "STANFORD", "education", "US"),
    (25, "UCB", "education", "US"),
    (88, "PRINCETON-AS", "education", "US"),
    (239, "UTORONTO-AS", "education", "CA"),
    (786, "Jisc Services Limited", "education", "GB"),
    (680, "Verein zur Foerderung eines Deutschen Forschungsnetzes e.V.", "education", "DE"),
    (2200, "Renater", "education", "FR"),
    (2501, "The University of Tokyo", "education", "JP"),
    (9488, "Seoul National University", "education", "KR"),
    (4538, "China Education and Research Network Center", "education", "CN"),
    (36914, "Kenya Education Network", "education", "KE"),
]


def main() -> None:
    g = GeoIP2Fast(geoip2fast_data_file="geoip2fast-asn.dat.gz")
    import geoip2fast.geoip2fast as m

    names = m.mainListNamesASN
    wanted = {name: i for i, (_, name, _, _) in enumerate(NETWORKS)}
    idx_of = {n: j for j, n in enumerate(names) if n in wanted}
    found: dict[str, list[tuple[int, int]]] = {n: [] for n in wanted}
    for root, ids in enumerate(m.mainListIDASN):
        firsts = m.mainListFirstIPASN[root]
        lens = m.mainListNetlengthASN[root]
        for k, asn_id in enumerate(ids):
            name = names[asn_id]
            if name in wanted and asn_id == idx_of.get(name) and firsts[k] < 2**32:
                found[name].append((firsts[k], lens[k]))
    out = []
    for asn, name, cls, cc in NETWORKS:
        cidrs: list[str] = []
        for first, netlen in found[name]:
            if netlen < 12 or netlen > 24:
                continue
            probe = m.int_to_ipv4(first + 1)
            r = g.lookup(probe)
            if r.country_code != cc or r.asn_name != name:
                continue
            cidrs.append(f"{m.int_to_ipv4(first)}/{netlen}")
            if len(cidrs) >= PER_ASN:
                break
        if not cidrs:
            print(f"no prefix for {name} in {cc}; left out")
            continue
        out.append({"asn": asn, "asn_name": name, "class": cls, "country": cc,
                    "cidrs": cidrs})
    dest = Path(__file__).resolve().parents[1] / "src/ringfence/traffic/sim/netdata.json"
    dest.write_text(json.dumps({"source": "geoip2fast-asn.dat.gz (geoip2fast "
                                + m.__version__ + ")", "networks": out}, indent=1) + "\n")
    print(f"{len(out)} networks -> {dest}")


if __name__ == "__main__":
    main()
