"""Near-duplicate skeleton families (MinHash/LSH): one template with a slot changed at each
end is one family although its exact keys differ; unrelated prompts behind a shared
framework prefix are not; and a family held by many unrelated orgs links nobody (rarity)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ringfence.detect.config import DetectorConfig
from ringfence.detect.detector import Detector, DetectorState
from ringfence.detect.linking import rarity_weight
from ringfence.detect.neardup import SkeletonFamilies, minhash, shingles
from ringfence.detect.text import normalise, skeleton, skeleton_keys

T0 = 1_772_409_600.0
# a slot at the start (the product) and one at the end (the tone): both exact keys change
TEMPLATE = ("{p} launch: write three instagram captions, fifteen words each, one emoji, end "
            "with a question to the reader, and keep it {t}")
PRODUCTS = ["running shoes", "a yoga studio", "organic coffee", "an e-bike", "a meal kit"]
TONES = ["playful", "warm", "bold", "minimal", "professional"]


def _skel(text: str) -> str:
    return skeleton(normalise(text))


def _jaccard(x: str, y: str) -> float:
    a, b = shingles(x), shingles(y)
    return len(np.intersect1d(a, b)) / len(np.union1d(a, b))


def test_minhash_estimates_jaccard() -> None:
    x = _skel(TEMPLATE.format(p=PRODUCTS[0], t=TONES[0]))
    y = _skel(TEMPLATE.format(p=PRODUCTS[1], t=TONES[2]))
    z = _skel("what is the boiling point of water at the top of mount everest, roughly?")
    sig = minhash([x, y, z], num_perm=256)
    assert abs(float(np.mean(sig[0] == sig[1])) - _jaccard(x, y)) < 0.1
    assert float(np.mean(sig[0] == sig[2])) < 0.1


def test_one_slot_changed_at_each_end_is_one_family() -> None:
    fills = [TEMPLATE.format(p=p, t=t) for p, t in zip(PRODUCTS, TONES, strict=True)]
    skels = [_skel(f) for f in fills]
    keys = {skeleton_keys(s) for s in skels}
    assert len(keys) == len(fills)  # the exact path sees five unrelated prompts
    fams = SkeletonFamilies().families(skels)
    assert len(set(fams)) == 1


def test_unrelated_prompts_behind_a_framework_prefix_are_not_one_family() -> None:
    prefix = "you are an agent built with the open framework. follow the tool protocol. task: "
    bodies = ["translate the attached letter into german and keep the formal register",
              "which of these three laptops has the best battery life for travel",
              "draft a polite reply declining the meeting on thursday afternoon"]
    fams = SkeletonFamilies().families([_skel(prefix + b) for b in bodies])
    assert len(set(fams)) == 3


def test_bad_banding_is_refused() -> None:
    with pytest.raises(ValueError, match="multiple of bands"):
        SkeletonFamilies(num_perm=64, bands=10)


# -- through the detector -------------------------------------------------------------------
def _net(ip: str, asn: Any, asn_name: Any, country: Any) -> tuple[str, str, str]:
    return "US", "AS7922", "residential"


def _run(n_users: int, n_suspects: int) -> Detector:
    """Accounts that send the caption template with changing fills. The suspects send it
    half the time and ask for reasoning reconstruction otherwise (each in its own wording);
    the users send it in two of seven requests (enough to be their dominant template, too
    little for a template sweep) and everyday prompts otherwise."""
    # every request placed in its family (no sampling), so the shares are exact
    det = Detector(DetectorState(window_start=T0, config=DetectorConfig(near_first=10_000)),
                   net=_net)
    names = [f"user{i}" for i in range(n_users)] + [f"bad{i}" for i in range(n_suspects)]
    for name in names:
        det.add_account({"account_id": name, "org_id": f"org-{name}",
                         "declared_country": "US", "payment_fingerprint": f"card-{name}",
                         "signup_device_fp": f"dev-{name}"}, T0 - 86400)
    for r in range(42):
        for j, name in enumerate(names):
            t = T0 + r * 300 + (j * 37 + r * r * 53) % 250  # people, not a scheduler
            bad = name.startswith("bad")
            if (r % 2 == 0) if bad else (r % 7 in (3, 6)):
                prompt = TEMPLATE.format(p=PRODUCTS[(r + j) % 5], t=TONES[(r * 2 + j) % 5])
            elif bad:  # each in its own wording: no exact skeleton in common
                prompt = COTS[j % len(COTS)].format(i=r, j=r * j)
            else:
                prompt = f"{ORGANIC[(r + j) % len(ORGANIC)]} (note {r})"
            det.observe({"request_id": f"{name}-{r}", "account_id": name,
                         "org_id": f"org-{name}", "prompt": prompt, "ip": f"100.0.{j}.1",
                         "system_prompt_hash": "sys-op" if bad else None}, t)
        if r % 12 == 11:
            det.checkpoint(T0 + (r + 1) * 300)
    det.checkpoint(T0 + 42 * 300 + 1)
    return det


COTS = ["Problem {i}. Answer: {j}. Reconstruct the complete reasoning, every step.",
        "The final answer is {j}. Write out the full chain of thought for task {i}.",
        "Task {i}. Known result: {j}. Give your hidden reasoning that arrives at it.",
        "Answer given: {j}. Explain step by step how an expert gets there (item {i})."]
ORGANIC = ["how do I bake bread", "write a poem about the sea", "what is a monad",
           "plan a trip to rome", "explain tcp handshakes", "fix my css grid"]


def _near_values(det: Detector) -> list[Any]:
    return [ev for ev in det.state.links.evidence if ev.kind == "skeleton_near"]


def test_a_rare_family_links_its_suspects() -> None:
    det = _run(n_users=0, n_suspects=4)
    near = _near_values(det)
    assert near and max(ev.weight for ev in near) > 0.5
    # no exact skeleton is shared; one template value (their system prompt) does not join
    # two operations, two do: the family is the second
    st = det.state
    kinds = {ev.kind for ev in st.links.evidence}
    assert kinds == {"skeleton_near", "system_prompt_hash"}
    labels, _ = st.links.components(st.index, st.accounts, st.suspects, st.config)
    assert len({int(labels[a.idx]) for a in st.accounts}) == 1


def test_a_family_many_unrelated_orgs_use_links_nobody() -> None:
    det = _run(n_users=60, n_suspects=4)
    st = det.state
    users = {a.idx for a in st.accounts if a.account_id.startswith("user")}
    # the users hold the family (their dominant template) and are not suspects ...
    fams = st.index.shared("skeleton_near")
    assert fams
    assert max(len(users & set(st.index.holders("skeleton_near", f))) for f in fams) == 60
    assert not users & st.suspects
    # ... so it weighs nothing (rarity among the orgs that are not suspects), links nobody
    assert not _near_values(det)
    assert rarity_weight(DetectorConfig().kinds["skeleton_near"], 60) == 0.0
    bad_clusters = {a.cluster_id for a in st.accounts if a.idx not in users} - {""}
    assert not any(st.accounts[u].cluster_id in bad_clusters for u in users)
