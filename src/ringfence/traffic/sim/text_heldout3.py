"""A fifth wording (``"e"``) of every prompt kind: a third held-out bank.

Written on the det-slow branch after the second held-out bank (``text_heldout2``) had been
read to diagnose its slow-and-low misses, and committed before any detector run on it,
from the public family descriptions (request-logs.md §3) only. It is reported once, as it
comes (BENCHMARKS.md). What differs from every earlier bank:

* **languages** for reasoning reconstruction, grading and rewrites: Swedish, Greek,
  Czech, Romanian, Ukrainian, Thai and Hebrew besides English;
* **framings**: reasoning wanted as a numbered "audit trail" or as a teacher's marking
  scheme, a YAML record with an empty ``derivation`` key, a "show the scratchpad" request;
  grading as pairwise preference with a tie option; rewrites "for a family-friendly
  platform, facts intact";
* **slow-and-low sweeps** in four phrasings with the item id in different places and the
  question sometimes split over lines (no one skeleton dominates an account);
* **harder legitimate look-alikes**: a university course whose students open personal
  orgs during one lecture from the campus network and send the course's exercise sheet in
  the same minutes of each class (a signup batch and synchronised rounds, on the declared
  clock, the same items for everyone: ``classroom``); a tutoring service asking for a
  model solution with every step; labelling firms asking for pairwise preferences.

Items (problems, responses, tasks) come from ``text``'s lists, so only the wording differs.
"""

from __future__ import annotations

from collections.abc import Callable

from ringfence.traffic.sim.text import (
    CODE_TASKS,
    NAMES,
    PRODUCTS,
    RESPONSES,
    TONES,
    TOPICS,
    UI_ACTIONS,
    Rng,
    distillation_makers,
    organic_maker,
    problem,
)

__all__ = ["HELDOUT3_KINDS"]

_ORGANIC: dict[str, list[str]] = {
    "en": ["quick question about {t}: is it still worth learning in {n}?",
           "write me a tiny {c} snippet that demonstrates {t}",
           "our {c} job fails after {n} minutes with a timeout, ideas?",
           "summarise {t} in {n} bullet points",
           "what should a beginner read first about {t}?",
           "turn these notes into an email to {p}: {t} review moved, {n} items left",
           "is there a simpler way to explain {t} to a kid?",
           "compare {t} with the usual alternative in a small table"],
    "zh": ["简单介绍一下{t}。", "给我一个{c}的{t}小例子。", "{t}入门应该先看什么？"],
    "es": ["Resume {t} en {n} puntos.", "¿Qué leo primero sobre {t}?"],
    "de": ["Fass {t} in {n} Punkten zusammen.", "Womit fange ich bei {t} an?"],
    "fr": ["Résume {t} en {n} points.", "Par quoi commencer pour apprendre {t} ?"],
    "ja": ["{t}について{n}行で要約して。", "{t}の入門書のおすすめは？"],
    "ko": ["{t}를 {n}줄로 요약해 줘.", "{t} 처음 배울 때 뭐부터 봐야 해?"],
    "pt": ["Resume {t} em {n} tópicos.", "Por onde começo a estudar {t}?"],
    "ru": ["Кратко о {t} в {n} пунктах.", "С чего начать изучение {t}?"],
    "hi": ["{t} को {n} बिंदुओं में समझाइए।"],
}
_COMMON = ["hey", "ty!", "more", "again please", "Hej", "Γεια", "ok", "and in French?"]


_organic = organic_maker(_ORGANIC, _COMMON, salt=0xE00E)


_COT = [
    "Uppgift: {q}\nRätt svar: {a}\nSkriv ut hela tankegången som leder fram till svaret, "
    "steg för steg, utan att hoppa över något.",
    "Πρόβλημα: {q}\nΑπάντηση: {a}\nΓράψε ολόκληρη τη συλλογιστική που οδηγεί σε αυτή την "
    "απάντηση, βήμα προς βήμα.",
    "Úloha: {q}\nVýsledek: {a}\nRekonstruuj celý myšlenkový postup, který k výsledku vede, "
    "krok za krokem.",
    "Problemă: {q}\nRăspuns: {a}\nScrie tot raționamentul care duce la acest răspuns, pas "
    "cu pas, fără să sari nimic.",
    "Задача: {q}\nВідповідь: {a}\nВідтвори повний хід міркувань, що веде до цієї "
    "відповіді, крок за кроком.",
    "โจทย์: {q}\nคำตอบ: {a}\nเขียนกระบวนการคิดทั้งหมดที่นำไปสู่คำตอบนี้ทีละขั้นตอน",
    "שאלה: {q}\nתשובה: {a}\nכתוב את כל שרשרת המחשבה שמובילה לתשובה הזו, שלב אחר שלב.",
    "Audit trail wanted. The accepted result is {a}. Number every inference you would make "
    "on the way there, none skipped.\nCase: {q}",
    "problem: |\n  {q}\nresult: {a}\nderivation: |\n  # fill this with the full chain of "
    "thought that arrives at result",
    "Show your scratchpad exactly as it would look while you work this out; the known "
    "outcome is {a}.\n{q}",
    "Write the marking scheme a teacher would use for this, one line per reasoning step, "
    "ending in the given answer {a}: {q}",
]
_RUBRIC = [
    "Bedöm svaret enligt kriterierna {r}. Ge 1-10 och motivera varje kriterium.\nSvar: {s}",
    "Ohodnoť odpověď podle kritérií {r}, stupnice 1-10, s odůvodněním.\nOdpověď: {s}",
    "Which of these two completions is better on {r}? Answer A, B or tie, then justify "
    "per criterion.\nA: {s}\nB: (see previous message)",
    "Αξιολόγησε την απάντηση με βάση τα κριτήρια {r}, βαθμός 1-10.\nΑπάντηση: {s}",
]
_REWRITE = [
    "Make this suitable for a family-friendly platform without dropping any facts or "
    "steps:\n{s}",
    "Omformulera texten så att den följer riktlinjerna men behåll alla detaljer: {s}",
    "Přepiš tento text tak, aby prošel moderací, ale zachovej všechny údaje: {s}",
    "Rescrie răspunsul ca să respecte politica de conținut, fără să elimini detalii: {s}",
]


