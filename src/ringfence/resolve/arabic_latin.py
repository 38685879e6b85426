"""Is a Latin word a romanisation of an Arabic-script word (Arabic, Persian, Urdu, Pashto)?

Arabic script writes consonants and long vowels; romanisations add the short vowels and
disagree on how to spell many letters (ث th, s or t; ق q, k, g or gh; ش sh or, in French
spellings, ch; ج j, dj or g; و w, v, u, o or ou; ة a, ah, at or e). :func:`romanisation_fit`
reads the Arabic word letter by letter, each letter as one of the spellings it is given in
the common systems (UNGEGN/BGN-PCGN, ALA-LC, French and English practice, Persian and Urdu
usage), with at most two short-vowel letters between two letters, and asks whether the
Latin word can be spelt that way from its first letter to its last:

* every consonant letter must be written (no Latin consonant comes from nowhere), a long
  vowel letter (ا و ی) as a vowel or as w/v/y, and the first sound as written (ملت is not
  Omlat; انصار starts with a vowel);
* the article ال, at the start, after a one-letter prefix (ب ل ف و ک: بالدم ~ biddam,
  للصرافة ~ lil-sarafa) or inside a compound (خيرالله ~ Khairullah) is written al, el, ul,
  il, as nothing, or assimilated to a following "sun" consonant (ad-d, ash-sh);
* ع and ء may be written as nothing, and so may the ezafe ی after a long vowel (دریای
  Darya, Darya-ye); a final ه (and ة, folded onto it) as a vowel, ah, eh,
  at or et (the construct state: Selselat); a word may end in one or two vowels (French
  -oune) or the construct endings -ul/-il/-ut/-al that bind it to the next word.

The fit counts the consonant letters it had to match. A word of one consonant letter
(علی) never fits on spelling alone; two fit more weakly than three or more (see
:func:`fit_score`), since a two-consonant skeleton is shared by many words.

:func:`block_key` is a coarse key (consonant classes) that a word and any Latin spelling
the fit accepts share, for looking Latin words up among Arabic-script lexicon entries.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache

from ringfence.resolve.text import ascii_fold

__all__ = ["block_key", "first_letters", "fit_score", "latin_block_keys", "nisba_fit",
           "romanisation_fit"]

_V = ("a", "e", "i", "o", "u")

# consonant letters: their Latin spellings (a single letter may also be written doubled,
# for the shadda that the script leaves out)
_CONSONANT: dict[str, tuple[str, ...]] = {
    "ب": ("b",), "پ": ("p",), "ت": ("t",), "ط": ("t",), "ٹ": ("t",), "ټ": ("t",),
    "ث": ("th", "s", "t"), "ج": ("j", "dj", "g", "zh", "dzh"), "چ": ("ch", "tch", "c", "tsh"),
    "ح": ("h", "kh"), "خ": ("kh", "x", "h", "ch"), "د": ("d",), "ڈ": ("d",), "ډ": ("d",),
    "ذ": ("dh", "th", "z", "d"), "ر": ("r",), "ڑ": ("r", "d"), "ړ": ("r",), "ز": ("z", "s"),
    "ژ": ("zh", "j", "g"), "ږ": ("zh", "g", "j"), "س": ("s", "c"), "ش": ("sh", "ch", "sch", "s"),
    "ښ": ("sh", "kh", "x"), "ص": ("s", "c"), "ض": ("d", "dh", "z"), "ظ": ("z", "dh", "th"),
    "غ": ("gh", "g", "q"), "ف": ("f", "ph", "v"), "ق": ("q", "k", "g", "gh", "c", "ck", "qu"),
    "ک": ("k", "c", "ck", "q", "kh"), "گ": ("g", "gu", "gh"), "ل": ("l",), "م": ("m",),
    "ن": ("n",), "ڼ": ("n",), "ں": ("n", ""), "ځ": ("dz", "z"), "څ": ("ts", "s"),
    "ه": ("h",), "ھ": ("h", ""), "ہ": ("h",),
}  # fmt: skip
_SUN = frozenset("تثدذرزسشصضطظلن")
# letters that write long vowels (and w/v/y)
_LONG: dict[str, tuple[str, ...]] = {
    "ا": ("a", "aa", "e"),
    "و": ("w", "v", "u", "o", "ou", "oo", "ow", "au", "aw", "uu", "ww"),
    "ی": ("y", "i", "ee", "ie", "ei", "ey", "ai", "ay", "e", "ii", "iy", "yy"),
    "ے": ("e", "ay", "ai", "y", "ey"),
    "ې": ("e", "ay", "ey"),
    "ۍ": ("ai", "ay", "i", "ey"),
}
_INITIAL_ALEF = ("a", "e", "i", "o", "u", "aa", "ai", "au", "ou")
_FINAL_HE = ("a", "ah", "at", "e", "eh", "et", "h", "", "i", "ih")
_SILENT = frozenset("عء")  # ʿayn and hamza: often not written in Latin
_ARTICLE = ("", "al", "el", "ul", "il", "ol", "l", "a", "e", "u", "i")
_ENDINGS = ("ul", "il", "ut", "al", "el")  # the construct ending joined to the next word
_PREFIXES = frozenset("بلفوک")
_MAX_VOWELS = 2
_SHORT = ("", "a", "e", "i", "o", "u", "ou")  # a short vowel the script does not write


@lru_cache(maxsize=1 << 16)
def _units(word: str) -> tuple[tuple[tuple[str, ...], ...], int] | None:
    """The word as units, each a tuple of Latin spellings, with the article as one unit
    (its assimilated spellings depend on the letter after it), and the number of its
    consonant letters outside the article; ``None`` when a letter is not one this module
    reads."""
    letters = list(word)
    marks: dict[int, str] = {}  # index of an article's alef → "article"
    if len(word) >= 4 and word.startswith("ال"):
        marks[0] = "art"
    elif len(word) >= 5 and word[0] in _PREFIXES and word[1:3] == "ال":
        marks[1] = "art"
    elif len(word) >= 5 and word.startswith("لل"):
        marks[1] = "art1"  # li + (a)l: the alef of the article is not written
    for i in range(2, len(word) - 3):
        if word[i : i + 2] == "ال" and i not in marks:
            marks[i] = "art"  # Khairullah, Abdurrahman: the article inside a compound
            break
    units: list[tuple[str, ...]] = []
    consonants = 0
    i = 0
    n = len(letters)
    while i < n:
        ch = letters[i]
        kind = marks.get(i)
        if kind:
            nxt = letters[i + 2] if kind == "art" else letters[i + 1]
            opts = set(_ARTICLE)
            if nxt in _SUN:
                for first in _CONSONANT[nxt]:
                    opts.update(v + first for v in ("", *_V) if first)
            units.append(tuple(sorted(opts)))
            i += 2 if kind == "art" else 1
            continue
        if ch in _CONSONANT:
            consonants += ch not in "ھں"
            if ch == "ه" and i == n - 1 and n > 2:
                units.append(_FINAL_HE)
                consonants -= 1
            else:
                base = _CONSONANT[ch]
                units.append(base + tuple(c + c for c in base if len(c) == 1))
        elif ch == "ا" and (i == 0 or marks.get(i - 2) == "art" or marks.get(i - 1) == "art1"):
            # the alef that carries a long vowel written after it (ای i, او u) may be silent
            seat = i + 1 < n and letters[i + 1] in "یو"
            units.append(("", *_INITIAL_ALEF) if seat else _INITIAL_ALEF)
        elif ch == "ی" and i == n - 1 and i > 1 and letters[i - 1] in "او":
            units.append(("", "ye", "yi", *_LONG[ch]))  # the ezafe after a vowel: دریای Darya-ye
        elif ch in _LONG:
            units.append(_LONG[ch])
        elif ch in _SILENT:
            units.append(("",))
        else:
            return None
        i += 1
    return tuple(units), consonants


_LATIN_OK = re.compile(r"[a-z]+")


@lru_cache(maxsize=1 << 18)
def romanisation_fit(arabic: str, latin: str) -> int:
    """The number of consonant letters of ``arabic`` (a folded Arabic-script word) that a
    spelling of it as ``latin`` matched, or 0 when ``latin`` is not such a spelling."""
    lat = ascii_fold(latin)
    read = _units(arabic)
    if not read or not lat or not _LATIN_OK.fullmatch(lat):
        return 0
    units, consonants = read
    n = len(units)
    seen: dict[tuple[int, int], bool] = {}

    def ends(j: int) -> bool:
        rest = lat[j:]
        if len(rest) <= _MAX_VOWELS and all(c in "aeiouy" for c in rest):
            return True
        return rest in _ENDINGS

    def go(i: int, j: int) -> bool:
        if i == n:
            return ends(j)
        key = (i, j)
        if key in seen:
            return seen[key]
        seen[key] = False
        ok = False
        for opt in units[i]:
            if not lat.startswith(opt, j):
                continue
            k = j + len(opt)
            for short in _SHORT if i + 1 < n else ("",):  # the end: see ends()
                if (not short or lat.startswith(short, k)) and go(i + 1, k + len(short)):
                    ok = True
                    break
            if ok:
                break
        seen[key] = ok
        return ok

    return consonants if go(0, 0) else 0


def first_letters(arabic: str) -> frozenset[str]:
    """The letters a Latin spelling of ``arabic`` can start with (every letter when the
    word starts with an article or a sign that may go unwritten); empty when unread."""
    read = _units(arabic)
    if not read or not read[0]:
        return frozenset()
    firsts = {opt[0] for opt in read[0][0] if opt}
    if "" in read[0][0]:
        return frozenset(string.ascii_lowercase)
    return frozenset(firsts)


_NISBA = ("یه", "ی")  # the relative adjective -iyya, -i (ة folded onto ه)
_EN_ADJECTIVE = ("ique", "ic", "ian", "an", "ien")  # English and French -ic, -(i)an


def nisba_fit(arabic: str, latin: str) -> int:
    """:func:`romanisation_fit` of an Arabic relative adjective (nisba: الاسلامیه,
    التونسیه) without its ending against a Latin adjective without an English or French
    adjective ending (Islamic, Tunisian, Islamique): 0 when either has no such ending."""
    lat = ascii_fold(latin)
    for end in _NISBA:
        if arabic.endswith(end) and len(arabic) - len(end) >= 3:
            stem = arabic[: -len(end)]
            for adj in _EN_ADJECTIVE:
                if lat.endswith(adj) and len(lat) - len(adj) >= 3:
                    fit = romanisation_fit(stem, lat[: -len(adj)])
                    if fit:
                        return fit
    return 0


def fit_score(arabic: str, latin: str) -> float:
    """0.9 for a fit on three consonant letters or more, 0.85 on two with a long vowel
    letter or a final ه writing a vowel (سپه Sepah), 0.8 on two without; 0 otherwise
    (one consonant letter is not evidence). A relative adjective fits as its stem
    (:func:`nisba_fit`)."""
    c = romanisation_fit(arabic, latin) or nisba_fit(arabic, latin)
    if c >= 3:
        return 0.9
    if c == 2:
        vowel = any(ch in _LONG for ch in arabic[1:]) or (len(arabic) >= 3 and arabic[-1] == "ه")
        return 0.85 if vowel else 0.8
    return 0.0


# --- coarse keys for look-ups ------------------------------------------------------------

_CLASS = {"b": "b", "p": "b", "f": "f", "m": "m", "n": "n", "l": "l", "r": "r"}
_DIGRAPH = re.compile(r"kh|gh|sh|ch|th|dh|zh|ph|ck|qu|dz|ts|sch|tch|dj")


@lru_cache(maxsize=1 << 16)
def block_key(arabic: str) -> str:
    """Consonant classes of an Arabic-script word (b/p, f, m, n, l, r, any other
    consonant as o; h, ع, the long vowel letters and the article left out), repeats
    folded."""
    out: list[str] = []
    word = arabic
    if len(word) >= 4 and word.startswith("ال"):
        word = word[2:]
    elif len(word) >= 5 and word[0] in _PREFIXES and word[1:3] == "ال":
        word = word[0] + word[3:]  # بالدم: the prefix stays, the article goes
    elif len(word) >= 5 and word.startswith("لل"):
        word = word[0] + word[2:]
    for ch in word:
        if ch not in _CONSONANT or ch in "هحھہں":
            continue
        if ch == "ف":
            out.append("f")
        else:
            out.append(_CLASS.get(_CONSONANT[ch][0][0], "o"))
    return re.sub(r"(.)\1+", r"\1", "".join(out))


def _latin_key(lat: str) -> str:
    s = _DIGRAPH.sub(lambda m: "f" if m.group() == "ph" else "#", lat)
    out = []
    for c in s:
        if c in "aeiouywvh":
            continue
        out.append(_CLASS.get(c, "o"))
    return re.sub(r"(.)\1+", r"\1", "".join(out))


@lru_cache(maxsize=1 << 16)
def latin_block_keys(latin: str) -> frozenset[str]:
    """The :func:`block_key` values a Latin word could share with the Arabic-script words
    it may spell: as written, without a leading article (al-, el-, ul-), without a
    construct ending, and with a final -at/-et read as ة."""
    lat = ascii_fold(latin)
    forms = {lat}
    if len(lat) >= 5 and lat[:2] in ("al", "el", "ul"):
        forms.add(lat[2:])
    for end in _ENDINGS:
        if lat.endswith(end) and len(lat) - len(end) >= 3:
            forms.update(f[: -len(end)] for f in list(forms))
    forms.update(f[:-1] for f in list(forms) if f[-2:] in ("at", "et"))  # ة as at (Katibat)
    return frozenset(_latin_key(f) for f in forms)
