"""Disguised names, as an applicant who wants past the screen would write them.

:func:`disguise` applies one named disguise to a name, deterministically for a seed;
:data:`KINDS` lists them. Used by the adversarial evaluation (``benchmarks/disguise.py``,
``tests/resolve/test_adversarial.py``): every disguised form of an indexed name must still
resolve to its entity, and the negatives must not start matching.

The look-alike tables here are the *attacker's* tools (what a homoglyph generator
substitutes), deliberately written out rather than taken from the confusables data the
defence uses, so the evaluation does not test the data against itself.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable

__all__ = ["KINDS", "disguise"]

# Latin letter → look-alike in another script (what homoglyph generators use).
_CYRILLIC = {
    "a": "\u0430", "c": "\u0441", "e": "\u0435", "o": "\u043e", "p": "\u0440",
    "x": "\u0445", "y": "\u0443", "i": "\u0456", "j": "\u0458", "s": "\u0455",
    "A": "\u0410", "B": "\u0412", "C": "\u0421", "E": "\u0415", "H": "\u041d",
    "K": "\u041a", "M": "\u041c", "O": "\u041e", "P": "\u0420", "T": "\u0422",
    "X": "\u0425", "I": "\u0406", "S": "\u0405", "J": "\u0408",
}  # fmt: skip
_GREEK = {
    "o": "\u03bf", "v": "\u03bd", "A": "\u0391", "B": "\u0392", "E": "\u0395",
    "H": "\u0397", "I": "\u0399", "K": "\u039a", "M": "\u039c", "N": "\u039d",
    "O": "\u039f", "P": "\u03a1", "T": "\u03a4", "X": "\u03a7", "Y": "\u03a5",
    "Z": "\u0396",
}  # fmt: skip
# Cyrillic letter → Latin look-alike (for names written in Cyrillic).
_LATIN_FOR_CYRILLIC = {v: k for k, v in _CYRILLIC.items()}
_DIGITS = {"o": "0", "O": "0", "l": "1", "I": "1"}
# leetspeak: digits for the letters they are drawn like, beyond TS #39's 0 and 1
_LEET = {"a": "4", "A": "4", "e": "3", "E": "3", "s": "5", "S": "5", "t": "7", "T": "7",
         "o": "0", "O": "0", "i": "1", "g": "9", "B": "8"}  # fmt: skip
_INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u034f"]
_BIDI = ["\u200e", "\u200f", "\u202a", "\u202b", "\u202d", "\u202e", "\u2066", "\u2067"]
# small capitals for lower-case letters (what "small text" generators produce)
_SMALL_CAPS = {
    "a": "\u1d00", "b": "\u0299", "c": "\u1d04", "d": "\u1d05", "e": "\u1d07",
    "f": "\ua730", "g": "\u0262", "h": "\u029c", "i": "\u026a", "j": "\u1d0a",
    "k": "\u1d0b", "l": "\u029f", "m": "\u1d0d", "n": "\u0274", "o": "\u1d0f",
    "p": "\u1d18", "r": "\u0280", "s": "\ua731", "t": "\u1d1b", "u": "\u1d1c",
    "v": "\u1d20", "w": "\u1d21", "y": "\u028f", "z": "\u1d22",
}  # fmt: skip
_ACCENT = {"a": "á", "e": "é", "i": "í", "o": "ö", "u": "ü", "A": "Á", "E": "É", "O": "Ö"}


def _inside(name: str, rng: random.Random) -> int:
    """A position between two letters of one word (0 when there is none)."""
    spots = [i for i in range(1, len(name)) if name[i - 1].isalpha() and name[i].isalpha()]
    return rng.choice(spots) if spots else 0


def _insert(name: str, chars: list[str], rng: random.Random, times: int = 2) -> str:
    for _ in range(times):
        i = _inside(name, rng)
        name = name[:i] + rng.choice(chars) + name[i:]
    return name


def _swap(name: str, table: dict[str, str], rng: random.Random, share: float) -> str:
    spots = [i for i, ch in enumerate(name) if ch in table]
    if not spots:
        return name
    k = max(1, round(len(spots) * share))
    chosen = set(rng.sample(spots, min(k, len(spots))))
    return "".join(table[ch] if i in chosen else ch for i, ch in enumerate(name))


def _homoglyph(name: str, rng: random.Random) -> str:
    if any("\u0400" <= ch <= "\u04ff" for ch in name):
        return _swap(name, _LATIN_FOR_CYRILLIC, rng, 0.5)
    return _swap(name, _CYRILLIC, rng, rng.choice([0.2, 0.5, 1.0]))


def _fullwidth(name: str, rng: random.Random) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in name)


def _split(name: str, rng: random.Random) -> str:
    words = name.split(" ")
    long_ = [k for k, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not long_:
        return name
    k = rng.choice(long_)
    w = words[k]
    cut = rng.randint(3, len(w) - 3)
    words[k] = w[:cut] + " " + w[cut:]
    return " ".join(words)


def _joined(name: str, rng: random.Random) -> str:
    words = name.split(" ")
    if len(words) < 2:
        return name
    k = rng.randrange(len(words) - 1)
    return " ".join([*words[:k], words[k] + words[k + 1], *words[k + 2 :]])


def _hyphen(name: str, rng: random.Random) -> str:
    spots = [i for i, ch in enumerate(name) if ch == " "]
    if not spots:
        return _insert(name, ["-"], rng, 1)
    i = rng.choice(spots)
    return name[:i] + "-" + name[i + 1 :]


def _diacritics(name: str, rng: random.Random) -> str:
    return _swap(name, _ACCENT, rng, 0.3)


def _marks(name: str, rng: random.Random) -> str:
    return _insert(name, ["\u0336", "\u0335", "\u0338", "\u20dd"], rng, 2)


def _controls(name: str, rng: random.Random) -> str:
    return _insert(name, ["\x00", "\x1b", "\x7f", "\x08", "\x85"], rng, 2)


def _tags(name: str, rng: random.Random) -> str:
    return _insert(name, [chr(0xE0000 + ord(c)) for c in "abcxyz"], rng, 2)


def _variation(name: str, rng: random.Random) -> str:
    return _insert(name, ["\ufe0f", "\ufe0e", "\U000e0100"], rng, 2)


def _reversed_shown(name: str, rng: random.Random) -> str:
    """Stored backwards inside a bidi override, so that it is *shown* the right way
    round: RLO for left-to-right letters, LRO for Arabic or Hebrew script."""
    rtl = any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in name)
    return ("\u202d" if rtl else "\u202e") + name[::-1] + "\u202c"


def _spaced(name: str, rng: random.Random) -> str:
    """One word (the longest) written letter by letter, with spaces or dots between."""
    words = name.split(" ")
    k = max(range(len(words)), key=lambda i: (len(words[i]), -i))
    if len(words[k]) < 3 or not words[k].isalpha():
        return name
    words[k] = rng.choice([" ", ".", ". "]).join(words[k])
    return " ".join(words)


def _small_caps(name: str, rng: random.Random) -> str:
    return "".join(_SMALL_CAPS.get(ch.lower(), ch) if ch.isascii() else ch for ch in name)


def _combined(name: str, rng: random.Random) -> str:
    """Several disguises at once, as a determined applicant writes them: look-alike
    letters, then invisible characters, then (half the time) bidi controls or full width."""
    out = _insert(_homoglyph(name, rng), _INVISIBLE, rng, 1)
    extra = rng.random()
    if extra < 0.25:
        out = rng.choice(_BIDI) + out + "\u202c"
    elif extra < 0.5:
        out = _fullwidth(out, rng)
    return out


KINDS: dict[str, Callable[[str, random.Random], str]] = {
    "invisible": lambda n, r: _insert(n, _INVISIBLE, r),
    "bidi": lambda n, r: r.choice(_BIDI) + _insert(n, _BIDI, r, 1) + "\u202c",
    "variation_selector": _variation,
    "tag_characters": _tags,
    "control": _controls,
    "homoglyph": _homoglyph,
    "homoglyph_greek": lambda n, r: _swap(n, _GREEK, r, 0.5),
    "digit_lookalike": lambda n, r: _swap(n, _DIGITS, r, 0.5),
    "leetspeak": lambda n, r: _swap(n, _LEET, r, 0.5),
    "fullwidth": _fullwidth,
    "split": _split,
    "joined": _joined,
    "hyphenated": _hyphen,
    "diacritics": _diacritics,
    "combining_marks": _marks,
    "case": lambda n, r: n.upper() if r.random() < 0.5 else n.swapcase(),
    "bidi_reversed": _reversed_shown,
    "spaced_letters": _spaced,
    "small_capitals": _small_caps,
    "combined": _combined,
}


def disguise(name: str, kind: str, seed: int) -> str:
    """``name`` with the disguise ``kind`` (see :data:`KINDS`) applied; the same result
    for the same seed. Returns the name unchanged when the disguise does not apply."""
    rng = random.Random(f"{seed}:{kind}:{name}")
    out = KINDS[kind](name, rng)
    return unicodedata.normalize("NFC", out) if kind == "diacritics" else out
