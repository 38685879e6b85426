"""Legal forms (stripped) and organisational words (kept, but marked).

Latin and Cyrillic legal forms come from rigour's org-type table (OCCRP sheet, ISO 20275
ELF, Wikipedia), applied to each word run. On top of it, short forms rigour leaves alone
(Co, Ltd, Pte, ПАО, АК, Госкорпорация ...), Chinese suffixes (matched without word
boundaries, longest first: 股份有限公司, 有限责任公司, 有限公司 ...), their pinyin spellings
(derived from the Chinese list with pypinyin, not typed by hand), Persian and Korean forms.

Organisational words (group, holding, 集团, 控股 ...) are *not* legal forms: a parent and
its subsidiary often differ only by them, so they stay as tokens and count against a match
when only one side has them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ringfence.resolve.text import cyrillic_to_latin, loose, pinyin_syllables

__all__ = [
    "HAN_LEGAL_SUFFIXES",
    "LATIN_LEGAL_WORDS",
    "STOPWORDS",
    "STRUCTURAL_KEYS",
    "is_legal_word",
    "legal_class",
    "pinyin_legal_forms",
    "rigour_strip",
    "strip_han_suffix",
]

HAN_LEGAL_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        ("股份有限公司", "有限责任公司", "有限公司", "股份公司", "责任公司", "公司", "株式会社"),
        key=len,
        reverse=True,
    )
)

LATIN_LEGAL_WORDS: frozenset[str] = frozenset(
    [
        "co",
        "company",
        "companies",
        "corp",
        "corporation",
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "plc",
        "llc",
        "llp",
        "lp",
        "pte",
        "pvt",
        "private",
        "pty",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "srl",
        "spa",
        "bv",
        "nv",
        "kk",
        "jsc",
        "pjsc",
        "ojsc",
        "cjsc",
        "ao",
        "pao",
        "oao",
        "zao",
        "ooo",
        "nao",
        "ak",
        "zrt",
        "kft",
        "sarl",
        "sarlu",  # SARL unipersonnelle (OHADA states; rigour lists SUARL, EURL, not it)
        "sarlau",  # SARL à associé unique (Morocco)
        "bhd",
        "sdn",
        "tbk",
        "ltda",
        "cia",
        "sab",
        "cv",
        "jv",
        "se",
        "ооо",
        "пао",
        "оао",
        "зао",
        "ао",
        "нао",
        "ак",
        "гк",
        "госкорпорация",
        "компания",
        "kompaniya",
        "kompaniia",
        "корпорация",
        "korporatsiya",
        "korporatsiia",
        "obshchestvo",
        "ogranichennoi",
        "ogranichennoy",
        "otvetstvennostyu",
        "aktsionernoe",
        "publichnoe",
        "zakrytoe",
        "otkrytoe",
        "компания",
        "kompaniya",
        "kompaniia",
        "شرکت",
        "سهامی",
        "خاص",
        "عام",
        "주식회사",
        "유한회사",
        "주",
    ]
)

# Multi-word forms rigour does not cover, as token tuples.
_LATIN_LEGAL_PHRASES: tuple[tuple[str, ...], ...] = (
    ("joint", "stock", "company"),
    ("joint", "stock", "commercial"),
    ("public", "joint", "stock"),
    ("open", "joint", "stock"),
    ("closed", "joint", "stock"),
    ("joint", "stock"),
    ("state", "corporation"),
    ("aktsionernaya", "kompaniya"),
    ("акционерная", "компания"),
    ("государственная", "корпорация"),
    ("goskorporatsiya",),
    ("gosudarstvennaya", "korporatsiya"),
    ("مسئولیت", "محدود"),
    ("مسیولیت", "محدود"),
)

STOPWORDS: frozenset[str] = frozenset(
    [
        "of",
        "the",
        "and",
        "&",
        "de",
        "la",
        "des",
        "du",
        "der",
        "die",
        "und",
        "e",
        "y",
        "и",
        "по",
        "для",
        "el",
        "al",
        "an",
        # Arabic, Persian, Pashto: in, and, of (folded and as written); romanised: fi, wa
        "في",
        "فی",
        "و",
        "او",
        "د",
        "fi",
        "wa",
    ]
)

# Keys (see text.loose / gloss.en_key) of organisational words that separate a parent
# from its subsidiary.
STRUCTURAL_KEYS: frozenset[str] = frozenset(
    ["group", "grup", "holding", "holdings", "jituan", "konggu", "international", "guoji"]
)


@lru_cache(maxsize=1)
def pinyin_legal_forms() -> tuple[tuple[str, ...], ...]:
    """Pinyin spellings of the Chinese legal forms, as token tuples (longest first)."""
    forms: set[tuple[str, ...]] = set()
    for suffix in HAN_LEGAL_SUFFIXES:
        syl = pinyin_syllables(suffix)
        # Written with one word per two syllables: gufen youxian gongsi.
        words = tuple("".join(syl[i : i + 2]) for i in range(0, len(syl), 2))
        forms.add(words)
    return tuple(sorted(forms, key=len, reverse=True))


@lru_cache(maxsize=1)
def _pinyin_form_ends() -> frozenset[str]:
    return frozenset(form[-1] for form in pinyin_legal_forms())


def strip_han_suffix(han: str) -> tuple[str, list[str]]:
    """Strip Chinese legal-form suffixes from the end of a run; returns (rest, removed)."""
    removed: list[str] = []
    changed = True
    while changed and han:
        changed = False
        for suffix in HAN_LEGAL_SUFFIXES:
            if han.endswith(suffix):
                removed.append(suffix)
                han = han[: -len(suffix)]
                changed = True
                break
    return han, removed


_FOLDED: dict[str, Any] = {}


def _folded_flags() -> None:
    from rigour.text.normalize import Cleanup, Normalize

    _FOLDED.update(normalize_flags=Normalize.CASEFOLD | Normalize.NFKD, cleanup=Cleanup.Strong)


@lru_cache(maxsize=1 << 18)
def rigour_strip(words: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Remove legal forms from a run of lower-cased words: (kept words, removed forms)."""
    if not words:
        return words, ()
    extract_org_types, remove_org_types = _rigour()
    if not _FOLDED:
        _folded_flags()
    text = " ".join(words)
    removed = [m for m, _ in extract_org_types(text)]
    kept = remove_org_types(text).split() if removed else list(words)
    if kept and text.isascii():
        # Names reach here with diacritics folded (Société → societe); rigour's table,
        # folded the same way, still knows "societe anonyme" and "beschrankter haftung".
        rest = " ".join(kept)
        folded = [m for m, _ in extract_org_types(rest, **_FOLDED)]
        if folded:
            removed.extend(folded)
            kept = remove_org_types(rest, **_FOLDED).split()
    kept, phrase_removed = _strip_phrases(kept)
    removed.extend(phrase_removed)
    kept, romanised_removed = _strip_romanised_forms(kept)
    removed.extend(romanised_removed)
    out: list[str] = []
    for w in kept:
        if w in LATIN_LEGAL_WORDS or _misspelt_legal(w):
            removed.append(w)
        else:
            out.append(w)
    out, py_removed = _strip_pinyin_forms(out)
    removed.extend(py_removed)
    return tuple(out), tuple(removed)


