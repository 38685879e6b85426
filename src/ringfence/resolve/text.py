"""Script-level text tools: script detection, romanisation in several systems, loose keys.

Every function here is pure and cached where it is hot. Romanisation never replaces the
native string: callers keep both and compare on whichever agrees best.

* Han: simplified/traditional through OpenCC (``t2s``), Mandarin pinyin through pypinyin,
  Cantonese through ToJyutping (Jyutping, then rewritten towards the Hong Kong government
  spellings that company names use: 長江 → cheung kong, 新鴻基 → sun hung kei).
* Cyrillic: one BGN/PCGN-style table; spelling variants (kh/h, ts/c, y/i/j) are folded
  by :func:`loose`, so one table covers GOST, BGN and ICAO spellings on the other side.
* Persian/Arabic: letter variants (ي/ی, ك/ک, ة/ه; Urdu ہ/ه and ے/ی), ZWNJ, tatweel and
  diacritics folded; romanised as a consonant skeleton, since list romanisations drop or
  guess vowels.
* Hangul: Revised Romanization (korean-romanizer); McCune-Reischauer spellings meet it
  through :func:`korean_key` (and ``resolve.variants`` adds both systems by pronunciation).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

__all__ = [
    "arabic_skeleton",
    "cantonese",
    "cyrillic_to_latin",
    "fold_persian",
    "jyutping",
    "korean_key",
    "korean_to_latin",
    "latin_skeleton",
    "loose",
    "pinyin",
    "pinyin_syllables",
    "remember_readings",
    "script_of",
    "to_simplified",
    "without_article",
]


_SCRIPT_RES = (
    ("Hani", re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")),
    ("Cyrl", re.compile("[\u0400-\u052f]")),
    ("Arab", re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")),
    ("Hang", re.compile("[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")),
)
_LATIN_RE = re.compile(r"[^\W\d_]", re.UNICODE)
# every character of _SCRIPT_RES's classes (the same ranges _char_script gives those
# scripts for)
_IN_SCRIPTS = re.compile("|".join(rx.pattern for _code, rx in _SCRIPT_RES))
_HAN_ANY = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")


@lru_cache(maxsize=1 << 18)
def script_of(text: str) -> str:
    """ISO 15924-ish code of the dominant script: Latn, Cyrl, Hani, Arab, Hang or Zyyy."""
    if text.isascii():
        return "Latn" if any(c.isalpha() for c in text) else "Zyyy"
    best, best_n = "Zyyy", 0
    for code, rx in _SCRIPT_RES:
        n = len(rx.findall(text))
        if n > best_n:
            best, best_n = code, n
    if best_n:  # the letters of the four scripts are never Latin (_char_script): not asked
        text = _IN_SCRIPTS.sub("", text)
    latin = sum(1 for ch in _LATIN_RE.findall(text) if _char_script(ch) == "Latn")
    return "Latn" if latin > best_n else best


def _char_script(ch: str) -> str:
    o = ord(ch)
    if ch.isdigit():
        return "Zyyy"
    if o < 0x250 and ch.isalpha():
        return "Latn"
    if 0x400 <= o < 0x530:
        return "Cyrl"
    if 0x600 <= o < 0x700 or 0x750 <= o < 0x780 or 0xFB50 <= o < 0xFE00 or 0xFE70 <= o < 0xFF00:
        return "Arab"
    if (
        0x4E00 <= o < 0xA000
        or 0x3400 <= o < 0x4DC0
        or 0x20000 <= o < 0x2FA20
        or 0xF900 <= o < 0xFB00
    ):
        return "Hani"
    if 0xAC00 <= o < 0xD7B0 or 0x1100 <= o < 0x1200 or 0x3130 <= o < 0x3190:
        return "Hang"
    if ch.isalpha():
        return "Latn" if unicodedata.name(ch, "").startswith("LATIN") else "Zyyy"
    return "Zyyy"


# --- Latin -----------------------------------------------------------------------------

_LOOSE_RULES: tuple[tuple[str, str], ...] = (
    ("shch", "sh"),
    ("sch", "sh"),
    ("tch", "ch"),
    ("dzh", "j"),
    ("zh", "j"),
    ("kh", "h"),
    ("gh", "g"),
    ("ph", "f"),
    ("ck", "k"),
    ("ch", "\x01"),
    ("ts", "\x02"),
    ("tz", "\x02"),
    ("x", "ks"),
    ("q", "g"),
    ("w", "v"),
    ("y", "i"),
    ("ee", "i"),
    ("oo", "u"),
    ("ou", "u"),
    ("c", "k"),
    ("\x02", "c"),
    ("\x01", "ch"),
)
# A letter followed by the same letter: removing these leaves each run of one letter as
# that letter once ("(.)\1+" → "\1", without a replacement template per match: 2.6x faster).
_DOUBLED = re.compile(r"(.)(?=\1)")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=1 << 18)
def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters and digits only (diacritics removed)."""
    if text.isascii():
        return _NON_ALNUM.sub("", text.lower())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub("", stripped.replace("ß", "ss").replace("ø", "o").replace("æ", "ae"))


