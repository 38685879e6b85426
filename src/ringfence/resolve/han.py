"""Chinese runs inside a name (for :mod:`ringfence.resolve.names`): closing the gaps
written between Han runs, separating Han from other characters in a word, and segmenting a
run on CC-CEDICT words."""

from __future__ import annotations

import re
from functools import lru_cache

from ringfence.resolve.gloss import zh_words
from ringfence.resolve.legal import strip_han_suffix

__all__ = ["close_han_gaps", "segment_han", "split_han"]


_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_HAN_GAP = re.compile(f"([{_HAN}]+)[\\s\\-‐‑‒–—·・.'’_]+(?=([{_HAN}]+))")


def close_han_gaps(text: str) -> str:
    """Chinese is written without spaces: a space, hyphen or dot between two Han runs is
    dropped ("腾讯 控股有限 公司"), unless it follows a legal form written first, as
    Japanese does ("株式会社 東芝"). Legal forms written last are stripped after joining."""
    if not _HAN_GAP.search(text):
        return text

    def close(m: re.Match[str]) -> str:
        left = m.group(1)
        if _is_han_legal(left):
            return m.group(0)
        return left

    return _HAN_GAP.sub(close, text)


def _is_han_legal(run: str) -> bool:
    rest, removed = strip_han_suffix(run)
    return bool(removed) and not rest


_HAN_RUNS = re.compile(
    "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+"
    "|[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+"
)


def split_han(word: str) -> list[str]:
    """Separate Han runs from other characters inside one word."""
    if word.isascii():
        return [word]
    return _HAN_RUNS.findall(word)


_MAX_WORD = 4  # longer CEDICT headwords are mostly whole company names: split them


@lru_cache(maxsize=1 << 16)
def segment_han(han: str) -> tuple[str, ...]:
    """Bidirectional maximum matching on CC-CEDICT words.

    Forward and backward longest-match segmentations are both made; the one with fewer
    words wins, then the one with fewer single characters, then backward (usually right
    for Chinese: 中信实业银行 → 中信/实业/银行, where forward gives 中/信实/业/银行).
    Runs of unknown single characters are merged into one token (奕瑞, 比亚迪).
    """
    if not han:
        return ()
    vocab = zh_words()
    fwd: list[str] = []
    i = 0
    while i < len(han):
        for n in range(min(_MAX_WORD, len(han) - i), 0, -1):
            if n == 1 or han[i : i + n] in vocab:
                fwd.append(han[i : i + n])
                i += n
                break
    bwd: list[str] = []
    j = len(han)
    while j > 0:
        for n in range(min(_MAX_WORD, j), 0, -1):
            if n == 1 or han[j - n : j] in vocab:
                bwd.append(han[j - n : j])
                j -= n
                break
    bwd.reverse()

    def cost(segs: list[str]) -> tuple[int, int]:
        return len(segs), sum(1 for x in segs if len(x) == 1)

    segs = fwd if cost(fwd) < cost(bwd) else bwd
    merged: list[str] = []
    for seg in segs:
        if len(seg) == 1 and merged and _single_run(merged[-1]):
            merged[-1] += seg
        else:
            merged.append(seg)
    return tuple(merged)


def _single_run(seg: str) -> bool:
    # A previous segment made only of merged single characters (not a dictionary word).
    return len(seg) == 1 or seg not in zh_words()
