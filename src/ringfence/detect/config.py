"""The detector's tunable numbers, in one object (defaults; overridable by the caller).

Why these values: docs/detect.md ("Scores and thresholds").
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ACTIONS", "RESTRICTED_REGIONS", "DetectorConfig", "LinkKind"]

ACTIONS = ("none", "review", "throttle", "suspend")
# the provider's unsupported regions (policies/provider-terms.yaml restricted_regions)
RESTRICTED_REGIONS = frozenset({"CN", "HK", "MO", "RU", "IR", "KP"})


@dataclass(frozen=True)
class LinkKind:
    """One kind of shared value linking accounts: its weight when rare, and the number of
    distinct orgs sharing a value at which the weight starts to fall (``rare``) and reaches
    zero (``common``), on a log scale."""

    weight: float
    rare: int
    common: int
    identity: bool = False  # an account's own identity (card, device, mailbox)
    # a behaviour value that joins its (suspect) holders at once, like an identity, rather
    # than only with a second shared template: a synchronised burst (detect.synchrony)
    joins: bool = False


def _kinds() -> dict[str, LinkKind]:
    return {
        "payment_fingerprint": LinkKind(0.9, 30, 400, identity=True),
        "signup_device_fp": LinkKind(0.9, 30, 400, identity=True),
        # a mailbox can be reused or collide (common names): evidence only with another link
        "email": LinkKind(0.45, 2, 10, identity=True),
        # behaviour and context: rarity counts only the holders that are not suspects
        "signup_ip_block": LinkKind(0.4, 3, 30),
        "payment_bin_day": LinkKind(0.2, 3, 30),
        "system_prompt_hash": LinkKind(0.55, 3, 40),
        # a system prompt's first 200 characters shared by suspects of several orgs whose
        # whole prompts differ (fronts customising one operator's template); it joins at
        # once only while at most two benign orgs hold it (a public framework's does not)
        "system_prefix_hash": LinkKind(0.55, 2, 20, joins=True),
        "tools_hash": LinkKind(0.55, 3, 40),
        "skeleton": LinkKind(0.6, 3, 40),
        "skeleton_short": LinkKind(0.3, 2, 20),
        # a near-duplicate family (detect.neardup) spanning several skeletons in an account:
        # below the link threshold, so it joins a pair only with another weak link and never
        # counts as a second template in stage 2 (a family and the exact keys of the same
        # template would otherwise make one borrowed template look like two)
        "skeleton_near": LinkKind(0.45, 3, 40),
        "ip": LinkKind(0.3, 2, 12),
        "client_user_id": LinkKind(0.5, 2, 20),
        # one skeleton from several orgs in the same five minutes, far above its rate
        "sync": LinkKind(0.6, 3, 20, joins=True),
    }


@dataclass(frozen=True)
class DetectorConfig:
    # actions on a score in [0, 1]
    review: float = 0.5
    throttle: float = 0.7
    suspend: float = 0.85
    # a link at or above this weight joins two accounts into one cluster
    link_threshold: float = 0.5
    # an account whose own content score reaches this (or content and context together
    # 0.25) is a *suspect*: behaviour and context values link suspects only, and their rarity is
    # counted among the other (benign-looking) holders
    suspect: float = 0.15
    # stage 2 of clustering looks at this many template values per strong component
    template_pairs_cap: int = 24
    # a prompt skeleton is indexed for an account once it is dominant there
    dominant_count: int = 3
    dominant_share: float = 0.25
    kinds: dict[str, LinkKind] = field(default_factory=_kinds)
    # a value shared by more accounts than this contributes star edges only (no pairs)
    pair_limit: int = 12
    # signup IP blocks: accounts created within this many hours of each other
    signup_window_h: int = 6
    # per-account caps (memory)
    skeleton_cap: int = 400
    ip_cap: int = 300
    client_user_cap: int = 2000  # end users counted exactly (and linked); then approximately
    conversation_cap: int = 5000
    # the small model runs on a skeleton key's second sighting, and on this share of others
    model_sample: float = 0.02
    # verdicts the model gives on a key's prompts before the key's label is settled
    model_votes: int = 5
    # near-duplicate families (detect.neardup) for an account's first requests and this
    # share (percent) of the rest
    near_first: int = 20
    near_sample_pct: int = 10
    # a family of several skeletons carrying this share of an account's sampled requests is
    # indexed as a shared value (skeleton_near)
    near_share: float = 0.05
    # synchrony: time bucket (seconds, dividing an hour) and the requests kept per key a hour
    sync_bucket_s: int = 300
    sync_cap: int = 5000
    # coordinated cohorts (detect.cohort): a template held in at least this many orgs, this
    # share of its holders batch-made with another org's holder, and this share of its
    # active holders with a request in a synchronised burst
    cohort_orgs: int = 5
    cohort_batch: float = 0.5
    cohort_sync: float = 0.3
