"""What a prompt asks for: reasoning reconstruction, rubric grading, policy-safe rewrites.

Two detectors, both over the normalised prompt (``text.normalise``):

- **pattern banks** in English, Chinese, Russian, Spanish, French, German, Japanese,
  Korean and Portuguese: cheap, run on every request, precise on the phrasings they know;
- **a small model** (scikit-learn: hashed character 2-4-grams, a linear classifier) trained
  here, at first use, on templated examples written for this purpose (no download), so it
  generalises to phrasings the banks miss. It costs more per prompt, so the detector runs
  it in batches on a sample (``ModelClassifier.predict``).

Plain "think step by step" is *not* reasoning reconstruction: benchmarks and homework ask
for it. Reconstruction gives the answer (or asks for the model's hidden/full/internal
reasoning) and asks for the trace.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from typing import Any

from ringfence.detect.structure import structural_label

__all__ = ["LABELS", "ModelClassifier", "pattern_label"]

LABELS = ("other", "cot", "rubric", "rewrite")
_MODEL_CHARS = 320

_COT = re.compile("|".join([
    # English
    # the model's own hidden trace, or the full trace *behind a given answer*; a bare "explain
    # your full reasoning" is how homework and benchmarks ask for a worked answer
    r"(?:internal|hidden|raw|unabridged)\s+"
    r"(?:chain[- ]of[- ]thought|reasoning(?:\s+trace)?|thought process|thinking|derivation)",
    r"(?:complete|full|entire|detailed|whole)\s+"
    r"(?:chain[- ]of[- ]thought|reasoning|thought process|thinking|derivation)\s+"
    r"(?:that\s+(?:leads?|led|produced?|gets?)|which\s+leads?|leading\s+to|behind)",
    r"chain[- ]of[- ]thought",
    r"reconstruct\w*\s+(?:the\s+|your\s+|a\s+)?(?:\w+\s+)?(?:reasoning|steps|derivation|thinking)",
    r"(?:the\s+)?(?:final\s+|correct\s+)?answer\s+is\b.{0,200}(?:reasoning|derive|derivation|"
    r"explain how|show how|steps that lead|work backwards)",
    r"(?:here is|given)\s+(?:the\s+)?(?:final\s+|correct\s+)?(?:answer|solution|result)"
    r".{0,200}(?:reasoning|derive|steps|explain)",
    r"(?:show|reveal|expose|output|write out|print|dump)\s+(?:all\s+(?:of\s+)?)?(?:your|the)\s+"
    r"(?:hidden|internal|raw|private|secret|unabridged)\s+"
    r"(?:reasoning|thinking|thoughts|scratchpad|thought process)",
    r"(?:reveal|expose|dump)\s+(?:all\s+(?:of\s+)?)?(?:your|the)\s+"
    r"(?:reasoning|thinking|thoughts|scratchpad|thought process)",
    r"(?:every|each)\s+(?:intermediate|single)\s+(?:step|thought)",
    r"think(?:ing)? out loud.{0,40}(?:every|all)",
    r"reasoning trace",
    # Chinese
    r"(?:完整|详细|全部|内部)的?(?:推理|思考|思维|推导)(?:过程|链|步骤)?",
    r"思维链", r"推理过程", r"给出.{0,10}推导", r"已知答案", r"答案是.{0,80}(?:推理|推导|过程)",
    # Russian
    r"(?:полн\w*|подробн\w*|вс[её]\w*)\s+(?:ход\s+)?(?:рассуждени\w*|цепочк\w* рассуждени\w*)",
    r"восстанови\w*\s+(?:ход\s+)?рассуждени",
    # Spanish / Portuguese
    r"razonamiento\s+(?:complet|detallad|interno)", r"cadena de pensamiento",
    r"racioc[ií]nio\s+(?:complet|detalhad|intern)", r"reconstr[uó]\w*\s+(?:el|o)\s+razo",
    # French / German
    r"raisonnement\s+(?:complet|détaillé|interne)", r"chaîne de pensée",
    r"(?:vollständig|detailliert|intern)\w*\s+(?:gedankengang|begründung|denkprozess)",
    # Japanese / Korean
    r"(?:完全な|詳細な|内部の)?(?:推論|思考)(?:過程|プロセス)(?:を|の)", r"思考の連鎖",
    r"(?:전체|상세한|완전한)\s*(?:추론|사고)\s*과정", r"추론 과정을",
]))
_RUBRIC = re.compile("|".join([
    r"\brubric\b", r"\bgrade\s+(?:the|this|each|these)\b.{0,60}(?:response|answer|output)",
    r"(?:score|rate)\s+(?:the|this|each|these)\s+(?:\w+\s+)?(?:response|answer|output|completion)s?",
    # a bare "on a scale of 1 to 10" or "which answer is better" is ordinary homework
    r"which (?:response|completion) is better",
    r"(?:response|answer)\s+a\b.{0,80}(?:response|answer)\s+b\b",
    r"evaluat\w+\s+(?:the|this|each)\s+(?:\w+\s+)?(?:response|answer)\w*\s+(?:against|according|"
    r"using|on)",
    r"评分标准", r"打分", r"给.{0,10}评分", r"评分", r"оцени\w*\s+(?:ответ|качество)",
    r"по шкале", r"r[úu]brica", r"califica\w*\s+(?:la|esta|cada)\s+respuesta",
    r"note\s+(?:de|sur)\s+\S+\s+(?:à|sur)", r"bewerte\w*\s+(?:die|diese)\s+antwort",
    r"採点", r"評価基準", r"채점", r"평가 기준",
]))
_REWRITE = re.compile("|".join([
    r"rewrite\s+(?:the|this|each|following)\s+(?:\w+\s+){0,3}(?:so (?:that )?it|to be|to make it"
    r"|in a way)\s+.{0,40}(?:safe|compliant|harmless|policy|acceptable|guideline)",
    r"(?:policy|guideline)[- ](?:compliant|safe)\s+(?:version|rewrite|rewording)",
    r"make\s+(?:this|the)\s+(?:\w+\s+)?(?:safe|compliant|harmless)\s+(?:while|but)",
    r"改写.{0,20}(?:安全|合规)", r"перепиши\w*.{0,40}(?:безопасн|соответств)",
    r"reescrib\w+.{0,40}(?:segur|cumpl)", r"réécri\w+.{0,40}(?:sûr|conforme)",
]))


# cheap substring gates: a bank's regex runs only when one of its stems is in the prompt
_COT_STEMS = ("reason", "chain", "thought", "thinking", "deriv", "answer", "solution", "step",
              "scratchpad", "out loud", "trace", "reconstr", "推理", "思", "推导", "答案",
              "рассужд", "razon", "racioc", "raisonn", "pensée", "gedanken", "begründ", "denk",
              "推論", "思考", "추론", "사고")
_RUBRIC_STEMS = ("rubric", "grade", "score", "rate", "scale", "better", "evaluat", "评分", "打分",
                 "оцени", "шкал", "rúbrica", "rubrica", "califica", "note", "bewert", "採点",
                 "評価", "채점", "평가")
_REWRITE_STEMS = ("rewrite", "compliant", "safe", "改写", "перепиш", "reescrib", "réécri")


_COT_GATE = re.compile("|".join(re.escape(x) for x in _COT_STEMS))
_RUBRIC_GATE = re.compile("|".join(re.escape(x) for x in _RUBRIC_STEMS))
_REWRITE_GATE = re.compile("|".join(re.escape(x) for x in _REWRITE_STEMS))


def pattern_label(norm: str) -> str:
    """The first pattern bank that matches the normalised prompt, else the structural rules
    (``structure.structural_label``: the parts such a request is made of, in about twenty
    languages), else ``"other"``. A long prompt is searched in its first 600 and last 400
    characters (where instructions are)."""
    if len(norm) > 1000:
        norm = norm[:600] + " " + norm[-400:]
    if _COT_GATE.search(norm) and _COT.search(norm):
        return "cot"
    if _RUBRIC_GATE.search(norm) and _RUBRIC.search(norm):
        return "rubric"
    if _REWRITE_GATE.search(norm) and _REWRITE.search(norm):
        return "rewrite"
    return structural_label(norm)


# ---------------------------------------------------------------------------------------
# the small model: templated training examples, hashed char n-grams, a linear classifier

_TOPICS = ["the integral of x^2 sin x", "why the sky is blue", "a binary search bug",
           "the causes of the 1929 crash", "this chess position", "a tax question",
           "protein folding", "the proof that sqrt(2) is irrational", "a SQL join",
           "photosynthesis", "a contract clause", "the travelling salesman problem",
           "a physics word problem about two trains", "recursion in Python",
           "the french revolution", "a probability puzzle with dice", "vaccine trials",
           "a Rust borrow checker error", "compound interest", "the Monty Hall problem"]
_POS: dict[str, list[str]] = {
    "cot": [
        "Here is a problem and its final answer. {t}. Answer: {n}. Write out the complete "
        "reasoning that leads to this answer.",
        "The correct answer to {t} is {n}. Reconstruct the full step-by-step derivation.",
        "Given the solution {n} for {t}, produce your entire internal thought process.",
        "Show all of your hidden reasoning about {t} before answering, every intermediate step.",
        "Explain {t}. Output your raw chain of thought, do not summarise it.",
        "I already know the answer is {n}. Work backwards and give the detailed reasoning "
        "for {t}.",
        "关于{t}，答案是{n}。请给出完整的推理过程。",
        "请展示你完整的思考过程：{t}",
        "Ответ: {n}. Восстанови полный ход рассуждений для задачи: {t}.",
        "La respuesta es {n}. Escribe el razonamiento completo para {t}.",
        "La réponse est {n}. Donne le raisonnement complet pour {t}.",
        "Die Antwort ist {n}. Schreibe den vollständigen Gedankengang zu {t}.",
        "{t}の答えは{n}です。完全な推論過程を示してください。",
        "{t}의 답은 {n}입니다. 전체 추론 과정을 보여 주세요.",
        "A resposta é {n}. Mostre o raciocínio completo para {t}.",
        "Provide a reasoning trace for {t}; include each intermediate thought.",
    ],
    "rubric": [
        "Grade the following response about {t} on a scale from 1 to {n} using the rubric.",
        "Rubric: accuracy, clarity, completeness. Score this answer about {t}.",
        "Which response is better? Response A: ... Response B: ... Topic: {t}.",
        "Rate each of these completions about {t} from 1 to {n} and justify the score.",
        "Evaluate the answer against the criteria below. Question: {t}.",
        "请根据评分标准给这个关于{t}的回答打分（1-{n}分）。",
        "Оцени ответ про {t} по шкале от 1 до {n}.",
        "Califica la respuesta sobre {t} con la rúbrica de {n} puntos.",
        "Donne une note de 1 à {n} à cette réponse sur {t}.",
        "Bewerte die Antwort zu {t} auf einer Skala von 1 bis {n}.",
        "{t}に関する回答を評価基準に従って採点してください。",
        "{t}에 대한 답변을 평가 기준에 따라 채점하세요.",
    ],
    "rewrite": [
        "Rewrite the following answer about {t} so that it is policy compliant but keeps "
        "all the details.",
        "Make this response about {t} safe while preserving its content.",
        "Produce a guideline-compliant version of this text on {t}.",
        "请改写这段关于{t}的回答，使其安全合规。",
        "Перепиши ответ про {t}, чтобы он соответствовал правилам безопасности.",
        "Reescribe la respuesta sobre {t} para que cumpla la política.",
    ],
    "other": [
        "Can you help me understand {t}?", "Explain {t} step by step.",
        "Solve step by step: {t}. Give the final answer.", "Let's think step by step about {t}.",
        "Write a short poem about {t}.", "Summarise this article on {t} in {n} bullet points.",
        "Translate into French: a note about {t}.", "Fix this code: def f(x): return x+{n}",
        "What is the answer to {t}? Just the number please.", "Draft an email about {t}.",
        "Give me {n} ideas for a talk on {t}.", "Is {t} covered on the exam?",
        "请解释{t}。", "Объясни {t} простыми словами.", "¿Qué es {t}?",
        "Peux-tu m'aider avec {t} ?", "Kannst du {t} erklären?", "{t}について教えてください。",
        "{t}에 대해 설명해 주세요.", "Review my pull request about {t} and suggest changes.",
        "Rewrite this paragraph about {t} to be more concise.",
        "You are a helpful assistant. User question: {t}", "Answer the question: {t}",
        "Question {n}: {t}. Choose A, B, C or D and explain.",
        "Grade level {n} reading: write a story about {t}.",
        "What score did the team get in {t}?", "Rate my cooking recipe for {t}",
        # everyday writing, business and data work: most of what customers send, so the
        # model learns that an instruction with an item is not by itself a reasoning request
        "Write three short captions for a post about {t}, max {n} words each.",
        "Draft a product description for {t}.", "Give me a catchy tagline for {t}.",
        "Write a LinkedIn post announcing {t}.", "Turn these notes on {t} into an email.",
        "Create a {n}-day social media calendar about {t}.",
        "Write a friendly newsletter intro about {t}, under {n} words.",
        "Suggest {n} blog post titles about {t}.", "Write ad copy for {t} in a bold tone.",
        "Make a table comparing options for {t}.", "Extract the names and dates from this "
        "text about {t} as JSON.", "Convert this list about {t} to CSV.",
        "Plan a {n}-day trip itinerary around {t}.", "Write unit tests for the {t} module.",
        "Proofread this paragraph about {t}.", "Shorten this text about {t} to {n} words.",
        "Write a job posting for a role working on {t}.", "Reply to this customer "
        "complaint about {t} politely.", "Generate {n} quiz questions about {t}.",
        "Outline a presentation on {t} with {n} slides.",
        "为{t}写三条社交媒体文案。", "Напиши рекламный текст про {t}.",
        "Escribe una descripción de producto para {t}.", "Schreib einen Werbetext über {t}.",
        "{t}の商品説明を書いてください。", "{t}에 대한 광고 문구를 써 주세요.",
    ],
}


def _examples(seed: int = 13, per_template: int = 24) -> tuple[list[str], list[int]]:
    rng = random.Random(seed)
    texts: list[str] = []
    labels: list[int] = []
    for li, label in enumerate(LABELS):
        for template in _POS[label]:
            for _ in range(per_template * (2 if label == "other" else 1)):
                t = rng.choice(_TOPICS)
                n = str(rng.randint(2, 100))
                s = template.format(t=t, n=n)
                if rng.random() < 0.3:
                    s = s.lower()
                if rng.random() < 0.3:
                    s = rng.choice(["Task {n}. ", "Item #{n}: ", "", "Q: "]).format(n=n) + s
                texts.append(s)
                labels.append(li)
    return texts, labels


class ModelClassifier:
    """Hashed character n-grams and a linear classifier over the four labels, trained on
    ``_examples`` when first built (about a second)."""

    def __init__(self, *, seed: int = 13) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer
        from sklearn.linear_model import SGDClassifier

        from ringfence.detect.text import normalise

        self._vec = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 4), n_features=2**18,
                                      alternate_sign=False, norm="l2")
        texts, labels = _examples(seed)
        x = self._vec.transform([normalise(t) for t in texts])
        self._clf = SGDClassifier(loss="log_loss", alpha=1e-5, max_iter=30, tol=None,
                                  random_state=seed)
        self._clf.fit(x, labels)

    def predict(self, norms: Sequence[str], *, min_proba: float = 0.6) -> list[str]:
        """Labels of normalised prompts; ``other`` unless the model is at least
        ``min_proba`` sure of a distillation label."""
        if not norms:
            return []
        proba: Any = self._clf.predict_proba(self._vec.transform([n[:_MODEL_CHARS] for n in norms]))
        out: list[str] = []
        for row in proba:
            best = int(row.argmax())
            out.append(LABELS[best] if best and row[best] >= min_proba else "other")
        return out