@lru_cache(maxsize=1 << 18)
def loose(latin: str) -> str:
    """Fold romanisation variants: kh/h, ts/tz/c, y/i, w/v, q/gh/g, doubled letters.

    ``loose("Rostekh") == loose("Rostech")``; ``loose("Antey") == loose("Antei")``;
    ``loose("Qavamin") == loose("Ghavamin")``.
    """
    # _LOOSE_RULES in order, written out (a loop over them costs as much as the
    # replacements; tests/resolve/test_text_speed.py checks the two agree)
    s = (
        ascii_fold(latin)
        .replace("shch", "sh").replace("sch", "sh").replace("tch", "ch").replace("dzh", "j")
        .replace("zh", "j").replace("kh", "h").replace("gh", "g").replace("ph", "f")
        .replace("ck", "k").replace("ch", "\x01").replace("ts", "\x02").replace("tz", "\x02")
        .replace("x", "ks").replace("q", "g").replace("w", "v").replace("y", "i")
        .replace("ee", "i").replace("oo", "u").replace("ou", "u").replace("c", "k")
        .replace("\x02", "c").replace("\x01", "ch")
    )  # fmt: skip
    return _DOUBLED.sub("", s)


_SKELETON_RULES: tuple[tuple[str, str], ...] = (
    ("sch", "sh"),
    ("kh", "h"),
    ("gh", "g"),
    ("zh", "j"),
    ("dj", "j"),
    ("ph", "f"),
    ("ck", "k"),
    ("ch", "\x01"),
    ("c", "k"),
    ("\x01", "ch"),
    ("q", "g"),
    ("x", "ks"),
)
_SKELETON_DROP = re.compile(r"[aeiouyvw]")


@lru_cache(maxsize=1 << 18)
def latin_skeleton(latin: str) -> str:
    """Consonant skeleton of a Latin spelling, for comparison with Persian/Arabic script.

    Vowels and the semi-vowel letters Persian writes with the same signs as vowels
    (v/w, y/i) are dropped: ``Mellat`` → ``mlt``; ``Tejarat`` → ``tjrt``.
    """
    s = ascii_fold(latin)
    if len(s) > 3 and s[-1] == "h" and s[-2] in "aeiou":
        s = s[:-1]  # Sepah, Tosee(h): a final h after a vowel is the silent he (see below)
    if len(s) >= 5 and s[:2] in ("al", "el") and s[2] not in "aeiou":
        s = s[2:]  # Alborz, Elektronik: the article-like start, as arabic_skeleton drops ال
    # _SKELETON_RULES in order, written out (as in loose)
    s = (
        s.replace("sch", "sh").replace("kh", "h").replace("gh", "g").replace("zh", "j")
        .replace("dj", "j").replace("ph", "f").replace("ck", "k").replace("ch", "\x01")
        .replace("c", "k").replace("\x01", "ch").replace("q", "g").replace("x", "ks")
    )  # fmt: skip
    return _SKELETON_DROP.sub("", _DOUBLED.sub("", s))


# --- Cyrillic --------------------------------------------------------------------------

_CYR = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
}  # fmt: skip


@lru_cache(maxsize=1 << 18)
def cyrillic_to_latin(text: str) -> str:
    """BGN/PCGN-style romanisation; other systems meet it through :func:`loose`."""
    return "".join(_CYR.get(ch, ch) for ch in text.casefold())


# --- Persian / Arabic ------------------------------------------------------------------

