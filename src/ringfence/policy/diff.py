"""Say in words how two policies differ: what a compliance lead reads before switching.

The words are the settings' own descriptions (:func:`ringfence.policy.schema.setting_words`),
so a new setting is diffed, in words, as soon as it is declared."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ringfence.policy.loader import ResolvedPolicy
from ringfence.policy.schema import setting_words

__all__ = ["SettingChange", "diff_policies", "flatten"]

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
        label = setting_words(self.key)
        return f"{label}: {_show(self.key, self.before)} → {_show(self.key, self.after)}"

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "before": self.before, "after": self.after,
                "words": self.words}


def _show(key: str, value: Any) -> str:
    if key == "ownership.threshold" and isinstance(value, float | str):
        exact = Fraction(value) if isinstance(value, str) else value
        return f"{value} ({float(exact) * 100:.6g}%)"
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
