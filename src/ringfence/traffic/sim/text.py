"""Prompt text for the simulator: template banks in several languages, two wordings.

No real user prompts are shipped: every prompt is a template filled from small word lists.
A prompt is built from ``(kind, seed)`` at write time, so the simulator keeps two integers
per request rather than the text. ``wording`` selects one of two banks of phrasings
("a" or "b") for every kind, so a variant run differs in wording as well as in rates.

Kinds fall in three groups:

* organic: everyday requests (code help, writing, translation, study, chit-chat), several
  languages, including a few extremely common prompts ("hi", "translate this") that many
  unrelated accounts send;
* campaign: reasoning reconstruction, rubric grading, policy-safe rewrites, dataset sweeps
  with a shared skeleton and disjoint items, agentic coding / computer use / vision tasks;
* legitimate heavy users whose text resembles a campaign's: evaluation benchmarks
  ("think step by step"), a labelling firm's single rubric, a university's benchmark items,
  an agency's marketing copy, a coding agent's task wrapper.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
_MASK = (1 << 64) - 1


class _R:
    """A tiny deterministic generator per prompt (splitmix64): seeding the standard
    library's Mersenne Twister for each of 1.3M prompts costs more than the prompt."""

    __slots__ = ("s",)

    def __init__(self, seed: int) -> None:
        self.s = seed & _MASK

    def _next(self) -> int:
        self.s = (self.s + 0x9E3779B97F4A7C15) & _MASK
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def random(self) -> float:
        return (self._next() >> 11) / float(1 << 53)

    def randrange(self, n: int) -> int:
        return self._next() % n

    def randint(self, lo: int, hi: int) -> int:
        return lo + self._next() % (hi - lo + 1)

    def choice(self, seq: Sequence[T]) -> T:
        return seq[self._next() % len(seq)]

__all__ = ["CODE_LANGS", "CODE_TASKS", "KINDS", "LANGS", "NAMES", "N_STYLES", "PRODUCTS",
           "RESPONSES", "RUBRICS", "TONES", "TOPICS", "UI_ACTIONS", "WORDINGS", "Rng",
           "make_prompt", "problem"]

LANGS = ("en", "zh", "es", "de", "fr", "ja", "ko", "pt", "ru", "hi")

_TOPICS = {
    "en": ["binary search", "a REST API", "photosynthesis", "the French Revolution",
           "compound interest", "a cover letter", "unit tests", "a wedding speech",
           "the Krebs cycle", "Docker networking", "a SQL join", "sourdough bread",
           "a marketing plan", "quantum entanglement", "a bash script", "tax brackets"],
    "zh": ["二分查找", "数据库索引", "光合作用", "简历", "单元测试", "机器学习", "年终总结",
           "红楼梦", "微积分", "市场营销方案", "Python 装饰器", "租房合同"],
    "es": ["recursión", "una carta de presentación", "la fotosíntesis", "un plan de negocio",
           "las pruebas unitarias", "la Revolución Mexicana", "un presupuesto familiar"],
    "de": ["Rekursion", "ein Anschreiben", "die Photosynthese", "einen Businessplan",
           "Unit-Tests", "die Weimarer Republik", "eine Steuererklärung"],
    "fr": ["la récursivité", "une lettre de motivation", "la photosynthèse",
           "un plan d'affaires", "les tests unitaires", "la Révolution française"],
    "ja": ["再帰", "志望動機", "光合成", "事業計画", "単体テスト", "明治維新", "確定申告"],
    "ko": ["재귀 함수", "자기소개서", "광합성", "사업 계획서", "단위 테스트", "조선 왕조"],
    "pt": ["recursão", "uma carta de apresentação", "a fotossíntese", "um plano de negócios",
           "testes unitários", "a Independência do Brasil"],
    "ru": ["рекурсия", "сопроводительное письмо", "фотосинтез", "бизнес-план",
           "модульные тесты", "реформы Петра I"],
    "hi": ["रिकर्शन", "कवर लेटर", "प्रकाश संश्लेषण", "व्यापार योजना", "यूनिट टेस्ट"],
}