# The first word of each phrase: a run of words without any is left as it is.
_PHRASE_STARTS = frozenset(phrase[0] for phrase in _LATIN_LEGAL_PHRASES)


# One-word phrases (a legal form written as one word that rigour does not list).
_PHRASE_WORDS = frozenset(phrase[0] for phrase in _LATIN_LEGAL_PHRASES if len(phrase) == 1)


@lru_cache(maxsize=1 << 18)
def is_legal_word(word: str) -> bool:
    """Whether ``word`` (lower-cased) is a legal form on its own: ``rigour_strip((word,))``
    removes it (ltd, gmbh, ооо, goskorporatsiya, a misspelt Limited). Cached per word,
    cheapest test first (every word of every indexed name is asked)."""
    if word in LATIN_LEGAL_WORDS or word in _PHRASE_WORDS or _misspelt_legal(word):
        return True
    return bool(_extract_org_types(word))


def legal_word_uncached(word: str) -> bool:
    """:func:`is_legal_word` without its caches, for words made up once (two neighbours
    joined, see ``names._repair_split_legal``) that would only push known words out of them."""
    if word in LATIN_LEGAL_WORDS or word in _PHRASE_WORDS or _misspelt_legal.__wrapped__(word):
        return True
    return bool(_extract_org_types(word))


