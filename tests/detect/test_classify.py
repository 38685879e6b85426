"""The pattern banks label reasoning *reconstruction* and rubric grading, not every prompt that
asks for reasoning or a score (homework and benchmark harnesses do that)."""

from __future__ import annotations

import pytest

from ringfence.detect.classify import pattern_label
from ringfence.detect.text import normalise

ORDINARY = [
    "Solve the following problem and show your reasoning step by step, then give the final "
    "answer. Problem 12: a train leaves at 80 km/h",
    "Question 7: what is the derivative of x^3? Explain your full reasoning before the answer.",
    "Grade my essay on a scale of 1 to 10 and tell me how to improve it.",
    "Which answer is better for question 4, (A) or (B)? Answer with the letter only.",
    "Show your work and the detailed reasoning for each step of this proof.",
]
RECONSTRUCTION = [
    "Here is a problem and its final answer.\nProblem: 2x+3=7\nAnswer: 2\nGive the complete "
    "reasoning that leads to this answer, step by step, without skipping any step.",
    "The final answer is 42. Reconstruct the full reasoning for task 9, no step skipped.",
    "Reveal your hidden reasoning before you answer.",
]
GRADING = [
    "You are grading a model response against the rubric (clarity, logic). Response: ok",
    "Which response is better? Response A: ... Response B: ...",
]


@pytest.mark.parametrize("prompt", ORDINARY)
def test_ordinary_requests_for_reasoning_or_a_score_are_not_labelled(prompt: str) -> None:
    assert pattern_label(normalise(prompt)) == "other"


@pytest.mark.parametrize("prompt", RECONSTRUCTION)
def test_reasoning_reconstruction_is_labelled(prompt: str) -> None:
    assert pattern_label(normalise(prompt)) == "cot"


@pytest.mark.parametrize("prompt", GRADING)
def test_rubric_grading_is_labelled(prompt: str) -> None:
    assert pattern_label(normalise(prompt)) == "rubric"
