"""Acronyms and shortened compounds inside a name, both ways (for the token alignment
of :mod:`ringfence.resolve.score`).

List aliases write a name's descriptive words as their initials or fold them into one
word; these are aligned with the words they stand for:

* **initials of a run of words**: a word of two to six capitals that is the initials of
  as many successive words of the other name, in the order the name writes them
  (stopwords skipped, hyphenated words counted as their parts): ``NZPP`` ~ Novosibirski
  Zavod Poluprovodnikovykh Priborov, ``SRPE`` ~ State Research and Production
  Enterprise, ``GSKB`` ~ Golovnoye Sistemnoye Konstruktorskoye Byuro. Two capitals need
  two words of five letters or more (``VO`` ~ Vneshneekonomicheskoe Obedinenie).
* **syllable acronym of a compound**: a word of three to five capitals whose letters
  start the parts of one compound word, which ends in a descriptive word that the
  last letter starts (``SNGB`` ~ SURGUTNEFTEGASBANK: surgut-nefte-gas-**bank**; ``GPB``
  ~ GAZPROMBANK), each part at least two letters.
* **compound of word starts**: one word made of the starts of successive words of the
  other name, each at least two letters (three for the last, or the whole last word),
  eight letters in all (``MOSOBLBANK`` ~ MOSKOVSKI OBLASTNOI BANK, ``INRESBANK`` ~
  INVESTITSIONNY RESPUBLIKANSKI BANK).
* **a legal form's initials**, both ways: a word of capitals that is the initials of a
  legal form the other side had stripped (``FSUE`` where the other side wrote Federal
  State Unitary Enterprise), or a run of words whose initials are a legal form the other
  side wrote as one word (Nauchno-Proizvodstvennoe Obedinenie where the other side's
  ``NPO`` was stripped) is that legal form (weight 0, like a misspelt one).

Each is evidence at 0.85, as a whole-name acronym is.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from ringfence.resolve.listnames import place_runs
from ringfence.resolve.names import Token
from ringfence.resolve.rucompound import initialism_form, part_spans

__all__ = ["ABBREV_SCORE", "acronym_spans", "legal_form_initials", "legal_form_runs"]

ABBREV_SCORE = 0.85
Cand = tuple[float, int, str, tuple[int, ...], tuple[int, ...]]

# descriptive words a compound name may end in (Russian and English as romanised lists
# write them): the part the acronym's last letter must start
_TAIL_WORDS = (
    "bank", "neft", "gaz", "gas", "prom", "energo", "stroi", "stroy", "torg", "trans",
    "invest", "leasing", "lizing", "servis", "service", "export", "eksport", "import",
    "holding", "group", "grupp", "tech", "tekh", "mash", "zavod", "flot", "avia",
)  # fmt: skip


def _acronym_token(x: Token, lo: int = 2) -> str:
    if not x.upper or not lo <= len(x.text) <= 6 or x.script != "Latn":
        return ""
    return x.text if x.text.isascii() and x.text.isalpha() else ""


def _index_of(tokens: tuple[Token, ...]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, t in enumerate(tokens):
        out.setdefault(t.text, i)
    return out


def _runs(words: tuple[str, ...], initials: str, acro: str) -> Iterator[tuple[str, ...]]:
    """Runs of successive ``words`` (whose first letters are ``initials``) that spell
    ``acro``."""
    j = initials.find(acro)
    while j >= 0:
        yield words[j : j + len(acro)]
        j = initials.find(acro, j + 1)


def _initials(ta: tuple[Token, ...], tb: tuple[Token, ...], raw_b: tuple[str, ...]) -> list[Cand]:
    out: list[Cand] = []
    acros = [(i, a) for i, a in ((i, _acronym_token(x)) for i, x in enumerate(ta)) if a]
    if not acros:
        return out
    where = _index_of(tb)
    lists = [(w, "".join(x[0] for x in w)) for w in (tuple(t.text for t in tb), raw_b)]
    for i, acro in acros:
        for words, initials in lists:
            for run in _runs(words, initials, acro):
                if len(acro) == 2 and min(len(w) for w in run) < 5 and run not in place_runs():
                    continue  # HK ~ Hong Kong: a territory's name
                idx = tuple(dict.fromkeys(where.get(w, -1) for w in run))
                if -1 in idx or len(idx) != len(run):
                    continue  # a word of the run is a legal form, or written twice
                out.append((ABBREV_SCORE, len(idx), "acronym", (i,), idx))
    return out


@lru_cache(maxsize=1 << 14)
def _syllables(acro: str, word: str) -> bool:
    """``acro``'s letters start the parts of ``word`` (each two letters or more), the
    last part a descriptive word (see the module)."""
    if len(word) < len(acro) + 5 or word[0] != acro[0]:
        return False
    tail = next((t for t in _TAIL_WORDS if word.endswith(t) and t[0] == acro[-1]), "")
    if not tail:
        return False
    body, end = acro[1:-1], len(word) - len(tail)

    def fits(a: int, pos: int) -> bool:  # part a starts somewhere in word[pos:end]
        if a == len(body):
            return end - pos >= 0
        return any(word[p] == body[a] and fits(a + 1, p + 2) for p in range(pos, end - 1))

    return end >= 2 and fits(0, 2)


@lru_cache(maxsize=1 << 14)
def _starts(word: str, run: tuple[str, ...]) -> bool:
    """``word`` is the starts of ``run``'s words, two letters or more each (three for the
    last), the last word possibly whole (MOSOBLBANK ~ moskovski oblastnoi bank)."""
    if not run:
        return not word
    head, rest = run[0], run[1:]
    if not rest:
        return len(word) >= 3 and head.startswith(word)
    return any(
        head.startswith(word[:n]) and _starts(word[n:], rest)
        for n in range(2, min(len(head), len(word) - 3) + 1)
    )


def _compounds(ta: tuple[Token, ...], tb: tuple[Token, ...]) -> list[Cand]:
    out: list[Cand] = []
    for i, x in enumerate(ta):
        if x.script != "Latn" or not x.text.isalpha():
            continue
        acro = _acronym_token(x, lo=3)
        if acro and len(acro) <= 5:
            for j, y in enumerate(tb):
                if y.text[:1] == acro[0] and y.script == "Latn" and _syllables(acro, y.text):
                    out.append((ABBREV_SCORE, 1, "acronym", (i,), (j,)))
        if len(x.text) < 8:
            continue
        for k in (2, 3, 4):
            for j in range(len(tb) - k + 1):
                if tb[j].text[:2] != x.text[:2]:
                    continue  # the first part is the start of the run's first word
                run = tuple(t.text for t in tb[j : j + k])
                if all(t.script == "Latn" for t in tb[j : j + k]) and _starts(x.text, run):
                    out.append((ABBREV_SCORE, k, "compound", (i,), tuple(range(j, j + k))))
    return out


def acronym_spans(
    ta: tuple[Token, ...],
    tb: tuple[Token, ...],
    raw_b: tuple[str, ...] = (),
) -> list[Cand]:
    """Alignment candidates ``(score, width, method, a indices, b indices)`` for the
    words of ``ta`` that shorten words of ``tb`` (see the module, and
    :mod:`ringfence.resolve.rucompound` for Russian compounds and initialisms)."""
    return _initials(ta, tb, raw_b) + _compounds(ta, tb) + part_spans(ta, tb)


def legal_form_initials(t: Token, other_legal: tuple[str, ...]) -> str:
    """The other side's stripped legal form whose initials ``t`` is (FSUE ~ Federal State
    Unitary Enterprise; from four letters in any order, as lists write JCSB for Joint
    Stock Commercial Bank), or that ``t`` stands for as a listed Russian initialism
    (FGUP ~ Federal State Unitary Enterprise, FSUE ~ ФГУП: ``resolve.rucompound``), or
    ""."""
    acro = _acronym_token(t, lo=3)
    for form in other_legal if acro else ():
        words = form.split()
        initials = "".join(w[0] for w in words)
        if len(words) == len(acro) and (
            initials == acro or (len(acro) >= 4 and sorted(initials) == sorted(acro))
        ):
            return form
    return initialism_form(t, other_legal)  # FSUE ~ ФГУП, FGUP ~ Federal State Unitary ...


def legal_form_runs(
    tokens: tuple[Token, ...], used: dict[int, float], other_legal: tuple[str, ...]
) -> list[tuple[tuple[int, ...], str]]:
    """Runs of unmatched Latin ``tokens`` of five letters or more whose initials are a
    one-word legal form of the other side (three to six letters): Nauchno-Proizvodstvennoe
    Obedinenie ~ NPO."""
    out: list[tuple[tuple[int, ...], str]] = []
    taken: set[int] = set()
    for form in other_legal:
        if " " in form or not 3 <= len(form) <= 6 or not form.isascii() or not form.isalpha():
            continue
        k = len(form)
        for j in range(len(tokens) - k + 1):
            run = range(j, j + k)
            if any(
                i in used or i in taken or tokens[i].script != "Latn" or len(tokens[i].text) < 5
                for i in run
            ):
                continue
            if "".join(tokens[i].text[0] for i in run) == form:
                out.append((tuple(run), form))
                taken.update(run)
                break
    return out
