"""Prompt text at the boundary: one normalisation, skeleton keys, excerpts.

A *skeleton* is the prompt with what varies between items masked: quoted strings, numbers
and anything holding a digit, e-mail addresses, URLs, code identifiers (snake_case,
camelCase). Templates put the varying item in the middle or at one end, so a prompt yields
two keys, the masked prefix and the masked suffix (character based, so it works the same
for languages written without spaces). Two prompts of one template share at least one key;
the keys are 64-bit integers (blake2b), stable across processes (never Python's ``hash``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = [
    "EXCERPT_CHARS",
    "excerpt",
    "is_short_key",
    "mask",
    "normalise",
    "skeleton",
    "skeleton_keys",
    "stable_hash",
]

EXCERPT_CHARS = 200
_KEY_CHARS = 32
SHORT_SKELETON = 56  # a masked prompt up to this long is keyed whole
_IGNORABLE = dict.fromkeys(
    [0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x200B, 0x200C,
     0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2060, 0x2061,
     0x2062, 0x2063, 0x2064, 0xFEFF], None)
_WS = re.compile(r"\s+")
_MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"https?://\S+|www\.\S+"), "‹u›"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "‹e›"),
    (re.compile(r"\"[^\"\n]{0,400}\"|“[^”\n]{0,400}”|「[^」\n]{0,400}」|«[^»\n]{0,400}»"
                r"|`[^`\n]{0,400}`|'[^'\n]{2,400}'"), "‹q›"),
    (re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b"), "‹i›"),
    (re.compile(r"\b\w*\d[\w.,:/-]*"), "‹n›"),
)


def normalise(text: str) -> str:
    """NFKC, default-ignorable characters removed, whitespace collapsed, lower case."""
    if not text.isascii():  # NFKC and the ignorables change nothing in ASCII
        text = unicodedata.normalize("NFKC", text).translate(_IGNORABLE)
    return " ".join(text.split()).lower()


_OPEN_QUOTE = re.compile(r"[\"“「«`][^\"”」»`\n]*$")
_CLOSE_QUOTE = re.compile(r"^[^\"“「«`\n]*[\"”」»`]")
_WINDOW = 160


_ONE_MASK = re.compile("|".join(f"({p.pattern})" for p, _t in _MASKS))
_TOKENS = [""] + [t for _p, t in _MASKS]


def _token(m: re.Match[str]) -> str:
    return _TOKENS[m.lastindex or 0]


def mask(text: str) -> str:
    """The skeleton of an already normalised prompt (items masked: URLs, e-mail
    addresses, quoted strings, snake_case identifiers, anything holding a digit; the
    leftmost match wins, URLs before e-mails before quotes before identifiers)."""
    return _ONE_MASK.sub(_token, text)


def skeleton(norm: str) -> str:
    """The masked head and tail of a normalised prompt (``mask`` of the whole prompt when it
    is short); a quoted item cut by the window edge is masked too."""
    if len(norm) <= 2 * _WINDOW:
        return mask(norm)
    head = _OPEN_QUOTE.sub("‹q›", mask(norm[:_WINDOW]))
    tail = _CLOSE_QUOTE.sub("‹q›", mask(norm[-_WINDOW:]))
    return head + " … " + tail


def stable_hash(text: str) -> int:
    """A 63-bit hash of ``text``, the same in every process."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"),
                                          digest_size=8).digest(), "big") >> 1


def skeleton_keys(masked: str) -> tuple[int, int]:
    """(prefix key, suffix key) of a masked prompt; a short prompt gives its whole text
    twice (so both keys are the same, and ``is_short_key`` says so)."""
    if len(masked) <= SHORT_SKELETON:
        k = stable_hash("w:" + masked) & ~1  # even: a whole short prompt
        return k, k
    return (stable_hash("p:" + masked[:_KEY_CHARS]) | 1,
            stable_hash("s:" + masked[-_KEY_CHARS:]) | 1)


def is_short_key(key: int) -> bool:
    """A key of a whole short prompt (weaker evidence than a long template's end)."""
    return not key & 1


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """At most ``limit`` characters of a prompt, for an analyst (never the whole prompt)."""
    text = _WS.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