_FA_FOLD = str.maketrans({
    "ي": "ی", "ى": "ی", "ئ": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "أ": "ا", "إ": "ا",
    # Urdu heh goal and its ta marbuta, yeh barree; Pashto's e and ai yehs
    "ہ": "ه", "ۂ": "ه", "ۃ": "ه", "ے": "ی", "ۓ": "ی", "ې": "ی", "ۍ": "ی",
    "آ": "ا", "ٱ": "ا", "ؤ": "و", "ـ": None, "ً": None, "ٌ": None, "ٍ": None,
    "َ": None, "ُ": None, "ِ": None, "ّ": None, "ْ": None, "ٰ": None, "ء": None,
    "٠": "0", "١": "1", "٢": "2", "٣": "3", "٤": "4", "٥": "5", "٦": "6", "٧": "7",
    "٨": "8", "٩": "9", "۰": "0", "۱": "1", "۲": "2", "۳": "3", "۴": "4", "۵": "5",
    "۶": "6", "۷": "7", "۸": "8", "۹": "9",
})  # fmt: skip
_FA_ANY = re.compile("[\u0600-\u06ff\u200c\u200d]")
_ZWNJ_PLURAL = re.compile("\u200c(?:های|ها|ای|ی)(?=$|\\s)")


def fold_persian(text: str) -> str:
    """Fold Arabic/Persian letter variants, drop plural suffixes after ZWNJ, drop ZWNJ."""
    if not _FA_ANY.search(text):
        return text  # every character this folds or drops is in _FA_ANY
    text = _ZWNJ_PLURAL.sub("", text.translate(_FA_FOLD))
    return text.replace("\u200c", "").replace("\u200d", "")


_FA_LAT = {
    "ب": "b", "پ": "p", "ت": "t", "ط": "t", "ث": "s", "س": "s", "ص": "s", "ج": "j",
    "چ": "ch", "ح": "h", "ه": "h", "خ": "h", "د": "d", "ذ": "z", "ز": "z", "ض": "z",
    "ظ": "z", "ر": "r", "ژ": "j", "ش": "sh", "ع": "", "غ": "g", "ق": "g", "ف": "f",
    "ک": "k", "گ": "g", "ل": "l", "م": "m", "ن": "n", "و": "_", "ی": "_", "ا": "_",
}  # fmt: skip


def without_article(folded: str) -> str:
    """A folded Arabic-script word without the Arabic article ال, when three letters
    remain (القاعده → قاعده); other words as they are."""
    if folded.startswith("ال") and len(folded) >= 5:
        return folded[2:]
    return folded


@lru_cache(maxsize=1 << 16)
def arabic_skeleton(text: str) -> str:
    """Consonant skeleton of a Persian/Arabic-script word, in :func:`latin_skeleton` space.

    Letters map one by one (no digraph rewriting, so س+پ+ه stays ``sph``); the letters
    that also write vowels (ا و ی) and ع are dropped: سپه → sph ~ Sepah; ملت → mlt ~ Mellat.
    The Arabic article ال is dropped when three letters remain (القاعدة → qaida ~ AL-QAIDA:
    Latin spellings write it as a word of its own, which is not compared), and so is a
    final ه (ة folded onto it, or the silent Persian he), which Latin spellings write as a
    vowel or as ah/eh (the Latin skeleton drops that h): توسعه ~ Tose'e, سپاه ~ Sepah.
    """
    folded = without_article(fold_persian(text))
    if len(folded) > 2 and folded.endswith("ه"):
        folded = folded[:-1]
    latin = "".join(_FA_LAT.get(ch, "") for ch in folded)
    return _DOUBLED.sub("", latin).replace("_", "")


# --- Han -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _t2s() -> object:
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _t2s_blockers() -> frozenset[str]:
    """Characters such that every entry of the t2s tables (a traditional character, or a
    phrase) holds one of them: text without any is left as it is by the conversion, which
    only rewrites where an entry occurs (most names are written in simplified characters,
    and OpenCC's pure-Python matching costs ~30 µs a name). Each single character is one;
    of a phrase made only of characters that are not, its last. Empty (no shortcut) when
    the converter's tables are not where this reads them."""
    conv = _t2s()
    conv.convert("")  # type: ignore[attr-defined]  # loads the tables
    try:
        keys = [k for group in conv._dict_chain_data for _hi, _lo, table in group for k in table]  # type: ignore[attr-defined]
    except (AttributeError, TypeError, ValueError):
        return frozenset()
    if not keys:
        return frozenset()
    singles = {k for k in keys if len(k) == 1}
    return frozenset(singles | {k[-1] for k in keys if len(k) > 1 and singles.isdisjoint(k)})


