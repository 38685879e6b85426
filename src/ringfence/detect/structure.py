"""Distillation requests recognised by their structure, in many languages.

The phrase banks of ``classify`` know phrasings; a campaign that words its prompts anew
slips past them. What does not change with the wording is what such a prompt is made of:

- **reasoning reconstruction** *gives an answer* (a labelled answer, solution, result or
  target followed by a value, "the answer is …", a JSON field holding the target) **and**
  *asks for the process* (reasoning, thought process, steps, derivation*, deliberation*,
  rationale*, inner monologue …). Homework and benchmark harnesses ask for the process but
  give no answer; an answer key pasted by a student usually asks where *they* went wrong,
  and one such prompt in an account's traffic weighs nothing (content signals are shares);
- **rubric grading** names *a reply to judge* (response, answer, completion, candidate …),
  *a score* (score, grade, rating, points …) and *criteria or a scale* (criteria, rubric*,
  "1-10", "/10");
- **policy-safe rewrites** ask to *rewrite* something so that it *passes a policy*
  (policy, guidelines, rules, moderation, safety review …) while *keeping the details*
  (keep, preserve, without removing …).

Each part is a small concept lexicon in about twenty languages (the words a translator
would reach for, not any one campaign's sentence), matched on the normalised prompt
(``text.normalise``: NFKC, lower case, whitespace collapsed). A part matches anywhere in
the first 700 and last 500 characters. Every rule needs two or three parts, so a lexicon
word alone labels nothing.
"""

from __future__ import annotations

import re

__all__ = ["structural_label"]


def _alt(words: str) -> str:
    """One alternation of comma-separated lexicon entries. A Latin-script entry matches at a
    word start, and as a whole word unless it ends in ``*`` (a stem: "оцен*", "kryteri*")."""
    out = []
    for w in (x.strip() for x in words.split(",")):
        if not w:
            continue
        stem = w.endswith("*")
        w = w.rstrip("*")
        if w[0].isascii() and w[0].isalpha():
            w = r"(?<![a-z])" + w
        if not stem and w[-1].isascii() and w[-1].isalpha():
            w += r"(?![a-z])"
        out.append(w)
    return "|".join(out)


# --- reasoning reconstruction ------------------------------------------------------------
# a word naming the given answer, then a separator and a value (not a quoted format
# instruction such as "end with 'answer: <value>'", not a placeholder)
_ANSWER_WORDS = _alt("""
answer, final answer, correct answer, solution, result, target, expected output,
ground truth, gold answer, reference answer, answer key,
respuesta, respuesta final, solución, resultado, réponse, réponse finale, résultat,
antwort, lösung, ergebnis, endergebnis, risposta, soluzione, risultato, resposta,
solução, ответ, решение, результат, cevap, sonuç, yanıt, đáp án, kết quả, lời giải,
odpowiedź, wynik, rozwiązanie, jawaban, jawaban akhir, hasil, antwoord, uitkomst,
oplossing, odpověď, výsledek, válasz, megoldás, απάντηση, λύση, תשובה, پاسخ, جواب,
الإجابة, الجواب, النتيجة, الحل, उत्तर, हल, जवाब, คำตอบ, jibu
""")
_ANSWER_CJK = _alt("""
答案, 最终答案, 正确答案, 正确结果, 结果, 解答, 答え, 正解, 解答例, 정답, 답, 결과, 해답
""")
_GIVEN = re.compile(
    rf"(?:^|[\s\[(\"'{{,;.>])(?:{_ANSWER_WORDS})\s*[:：=]\s*(?![\s'\"<‹{{]*(?:<|\.\.\.|…))"
    rf"[^\s'\"<]"
    rf"|(?:{_ANSWER_CJK})\s*(?:[:：=]|是|は|은|는)\s*(?!什么|多少|几|吗|何|무엇|뭐|[?？])"
    r"[^\s'\"<]"
    r"|\b(?:final\s+|correct\s+|right\s+)?(?:answer|solution|result)\s+(?:is|was|equals)"
    r"\s*[:=]?\s*(?:[-+$€£(]?\d|x\s*=)"
    r"|(?<![a-z])(?:answer|solution|result)s?\s+(?:given|provided|known)\s*[:：=]"
    r"|(?:i|we)\s+(?:already\s+)?know\s+(?:that\s+)?the\s+(?:final\s+|correct\s+)?"
    r"(?:answer|solution|result)"
    r"|(?:given|here\s+is|here's)\s+(?:the\s+)?(?:final\s+|correct\s+)?(?:answer|solution|"
    r"result)\b(?!\s*(?:choices|options|format|below|template))"
    r"|\"(?:answer|target|solution|label|gold|expected)\"\s*:\s*\"?[^\s\"<]"
    r"|<(?:answer|solution|target)>\s*[^\s<]"
    r"|\b(?:la\s+)?respuesta\s+(?:es|correcta\s+es)\s|\bla\s+réponse\s+est\s"
    r"|\bdie\s+antwort\s+(?:ist|lautet)\s|\bla\s+risposta\s+è\s|\ba\s+resposta\s+é\s"
    r"|ответ\s+(?:—|-|равен|будет)\s|答えは|정답은")
