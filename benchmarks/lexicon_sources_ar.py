"""Arabic entries of the multilingual lexicon from the FreeDict English-Arabic dictionary
(Debian ``dict-freedict-eng-ara``, GPL-3+; ``scripts/setup.sh`` installs it for the
builder), read the way :mod:`build_lexicon` reads Mueller's English-Russian dictionary:
for the generic English words of company and organisation names (the development part's
Latin names and the words rigour's symbol table tags), the one-word Arabic translations,
read back Arabic → English (group → مجموعة, battalion → كتيبة, movement → حركة, party →
حزب, changer → صراف). The article ال and the vowel marks are dropped. A translation that
is a spelling of the English word itself (بنك bank, ريفيفال revival: a loanword or a
transliteration, which the comparison's romanisation reading already meets) adds nothing
and is left out.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from dictd import dictd_articles

FREEDICT = Path("/usr/share/dictd/freedict-eng-ara")  # .index and .dict.dz, as dictd reads them
_MARKS = re.compile("[\u064b-\u0652\u0670\u0640]")  # harakat, shadda, sukun, tatweel
_AR_WORD = re.compile("[\u0621-\u064a\u0671-\u06d3]+")

Entry = tuple[str, str, str, str]


def freedict_articles(base: Path = FREEDICT) -> dict[str, list[str]]:
    """Headword (lower-case) → its articles, from FreeDict's dictd files."""
    return dictd_articles(base, fold=True, missing="apt-get install dict-freedict-eng-ara "
                          "(GPL-3+), or --no-freedict")


def translations(article: str) -> list[str]:
    """The one-word Arabic translations of an article (its lines after the headword and
    pronunciation; comma-separated), without vowel marks and without the article ال."""
    out: list[str] = []
    for line in article.splitlines()[1:]:
        line = line.strip()
        if not line or line.startswith("/"):
            continue
        for part in re.split("[،,;]", line):
            word = _MARKS.sub("", part.strip())
            if not _AR_WORD.fullmatch(word):
                continue
            if word.startswith("ال") and len(word) >= 5:
                word = word[2:]
            out.append(word)
    return out


def freedict_version() -> str:
    changelog = Path("/usr/share/doc/dict-freedict-eng-ara/changelog.Debian.gz")
    if changelog.exists():
        with gzip.open(changelog, "rt", encoding="utf-8") as fh:
            head = fh.readline()
        m = re.search(r"\(([^)]+)\)", head)
        if m:
            return m.group(1)
    return "unknown"


def freedict_entries(
    english_words: Iterable[tuple[str, str]], base: Path = FREEDICT
) -> Iterator[Entry]:
    """``ar`` entries for ``(english, why)`` pairs: the word's one-word translations (its
    singular's when the word has none), left out when a spelling of the English word.
    Words of four letters or more that are FreeDict headwords (a dictionary's headwords
    name no company); words English glosses leave out (articles, prepositions) and legal
    forms are not read."""
    from ringfence.resolve.arabic_latin import romanisation_fit
    from ringfence.resolve.text import fold_persian

    articles = freedict_articles(base)
    source = f"FreeDict English-Arabic (Debian dict-freedict-eng-ara {freedict_version()}, GPL-3+)"
    from ringfence.resolve.gloss import en_phrase
    from ringfence.resolve.names import analyse_name

    for english, why in english_words:
        if len(english) < 4 or not english.isalpha() or len(en_phrase(english)) != 1:
            continue
        heads = [english]
        if english.endswith("ies") and len(english) > 4:
            heads.append(english[:-3] + "y")
        elif english.endswith("s") and not english.endswith("ss"):
            heads.append(english[:-1])
        if not any(h in articles for h in heads):
            continue
        if analyse_name(f"Zorbaks {english}").legal_forms:
            continue
        for head in heads:
            found = [w for a in articles.get(head, []) for w in translations(a)]
            for word in found:
                if romanisation_fit(fold_persian(word), head):
                    continue  # a loanword or transliteration: spelt the same
                yield "ar", word, head, f"{source} headword {head!r}; {why}"
            if found:
                break
