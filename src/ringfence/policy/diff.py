"""Say in words how two policies differ: what a compliance lead reads before switching."""

from __future__ import annotations

from typing import Any

from ringfence.policy.loader import ResolvedPolicy

__all__ = ["SettingChange", "diff_policies", "flatten"]

_WORDS: dict[str, str] = {
    "restricted_regions": "restricted regions",
    "origin.companies": "where a company is taken to be",
    "origin.states": "states of restricted regions are origins",
    "origin.persons": "persons resident in restricted regions",
    "origin.lists": "designation lists whose members are origins",
    "ownership.propagation": "how restriction travels through the ownership graph",
    "ownership.threshold": "threshold",
    "ownership.inclusive": "threshold includes its own value (>=)",
    "ownership.aggregate": "different restricted owners add up",
    "unknown_ownership": "owners registries do not name",
    "unaccounted_equity": "equity no record mentions",
    "decision.review": "how REVIEW acts at the gateway",
    "decision.unknown_account": "unknown accounts",
    "enabled": "regime in force",
}


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    else:
        out[prefix] = data
    return out


class SettingChange:
    def __init__(self, key: str, before: Any, after: Any) -> None:
        self.key, self.before, self.after = key, before, after

    @property
    def words(self) -> str:
        label = _WORDS.get(self.key, self.key)
        return f"{label}: {_show(self.key, self.before)} → {_show(self.key, self.after)}"

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "before": self.before, "after": self.after,
                "words": self.words}


def _show(key: str, value: Any) -> str:
    if key == "ownership.threshold" and isinstance(value, float):
        return f"{value:.6g} ({value * 100:.6g}%)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        if not value:
            return "none"
        return ", ".join(str(v) for v in value)
    return str(value)


def diff_policies(a: ResolvedPolicy, b: ResolvedPolicy) -> list[SettingChange]:
    """Every setting whose value differs between ``a`` and ``b``, in a stable order."""
    fa = flatten(a.settings.model_dump(mode="json"))
    fb = flatten(b.settings.model_dump(mode="json"))
    changes = []
    for key in sorted(set(fa) | set(fb)):
        va, vb = fa.get(key), fb.get(key)
        same_regions = (key == "restricted_regions" and isinstance(va, list)
                        and isinstance(vb, list) and sorted(va) == sorted(vb))
        if same_regions:
            continue
        if va != vb:
            changes.append(SettingChange(key, va, vb))
    return changes
