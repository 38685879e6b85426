"""The simulator's parameters: one frozen dataclass tree, with named presets.

Every number that shapes the traffic is here. Campaign sizes are ranges: each campaign draws
its own size, rate and cadence from the range with the run's seed, so two seeds give
different campaigns and a ``variant()`` run moves the ranges as well as the wording.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

__all__ = ["CampaignMix", "HardNegatives", "SimConfig"]

Range = tuple[float, float]


@dataclass(frozen=True)
class CampaignMix:
    """How many campaigns of each family, and the ranges their parameters are drawn from."""

    hydra: int = 2
    hydra_pool: Range = (30, 80)            # accounts active at once (first hydra; others half)
    hydra_lifetime_h: Range = (20, 60)      # median account lifetime before it is "banned"
    hydra_rate: Range = (90, 220)           # requests / account / day (load-balanced)
    hydra_resold_share: Range = (0.3, 0.6)  # share of resold genuine customer traffic
    hydra_gateway_share: Range = (0.1, 0.4)
    hydra_link_share: Range = (0.3, 0.7)    # share of a batch on shared cards / devices
    slow_low: int = 1
    slow_accounts: Range = (140, 260)
    slow_rate: Range = (3, 12)
    slow_round_min: Range = (10, 30)        # scheduler round period
    cot: int = 1
    cot_orgs: Range = (2, 5)
    cot_accounts_per_org: Range = (4, 10)
    cot_tick_min: Range = (2, 8)
    cot_rate: Range = (90, 200)
    capability: int = 1
    cap_accounts: Range = (70, 130)
    cap_rate: Range = (40, 120)
    restricted_egress: Range = (0.002, 0.02)
    pivot_delay_h: Range = (2, 20)
    # hours after the window start at which each family may start
    start_h: Range = (8, 96)


@dataclass(frozen=True)
class HardNegatives:
    """Sizes of the legitimate heavy users (each mimics one campaign tell-tale)."""

    eval_lab_accounts: int = 6
    eval_burst_per_hour: Range = (1200, 2400)
    labelling_accounts: int = 12
    labelling_rate: float = 260
    saas_orgs: int = 2
    saas_accounts_per_org: int = 3
    saas_rate: float = 900
    saas_end_users: int = 5000
    coding_agent_accounts: int = 8
    coding_agent_rate: float = 450
    university_labs: int = 2
    university_accounts: int = 14
    university_rate: float = 90
    agency_clients: int = 30
    agency_rate: float = 30
    oss_framework_accounts: int = 180
    vpn_users: int = 120
    nat_users: int = 70
    # a course whose students sign up in one lecture and work its sheets in class
    # (traffic/sim/classroom.py); 0 = absent (the presets before heldout3)
    classroom_students: int = 0
    classroom_attend: float = 0.6


@dataclass(frozen=True)
class SimConfig:
    """Everything the simulator needs; ``simulate(cfg, out)`` is a pure function of it."""

    seed: int = 20260302
    start: str = "2026-03-02T00:00:00Z"
    days: int = 14
    organic_accounts: int = 6200
    organic_rate: float = 9.0        # mean requests / active account / day (heavy-tailed)
    organic_new_share: float = 0.12   # organic accounts created inside the window
    dormant_accounts: int = 250       # accounts that exist but never send a request
    wording: str = "a"                # "a", "b": two wordings of every kind; "c"-"e" held out
    # (hours after start, model) of each model release
    releases: tuple[tuple[float, str], ...] = ((5 * 24 + 17, "claude-opus-4-6"),
                                               (10 * 24 + 16, "claude-sonnet-4-6"))
    campaigns: CampaignMix = field(default_factory=CampaignMix)
    hard_negatives: HardNegatives = field(default_factory=HardNegatives)
    gzip: bool = False                # write requests.jsonl.gz instead of requests.jsonl

    @classmethod
    def default(cls, seed: int = 20260302) -> SimConfig:
        """The held-out size: 14 days, about 1.3M requests and 8k accounts."""
        return cls(seed=seed)

    @classmethod
    def variant(cls, seed: int = 7) -> SimConfig:
        """Different rates, sizes, release times and the other wording."""
        return cls(
            seed=seed, wording="b", organic_rate=11.0, organic_accounts=6000,
            releases=((4 * 24 + 3, "claude-opus-4-6"), (9 * 24 + 21, "claude-haiku-4-6")),
            campaigns=CampaignMix(
                hydra=1, hydra_pool=(60, 110), hydra_lifetime_h=(12, 36),
                hydra_rate=(60, 140), hydra_resold_share=(0.5, 0.75),
                hydra_link_share=(0.2, 0.6),
                slow_low=2, slow_accounts=(90, 160), slow_rate=(2, 8),
                slow_round_min=(20, 45), cot=2, cot_orgs=(2, 3), cot_accounts_per_org=(3, 7),
                cot_tick_min=(5, 15), cot_rate=(60, 140), capability=1,
                cap_accounts=(50, 90), cap_rate=(60, 160), start_h=(4, 130)),
            hard_negatives=HardNegatives(eval_lab_accounts=9, labelling_accounts=16,
                                         labelling_rate=200, saas_orgs=3, agency_clients=22,
                                         university_labs=3, oss_framework_accounts=240,
                                         vpn_users=160))

    @classmethod
    def heldout(cls, seed: int = 4242) -> SimConfig:
        """The held-out wording ``"c"`` (paraphrase pools, more languages, an agency that
        asks for policy-compliant ad copy; ``text_heldout``) with rates and sizes between
        the default and the variant. For evaluation only: never tune on it."""
        return cls(
            seed=seed, wording="c", organic_rate=10.0, organic_accounts=6100,
            organic_new_share=0.15,
            releases=((3 * 24 + 9, "claude-opus-4-6"), (8 * 24 + 14, "claude-sonnet-4-6")),
            campaigns=CampaignMix(
                hydra=2, hydra_pool=(40, 90), hydra_lifetime_h=(15, 48),
                hydra_rate=(70, 180), hydra_resold_share=(0.4, 0.7),
                hydra_link_share=(0.25, 0.65), slow_low=1, slow_accounts=(110, 200),
                slow_rate=(2, 9), slow_round_min=(15, 40), cot=2, cot_orgs=(2, 4),
                cot_accounts_per_org=(3, 8), cot_tick_min=(3, 12), cot_rate=(70, 170),
                capability=1, cap_accounts=(50, 110), cap_rate=(40, 140), start_h=(6, 110)),
            hard_negatives=HardNegatives(eval_lab_accounts=7, labelling_accounts=14,
                                         labelling_rate=230, saas_orgs=2, agency_clients=34,
                                         university_labs=2, oss_framework_accounts=210,
                                         vpn_users=140))

    @classmethod
    def heldout2(cls, seed: int = 90917) -> SimConfig:
        """A second held-out wording ``"d"`` (``text_heldout2``: other languages and
        framings, harder legitimate look-alikes), written after the first held-out bank had
        been studied and reported once, untuned. Sizes and rates of their own."""
        return cls(
            seed=seed, wording="d", organic_rate=9.5, organic_accounts=6300,
            organic_new_share=0.14,
            releases=((2 * 24 + 20, "claude-opus-4-6"), (9 * 24 + 5, "claude-haiku-4-6")),
            campaigns=CampaignMix(
                hydra=2, hydra_pool=(50, 100), hydra_lifetime_h=(12, 40),
                hydra_rate=(60, 160), hydra_resold_share=(0.45, 0.75),
                hydra_link_share=(0.2, 0.6), slow_low=2, slow_accounts=(80, 150),
                slow_rate=(2, 8), slow_round_min=(20, 50), cot=2, cot_orgs=(2, 3),
                cot_accounts_per_org=(3, 7), cot_tick_min=(4, 14), cot_rate=(60, 150),
                capability=1, cap_accounts=(40, 90), cap_rate=(50, 150), start_h=(5, 120)),
            hard_negatives=HardNegatives(eval_lab_accounts=8, labelling_accounts=15,
                                         labelling_rate=210, saas_orgs=3, agency_clients=26,
                                         university_labs=3, oss_framework_accounts=200,
                                         vpn_users=150))

    @classmethod
    def heldout3(cls, seed: int = 515151) -> SimConfig:
        """A third held-out wording ``"e"`` (``text_heldout3``), written on det-slow before
        any detector run on it: slower, smaller slow-and-low sweeps in four phrasings, and a
        classroom of students who sign up in one lecture and send the same exercises in the
        same minutes of each class (a legitimate signup batch with synchronised rounds)."""
        return cls(
            seed=seed, wording="e", organic_rate=10.5, organic_accounts=6400,
            organic_new_share=0.13,
            releases=((6 * 24 + 2, "claude-opus-4-6"), (11 * 24 + 9, "claude-sonnet-4-6")),
            campaigns=CampaignMix(
                hydra=2, hydra_pool=(40, 90), hydra_lifetime_h=(14, 44),
                hydra_rate=(70, 170), hydra_resold_share=(0.4, 0.7),
                hydra_link_share=(0.2, 0.55), slow_low=2, slow_accounts=(50, 120),
                slow_rate=(1.5, 6), slow_round_min=(25, 70), cot=2, cot_orgs=(2, 4),
                cot_accounts_per_org=(3, 6), cot_tick_min=(4, 12), cot_rate=(60, 150),
                capability=1, cap_accounts=(40, 90), cap_rate=(50, 140), start_h=(6, 130)),
            hard_negatives=HardNegatives(eval_lab_accounts=7, labelling_accounts=14,
                                         labelling_rate=220, saas_orgs=3, agency_clients=30,
                                         university_labs=3, oss_framework_accounts=220,
                                         vpn_users=140, classroom_students=70))

    @classmethod
    def small(cls, seed: int = 1, *, days: int = 3) -> SimConfig:
        """A few thousand requests: every family present, for tests (well under a second
        or two)."""
        return cls(
            seed=seed, days=days, organic_accounts=120, organic_rate=4.0, dormant_accounts=5,
            releases=((days * 24 / 2 + 1, "claude-opus-4-6"),),
            campaigns=CampaignMix(hydra=1, hydra_pool=(8, 10), hydra_lifetime_h=(10, 14),
                                  hydra_rate=(30, 40), slow_accounts=(12, 16),
                                  slow_rate=(3, 5), cot_orgs=(2, 2),
                                  cot_accounts_per_org=(2, 3), cot_rate=(25, 35),
                                  cap_accounts=(8, 10), cap_rate=(10, 20), start_h=(2, 12)),
            hard_negatives=HardNegatives(
                eval_lab_accounts=2, eval_burst_per_hour=(60, 90), labelling_accounts=2,
                labelling_rate=40, saas_orgs=1, saas_accounts_per_org=1, saas_rate=60,
                saas_end_users=50, coding_agent_accounts=2, coding_agent_rate=30,
                university_labs=1, university_accounts=3, university_rate=20,
                agency_clients=6, agency_rate=8, oss_framework_accounts=8, vpn_users=6,
                nat_users=5))

    @classmethod
    def demo(cls, seed: int = 3) -> SimConfig:
        """``ringfence demo``: three days, one hydra, one chain-of-thought campaign and an
        evaluation lab bursting on a release among organic traffic (a few seconds)."""
        base = cls.small(seed=seed, days=3)
        return replace(base, organic_accounts=200, campaigns=replace(
            base.campaigns, hydra_pool=(12, 14), slow_low=0, capability=0, cot_orgs=(3, 3),
            cot_accounts_per_org=(3, 4), cot_rate=(60, 80)))

    def with_days(self, days: int) -> SimConfig:
        return replace(self, days=days)
