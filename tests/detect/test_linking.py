"""Rarity weighting through the detector's public interface: a value many unrelated orgs
share links nobody; the same value held only by a few suspects links them."""

from __future__ import annotations

from typing import Any

from ringfence.detect.config import DetectorConfig
from ringfence.detect.detector import Detector, DetectorState
from ringfence.detect.linking import rarity_weight

T0 = 1_772_409_600.0  # 2026-03-02T00:00:00Z
COT = ("Here is a problem and its final answer. Problem {i}: what is {i} * 7? Answer: {j}. "
       "Give the complete reasoning that leads to this answer, every step.")
# three wordings, so the distillers share no template, only the framework prompt
COTS = [COT, "The final answer is {j}. Reconstruct the full reasoning for task {i}, no step "
        "skipped, as a careful teacher would write it out.", "Task {i}. Known result: {j}. "
        "Write out your complete chain of thought that arrives at that result, in detail."]
ORGANIC = ["how do I bake bread", "write a poem about the sea", "what is a monad",
           "plan a trip to rome", "explain tcp handshakes", "fix my css grid"]


def _net(ip: str, asn: Any, asn_name: Any, country: Any) -> tuple[str, str, str]:
    return "US", "AS7922", "residential"


def _detector() -> Detector:
    return Detector(DetectorState(window_start=T0, config=DetectorConfig()), net=_net)


def _account(det: Detector, account: str, org: str) -> None:
    det.add_account({"account_id": account, "org_id": org, "email": f"{account}@example.com",
                     "declared_country": "US", "payment_fingerprint": f"card-{account}",
                     "signup_device_fp": f"dev-{account}", "signup_ip": "10.0.0.1"}, T0 - 86400)


def _send(det: Detector, account: str, org: str, prompt: str, t: float, system: str) -> None:
    """One request; the tool schema goes with the system prompt (a framework ships both)."""
    det.observe({"request_id": f"{account}-{t}", "account_id": account, "org_id": org,
                 "prompt": prompt, "system_prompt_hash": system, "tools_hash": f"tools-{system}",
                 "n_tools": 3, "ip": "100.1.1.1"}, t)


def _clusters(det: Detector) -> dict[str, str]:
    return {a.account_id: a.cluster_id for a in det.state.accounts}


def test_rarity_weight_falls_to_zero() -> None:
    kind = DetectorConfig().kinds["system_prompt_hash"]
    assert rarity_weight(kind, 2) == kind.weight
    assert 0 < rarity_weight(kind, 10) < kind.weight
    assert rarity_weight(kind, 40) == 0.0


def test_framework_prompt_shared_by_many_orgs_links_nobody() -> None:
    det = _detector()
    for i in range(60):  # an open-source framework's system prompt, ordinary users
        _account(det, f"user{i}", f"org-u{i}")
    for i in range(3):  # three distillers use the framework too
        _account(det, f"bad{i}", f"org-b{i}")
    for h in range(30):
        t = T0 + h * 600
        for i in range(60):
            _send(det, f"user{i}", f"org-u{i}", ORGANIC[(i + h) % 6] + f" {h}", t, "sys-fw")
        for i in range(3):
            _send(det, f"bad{i}", f"org-b{i}", COTS[i].format(i=h * 3 + i, j=h), t, "sys-fw")
    det.checkpoint(T0 + 6 * 3600)
    clusters = _clusters(det)
    assert all(c == "" for c in clusters.values()), {k: v for k, v in clusters.items() if v}


def test_rare_values_link_their_suspects() -> None:
    """The same three distillers on their own (rare) system prompt and tool schema."""
    det = _detector()
    for i in range(60):
        _account(det, f"user{i}", f"org-u{i}")
    for i in range(3):
        _account(det, f"bad{i}", f"org-b{i}")
    for h in range(30):
        t = T0 + h * 600
        for i in range(60):
            _send(det, f"user{i}", f"org-u{i}", ORGANIC[(i + h) % 6] + f" {h}", t, "sys-fw")
        for i in range(3):
            _send(det, f"bad{i}", f"org-b{i}", COTS[i].format(i=h * 3 + i, j=h), t,
                  "sys-private")
    det.checkpoint(T0 + 6 * 3600)
    clusters = _clusters(det)
    assert clusters["bad0"] and clusters["bad0"] == clusters["bad1"] == clusters["bad2"]
    assert all(clusters[f"user{i}"] == "" for i in range(60))


def _fronts(n_users: int) -> Detector:
    """Three distillers in three orgs, each with its own system prompt that begins like the
    others (one operator's template customised per front); ``n_users`` ordinary orgs use a
    prompt with that same beginning too."""
    det = _detector()
    for i in range(n_users):
        _account(det, f"user{i}", f"org-u{i}")
    for i in range(3):
        _account(det, f"bad{i}", f"org-b{i}")
    for h in range(30):
        t = T0 + h * 600
        for i in range(n_users):
            det.observe({"request_id": f"u{i}-{h}", "account_id": f"user{i}",
                         "org_id": f"org-u{i}", "prompt": ORGANIC[(i + h) % 6] + f" {h}",
                         "system_prompt_hash": f"sys-u{i}", "system_prefix_hash": "pfx"}, t)
        for i in range(3):
            det.observe({"request_id": f"b{i}-{h}", "account_id": f"bad{i}",
                         "org_id": f"org-b{i}", "prompt": COTS[i].format(i=h * 3 + i, j=h),
                         "system_prompt_hash": f"sys-front{i}", "system_prefix_hash": "pfx"},
                        t)
    det.checkpoint(T0 + 6 * 3600)
    return det


def test_fronts_sharing_a_rare_system_prompt_prefix_are_one_cluster() -> None:
    clusters = _clusters(_fronts(0))
    assert clusters["bad0"] and clusters["bad0"] == clusters["bad1"] == clusters["bad2"]


def test_a_system_prompt_prefix_many_orgs_share_links_nobody() -> None:
    clusters = _clusters(_fronts(30))
    assert len({clusters[f"bad{i}"] for i in range(3)}) == 3 or not clusters["bad0"]
    assert all(clusters[f"user{i}"] == "" for i in range(30))
