"""The dictd dictionaries Debian ships (an ``.index`` and a dictzip ``.dict.dz`` beside it),
read for the lexicon builders: Mueller's English–Russian (``build_lexicon.py``) and
FreeDict's English–Arabic (``lexicon_sources_ar.py``)."""

from __future__ import annotations

import gzip
from pathlib import Path

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _b64(text: str) -> int:
    """A dictd index number (base 64, most significant digit first)."""
    n = 0
    for ch in text:
        n = n * 64 + _B64.index(ch)
    return n


def dictd_articles(base: Path, *, missing: str, fold: bool = False) -> dict[str, list[str]]:
    """Headword → its articles, in the index's order; ``fold`` lower-cases headwords.
    The dictionary's own entries (``00database...``) are left out. Exits naming
    ``missing`` (how to install it) when the index is not there."""
    index = base.with_suffix(".index")
    if not index.exists():
        raise SystemExit(f"{index} missing: {missing}")
    with gzip.open(base.with_suffix(".dict.dz")) as fh:
        data = fh.read()
    out: dict[str, list[str]] = {}
    for line in index.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or parts[0].startswith("00database"):
            continue
        start = _b64(parts[1])
        article = data[start : start + _b64(parts[2])].decode("utf-8", "replace")
        out.setdefault(parts[0].casefold() if fold else parts[0], []).append(article)
    return out
