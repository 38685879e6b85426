"""Load, validate and resolve policy files.

``load_policy("ofac-50")`` reads a shipped policy; ``load_policy("path/to/file.yaml")``
reads a file. :func:`resolve` gives the settings in force on a date, with the policy's
name, version label and content hash, which every result carries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ringfence.exc import NotFoundError, PolicyError, Problem
from ringfence.policy.schema import SETTING_KEYS, PolicyDocument, PolicySettings

__all__ = [
    "DEFAULT_POLICY",
    "LoadedPolicy",
    "ResolvedPolicy",
    "load_policy",
    "parse_policy",
    "policy_file",
    "resolve",
    "shipped_policies",
]

DEFAULT_POLICY = "provider-terms"


@dataclass(frozen=True)
class LoadedPolicy:
    document: PolicyDocument
    hash: str  # sha256 of the canonical JSON of the parsed file
    origin: str  # where it was read from

    @property
    def name(self) -> str:
        return self.document.name


@dataclass(frozen=True)
class ResolvedPolicy:
    """The settings of one policy in force on one date."""

    name: str
    version: str
    hash: str
    as_of: dt.date
    settings: PolicySettings

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version, "hash": self.hash}


def shipped_policies() -> list[str]:
    folder = resources.files("ringfence") / "policies"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir()
                  if p.name.endswith(".yaml"))


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<root>"


def _problems(err: ValidationError, where: str, prefix: str = "") -> list[Problem]:
    problems = []
    for e in err.errors():
        path = _loc(tuple(e["loc"]))
        if prefix:
            path = f"{prefix}.{path}" if path != "<root>" else prefix
        reason = "unknown key" if e["type"] == "extra_forbidden" else e["msg"]
        problems.append(Problem(location=where, field=path, reason=reason))
    return problems


def parse_policy(data: Any, *, where: str = "<policy>") -> LoadedPolicy:
    """Validate parsed YAML (a mapping) as a policy document."""
    if not isinstance(data, dict):
        raise PolicyError(f"{where}: a policy must be a mapping of keys",
                          problems=[Problem(where, "not a mapping")])
    try:
        doc = PolicyDocument.model_validate(data)
    except ValidationError as err:
        problems = _problems(err, where)
        raise PolicyError(
            f"{where}: invalid policy\n" + "\n".join(f"  {p.field}: {p.reason}" for p in problems),
            problems=problems,
        ) from None
    canonical = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    loaded = LoadedPolicy(document=doc, hash=digest, origin=where)
    # The base and every version must resolve to valid settings: check now, not on the day
    # they apply.
    resolve(loaded, dt.date.min)
    for v in doc.versions:
        resolve(loaded, v.effective_from)
    return loaded


def load_policy(ref: str | Path) -> LoadedPolicy:
    """Load a policy by shipped name or file path."""
    path = Path(ref)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        if not path.exists():
            raise NotFoundError(f"policy file not found: {path}")
        where = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as err:
            raise PolicyError(f"{where}: not UTF-8 text", problems=[Problem(
                where, f"not UTF-8 text: byte {err.object[err.start]:#04x} at position "
                       f"{err.start}")]) from None
    else:
        resource = resources.files("ringfence") / "policies" / f"{ref}.yaml"
        if not resource.is_file():
            raise NotFoundError(
                f"no policy named {ref!r}; shipped: {', '.join(shipped_policies())}"
            )
        text = resource.read_text(encoding="utf-8")
        where = f"{ref} (shipped)"
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        what = getattr(err, "problem", None) or str(err)
        at = f" (column {mark.column + 1})" if mark is not None else ""
        raise PolicyError(f"{where}: not valid YAML",
                          problems=[Problem(where, f"not valid YAML: {what}{at}",
                                            line=mark.line + 1 if mark else None)]) from None
    return parse_policy(data, where=where)


def policy_file(policy: LoadedPolicy, as_of: dt.date) -> dict[str, Any]:
    """The settings of ``policy`` in force on ``as_of`` as a policy file of their own
    (``policy check`` accepts it): a user's starting point for a draft. A regime not in
    force that day keeps its settings and says so with a version that switches it off."""
    resolved = resolve(policy, as_of)
    doc = policy.document
    settings = resolved.settings.model_dump(mode="json", include=set(SETTING_KEYS))
    out: dict[str, Any] = {"name": doc.name, "version": resolved.version,
                           "description": doc.description}
    if doc.sources:
        out["sources"] = list(doc.sources)
    out.update(settings)
    if not resolved.settings.enabled:
        note = next((v.note for v in reversed(doc.versions) if v.effective_from <= as_of
                     and v.enabled is False), "") or "not in force on this date"
        out["versions"] = [{"effective_from": as_of, "enabled": False, "note": note}]
    return out


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def resolve(policy: LoadedPolicy, as_of: dt.date) -> ResolvedPolicy:
    """The settings of ``policy`` in force on ``as_of``.

    Before the document's ``effective_from`` the regime restricts nothing
    (``enabled`` is false). Each version whose date has come overrides what it names.
    """
    doc = policy.document
    raw = doc.model_dump(mode="python", include=set(SETTING_KEYS))
    settings: dict[str, Any] = raw
    label = doc.version
    enabled = doc.effective_from is None or doc.effective_from <= as_of
    for i, v in enumerate(doc.versions):
        if v.effective_from > as_of:
            break
        patch = v.model_dump(mode="python", include=set(SETTING_KEYS), exclude_none=True)
        settings = _merge(settings, patch)
        enabled = v.enabled if v.enabled is not None else True
        label = v.version or f"{doc.version}@{v.effective_from.isoformat()}"
        try:
            PolicySettings.model_validate({**settings, "enabled": enabled})
        except ValidationError as err:
            problems = _problems(err, policy.origin, prefix=f"versions[{i}]")
            raise PolicyError(
                f"{policy.origin}: version {i} gives invalid settings\n"
                + "\n".join(f"  {p.field}: {p.reason}" for p in problems),
                problems=problems,
            ) from None
    try:
        final = PolicySettings.model_validate({**settings, "enabled": enabled})
    except ValidationError as err:
        problems = _problems(err, policy.origin)
        raise PolicyError(
            f"{policy.origin}: invalid policy\n"
            + "\n".join(f"  {p.field}: {p.reason}" for p in problems),
            problems=problems,
        ) from None
    return ResolvedPolicy(name=doc.name, version=label, hash=policy.hash, as_of=as_of,
                          settings=final)