_CODE_LANGS = ["Python", "TypeScript", "Go", "Rust", "Java", "C++", "SQL", "Kotlin"]
_NAMES = ["Alex", "Maria", "Wei", "Priya", "Jonas", "Aiko", "Omar", "Lucía", "Min-jun",
          "Fatima", "Tom", "Olga", "Kwame", "Sofia"]
_PRODUCTS = ["running shoes", "a meal-kit box", "a budgeting app", "noise-cancelling "
             "headphones", "a yoga studio", "organic coffee", "a coworking space",
             "an e-bike", "a language course", "a skincare line"]
_TONES = ["playful", "professional", "warm", "bold", "minimal"]

# Everyday requests, per wording and language: {t} topic, {c} code language, {n} number,
# {p} person.
_ORGANIC: dict[str, dict[str, list[str]]] = {
    "a": {
        "en": ["Can you explain {t} in simple terms?",
               "Write a {c} function that implements {t}.",
               "Why does my {c} code throw an error on line {n}? Here is the snippet:\n"
               "def f(x):\n    return x[{n}]",
               "Help me draft an email to {p} about rescheduling our meeting to {n}pm.",
               "Give me {n} ideas for {t}.",
               "Summarize the key points of {t} for a presentation.",
               "What are the pros and cons of {t}?",
               "Rewrite this paragraph to sound more professional: we done the {t} "
               "thing last week and it mostly worked",
               "I'm studying {t}. Quiz me with {n} questions.",
               "Review this {c} code for bugs: for i in range({n}): total += i",
               "Solve step by step and show your reasoning: {n}x + 7 = {n}3",
               "Grade my essay on {t} with this rubric: thesis, evidence, clarity. "
               "Give a score out of 10 for each."],
        "zh": ["请用简单的话解释一下{t}。", "帮我写一个实现{t}的{c}函数。",
               "给我{n}个关于{t}的建议。", "帮我写一封邮件给{p}，把会议改到{n}点。",
               "总结一下{t}的要点。", "{t}有哪些优缺点？",
               "请一步一步推理：{n}x + 5 = {n}5，x 等于多少？"],
        "es": ["¿Puedes explicarme {t} de forma sencilla?",
               "Escribe una función en {c} para {t}.", "Dame {n} ideas sobre {t}.",
               "Ayúdame a redactar un correo para {p} sobre {t}."],
        "de": ["Kannst du {t} einfach erklären?", "Schreib eine {c}-Funktion für {t}.",
               "Gib mir {n} Ideen zu {t}.", "Hilf mir, eine E-Mail an {p} über {t} zu "
               "schreiben."],
        "fr": ["Peux-tu m'expliquer {t} simplement ?", "Écris une fonction {c} pour {t}.",
               "Donne-moi {n} idées sur {t}.", "Aide-moi à écrire un e-mail à {p} "
               "au sujet de {t}."],
        "ja": ["{t}について簡単に説明してください。", "{t}を実装する{c}の関数を書いてください。",
               "{t}のアイデアを{n}個ください。"],
        "ko": ["{t}에 대해 쉽게 설명해 주세요.", "{t}을 구현하는 {c} 함수를 작성해 주세요.",
               "{t}에 대한 아이디어 {n}개를 주세요."],
        "pt": ["Pode explicar {t} de forma simples?", "Escreva uma função em {c} para {t}.",
               "Me dê {n} ideias sobre {t}."],
        "ru": ["Объясни простыми словами: {t}.", "Напиши функцию на {c} для задачи: {t}.",
               "Дай {n} идей на тему: {t}."],
        "hi": ["{t} को आसान शब्दों में समझाइए।", "{t} के लिए {c} में एक फ़ंक्शन लिखिए।"],
    },
    "b": {
        "en": ["Explain {t} like I'm five.",
               "I need {c} code for {t}, with comments please.",
               "Getting an IndexError in {c} at line {n}, what's wrong?\n"
               "items = load()\nprint(items[{n}])",
               "Draft a short note to {p}: the {t} review moves to {n}:30.",
               "List {n} creative angles on {t}.",
               "TL;DR of {t}, bullet points.",
               "Compare the main trade-offs of {t}.",
               "Make this sound better: the {t} stuff is kinda done but not really",
               "Make me a {n}-question practice test on {t}.",
               "Spot the bug: while n < {n}: n =+ 1   ({c})",
               "Walk me through the reasoning, step by step: why is {n} squared even or odd?",
               "Here's my answer about {t}. Score it 1-10 and explain what's missing."],
        "zh": ["像给小学生讲课一样解释{t}。", "用{c}写一段关于{t}的代码，加上注释。",
               "列出{n}个关于{t}的创意。", "给{p}写个便条：{t}评审改到{n}点半。",
               "{t}的核心要点是什么？用列表回答。"],
        "es": ["Explícame {t} como si tuviera cinco años.",
               "Necesito código {c} para {t}, con comentarios.",
               "Enumera {n} enfoques creativos sobre {t}."],
        "de": ["Erklär mir {t}, als wäre ich fünf.", "Ich brauche {c}-Code für {t}, mit "
               "Kommentaren.", "Nenne {n} kreative Ansätze zu {t}."],
        "fr": ["Explique-moi {t} comme à un enfant de cinq ans.",
               "J'ai besoin de code {c} pour {t}, avec des commentaires."],
        "ja": ["{t}を5歳児にもわかるように説明して。",
               "{t}の{c}コードをコメント付きでお願いします。"],
        "ko": ["{t}을 다섯 살 아이에게 설명하듯 알려줘.", "{t}용 {c} 코드를 주석과 함께 써줘."],
        "pt": ["Explique {t} como se eu tivesse cinco anos.",
               "Preciso de código {c} para {t}, com comentários."],
        "ru": ["Объясни {t}, как пятилетнему.", "Нужен код на {c} для: {t}, с комментариями."],
        "hi": ["{t} को ऐसे समझाइए जैसे मैं पाँच साल का हूँ।"],
    },
}