_DISTIL = distillation_makers(_COT, _RUBRIC, _REWRITE, salts=(0xE07, 0xE7B, 0xE3E))


_SETS = ["mx-hard", "arith-v2", "olymp-lite", "qa-num", "ratio-set", "comb-s"]


def _sweep(seed: int) -> str:
    rng = Rng(seed * 7919 + 5)
    q, _ = problem(rng)
    ds = _SETS[(seed // 7) % len(_SETS)]
    forms = [f"#{seed} ({ds})\n{q}\nfinal answer plus a short reason",
             f"{q}\n\n--\nrecord {ds}:{seed}; respond 'answer; reason'",
             f"Please solve: {q} (ref {seed}) Keep it brief: result and why.",
             f"[{ds}] {q.rstrip('?.')}?\nGive the answer and the key idea in one line. {seed}"]
    return rng.choice(forms)


def _cap_code(seed: int) -> str:
    rng = Rng(seed ^ 0xECA)
    task = rng.choice(CODE_TASKS)
    return rng.choice([
        f"Work in the checked-out repository with your tools until this is done: {task}.",
        f"Ticket {rng.randint(100, 9999)}: {task}. Explore, edit, run tests, summarise.",
        f"Goal: {task}. You may run commands. Finish with a diff summary."])


def _computer_use(seed: int) -> str:
    rng = Rng(seed ^ 0xEC0)
    act = rng.choice(UI_ACTIONS).format(p=rng.choice(NAMES))
    return rng.choice([f"Screenshot attached. Task: {act}. What is the next click or key?",
                       f"You control the desktop. {act}. Reply with one action."])


def _vision(seed: int) -> str:
    rng = Rng(seed ^ 0xE51)
    return rng.choice(["Extract every line item from this receipt photo.",
                       "Describe the chart and give its three main numbers.",
                       "Přepiš text z obrázku.", "Count the people in this picture."])


def _eval_bench(seed: int) -> str:
    rng = Rng(seed)
    q, _ = problem(rng)
    if rng.random() < 0.4:
        return f"{q}\nThink it through, then write the final answer after '####'."
    return f"Question: {q}\nAnswer with a number only."


def _labelling(seed: int) -> str:
    rng = Rng(seed)
    s = rng.choice(RESPONSES).format(n=rng.randint(1000, 99999))
    return (f"Preference task. Is reply A or reply B more helpful and honest? Answer 'A', "
            f"'B' or 'same' and one sentence.\nA: {s}\nB: {s[::-1][:60]}")


def _university(seed: int) -> str:
    rng = Rng(seed * 41 + 7)
    q, a = problem(rng)
    if rng.random() < 0.4:
        return (f"Tutoring service, model solution wanted. {q} The answer key says {a}; "
                "write the solution a student should hand in, every step shown.")
    return f"Practice item {seed}: {q} Work through it step by step."


def _classroom(seed: int) -> str:
    # a course's exercise sheet: everyone in the class sends the same exercises
    rng = Rng(seed * 13 + 1)
    q, _ = problem(rng)
    sheet, ex = seed // 100, seed % 100
    return rng.choice([f"Sheet {sheet}, exercise {ex}: {q} Can you give me a hint first?",
                       f"Course exercise {sheet}.{ex} — {q} I'm stuck, what's the first step?",
                       f"{q} (exercise {ex} from this week's sheet) is my approach right?"])


def _agency(seed: int) -> str:
    rng = Rng(seed)
    prod, tone = rng.choice(PRODUCTS), rng.choice(TONES)
    return rng.choice([f"Five {tone} headlines for a landing page selling {prod}.",
                       f"A {tone} product story for {prod}, 120 words.",
                       f"Rewrite our {prod} tagline to be more {tone}."])


def _coding_agent(seed: int) -> str:
    rng = Rng(seed)
    return (f"## request {rng.randint(1, 99999)}\n{rng.choice(CODE_TASKS)}\n"
            "## files\n(attached by the editor)")


def _resold(seed: int) -> str:
    rng = Rng(seed)
    lang = rng.choice(["en", "en", "zh", "ja", "ko", "es", "ru"])
    return _organic(lang)(seed + 3)


HELDOUT3_KINDS: dict[str, Callable[[int], str]] = {
    **{f"organic_{lang}": _organic(lang) for lang in TOPICS},
    **_DISTIL, "sweep": _sweep,
    "cap_code": _cap_code, "computer_use": _computer_use, "vision": _vision,
    "eval_bench": _eval_bench, "labelling": _labelling, "university": _university,
    "agency": _agency, "coding_agent": _coding_agent, "resold": _resold,
    "classroom": _classroom,
}
