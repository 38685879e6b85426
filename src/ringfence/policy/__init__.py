"""Policies as data: schema, loader, and the settings in force on a date."""

from ringfence.policy.loader import (
    DEFAULT_POLICY,
    LoadedPolicy,
    ResolvedPolicy,
    load_policy,
    parse_policy,
    policy_file,
    resolve,
    shipped_policies,
)
from ringfence.policy.schema import (
    CompaniesRule,
    OriginRules,
    OwnershipRules,
    PersonsRule,
    PolicyDocument,
    PolicySettings,
    Propagation,
)

__all__ = [
    "DEFAULT_POLICY",
    "CompaniesRule",
    "LoadedPolicy",
    "OriginRules",
    "OwnershipRules",
    "PersonsRule",
    "PolicyDocument",
    "PolicySettings",
    "Propagation",
    "ResolvedPolicy",
    "load_policy",
    "parse_policy",
    "policy_file",
    "resolve",
    "shipped_policies",
]
