"""Every worked case in tests/fixtures/ownership-visible.json, through the library."""

from __future__ import annotations

from typing import Any

import pytest
from cases import EXPECTED, load_cases, run_case

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    result, index = run_case(case)
    got = {eid: result.verdict_of(index[eid]) for eid in case["expected"]}
    want = {eid: EXPECTED[v] for eid, v in case["expected"].items()}
    assert got == want, case["why"]