# asking for the process (the trace), not only for an answer
_PROCESS = re.compile(_alt(r"""
reasoning*, rationale*, thought process, thinking, thoughts, deliberation*, derivation*,
inner monologue, monologue, chain of thought, chain-of-thought, step by step,
step-by-step, every step, each step, all the steps, intermediate step, working out,
how (?:you|one|an expert|a solver) (?:would )?(?:get|gets|arrive|arrives|reach|reaches|got),
what goes through your mind, false starts,
razonamiento*, paso a paso, proceso de pensamiento, raisonnement*, étape par étape,
démarche, gedankengang, denkprozess, schritt für schritt, herleitung, lösungsweg,
ragionamento*, passo dopo passo, passo passo, processo di pensiero, raciocínio*,
passo a passo, processo de pensamento, рассуждени, ход решения, шаг за шагом, пошагов,
ход мысл, 推理, 思考, 思路, 步骤, 推导, 推導, 推論, 思考過程, 手順, 추론, 사고 과정,
사고과정, 단계별, 풀이 과정, düşünce süreci, adım adım, akıl yürütme, suy luận,
từng bước, quá trình, tư duy, rozumowani*, krok po kroku, tok myślenia, penalaran*,
langkah demi langkah, langkah, proses berpikir, redenering*, gedachtegang,
stap voor stap, denkproces, التفكير, خطوة بخطوة, الاستدلال, सोच, चरण दर चरण, तर्क,
postup*, krok za krokem, lépésről lépésre, gondolatmenet, συλλογισμ, βήμα προς βήμα
"""))

# --- rubric grading ------------------------------------------------------------------------
_REPLY = re.compile(_alt("""
response, responses, answer, answers, reply, replies, completion, completions, output,
outputs, candidate, generation, assistant, respuesta, réponse, antwort, risposta,
resposta, ответ, 回答, 回复, 答复, 응답, 답변, yanıt, cevap, câu trả lời, odpowiedź,
jawaban, tanggapan, antwoord, الرد, الإجابة, उत्तर, odpověď, válasz
"""))
_SCORE = re.compile(_alt("""
score, scores, scoring, grade, grading, rating, rate, points, mark it, judge, judgement,
reward, preference, puntuación, puntaje, calificación, califica*, nota, note, noter,
bewerte*, bewertung, punktzahl, punteggio, voto, valuta*, pontuação, avalie*, оцен, балл,
评分, 打分, 分数, 评价, 採点, 点数, 評価, 점수, 채점, 평가, puan, değerlendir*, điểm,
chấm, ocen*, punkt*, nilai, skor, cijfer, beoordeel*, درجة, قيّم, تقييم, अंक, मूल्यांकन
"""))
_CRITERIA = re.compile(
    r"\b\d{1,2}\s*(?:-|–|~|to|a|à|bis|до|ile|đến|do|hingga|sampai|tot|al|al|a)\s*\d{1,3}\b"
    r"|/\s*10\b|\b(?:1|0)\s*[-–]\s*(?:5|7|10|100)\b|" + _alt("""
rubric*, criteria, criterion, criterio*, criterios, critères, kriterien, criteri, critérios,
критери, 标准, 準, 基準, 기준, ölçüt, kriter*, tiêu chí, kryteri*, kriteria*, criteria,
معايير, मानदंड, helpfulness, harmlessness, correctness, factual accuracy
"""))