# Prompts that thousands of unrelated people send: identical text across orgs.
_COMMON = ["hi", "hello", "test", "Hello!", "ping", "你好", "Hola", "thanks",
           "Translate this into English: Je voudrais réserver une table pour deux.",
           "Translate to English: 明天见", "Summarize the following text:",
           "continue", "What can you do?"]


def _problem(rng: _R) -> tuple[str, str]:
    """A small maths word problem and its answer (items for sweeps and benchmarks)."""
    a, b, c = rng.randint(2, 97), rng.randint(2, 60), rng.randint(2, 9)
    form = rng.randrange(5)
    if form == 0:
        return (f"A train travels {a} km in {c} hours and then {b} km in {c + 1} hours. "
                f"What is its average speed?", f"{(a + b) / (2 * c + 1):.2f} km/h")
    if form == 1:
        return (f"{_NAMES[a % len(_NAMES)]} buys {c} notebooks at {b} each and pays with "
                f"{b * c + a}. How much change?", str(a))
    if form == 2:
        return f"Find all integer x with {c}x + {a} = {a + c * b}.", f"x = {b}"
    if form == 3:
        return (f"What is the remainder when {a * 1000 + b} is divided by {c + 3}?",
                str((a * 1000 + b) % (c + 3)))
    return (f"A rectangle has perimeter {2 * (a + b)} and one side {a}. Its area?",
            str(a * b))


_RESPONSES = ["The capital of Australia is Sydney, because it is the largest city.",
              "To reverse a list in Python use list.reverse() or slicing with [::-1].",
              "Our refund policy allows returns within 30 days of purchase.",
              "Photosynthesis converts light energy into chemical energy in chloroplasts.",
              "I'm sorry, I can't help with resetting that password without verification.",
              "The derivative of x^3 is 3x^2, by the power rule.",
              "Your order #{n} has shipped and should arrive within 3-5 business days.",
              "Mitochondria are the powerhouse of the cell and produce ATP."]

_RUBRICS = ["correctness, completeness, clarity", "factual accuracy and reasoning depth",
            "helpfulness, harmlessness, honesty", "logic, evidence, style"]

_CODE_TASKS = ["add pagination to the /orders endpoint", "fix the flaky test in "
               "test_scheduler.py", "migrate the config loader to pydantic v2",
               "implement retry with exponential backoff in http_client", "refactor the "
               "auth middleware into a class", "add a CLI flag --dry-run to deploy.py",
               "write integration tests for the billing webhook", "port utils/date.js to "
               "TypeScript", "profile and speed up the CSV importer",
               "resolve the merge conflict in src/router.go"]
