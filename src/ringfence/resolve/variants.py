"""Transliteration variants of a word, as extra comparison keys (the analysis already makes
BGN/PCGN for Russian, pinyin and Hong Kong Cantonese for Chinese, Revised Romanization for
Korean; :func:`ringfence.resolve.text.loose` folds the small spelling differences).

* Chinese: Wade–Giles (北京 Pei-ching, 招商 Chao-shang, 长江 Ch'ang-chiang), from the
  pinyin the analysis already has, through a syllable table compiled from pypinyin's
  ``Style.WADEGILES`` (``ringfence/data/lexicon/wadegiles.tsv``, handed in with the other
  dictionaries), so no pypinyin import is needed for a word whose pinyin is known.
* Russian: ISO 9 (Жуковский Žukovskij, Нижний Nižnij; GOST 7.79 System A) through ICU's
  ``Cyrillic-Latin`` transform (PyICU), diacritics folded.
* Japanese kana: romaji through ICU's ``Katakana-Latin`` and ``Hiragana-Latin``
  (トヨタ toyota, ロシア roshia), with the lexicon's English for the word (ロシア Russia).
* Latin: pinyin written with tone numbers (``Hua2wei2``, ``Bei3 jing1``) without them.
* Korean: McCune–Reischauer beside Revised Romanization, both by pronunciation
  (ko-pron, a port of Wiktionary's ko-pron module: 독립 tongnip / dongnip, 국민
  kungmin), and syllable by syllable as the lists write a compound word by word
  (조선련봉 Chosŏn Ryŏnbong, where the pronunciation is chosŏllyŏnbong).
* Cantonese: Jyutping and Yale (tone h: 長江 cheuhng gong) beside the Hong Kong
  spelling :func:`ringfence.resolve.text.cantonese` gives, and the spellings Hong Kong
  names use for the same syllables (ch/ts, au/ow, ei/ee/ai, am/um, an/un, ang/eng, a/ah):
  :func:`cantonese_variant_keys`.
* Persian romanised in Latin letters: the ezafe (``Bank-e Melli-ye Iran``) and a
  hyphen-bound article (``Khatam-ol-Anbiya``) are not words of their own
  (:func:`drop_particles`), an apostrophe for ʿayn or hamza, like the aspiration mark of
  McCune–Reischauer and Wade–Giles (``Mostaz'afan``, ``Ch'ŏllima``, ``Ch'ang``), does not
  split a word (:func:`join_marks`), and x may write kh (``Xodro`` ~ خودرو):
  :func:`persian_latin_keys`.

Every function is cached per word: building an index costs one look-up per distinct word.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import product

from ringfence.resolve.gloss import dictionaries
from ringfence.resolve.text import (
    ascii_fold,
    cantonese,
    jyutping,
    korean_key,
    latin_skeleton,
    loose,
    pinyin_syllables,
)

__all__ = ["cantonese_syllable_keys", "cantonese_variant_keys", "cyrillic_variant_keys",
           "drop_particles",
           "han_variant_keys", "join_marks", "kana_latin", "korean_variant_keys",
           "latin_variant_keys", "parse_wade_giles", "persian_latin_keys",
           "persian_latin_skeletons", "wade_giles", "wade_giles_table", "yale"]

_FIELDS = ("pinyin", "wade_giles", "source")


def parse_wade_giles(text: str, *, location: str) -> dict[str, str]:
    """Pinyin syllable (no tone) → Wade–Giles; a malformed line fails closed naming the
    file and line."""
    from ringfence.resolve.tables import table_rows

    rows = table_rows(text, _FIELDS, location=location, what="lexicon file")
    return {row["pinyin"]: row["wade_giles"] for _, row in rows}


@lru_cache(maxsize=1)
def wade_giles_table() -> dict[str, str]:
    text, location = dictionaries().lexicon("wadegiles.tsv")
    return parse_wade_giles(text, location=location)


def wade_giles(han: str) -> str:
    """A Chinese word in Wade–Giles (syllables joined by hyphens, as written: pei-ching);
    empty when a syllable is not in the table."""
    table = wade_giles_table()
    out = [table.get(s) for s in pinyin_syllables(han)]
    return "-".join(x for x in out if x) if out and all(out) else ""


@lru_cache(maxsize=1 << 17)
def han_variant_keys(han: str) -> frozenset[str]:
    wg = wade_giles(han)
    return frozenset([loose(wg)]) if wg else frozenset()


def _transform(ident: str) -> object:
    import icu  # type: ignore[import-untyped]  # PyICU, installed with rigour

    return icu.Transliterator.createInstance(ident)


@lru_cache(maxsize=1)
def _iso9() -> object:
    return _transform("Cyrillic-Latin")


@lru_cache(maxsize=1 << 17)
def cyrillic_variant_keys(word: str) -> frozenset[str]:
    iso = str(_iso9().transliterate(word))  # type: ignore[attr-defined]
    return frozenset([loose(ascii_fold(iso))])


_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]+")


@lru_cache(maxsize=1)
def _kana_latin() -> object:
    return _transform("Katakana-Latin; Hiragana-Latin; Latin-ASCII")


@lru_cache(maxsize=1 << 16)
def kana_latin(word: str) -> str:
    """A Japanese kana word in Hepburn-style romaji through ICU (トヨタ → toyota); empty
    for a word that is not all kana."""
    if not _KANA.fullmatch(word):
        return ""
    return str(_kana_latin().transliterate(word))  # type: ignore[attr-defined]


_TONED = re.compile(r"(?:[a-zü]{1,6}[1-5]){2,}")


@lru_cache(maxsize=1 << 17)
def latin_variant_keys(word: str) -> frozenset[str]:
    """Pinyin with tone numbers (``hua2wei2``): the word without them."""
    if not word.isalpha() and any(ch.isdigit() for ch in word) and _TONED.fullmatch(word):
        return frozenset([loose(re.sub(r"[1-5]", "", word))])
    return frozenset()


# --- Korean ------------------------------------------------------------------------------

_HANGUL_WORD = re.compile("[\uac00-\ud7a3]+")


@lru_cache(maxsize=1 << 16)
def korean_romanisations(word: str) -> tuple[str, ...]:
    """A Hangul word in McCune–Reischauer and in Revised Romanization, each by its
    pronunciation (ko-pron: 독립 tongnip, dongnip), then McCune–Reischauer syllable by
    syllable, as lists romanise a compound word by word (조선련봉 cho-sŏn-ryŏn-pong, which
    is pronounced chosŏllyŏnbong). Empty for a word that is not all Hangul syllables."""
    if not _HANGUL_WORD.fullmatch(word):
        return ()
    from ko_pron import romanise  # type: ignore[import-untyped]

    out = [str(romanise(word, "mr")), str(romanise(word, "rr"))]
    if len(word) > 1:
        out.append("".join(str(romanise(ch, "mr")) for ch in word))
    return tuple(dict.fromkeys(r for r in out if r))


@lru_cache(maxsize=1 << 16)
def korean_variant_keys(word: str) -> frozenset[str]:
    """Comparison keys of a Hangul word's McCune–Reischauer and Revised spellings
    (:func:`korean_romanisations`): as written (``loose``) and folded (``ko:``, see
    :func:`ringfence.resolve.text.korean_key`)."""
    romanised = korean_romanisations(word)
    out = {loose(latin) for latin in romanised[:2]}
    for latin in romanised:
        key = korean_key(latin)
        if len(key) >= 4:
            out.add("ko:" + key)
    out.discard("")
    return frozenset(out)


# --- Cantonese ---------------------------------------------------------------------------

_JP_SYLLABLE = re.compile(r"(gw|kw|ng|[bpmfdtnlgkhwzcsj]?)([aeiouy]+)(ng|[mnptk]?)([1-6]?)")
_YALE_INITIAL = {"z": "j", "c": "ch", "j": "y"}
_LOW_TONES = ("4", "5", "6")


@lru_cache(maxsize=1 << 12)
def yale(syllable: str) -> str:
    """One Jyutping syllable in Yale, the low tones written as Yale writes them, with an
    h after the vowels (coeng4 → cheuhng, jip6 → yihp), the tone marks left out."""
    tone_h = "h" if syllable[-1:] in _LOW_TONES else ""
    m = _JP_SYLLABLE.fullmatch(syllable)
    if not m:  # a syllabic nasal: 唔 m4 → mh, 五 ng5 → ngh
        return syllable.rstrip("0123456789") + tone_h
    initial, vowels, coda, _tone = m.groups()
    if initial == "j" and vowels.startswith("yu"):
        initial = ""  # jyun → yun
    vowels = vowels.replace("oe", "eu").replace("eo", "eu")
    if vowels == "aa" and not coda:
        vowels = "a"  # Yale writes a long a alone as a (家 gaa1 → ga), aa elsewhere
    return _YALE_INITIAL.get(initial, initial) + vowels + tone_h + coda


# The spellings Hong Kong names write for one syllable beside the government's (regex on
# a syllable as text.cantonese spells it → the other spelling).
_HK_SPELLINGS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rx), rep)
    for rx, rep in (
        (r"^ch", "ts"),  # 曾 Tsang, 荃灣 Tsuen Wan
        (r"au$", "ow"),  # 周 Chow, 九 Kow
        (r"ei$", "ee"),  # 李 Lee, 記 Kee (loose reads ee as i: Li)
        (r"ei$", "ai"),  # 基 Kai
        (r"am$", "um"),  # 錦 Kum
        (r"ap$", "up"),
        (r"un$", "an"),  # 新 San beside Sun
        (r"ang$", "eng"),  # 生 Seng
        (r"(?<![aeiou])a$", "ah"),  # 華 Wah, 亞 Ah
    )
)
_HK_PER_SYLLABLE = 2  # other spellings of one syllable at most
_HK_KEYS = 32  # spellings of one word at most, the fewest changed syllables first
_HK_LONGEST = 6  # syllables; a longer word keeps the government spelling only


@lru_cache(maxsize=1 << 12)
def _hk_spellings(syllable: str) -> tuple[str, ...]:
    out = [syllable]
    for rx, rep in _HK_SPELLINGS:
        if len(out) > _HK_PER_SYLLABLE:
            break
        if rx.search(syllable):
            out.append(rx.sub(rep, syllable))
    return tuple(out)


def _changed(pick: tuple[int, ...]) -> int:
    return sum(1 for i in pick if i)


@lru_cache(maxsize=1 << 10)
def _picks(sizes: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """The first :data:`_HK_KEYS` choices of one spelling per syllable (``sizes[i]``
    spellings of syllable ``i``), the fewest changed syllables first."""
    return tuple(sorted(product(*(range(n) for n in sizes)), key=_changed)[:_HK_KEYS])


@lru_cache(maxsize=1 << 16)
def cantonese_variant_keys(han: str) -> frozenset[str]:
    """Comparison keys of a Chinese word read in Cantonese: Jyutping without tones
    (長江 coeng gong), Yale (cheuhng gong) and the Hong Kong spellings of its syllables
    (:data:`_HK_SPELLINGS`: 周大福 Chow Tai Fook, 李錦記 Lee Kum Kee)."""
    syllables = jyutping(han)
    if not syllables:
        return frozenset()
    keys = {loose("".join(s.rstrip("0123456789") for s in syllables)),
            loose("".join(yale(s) for s in syllables))}  # fmt: skip
    hk = cantonese(han)
    if len(hk) <= _HK_LONGEST:
        choices = [_hk_spellings(s) for s in hk]
        for ix in _picks(tuple(len(c) for c in choices)):
            keys.add(loose("".join(c[i] for c, i in zip(choices, ix, strict=True))))
    keys.discard("")
    return frozenset(keys)


@lru_cache(maxsize=1 << 16)
def cantonese_syllable_keys(han: str) -> frozenset[str]:
    """Each syllable of a Chinese word read in Cantonese, in Jyutping and in the Hong Kong
    spellings (李錦記 → lei, li, kam, kum, kei, ki, kai ...): what a query looks up to meet
    a name written syllable by syllable ("Lee Kum Kee"), whose words are indexed apart."""
    keys = {loose(s.rstrip("0123456789")) for s in jyutping(han)}
    for syllable in cantonese(han):
        keys.update(loose(x) for x in _hk_spellings(syllable))
    return frozenset(k for k in keys if len(k) >= 2)


# --- Persian and Arabic romanised; romanisation marks -----------------------------------

_MARK = re.compile(r"(?<=[^\W\d_])['’](?=[^\W\d_])")
_NOT_LETTER = re.compile(r"[\W\d_]")
_ELIDED = frozenset({"l", "d", "o", "qu", "dell", "all", "nell", "sull", "dall"})


def join_marks(word: str) -> str:
    """A written word without the apostrophes that mark a sound inside it (ʿayn or hamza
    in Arabic and Persian romanised: Mostaz'afan, Qa'ida; aspiration in McCune–Reischauer
    and Wade–Giles: Ch'ŏllima, P'yŏngyang, Ch'ang-chiang), so that it stays one word. An
    elision (L'Oréal, d'Amico, O'Neill) and a possessive (Macy's) keep theirs."""
    if "'" not in word and "’" not in word:
        return word

    def mark(m: re.Match[str]) -> str:
        before = _NOT_LETTER.split(word[: m.start()])[-1].casefold()
        after = _NOT_LETTER.split(word[m.end() :])[0].casefold()
        return m.group(0) if before in _ELIDED or after == "s" else ""

    return _MARK.sub(mark, word)


_EZAFE = frozenset({"ye", "yi"})
# Persian's reading of the Arabic article. Not Urdu's "ul" (HARAKAT-UL JIHAD ISLAMI, also
# written "Harakat ul Jihad" and abbreviated HUJI: dropping it where hyphenated only would
# part those), nor "us", "ar", "ad" (Sino-US, AR-15).
_ARTICLES = frozenset({"ol"})


def drop_particles(parts: list[str]) -> list[str]:
    """The parts of one hyphenated word without the Persian ezafe after a vowel
    (Melli-ye, Sazandegi-ye: "-e" after a consonant is one letter, which analysis drops
    anyway) and without the Arabic article as Persian reads it, bound to it by a hyphen
    (Khatam-ol-Anbiya, Hojjat-ol-Eslam, ol-Anbia): written apart it stays a word."""
    if len(parts) < 2:
        return parts
    out: list[str] = []
    for i, part in enumerate(parts):
        low = part.casefold()
        if i and low in _EZAFE and parts[i - 1][-1:].casefold() in ("a", "e", "i", "o", "u"):
            continue
        if low in _ARTICLES:
            continue
        out.append(part)
    return out


_X_AS_KH = re.compile(r"x(?![iu])")  # pinyin's x (xi, xu) is not a kh


def _x_as_kh(word: str) -> str:
    return _X_AS_KH.sub("kh", word) if len(word) >= 4 and "x" in word else word


@lru_cache(maxsize=1 << 16)
def persian_latin_keys(word: str) -> frozenset[str]:
    """A Latin word whose x may write kh, as Persian romanised in the ISO or UN manner
    does (Xodro ~ Khodro, Xatam ~ Khatam): its loose key with x read as kh."""
    read = _x_as_kh(word)
    return frozenset([loose(read)]) if read != word else frozenset()


@lru_cache(maxsize=1 << 16)
def persian_latin_skeletons(word: str) -> tuple[str, ...]:
    """The consonant skeletons of a Latin word for comparison with Persian script: as
    :func:`ringfence.resolve.text.latin_skeleton` gives it, and with x read as kh."""
    read = _x_as_kh(word)
    if read == word:
        return (latin_skeleton(word),)
    return (latin_skeleton(word), latin_skeleton(read))