# --- policy-safe rewrites -----------------------------------------------------------------
_REWRITE_VERB = re.compile(_alt("""
rewrite, re-write, reword, rephrase, sanitize, sanitise, soften, paraphrase, make this,
make the, reescrib*, reformul*, réécri*, umformulier*, formuliere*, umschreib*, riscriv*,
riformul*, reescrev*, перепиш, переформулир, 改写, 重写, 改寫, 書き直, 書き換え, 다시 써,
바꿔, yeniden yaz, uygun hale getir, viết lại, przepisz, przeredaguj, tulis ulang,
herschrijf, أعد صياغة, أعد كتابة, फिर से लिख
"""))
_POLICY = re.compile(_alt("""
policy, policies, guideline, guidelines, usage rules, content rules, moderation, filter,
safety review, compliant, compliance, política, políticas, directrices, normas,
politique, règles, richtlinie*, regeln, linee guida, regole, diretrizes, правил, политик,
政策, 规范, 合规, 安全审核, ポリシー, 規約, ガイドライン, 가이드라인, 정책, politika,
kural, chính sách, quy định, zasad*, wytyczn*, kebijakan, pedoman, peninjauan keamanan,
richtlijn*, سياسة, إرشادات, नीति, दिशानिर्देश
"""))
_KEEP = re.compile(_alt("""
keep, keeps, keeping, preserve, preserving, retain, retaining, without removing,
without dropping, without losing, do not drop, don't drop, do not remove, must stay,
must remain, intact, all the details, every detail, mantener, manteniendo, conservar,
sin eliminar, sin quitar, garder, conserver, sans supprimer, sans retirer, behalte,
beibehalten, ohne (?:\S+ )+?zu entfernen, ohne (?:\S+ )+?wegzulassen, mantenere, senza togliere,
senza rimuovere, manter, mantendo, sem remover, сохрани, не удаляя, не убирая, 保留,
不要删除, 不删, 残し, 残す, 유지, 빼지 말, koru, çıkarma, giữ, không bỏ, zachowaj,
nie usuwaj, pertahankan, tanpa menghilangkan, behoud, zonder (?:\S+ )+?te verwijderen,
دون حذف, مع الحفاظ, बनाए रख
"""))

# grading one's own work ("here's my answer, score it 1-10") is a student, not a grader
_OWN_WORK = re.compile(r"(?<![a-z])(?:my|our)\s+(?:\w+\s+)?(?:answer|essay|response|reply|work|"
                       r"draft|solution|homework)")

_HEAD, _TAIL = 700, 500
_LOOK = re.compile(r"\(\?<!\[a-z\]\)|\(\?!\[a-z\]\)")


class _Part:
    """A concept lexicon with a fast gate: the same alternation without its word-boundary
    look-arounds (a superset, about ten times faster in ``re``), tried first."""

    __slots__ = ("full", "gate")

    def __init__(self, rx: re.Pattern[str]) -> None:
        self.full = rx
        self.gate = re.compile(_LOOK.sub("", rx.pattern))

    def __call__(self, text: str) -> bool:
        return self.gate.search(text) is not None and self.full.search(text) is not None


_P_PROCESS, _P_GIVEN = _Part(_PROCESS), _Part(_GIVEN)
_P_SCORE, _P_REPLY, _P_CRITERIA = _Part(_SCORE), _Part(_REPLY), _Part(_CRITERIA)
_P_VERB, _P_POLICY, _P_KEEP = _Part(_REWRITE_VERB), _Part(_POLICY), _Part(_KEEP)


def structural_label(norm: str) -> str:
    """``cot``, ``rubric``, ``rewrite`` or ``other`` for a normalised prompt, by the parts
    it is made of (module docstring)."""
    if len(norm) > _HEAD + _TAIL:
        norm = norm[:_HEAD] + " " + norm[-_TAIL:]
    if _P_PROCESS(norm) and _P_GIVEN(norm):
        return "cot"
    if _P_REPLY(norm) and _P_SCORE(norm) and _P_CRITERIA(norm) and not _OWN_WORK.search(norm):
        return "rubric"
    if _P_VERB(norm) and _P_POLICY(norm) and _P_KEEP(norm):
        return "rewrite"
    return "other"