_UI_ACTIONS = ["open the settings page and enable two-factor authentication",
               "fill the signup form with the test data and submit",
               "find the cheapest flight from {p}'s city next Friday",
               "export the spreadsheet as PDF", "click the third search result and "
               "copy its title"]

# the item lists, for the held-out wording (text_heldout) which words the same items
Rng = _R
TOPICS, CODE_LANGS, NAMES, PRODUCTS, TONES = _TOPICS, _CODE_LANGS, _NAMES, _PRODUCTS, _TONES
RESPONSES, RUBRICS, CODE_TASKS, UI_ACTIONS = _RESPONSES, _RUBRICS, _CODE_TASKS, _UI_ACTIONS
problem = _problem
WORDINGS = ("a", "b", "c", "d", "e")  # "c"-"e": held-out banks (text_heldout, 2, 3)

_DATASETS = ["mathqa", "gsm-style", "sciq-style", "logic-grid", "code-contest"]


def _fill(tpl: str, rng: _R, lang: str) -> str:
    topics = _TOPICS.get(lang, _TOPICS["en"])
    return tpl.format(t=rng.choice(topics), c=rng.choice(_CODE_LANGS),
                      n=rng.randint(2, 12), p=rng.choice(_NAMES))


def _organic(lang: str) -> Callable[[int, str], str]:
    def make(seed: int, wording: str) -> str:
        rng = _R(seed)
        if rng.random() < 0.06:
            return rng.choice(_COMMON)
        bank = _ORGANIC[wording]
        tpls = bank.get(lang) or bank["en"]
        return _fill(rng.choice(tpls), rng, lang)
    return make


def _cot(seed: int, wording: str) -> str:
    rng = _R(seed)
    prob, ans = _problem(rng)
    zh = rng.random() < 0.3
    if wording == "a":
        if zh:
            return (f"以下是一道题目及其最终答案。请给出得到该答案的完整推理过程，逐步说明，"
                    f"不要省略任何步骤。\n题目：{prob}\n答案：{ans}")
        return (f"Here is a problem and its final answer.\nProblem: {prob}\nAnswer: {ans}\n"
                "Give the complete reasoning that leads to this answer, step by step, "
                "without skipping any step.")
    if zh:
        return (f"题目：{prob}\n正确结果：{ans}\n请详细还原专家得出这个结果时的全部思考过程。")
    return (f"Below is a question together with its correct result. Reconstruct in full "
            f"the chain of thought an expert would follow to reach it.\n\nQuestion: {prob}\n"
            f"Result: {ans}")


def _rubric(seed: int, wording: str) -> str:
    rng = _R(seed)
    resp = rng.choice(_RESPONSES).format(n=rng.randint(1000, 99999))
    rub = rng.choice(_RUBRICS)
    if wording == "a":
        return (f"You are grading a model response against the rubric ({rub}).\n"
                f"Response: \"{resp}\"\nThink through each criterion in detail, then give "
                f"a score from 1 to 10.")
    return (f"Evaluate the answer below. Criteria: {rub}. Explain your judgement for every "
            f"criterion before the final grade (1-10).\n---\n{resp}\n---")


def _rewrite(seed: int, wording: str) -> str:
    rng = _R(seed)
    resp = rng.choice(_RESPONSES).format(n=rng.randint(1000, 99999))
    if wording == "a":
        return (f"Rewrite the following answer so that it fully complies with the usage "
                f"policy while keeping every technical detail: \"{resp}\"")
    return (f"Produce a policy-safe version of this text; do not drop any facts.\n\n{resp}")


def _sweep(seed: int, wording: str) -> str:
    # seed is the item number: items are disjoint across the campaign's accounts
    rng = _R(seed * 7919 + 11)
    prob, _ = _problem(rng)
    ds = _DATASETS[seed % len(_DATASETS)]
    if wording == "a":
        return f"[{ds} #{seed}] {prob}\nAnswer with the result and a short explanation."
    return f"Item {seed} ({ds}): {prob} Respond with the answer first, then why."