@lru_cache(maxsize=1)
def _rigour() -> tuple[Callable[..., list[tuple[str, str]]], Callable[..., str]]:
    """rigour's legal-form matcher and remover, imported once (an import statement in a
    function run for every name costs as much as a dictionary look-up or two)."""
    from rigour.names import extract_org_types, remove_org_types

    return extract_org_types, remove_org_types


def _extract_org_types(text: str) -> list[tuple[str, str]]:
    return _rigour()[0](text)


def _strip_phrases(words: list[str]) -> tuple[list[str], list[str]]:
    if _PHRASE_STARTS.isdisjoint(words):
        return words, []
    removed: list[str] = []
    i = 0
    out: list[str] = []
    while i < len(words):
        for phrase in _LATIN_LEGAL_PHRASES:
            n = len(phrase)
            if tuple(words[i : i + n]) == phrase:
                removed.append(" ".join(phrase))
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return out, removed


# Russian legal forms whose initials are written before names (АКБ, ФГУП ...): rigour lists
# them in Cyrillic only; a name romanised word by word spells them out in Latin letters
# (AKTSIONERNY KOMMERCHESKI BANK), stripped like the initials (russian_initials_form).
_RU_FULL_FORMS = (
    "акционерный коммерческий банк",
    "федеральное государственное унитарное предприятие",
    "государственное унитарное предприятие",
    "муниципальное унитарное предприятие",
    "федеральное государственное бюджетное учреждение",
    "автономная некоммерческая организация",
)


@lru_cache(maxsize=1 << 16)
def _form_key(word: str) -> str:
    """A romanised word's loose key without its final vowels, so BGN and the spellings
    lists use meet: aktsionernyy ~ aktsionerny, federalnoye ~ federalnoe."""
    return loose(word).rstrip("aeiou")


@lru_cache(maxsize=1)
def _romanised_forms() -> tuple[tuple[str, ...], ...]:
    """The forms above romanised (BGN) as word keys, those rigour lists, longest first."""
    from rigour.names import extract_org_types

    forms = [tuple(_form_key(cyrillic_to_latin(w)) for w in form.split())
             for form in _RU_FULL_FORMS if extract_org_types(form)]
    return tuple(sorted(forms, key=len, reverse=True))


@lru_cache(maxsize=1)
def _form_starts() -> frozenset[str]:
    """The first two letters of the forms' first words as romanised: a run without a word
    starting so is passed over without computing keys."""
    return frozenset(cyrillic_to_latin(form.split()[0])[:2] for form in _RU_FULL_FORMS)


def _strip_romanised_forms(words: list[str]) -> tuple[list[str], list[str]]:
    if len(words) < 2 or not any(w[:2] in _form_starts() for w in words):
        return words, []
    if not all(w.isascii() for w in words):
        return words, []
    keys = [_form_key(w) for w in words]
    starts = {form[0] for form in _romanised_forms()}
    if starts.isdisjoint(keys):
        return words, []
    out: list[str] = []
    removed: list[str] = []
    i = 0
    while i < len(words):
        for form in _romanised_forms():
            if tuple(keys[i : i + len(form)]) == form and len(words) > len(form):
                removed.append(" ".join(words[i : i + len(form)]))
                i += len(form)
                break
        else:
            out.append(words[i])
            i += 1
    return out, removed


def _strip_pinyin_forms(words: list[str]) -> tuple[list[str], list[str]]:
    if not words or words[-1] not in _pinyin_form_ends():
        return words, []
    removed: list[str] = []
    for form in pinyin_legal_forms():
        n = len(form)
        if len(words) > n and tuple(words[-n:]) == form:
            removed.append(" ".join(form))
            words = words[:-n]
            break
    return words, removed


