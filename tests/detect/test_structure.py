"""Structural rules: a reconstruction request gives an answer *and* asks for the process, in
any of the lexicons' languages; each part alone, or a format instruction, labels nothing."""

from __future__ import annotations

import pytest

from ringfence.detect.structure import structural_label
from ringfence.detect.text import normalise

# written for this test, in wordings no bank of the simulator uses
RECONSTRUCTION = [
    "Oppgave: 17 * 3\nAnswer: 51\nExplain the reasoning that gets there, every step.",
    "Domanda: quanto fa 12 + 30?\nRisposta: 42\nDescrivi tutto il ragionamento, passo dopo "
    "passo.",
    "Pytanie: ile to 9 * 9?\nOdpowiedź: 81\nPokaż cały tok rozumowania krok po kroku.",
    "Soru: 5 + 7 kaç eder?\nCevap: 12\nAdım adım düşünce sürecini yaz.",
    "Bài toán: 6 * 7\nĐáp án: 42\nViết ra quá trình suy luận dẫn tới đáp án.",
    "問題：3+4\n答え：7\nこの答えに至る推論をすべて書いてください。",
    '{"question": "2+2", "answer": "4", "need": "the reasoning as a list of steps"}',
    "Result given: 64. Task: the square of 8. Narrate your deliberation up to that result.",
]
RUBRIC = [
    "Valuta questa risposta del modello secondo i criteri chiarezza e correttezza, voto da "
    "1 a 10: 'La capitale è Roma.'",
    "Judge the assistant's completion below on helpfulness and correctness, score 1-10.",
]
REWRITE = [
    "Riscrivi il testo seguente perché rispetti le linee guida, ma mantenere ogni numero.",
    "Rephrase this so the moderation filter accepts it; keep every technical detail.",
]
ORDINARY = [
    # process without a given answer: homework, benchmarks
    "Risolvi passo dopo passo: 3x + 2 = 11.",
    "Solve step by step and end with 'Answer: <value>'.",
    "Write 'Final answer:' followed by the answer. Reason step by step first.",
    "Think step by step: what is the answer to 17 * 3?",
    # an answer without a request for the process
    "Answer: 42. Is that right? Yes or no.",
    "What is the result of 6 * 7? 结果是什么？",
    # grading one's own work is a student
    "Here is my answer to question 3. Score it 1-10 against the criteria and tell me how "
    "to improve.",
    # a rewrite with no policy, a policy question with no rewrite
    "Rewrite this paragraph to be shorter and keep the jokes.",
    "What does the content policy say about medical advice?",
]


@pytest.mark.parametrize("prompt", RECONSTRUCTION)
def test_reconstruction_is_recognised_by_its_parts(prompt: str) -> None:
    assert structural_label(normalise(prompt)) == "cot"


@pytest.mark.parametrize("prompt", RUBRIC)
def test_grading_a_reply_on_criteria_is_rubric(prompt: str) -> None:
    assert structural_label(normalise(prompt)) == "rubric"


@pytest.mark.parametrize("prompt", REWRITE)
def test_rewrite_past_a_policy_keeping_details_is_rewrite(prompt: str) -> None:
    assert structural_label(normalise(prompt)) == "rewrite"


@pytest.mark.parametrize("prompt", ORDINARY)
def test_one_part_alone_or_a_format_instruction_is_not_labelled(prompt: str) -> None:
    assert structural_label(normalise(prompt)) == "other"