@lru_cache(maxsize=1 << 18)
def to_simplified(text: str) -> str:
    """Traditional (incl. Hong Kong variants) → simplified Chinese; other text unchanged."""
    if text.isascii() or not _HAN_ANY.search(text):
        return text
    blockers = _t2s_blockers()
    if blockers and blockers.isdisjoint(text):
        return text  # no table entry occurs in it (see _t2s_blockers)
    conv = _t2s()
    return str(conv.convert(text))  # type: ignore[attr-defined]


# Readings computed earlier by :func:`pinyin_syllables` and :func:`jyutping` (kept with a
# saved screening index): a word found here needs no pypinyin (0.35 s to import) or
# ToJyutping (1.1 s: it builds a trie).
_KNOWN_PINYIN: dict[str, tuple[str, ...]] = {}
_KNOWN_CANTONESE: dict[str, tuple[str, ...]] = {}


def remember_readings(
    *,
    pinyin: Mapping[str, tuple[str, ...]] | None = None,
    cantonese: Mapping[str, tuple[str, ...]] | None = None,
) -> None:
    """Take readings that :func:`pinyin_syllables` and :func:`jyutping` gave before (same
    pypinyin and ToJyutping versions) as known."""
    _KNOWN_PINYIN.update(pinyin or {})
    _KNOWN_CANTONESE.update(cantonese or {})


@lru_cache(maxsize=1 << 18)
def pinyin_syllables(han: str) -> tuple[str, ...]:
    """Mandarin syllables without tones; pypinyin's phrase table resolves polyphones.

    pypinyin is imported on the first word :func:`remember_readings` did not provide.
    """
    known = _KNOWN_PINYIN.get(han)
    if known is not None:
        return known
    if len(han) > 1 and not _pinyin_phrase_starts(han):
        # read character by character, as pypinyin does here (below)
        return tuple(s for ch in han for s in pinyin_syllables(ch))
    from pypinyin import lazy_pinyin

    return tuple(s for s in lazy_pinyin(han) if s.isascii() and s.isalnum())


def _pinyin_phrase_starts(han: str) -> bool:
    """Whether two neighbouring characters of ``han`` start a phrase of pypinyin's phrase
    table. When none do, pypinyin segments ``han`` into single characters (its segmenter
    takes phrases of the table or single characters) and reads each on its own, so the
    reading is the characters' readings one after the other (the table has no
    one-character phrases; checked when loading it, else this always answers True)."""
    prefixes = _pinyin_prefixes()
    return prefixes is None or any(han[i : i + 2] in prefixes for i in range(len(han) - 1))


@lru_cache(maxsize=1)
def _pinyin_prefixes() -> frozenset[str] | None:
    """Two-character starts of pypinyin's phrases; None when the table is not as
    :func:`_pinyin_phrase_starts` assumes."""
    from pypinyin.constants import PHRASES_DICT
    from pypinyin.seg import mmseg

    if any(len(k) < 2 for k in PHRASES_DICT) or not mmseg.seg._no_non_phrases:
        return None
    return frozenset(k[:2] for k in PHRASES_DICT)


def pinyin(han: str) -> str:
    """Pinyin joined: 长城 → changcheng."""
    return "".join(pinyin_syllables(han))


# Jyutping → Hong Kong government romanisation, as company names write Cantonese.
_JP_INITIAL = (
    ("gw", "kw"), ("kw", "kw"), ("ng", "ng"), ("b", "p"), ("p", "p"), ("d", "t"),
    ("t", "t"), ("g", "k"), ("k", "k"), ("z", "ch"), ("c", "ch"), ("s", "s"), ("j", "y"),
    ("h", "h"), ("f", "f"), ("m", "m"), ("n", "n"), ("l", "l"), ("w", "w"),
)  # fmt: skip
_JP_FINAL = {
    "aa": "a", "aai": "ai", "aau": "au", "aam": "am", "aan": "an", "aang": "ang",
    "aap": "ap", "aat": "at", "aak": "ak", "ai": "ai", "au": "au", "am": "am", "an": "un",
    "ang": "ang", "ap": "ap", "at": "at", "ak": "ak", "e": "e", "ei": "ei", "eng": "eng",
    "ek": "ek", "eu": "eu", "i": "i", "iu": "iu", "im": "im", "in": "in", "ing": "ing",
    "ip": "ip", "it": "it", "ik": "ik", "o": "o", "oi": "oi", "on": "on", "ong": "ong",
    "ot": "ot", "ok": "ok", "ou": "o", "u": "oo", "ui": "ui", "un": "oon", "ung": "ung",
    "ut": "ut", "uk": "uk", "oe": "eu", "oeng": "eung", "oek": "euk", "eoi": "ui",
    "eon": "un", "eot": "ut", "yu": "ue", "yun": "uen", "yut": "uet", "m": "m", "ng": "ng",
}  # fmt: skip


