"""Second spellings of a written name, where the written form leaves a doubt a single
reading cannot settle (:func:`respell`), and the letters a word written with digits may
stand for (:func:`digit_readings`). ``names.analyse_name`` keeps them beside the name as
written; neither replaces it."""

from __future__ import annotations

import re
from collections.abc import Collection
from itertools import product

from ringfence.resolve.legal import STOPWORDS, is_legal_word
from ringfence.resolve.normalise import confusable_key
from ringfence.resolve.persian import fa_gloss

__all__ = ["digit_readings", "read_digits", "respell"]

_SHORT_HYPHENS = re.compile(r"(?<![\w-])[^\W\d_]{1,3}(?:-[^\W\d_]{1,3})+(?![\w-])")
_CAPS_WORD = re.compile(r"(?<![\w-])[A-ZА-ЯЁ]{6,}(?![\w-])")


def respell(text: str, legal: Collection[str] = ()) -> str:
    """``text`` with the splits and joins a disguise makes undone where the written form
    leaves a doubt, read as a second variant of the name ("" when none applies): a word
    of short hyphenated parts joined ("CN-PC" → CNPC, whose PC alone is a legal form;
    "AN-TA" → ANTA, whose AN alone is a stopword); a word in capitals with a short legal
    form glued to either end split ("KUKAAG" → KUKA AG, "PJSCLUKOIL" → PJSC LUKOIL: a
    word may end in -ag or -sa by itself, so the name also keeps its written form); a
    legal form inside a name joined to the word after it ("Bank Sad erat" → Saderat,
    "Group Corp oration" → Corporation; only the words in ``legal``, the legal forms the
    analysis of ``text`` stripped, are looked at for this)."""
    out = _SHORT_HYPHENS.sub(lambda m: m.group(0).replace("-", ""), text) if "-" in text else text
    out = _CAPS_WORD.sub(lambda m: _unglue_caps(m.group(0)), out)
    if legal:
        out = _join_inner_legal(out, legal)
    if _ARABIC_LETTER.search(out):
        out = _arabic_words(out)
    return out if out != text else ""


def _join_inner_legal(text: str, legal: Collection[str]) -> str:
    words = text.split(" ")
    if len(words) < 3 or not any(w.casefold() in legal for w in words[1:-1]):
        return text
    for i in range(1, len(words) - 1):
        mid, after = words[i].casefold(), words[i + 1].casefold()
        if (mid in legal and mid.isalpha() and after.isalpha() and len(mid + after) >= 5
                and not is_legal_word(after)
                and not is_legal_word(words[i - 1].casefold().strip(",.")) and mid != after
                and after not in STOPWORDS):
            tail = words[i + 1] if words[i].isupper() else words[i + 1].casefold()
            words[i], words[i + 1] = words[i] + tail, ""
    return " ".join(w for w in words if w)


_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")
_ARABIC_WORD = re.compile("^[\u0600-\u06ff]+$")


def _arabic_words(text: str) -> str:
    """Words of Arabic script the glossaries do not know, split into two they know
    ("بانکملی" → بانک ملی) or joined with the next unknown one into one they know
    ("صاد رات" → صادرات)."""
    words = text.split(" ")
    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if not _ARABIC_WORD.match(w) or fa_gloss(w):
            out.append(w)
            i += 1
            continue
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if nxt and _ARABIC_WORD.match(nxt) and not fa_gloss(nxt) and fa_gloss(w + nxt):
            out.append(w + nxt)
            i += 2
            continue
        out.append(next((f"{w[:k]} {w[k:]}" for k in range(len(w) - 2, 2, -1)
                         if fa_gloss(w[:k]) and fa_gloss(w[k:])), w))
        i += 1
    return " ".join(out)


def _unglue_caps(word: str) -> str:
    low = word.casefold()
    for form in _GLUED_ENDS:
        if low.endswith(form) and len(low) - len(form) >= 4 and is_legal_word(form):
            return f"{word[:-len(form)]} {word[-len(form):]}"
    for form in _GLUED_STARTS:
        if low.startswith(form) and len(low) - len(form) >= 4 and is_legal_word(form):
            return f"{word[:len(form)]} {word[len(form):]}"
    return word


# Short legal forms written after or before a name in capitals, which an applicant can
# glue to it and which some ordinary words also end or start with (-AG, -SA: hence a
# second reading, not a split); each must also be a legal form to rigour (is_legal_word).
_GLUED_ENDS = ("pjsc", "ojsc", "cjsc", "jsc", "oao", "zao", "ooo", "pao", "spa", "srl",
               "ag", "sa", "se", "nv", "bv", "ab", "oy", "kk")  # fmt: skip
_GLUED_STARTS = ("pjsc", "ojsc", "cjsc", "jsc", "oao", "zao", "ooo", "pao")


def digit_readings(word: str) -> tuple[str, ...]:
    """A word mixing letters and digits read as letters: each digit through its TS #39
    skeleton (0 → o, 1 → l), the letters as written (a whole word's skeleton would turn
    m into rn), and, since 1 also stands for i, each 1 read as i too ("1nc" → inc,
    "1ta1y" → italy; every mix up to three 1s, beyond that all l or all i). In a word of
    three characters or more, the other digits as leetspeak draws letters (G4zpr0m,
    R0sn3ft, Hu4wei; :data:`_LEET`), which TS #39 leaves alone. Empty for a word without
    both letters and digits."""
    if word.isalpha() or word.isdigit() or not any(c.isalpha() for c in word):
        return ()
    leet = len(word) >= _LEET_MIN
    choices = [("l", "i") if c == "1" else (_LEET[c],) if leet and c in _LEET
               else (confusable_key(c),) if c.isdigit() else (c,) for c in word]
    if word.count("1") > _ONES_MIXED:
        readings = ["".join(c[0] for c in choices), "".join(c[-1] for c in choices)]
    else:
        readings = ["".join(r) for r in product(*choices)]
    return tuple(dict.fromkeys(r for r in readings if r.isalpha()))


_ONES_MIXED = 3
# Digits drawn for letters in leetspeak (beyond 0 and 1, which TS #39 reads); only in
# words of this many characters or more (not "4G", "3M"; a code such as "B2B" gets a reading
# no name has).
_LEET = {"2": "z", "3": "e", "4": "a", "5": "s", "6": "g", "7": "t", "8": "b", "9": "g"}
_LEET_MIN = 3


def read_digits(word: str) -> str:
    """"C0" and "0f" are the legal form "co" and the word "of" written with digits."""
    for r in digit_readings(word):
        if r in STOPWORDS or is_legal_word(r):
            return r
    return word