def _capability_code(seed: int, wording: str) -> str:
    rng = _R(seed)
    task = rng.choice(_CODE_TASKS)
    if wording == "a":
        return (f"You are operating in a repository. Task: {task}. Use the tools to inspect "
                f"files, run tests and apply edits until the task is complete.")
    return f"Repository task ({rng.randint(100, 999)}): {task}. Plan, then call tools."


def _computer_use(seed: int, wording: str) -> str:
    rng = _R(seed)
    act = rng.choice(_UI_ACTIONS).format(p=rng.choice(_NAMES))
    if wording == "a":
        return f"Here is the current screenshot. Next step: {act}. Reply with one action."
    return f"[screen attached] Goal: {act}. What do you click or type next?"


def _vision(seed: int, wording: str) -> str:
    rng = _R(seed)
    if wording == "a":
        return rng.choice(["Describe the chart in the image and extract every value as a "
                           "table.", "Transcribe all text in this image exactly.",
                           "What objects are in this photo? List them with positions."])
    return rng.choice(["Extract the data series from this figure as CSV.",
                       "OCR this document, keep the layout.",
                       "Enumerate the items visible in the picture with bounding boxes."])


def _eval_bench(seed: int, wording: str) -> str:
    rng = _R(seed)
    prob, _ = _problem(rng)
    if rng.random() < 0.4:
        opts = [str(rng.randint(1, 200)) for _ in range(4)]
        return (f"Question: {prob}\nA) {opts[0]}  B) {opts[1]}  C) {opts[2]}  D) {opts[3]}\n"
                "Answer with the letter only.")
    if wording == "a":
        return f"Solve the following problem. Think step by step and put the final answer "\
               f"in \\boxed{{}}.\n\n{prob}"
    return f"{prob}\nReason carefully, then write 'Final answer:' followed by the answer."


def _labelling(seed: int, wording: str) -> str:
    rng = _R(seed)
    resp = rng.choice(_RESPONSES).format(n=rng.randint(1000, 99999))
    if wording == "a":
        return (f"Rate the following support reply for helpfulness, accuracy and tone on a "
                f"1-5 scale and give a one-sentence reason.\nReply: \"{resp}\"")
    return (f"Annotation task. Score helpfulness / accuracy / tone (1-5 each) for: {resp}")


def _university(seed: int, wording: str) -> str:
    rng = _R(seed * 31 + 5)
    prob, _ = _problem(rng)
    if wording == "a":
        return f"Q{seed}: {prob}\nLet's think step by step."
    return f"Problem {seed}. {prob} Work it out step by step before answering."


def _agency(seed: int, wording: str) -> str:
    rng = _R(seed)
    prod, tone = rng.choice(_PRODUCTS), rng.choice(_TONES)
    if wording == "a":
        return f"Write three Instagram captions for {prod}. Tone: {tone}. Max 20 words each."
    return f"Give me a {tone} tagline and a 50-word ad blurb for {prod}."


def _coding_agent(seed: int, wording: str) -> str:
    rng = _R(seed)
    task = rng.choice(_CODE_TASKS)
    return f"<user_task>{task}</user_task>\n<context>branch: feature/{rng.randint(1, 999)}"\
           f"</context>"


def _resold(seed: int, wording: str) -> str:
    # genuine customer traffic resold through a proxy: everyday requests, zh/en heavy
    rng = _R(seed)
    lang = "zh" if rng.random() < 0.55 else rng.choice(["en", "en", "ja", "ko", "es"])
    return _organic(lang)(seed + 1, wording)


def _classroom(seed: int, wording: str) -> str:
    # a course's exercise sheet (traffic/sim/classroom.py): the whole class sends the same
    rng = _R(seed * 13 + 1)
    q, _ = problem(rng)
    sheet, ex = seed // 100, seed % 100
    if wording == "a":
        return f"Exercise {sheet}.{ex}: {q} Can you check my first step?"
    return f"{q} This is problem {ex} on sheet {sheet}; give me a hint, not the answer."