@lru_cache(maxsize=1 << 12)
def _jyutping_to_hk(syllable: str) -> str:
    s = syllable.rstrip("0123456789")
    initial, rest = "", s
    for jp, hk in _JP_INITIAL:
        if s.startswith(jp) and s != jp:
            initial, rest = hk, s[len(jp) :]
            break
    final = _JP_FINAL.get(rest, rest)
    if initial == "y" and final.startswith("ue"):
        initial = ""
        final = "y" + final[1:]
    return initial + final


@lru_cache(maxsize=1 << 18)
def jyutping(han: str) -> tuple[str, ...]:
    """Cantonese syllables in Jyutping with their tones: 長江 → ("coeng4", "gong1").

    ToJyutping is imported on the first word :func:`remember_readings` did not provide.
    """
    known = _KNOWN_CANTONESE.get(han)
    if known is not None:
        return known
    if len(han) > 1 and not _jyutping_phrase_starts(han):
        # read character by character, as ToJyutping does here (below)
        return tuple(s for ch in han for s in jyutping(ch))
    import ToJyutping  # type: ignore[import-untyped]

    return tuple(jp.split(" ")[0] for _ch, jp in ToJyutping.get_jyutping_list(han) if jp)


def _jyutping_phrase_starts(han: str) -> bool:
    """Whether two neighbouring characters of ``han`` start an entry of ToJyutping's trie.
    When none do, its longest-match reading takes each character's own entry, so the
    reading is the characters' readings one after the other."""
    root = _jyutping_trie()
    for i in range(len(han) - 1):
        node = root.get(han[i])
        if node is not None and han[i + 1] in node:
            return True
    return False


@lru_cache(maxsize=1)
def _jyutping_trie() -> Any:
    import importlib

    return importlib.import_module("ToJyutping.Trie").root


@lru_cache(maxsize=1 << 18)
def cantonese(han: str) -> tuple[str, ...]:
    """Cantonese syllables in Hong Kong spelling: 長江 → ("cheung", "kong")."""
    return tuple(_jyutping_to_hk(s) for s in jyutping(han))


# --- Hangul ----------------------------------------------------------------------------


@lru_cache(maxsize=1 << 16)
def korean_to_latin(text: str) -> str:
    """Revised Romanization of Hangul, syllable by syllable (as it is written, not as it
    is pronounced, which :mod:`ringfence.resolve.variants` adds): 조선 → joseon, 독일 →
    dokil. Characters that are not Hangul syllables are kept."""
    return "".join(_korean_syllable(ch) for ch in text)


@lru_cache(maxsize=1 << 12)
def _korean_syllable(ch: str) -> str:
    if not "\uac00" <= ch <= "\ud7a3":
        return ch
    from ko_pron import romanise  # type: ignore[import-untyped]

    return str(romanise(ch, "rr"))


_KO_RULES: tuple[tuple[str, str], ...] = (
    ("'", ""), ("ng", "\x01"), ("yeo", "yo"), ("yu", "yo"), ("ae", "e"), ("ai", "e"),
    ("ay", "e"), ("oe", "e"), ("eo", "o"), ("eu", "o"), ("wo", "o"), ("ui", "i"),
    ("ee", "i"), ("oo", "o"), ("u", "o"), ("tch", "c"), ("ch", "c"), ("j", "c"),
    ("kh", "k"), ("ph", "p"), ("th", "t"), ("sh", "s"), ("g", "k"), ("d", "t"), ("b", "p"),
    ("r", "l"), ("\x01", "ng"),
)  # fmt: skip


@lru_cache(maxsize=1 << 16)
def korean_key(latin: str) -> str:
    """Fold the romanisations of a Korean word into one key: Revised Romanization
    (samseong, goryeo, hyeondae), McCune-Reischauer (samsŏng, koryŏ, hyŏndae) and the
    spellings companies use (Samsung, Koryo, Hyundai) agree. Vowels ㅓ/ㅗ/ㅜ/ㅡ and ㅐ/ㅔ
    fall together, as do plain and voiced stops (g/k, d/t, b/p, j/ch) and r/l."""
    s = ascii_fold(latin)
    for old, new in _KO_RULES:
        s = s.replace(old, new)
    return _DOUBLED.sub("", s)
