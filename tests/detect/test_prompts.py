"""The per-prompt memo: the same readings as computing every prompt afresh, and a replay
with the memo writes the same bytes as one without it."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from ringfence.detect import detector as detector_module
from ringfence.detect.prompts import PromptReader, read_prompt
from ringfence.traffic.replay import replay
from ringfence.traffic.sim import SimConfig, simulate

OUTPUTS = ("actions.csv", "findings.jsonl", "final.csv", "rejects.jsonl")


@pytest.fixture(scope="module")
def small_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("prompts") / "data"
    simulate(SimConfig.small(seed=2, days=2), data)
    return data


def _prompts(data: Path) -> list[str]:
    with open(data / "requests.jsonl", "rb") as fh:
        return [orjson.loads(line)["prompt"] for line in fh]


def test_memo_gives_every_prompt_its_own_reading(small_log: Path) -> None:
    prompts = _prompts(small_log)
    reader = PromptReader(limit=200)  # small, so the memo also starts afresh on the way
    for raw in prompts:
        assert reader(raw) == read_prompt(raw)
    assert reader.hits >= 100  # repeated prompts were served from the memo
    assert reader.misses > 2 * 200  # and it filled up (and started afresh) more than once


def test_one_skeleton_can_hold_two_labels() -> None:
    # why the memo is keyed by the whole text: the masked item is where the rule looks
    given = read_prompt("The result was 17. Describe the derivation in detail.")
    named = read_prompt("The result was r17. Describe the derivation in detail.")
    assert given.skel == named.skel and (given.kp, given.ks) == (named.kp, named.ks)
    assert (given.label, named.label) == ("cot", "other")
    reader = PromptReader()
    assert reader("The result was 17. Describe the derivation in detail.").label == "cot"
    assert reader("The result was r17. Describe the derivation in detail.").label == "other"


def test_replay_with_and_without_the_memo_writes_the_same_bytes(
        small_log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_memo = replay(small_log, tmp_path / "memo")
    monkeypatch.setattr(detector_module, "PromptReader", lambda: PromptReader(limit=0))
    without = replay(small_log, tmp_path / "plain")
    assert with_memo.requests == without.requests > 1000
    for name in OUTPUTS:
        assert (tmp_path / "memo" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes()
    assert with_memo.actions == without.actions and sum(with_memo.actions.values()) > 0