KINDS: dict[str, Callable[[int, str], str]] = {
    **{f"organic_{lang}": _organic(lang) for lang in LANGS},
    "cot": _cot, "rubric": _rubric, "rewrite": _rewrite, "sweep": _sweep,
    "cap_code": _capability_code, "computer_use": _computer_use, "vision": _vision,
    "eval_bench": _eval_bench, "labelling": _labelling, "university": _university,
    "agency": _agency, "coding_agent": _coding_agent, "resold": _resold,
    "classroom": _classroom,
}


# Each campaign's tooling wraps its prompts its own way ("cot@3" is the cot kind in house
# style 3), so two unrelated campaigns do not share a skeleton by accident of this generator.
_STYLES = [
    "{t}", "### Task\n{t}", "{t}\n\nRespond in English.", "[job {n}] {t}",
    "Instruction: {t}\nOutput:", "<task>\n{t}\n</task>", "{t}\n请用英文回答。",
    "You will be given a task.\n{t}", "{t}\n(Return plain text only.)",
    "Q:\n{t}\nA:", "--- item {n} ---\n{t}",
]
N_STYLES = len(_STYLES)


def make_prompt(kind: str, seed: int, wording: str) -> str:
    """The prompt text of ``kind`` for ``seed`` in wording ``"a"``, ``"b"``, or ``"c"``,
    ``"d"``, ``"e"`` (the held-out banks); a kind ``"name@k"`` is wrapped in house style ``k``."""
    base, _, style = kind.partition("@")
    if wording == "c":
        from ringfence.traffic.sim.text_heldout import HELDOUT_KINDS  # it imports this module

        text = (HELDOUT_KINDS[base](seed) if base in HELDOUT_KINDS
                else KINDS[base](seed, "b"))  # kinds added after the bank was written
    elif wording == "d":
        from ringfence.traffic.sim.text_heldout2 import HELDOUT2_KINDS

        text = (HELDOUT2_KINDS[base](seed) if base in HELDOUT2_KINDS
                else KINDS[base](seed, "b"))
    elif wording == "e":
        from ringfence.traffic.sim.text_heldout3 import HELDOUT3_KINDS

        text = HELDOUT3_KINDS[base](seed)
    else:
        text = KINDS[base](seed, wording)
    if not style:
        return text
    return _STYLES[int(style)].format(t=text, n=seed % 100000)


def organic_maker(organic: dict[str, list[str]], common: list[str], *, salt: int,
                  max_n: int = 40) -> Callable[[str], Callable[[int], str]]:
    """Organic prompts of a held-out bank: its own templates per language and short
    messages everybody sends, filled from the shared topics (each bank passes its salt,
    so two banks never draw alike)."""
    def for_lang(lang: str) -> Callable[[int], str]:
        def make(seed: int) -> str:
            rng = Rng(seed ^ salt)
            if rng.random() < 0.05:
                return rng.choice(common)
            tpl = rng.choice(organic.get(lang) or organic["en"])
            topics = TOPICS.get(lang, TOPICS["en"])
            return tpl.format(t=rng.choice(topics), c=rng.choice(CODE_LANGS),
                              n=rng.randint(2, max_n), p=rng.choice(NAMES))
        return make
    return for_lang


def distillation_makers(cot: list[str], rubric: list[str], rewrite: list[str], *,
                        salts: tuple[int, int, int]) -> dict[str, Callable[[int], str]]:
    """A held-out bank's chain-of-thought, rubric-grading and policy-rewrite prompts: its
    own templates filled with the shared problems and responses (``salts`` per kind)."""
    def make_cot(seed: int) -> str:
        rng = Rng(seed ^ salts[0])
        q, a = problem(rng)
        return rng.choice(cot).format(q=q, a=a)

    def make_rubric(seed: int) -> str:
        rng = Rng(seed ^ salts[1])
        s = rng.choice(RESPONSES).format(n=rng.randint(1000, 99999))
        return rng.choice(rubric).format(r=rng.choice(RUBRICS), s=s)

    def make_rewrite(seed: int) -> str:
        rng = Rng(seed ^ salts[2])
        s = rng.choice(RESPONSES).format(n=rng.randint(1000, 99999))
        return rng.choice(rewrite).format(s=s)

    return {"cot": make_cot, "rubric": make_rubric, "rewrite": make_rewrite}
