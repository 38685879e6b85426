"""Policy files: validation with key paths, shipped regimes, effective dating."""

import datetime as dt
from pathlib import Path

import pytest
import yaml

from ringfence.exc import NotFoundError, PolicyError
from ringfence.policy import load_policy, parse_policy, resolve, shipped_policies

BASE = {"name": "t", "restricted_regions": ["CN"]}


def test_all_five_regimes_ship_and_validate() -> None:
    assert {"provider-terms", "ofac-50", "bis-affiliates", "eu", "uk"} <= set(shipped_policies())
    for name in shipped_policies():
        assert load_policy(name).name == name


@pytest.mark.parametrize(
    ("patch", "path"),
    [({"ownership": {"threshhold": 0.5}}, "ownership.threshhold"),
     ({"ownership": {"propagation": "multiply"}}, "ownership.propagation"),
     ({"origin": {"persons": "maybe"}}, "origin.persons"),
     ({"restricted_regions": ["China"]}, "restricted_regions"),
     ({"ownership": {"threshold": 1.5}}, "ownership.threshold"),
     ({"colour": "red"}, "colour"),
     ({"versions": [{"effective_from": "2025-01-01", "ownership": {"inclusive": "perhaps"}}]},
      "versions[0].ownership.inclusive")],
)
def test_errors_name_the_key_path(patch: dict[str, object], path: str) -> None:
    with pytest.raises(PolicyError) as err:
        parse_policy({**BASE, **patch})
    assert path in [p.field for p in err.value.problems], err.value.problems
    assert path in str(err.value)


def test_unknown_policy_name_lists_the_shipped_ones() -> None:
    with pytest.raises(NotFoundError, match="provider-terms"):
        load_policy("no-such-regime")


def test_a_policy_file_not_in_utf8_is_refused_naming_the_byte(tmp_path: Path) -> None:
    """Found by tests/ingest/test_fuzz_readers.py: a UnicodeDecodeError traceback before."""
    f = tmp_path / "p.yaml"
    f.write_bytes(b"name: t\nrestricted_regions: [CN]\n# \xa3\n")
    with pytest.raises(PolicyError) as err:
        load_policy(f)
    assert str(f) in err.value.message
    assert "0xa3 at position 35" in err.value.problems[0].reason


def test_file_and_name_load_the_same(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text(yaml.safe_dump({**BASE, "ownership": {"threshold": 0.25}}))
    loaded = load_policy(f)
    assert loaded.document.ownership.threshold == 0.25
    assert len(loaded.hash) == 64


def test_versions_pick_the_settings_in_force() -> None:
    bis = load_policy("bis-affiliates")
    assert not resolve(bis, dt.date(2025, 9, 28)).settings.enabled  # before the rule
    assert resolve(bis, dt.date(2025, 9, 29)).settings.enabled
    suspended = resolve(bis, dt.date(2026, 3, 1))
    assert not suspended.settings.enabled and "suspended" in suspended.version
    assert resolve(bis, dt.date(2026, 11, 10)).settings.enabled
    eu = load_policy("eu")
    assert not resolve(eu, dt.date(2024, 7, 2)).settings.ownership.inclusive
    assert resolve(eu, dt.date(2024, 7, 3)).settings.ownership.inclusive
    assert resolve(eu, dt.date(2024, 7, 3)).version != resolve(eu, dt.date(2024, 7, 2)).version


def test_hash_changes_with_content() -> None:
    a = parse_policy(BASE)
    b = parse_policy({**BASE, "ownership": {"threshold": 0.25}})
    assert a.hash != b.hash
    assert parse_policy(dict(BASE)).hash == a.hash


def test_threshold_is_exact() -> None:
    s = resolve(parse_policy({**BASE, "ownership": {"threshold": 0.1}}), dt.date.today())
    assert s.settings.threshold_ppb == 100_000_000


def test_the_threshold_is_exact_from_the_file_on() -> None:
    from fractions import Fraction

    for written, want in ((0.3, Fraction(3, 10)), ("30%", Fraction(3, 10)),
                          ("3/10", Fraction(3, 10)), (0.333333333, Fraction(333333333, 10**9)),
                          (1, Fraction(1))):
        settings = resolve(parse_policy({**BASE, "ownership": {"threshold": written}}),
                           dt.date.today()).settings
        assert settings.ownership.threshold == want and isinstance(
            settings.ownership.threshold, Fraction)
        assert settings.threshold_ppb == want * 10**9
    with pytest.raises(PolicyError, match="one part per billion"):
        parse_policy({**BASE, "ownership": {"threshold": "1/3"}})
    with pytest.raises(PolicyError, match=r"ownership\.threshold"):
        parse_policy({**BASE, "ownership": {"threshold": 0}})
