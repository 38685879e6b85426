"""The cluster picture: well-formed, escaped, every account joined to its organisation and
to the fingerprints the book says it holds, large clusters cut with a count."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ringfence.render import cluster_svg

NS = "{http://www.w3.org/2000/svg}"


def _texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{NS}text")]


def test_accounts_orgs_and_shared_fingerprints_are_drawn_and_joined() -> None:
    case = {"id": "case_1", "cluster_id": "c-1", "status": "confirmed",
            "decided_action": "suspend", "score": 0.9,
            "account_ids": ["a1", "a2", "a3"], "org_ids": ["porg_1"],
            "members": [{"account_id": "a1", "org_id": "porg_1", "score": 0.9,
                         "action": "suspend"}],
            "fingerprints": {"payment_fingerprint": ["pf_1"], "skeleton": ["sk:1"]},
            "book_accounts": [
                {"id": "a2", "org_id": "org_book", "provider_org_id": "porg_1",
                 "payment_fingerprint": "pf_1", "signup_device_fp": None},
                {"id": "a3", "org_id": "org_other", "provider_org_id": None,
                 "payment_fingerprint": "pf_1", "signup_device_fp": "dev_9"}]}
    svg = cluster_svg(case)
    texts = _texts(svg)
    for label in ("a1", "a2", "a3", "porg_1", "org_other", "pf_1", "dev_9", "sk:1"):
        assert label in texts, label
    assert "org_book" not in texts  # the book's id is shown as the provider's when known
    assert "card · 2 accounts" in texts
    lines = list(ET.fromstring(svg).iter(f"{NS}line"))
    # a1, a2 -> porg_1; a3 -> org_other; a2, a3 -> pf_1; a3 -> dev_9
    assert len(lines) == 6


def test_large_clusters_are_cut_with_a_count() -> None:
    case = {"cluster_id": "c-big", "action": "review", "score": 0.5,
            "account_ids": [f"a{i}" for i in range(100)], "org_ids": []}
    texts = _texts(cluster_svg(case, max_nodes=10))
    assert "+90 more" in texts
    assert sum(1 for t in texts if t.startswith("a") and t[1:].isdigit()) == 10