_JOINT_STOCK = frozenset(
    ["пао", "оао", "зао", "ао", "нао", "pjsc", "jsc", "ojsc", "cjsc", "pao", "oao", "zao", "ao"]
)
_LIMITED = frozenset(("ооо", "ooo", "llc"))
_JOINT_STOCK_MARKS = ("股份", "акционерн", "joint stock", "gufen")
_LIMITED_MARKS = ("有限", "ограниченн", "youxian")


def legal_class(forms: list[str] | tuple[str, ...]) -> str:
    """``joint_stock`` or ``limited`` where the stripped forms say so unambiguously.

    Chinese 股份有限公司 (joint-stock) and 有限公司 (limited liability) are different legal
    persons within one group, as are Russian ПАО/АО and ООО. English "Co., Ltd." and
    "Limited" translate both, so they say nothing.
    """
    classes: set[str] = set()
    for form in forms:
        if (
            "股份" in form
            or "акционерн" in form
            or "joint stock" in form
            or "gufen" in form
            or form in _JOINT_STOCK
        ):
            classes.add("joint_stock")
        elif (
            form in _LIMITED or "有限" in form or "ограниченн" in form or form.startswith("youxian")
        ):
            classes.add("limited")
    return classes.pop() if len(classes) == 1 else ""


# Latin letters as Russian initialisms read them (АКБ is written AKB, ФГУП FGUP)
_INITIAL_CYRILLIC = str.maketrans("abvgdezijklmnoprstufh", "абвгдезийклмнопрстуфх")


@lru_cache(maxsize=1 << 16)
def russian_initials_form(word: str) -> bool:
    """A Russian legal form's initials written in Latin letters: the word, read letter by
    letter in Cyrillic, is a form rigour's org-type table lists (AKB АКБ joint-stock
    commercial bank, FGUP ФГУП, FGBU, ANO, NKO), which it does not list in Latin. Four or
    five letters, or three without a vowel in the middle: a three-letter word with one
    is as likely an English or Latin-alphabet word (pat, vat, too) as initials (gup, mup
    stay words). One rigour call per such word, cached."""
    if not (3 <= len(word) <= 5 and word.isascii() and word.isalpha()):
        return False
    if len(word) == 3 and word[1] in "aeiou":
        return False
    cyrillic = word.translate(_INITIAL_CYRILLIC)
    if not all("а" <= ch <= "я" for ch in cyrillic):
        return False  # a letter Russian initials do not use (c, q, w, x, y)
    from rigour.names import extract_org_types

    return any(m == cyrillic for m, _ in extract_org_types(cyrillic))


_LONG_LEGAL = (
    "company",
    "corporation",
    "limited",
    "incorporated",
    "obshchestvo",
    "ogranichennoi",
    "otvetstvennostyu",
)


@lru_cache(maxsize=1)
def _long_legal_by_length() -> dict[int, tuple[tuple[str, int, frozenset[str]], ...]]:
    """Word length → the (long legal word, edits allowed, its letters) a word of that
    length can be a misspelling of (lengths within the edits allowed), in
    :data:`_LONG_LEGAL`'s order."""
    out: dict[int, list[tuple[str, int, frozenset[str]]]] = {}
    for form in _LONG_LEGAL:
        allowed = 2 if len(form) >= 9 else 1
        for n in range(len(form) - allowed, len(form) + allowed + 1):
            out.setdefault(n, []).append((form, allowed, frozenset(form)))
    return {n: tuple(pairs) for n, pairs in out.items()}


@lru_cache(maxsize=1)
def _damerau_levenshtein() -> Callable[..., int]:
    from rapidfuzz.distance import DamerauLevenshtein

    return DamerauLevenshtein.distance


@lru_cache(maxsize=1 << 18)
def _misspelt_legal(word: str) -> bool:
    """One edit (two from nine letters) away from a long legal word: Corpuration, Lmiited."""
    if len(word) < 6 or not word.isascii():
        return False
    forms = _long_legal_by_length().get(len(word))
    if not forms:
        return False
    distance = _damerau_levenshtein()
    for form, allowed, letters in forms:
        # each edit takes away at most one letter of the form: more of its letters missing
        # from the word than edits allowed is too far, without computing the distance
        if len(letters.difference(word)) > allowed:
            continue
        if distance(word, form, score_cutoff=allowed) <= allowed:
            return True
    return False
