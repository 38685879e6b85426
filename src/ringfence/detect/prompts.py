"""What the detector reads from one prompt, computed once per distinct prompt text.

Every request's prompt goes through the same pure functions: ``text.normalise``, the
pattern banks and structural rules (``classify.pattern_label``), the skeleton and its two
keys, and two cheap tells (computer use, code). They depend on the prompt's text alone, so
``PromptReader`` keeps their results per exact prompt text: a template resent with the same
item, a benchmark question asked again, a harness's fixed task all cost one dictionary
look-up after the first time. The key is the whole raw text, never the skeleton: two
prompts of one skeleton can differ where a label rule looks (a quoted answer is masked in
the skeleton but not in what the banks read), so only an identical text may reuse a
reading, and the detector's output is the same with or without the memo.

The memo is bounded (``limit`` entries; full, it starts afresh) and is no part of the
detection state: it is never pickled, and a resumed follower rebuilds it as it reads.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ringfence.detect.classify import pattern_label
from ringfence.detect.text import normalise, skeleton, skeleton_keys

__all__ = ["PromptReader", "PromptReading", "read_prompt"]

_COMPUTER = re.compile(r"screenshot|click at|computer use|mouse|cursor|screen coordinates")
_CODING = re.compile(r"```|def |function |import |class |traceback|stack trace")
_MEMO_CHARS = 4000  # longer prompts are read every time (rare, and mostly unique)


class PromptReading(NamedTuple):
    norm: str  # text.normalise of the prompt
    label: str  # classify.pattern_label: other, cot, rubric or rewrite
    skel: str  # text.skeleton of ``norm``
    kp: int  # skeleton keys (prefix, suffix); equal for a short prompt
    ks: int
    computer: bool  # mentions computer use (screenshots, clicks, the cursor)
    coding: bool  # holds code or asks about it


def read_prompt(raw: str) -> PromptReading:
    """The reading of one prompt, computed from scratch."""
    norm = normalise(raw)
    skel = skeleton(norm)
    kp, ks = skeleton_keys(skel)
    return PromptReading(norm, pattern_label(norm), skel, kp, ks,
                         _COMPUTER.search(norm) is not None, _CODING.search(norm) is not None)


class PromptReader:
    """``read_prompt`` with a memo per exact prompt text (see the module docstring)."""

    def __init__(self, limit: int = 200_000) -> None:  # limit 0: no memo
        self.limit = limit
        self.hits = 0
        self.misses = 0
        self._memo: dict[str, PromptReading] = {}

    def __call__(self, raw: str) -> PromptReading:
        reading = self._memo.get(raw)
        if reading is not None:
            self.hits += 1
            return reading
        self.misses += 1
        reading = read_prompt(raw)
        if self.limit > 0 and len(raw) <= _MEMO_CHARS:
            if len(self._memo) >= self.limit:
                self._memo.clear()
            self._memo[raw] = reading
        return reading
