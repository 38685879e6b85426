"""Compile the multilingual lexicon of company-name parts from bilingual material at hand.

    .venv/bin/python benchmarks/build_lexicon.py [--data /work/shared/data] \
        [--out src/ringfence/data/lexicon/names.tsv] [--mueller /usr/share/dictd/mueller7]

(Mueller's dictionary is Debian's ``mueller7-dict``, which ``scripts/setup.sh`` installs.)

Writes one TSV (``lang``, ``word``, ``english``, ``source``), read at run time by
:mod:`ringfence.packaged` and handed to :mod:`ringfence.resolve.lexicon`. Every entry
carries where it came from:

* ``cldr``: the Unicode CLDR data shipped by ``babel``: country and territory names, the
  exemplar cities of the time zones (Шанхай Shanghai, 평양 Pyongyang, تهران Tehran), and
  for Russian, Persian and Arabic the language names, which are the adjectives company
  names use (российский Russian, китайский Chinese). Locales: zh, zh_Hant, ru, fa, ar,
  ko, ja against en.
* ``pairs``: word translations found in names that a source gives in two scripts side by
  side, *only from records in the development part* of ``benchmarks/real_pairs.py`` (its
  readers and its split function ``part_of``), so nothing the test part holds is mined:
  the OFAC consolidated enhanced XML (primary Latin names and their Cyrillic and Chinese
  translations; A.K.A. names romanised from Russian against the English name), the OFAC
  SDN CSV and UK HMT excerpts, the UN Security Council list (``NAME_ORIGINAL_SCRIPT``),
  GLEIF golden copy and API records and GLEIF-derived BODS (legal name and other or
  transliterated names); and the bundled public groups
  (``ringfence/data/public-groups/names.csv``, not in the evaluation). A pair is aligned
  after ringfence's own analysis has matched what it already can (romanisation,
  CC-CEDICT, the Korean lexicon): when the words left unmatched are one on each side, or
  as many on each side of a Cyrillic name (same word order), they are taken as each
  other's translation, unless (Han, Hangul) the English word starts like the native
  word's romanisation.
* ``rigour``: rigour's multilingual symbol table (the one nomenklatura's logic-v2 pairs):
  the words of those same development-part and bundled names that it tags with a symbol,
  paired with the English words (CC-CEDICT vocabulary) it tags the same way; also the
  words of other languages written in Latin letters in the development part's names
  (groupe, zavod, tejarat: ``und-Latn``).
* ``Mueller``: Mueller's English-Russian dictionary (7th edition, Debian ``mueller7-dict``,
  GPL-2+): for the English words of the development part's and bundled Latin names and
  the English words rigour's symbol table tags, the one-word Russian translations of
  their first two noun and adjective senses and their attributive adjectives (plant
  завод, insurance страхование/страховой), read back as Russian → English.
* ``pycountry``: a country's ISO 3166-1 name and official name (Russian Federation,
  Syrian Arab Republic, Islamic Republic of Iran) for its one-word CLDR short name
  (``en``: Russia, Syria, Iran).

A mined entry is kept only when it is a *generic* company-name part, never a brand: its
English word must appear in lower case in the English glosses of at least three
different CC-CEDICT headwords (central, federation, leasing do; Tencent, Qingdao and
Megvii do not: CC-CEDICT capitalises proper names), and the native word must be one word
of at least three letters (two in Han and Hangul). So no entry names an organisation.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from dictd import dictd_articles
from lexicon_sources_ar import freedict_entries
from lexicon_sources_arko import alias_entries, country_initials_entries
from real_pairs import (
    Org,
    _unique,
    bods_entities,
    gleif_entities,
    ofac_entities,
    part_of,
    sdn_csv_entities,
    uk_entities,
    un_entities,
)

from ringfence.packaged import PackagedDictionaries
from ringfence.resolve.gloss import use_dictionaries


class _WithoutNamesLexicon(PackagedDictionaries):
    """The packaged dictionaries with an empty multilingual lexicon: words are aligned
    against what the analysis knows without this file, so a run does not depend on the
    previous one's output."""

    def lexicon(self, name: str) -> tuple[str, str]:
        if name == "names.tsv":
            return "\t".join(("lang", "word", "english", "source")) + "\n", "(empty)"
        return super().lexicon(name)


use_dictionaries(_WithoutNamesLexicon())

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "src" / "ringfence" / "data" / "lexicon" / "names.tsv"
LOCALES = {"zh": "zh", "zh_Hant": "zh", "ru": "ru", "fa": "fa", "ar": "ar", "ko": "ko",
           "ja": "ja"}  # fmt: skip
ADJECTIVE_LOCALES = ("ru", "fa", "ar")  # language names there are the adjectives
_EN_WORD = re.compile(r"[A-Za-z]+")
_MIN_HEADWORDS = 3
_MIN_LETTERS = {"zh": 2, "ko": 2, "ru": 3, "ru-Latn": 3, "fa": 3, "ar": 3, "und-Latn": 4}
# romanised Russian legal forms: an A.K.A. carrying one is Russian written in Latin
_RU_LATIN_FORMS = frozenset(["ooo", "oao", "zao", "pao", "ao", "obshchestvo", "aktsionernoe",
                             "otkrytoe", "zakrytoe", "publichnoe"])  # fmt: skip

Entry = tuple[str, str, str, str]  # lang, word, english, source


def cldr_entries() -> Iterator[Entry]:
    from babel import Locale

    en = Locale.parse("en")
    for loc, lang in LOCALES.items():
        locale = Locale.parse(loc)
        for code, name in locale.territories.items():
            english = en.territories.get(code, "")
            if code.isalpha() and len(code) == 2 and english and "(" not in name + english:
                yield lang, name, english, f"CLDR {babel_version()} territory {code} ({loc})"
        for zone, names in locale.time_zones.items():
            city = names.get("city") if hasattr(names, "get") else None
            if city and "/" in zone and not zone.startswith("Etc/"):
                english = zone.rsplit("/", 1)[1].replace("_", " ")
                yield lang, city, english, f"CLDR {babel_version()} exemplar city {zone} ({loc})"
        if lang in ADJECTIVE_LOCALES:
            for code, name in locale.languages.items():
                english = en.languages.get(code, "")
                if len(code) == 2 and english and " " not in name and " " not in english:
                    yield lang, name, english, f"CLDR {babel_version()} language {code} ({loc})"


def country_entries() -> Iterator[Entry]:
    """A country's short English name (CLDR via babel, one word: Russia, Iran, Syria) with
    its ISO 3166-1 name and official name where they differ (pycountry, which carries
    Debian's iso-codes: Russian Federation, Islamic Republic of Iran, Syrian Arab
    Republic), so a name that writes one meets a name that writes the other."""
    import pycountry
    from babel import Locale

    en = Locale.parse("en")
    version = pycountry.__version__ if hasattr(pycountry, "__version__") else ""
    for country in pycountry.countries:
        short = en.territories.get(country.alpha_2, "")
        if not short or not short.isalpha():
            continue
        for field in ("name", "official_name"):
            long_ = getattr(country, field, "") or ""
            long_ = long_.replace("'s ", " ")  # People's Republic of China
            if long_ and long_ != short and "," not in long_ and "(" not in long_:
                yield ("en", short, long_, f"pycountry {version} ISO 3166-1 {country.alpha_2} "
                       f"{field} against CLDR {babel_version()} (en)")


def wade_giles_rows() -> list[tuple[str, str, str]]:
    """Every toneless pinyin syllable CC-CEDICT writes, with pypinyin's Wade–Giles."""
    import pypinyin
    from pypinyin import Style
    from pypinyin.style import convert

    from ringfence.resolve.gloss import dictionaries

    syllables: set[str] = set()
    for line in dictionaries().cedict_lines():
        m = re.search(r"\[([^\]]*)\]", line)
        if m and not line.startswith("#"):
            for syl in m.group(1).split():
                syl = re.sub(r"[1-5]$", "", syl.casefold()).replace("u:", "ü")
                if (syl.isascii() and syl.isalpha()) or syl.replace("ü", "").isalpha():
                    syllables.add(syl)
    rows = []
    source = f"pypinyin {pypinyin.__version__} Style.WADEGILES"
    for syl in sorted(syllables):
        wg = convert(syl, Style.WADEGILES, strict=True).replace("v", "ü")  # WG has no v
        if wg and wg.replace("'", "").replace("ü", "u").isalpha():
            rows.append((syl, wg, source))
            if "ü" in syl:
                rows.append((syl.replace("ü", "v"), wg, source))  # as pypinyin writes it
    return rows


def babel_version() -> str:
    import babel

    return babel.__version__


def english_vocabulary() -> Counter[str]:
    """English word → how many CC-CEDICT headwords carry it in their glosses."""
    from ringfence.resolve.gloss import dictionaries

    counts: Counter[str] = Counter()
    for line in dictionaries().cedict_lines():
        if line.startswith("#") or "/" not in line:
            continue
        senses = line.split("/", 1)[1]
        # lower-case words only: CC-CEDICT capitalises proper names (Tencent, Qingdao)
        counts.update({w for w in _EN_WORD.findall(senses) if w.islower()})
    return counts


def _lang_of(name: str) -> str:
    from ringfence.resolve.text import script_of

    script = script_of(name)
    if script == "Arab":  # letters only Persian writes
        return "fa" if any(ch in "پچژگکی" for ch in name) else "ar"
    return {"Cyrl": "ru", "Hani": "zh", "Hang": "ko"}.get(script, "")


def _unmatched(native: str, latin: str) -> tuple[list[str], list[str]]:
    """The words of each name that ringfence's comparison left without a partner."""
    from ringfence.resolve import Record, compare

    result = compare(Record.of(native), Record.of(latin))
    left = [f.a for f in result.explanation if f.feature == "token_unmatched" and f.a]
    right = [f.b for f in result.explanation if f.feature == "token_unmatched" and f.b]
    return left, right


def align(native: str, latin: str, lang: str) -> list[tuple[str, str]]:
    left, right = _unmatched(native, latin)
    if not left or not right:
        return []
    if len(left) == len(right) == 1:
        return [(left[0], right[0])]
    if len(left) == len(right) and lang in ("ru", "ru-Latn"):
        return list(zip(left, right, strict=True))  # same word order as English
    return []


def _sources(data: Path) -> list[tuple[str, list[Org]]]:
    """The records ``benchmarks/real_pairs.py`` builds its pairs from, read by its readers."""
    gleif = _unique(gleif_entities(data / "gleif") + bods_entities(
        [data / "bods/0.4-gleif-real-cc0", data / "bods/0.4-oo-published-gleif-cc0"]))
    return [
        ("OFAC consolidated enhanced XML",
         ofac_entities(data / "sanctions/ofac_xml/CONS_ENHANCED.ZIP")),
        ("OFAC SDN CSV 2021-07 excerpt",
         sdn_csv_entities(data / "sanctions/ofac_sdn_csv/excerpt_2021-07")),
        ("UK HM Treasury list 2014-04-02 excerpt",
         uk_entities(data / "sanctions/uk_hmt/sanctionsconlist_2014-04-02_excerpt.csv")),
        ("UN SC consolidated list", un_entities(data / "sanctions/un_sc/UN_consolidated.xml")),
        ("GLEIF golden copy, API and GLEIF-derived BODS", gleif),
    ]


def parallel_names(
    data: Path, *, every_name: bool = False
) -> Iterator[tuple[str, str, str, str]]:
    """(record id, native name, Latin name, source) from the development part only; with
    ``every_name``, every non-Latin name of those records is given, paired or not."""
    for source, orgs in _sources(data):
        for org in orgs:
            if part_of(org.rid) != "dev" or not org.primary:
                continue
            names = [org.primary] + [n for _kind, n in org.others]
            native = [n for n in names if _lang_of(n)]
            latin = [n for n in names if not _lang_of(n)]
            lat = latin[0] if latin else ""  # the primary name when it is Latin
            for other in native:
                if lat or every_name:
                    yield org.rid, other, lat, source
            for kind, other in org.others:
                if kind in ("list_alias", "weak_alias") and not every_name and (
                        _RU_LATIN_FORMS & set(other.casefold().split())):
                    yield org.rid, other, org.primary, f"{source} (romanised A.K.A.)"
    by_entity: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    names_csv = ROOT / "src" / "ringfence" / "data" / "public-groups" / "names.csv"
    with names_csv.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            by_entity[row["entity"]][row["script"]].append(row["name"])
    for entity, scripts in by_entity.items():
        for latin in scripts.get("Latn", []):
            for script, names in scripts.items():
                if script != "Latn":
                    for native in names:
                        yield f"public-groups:{entity}", native, latin, "bundled public groups"


def _sounds_like(word: str, english: str) -> bool:
    """The English word starts like the native word's romanisation (three letters). Only
    for Han and Hangul: a Russian word that sounds like its English one is a cognate
    (центральный central), which is what the lexicon is for."""
    from ringfence.resolve.names import analyse_name
    from ringfence.resolve.text import loose

    key = loose(english)[:3]
    return any(k.startswith(key) for t in analyse_name(word).tokens for k in t.keys)


def mined_entries(data: Path, vocab: Counter[str]) -> Iterator[Entry]:
    from ringfence.resolve.names import analyse_name

    seen: set[tuple[str, str, str]] = set()
    for rid, native, latin, source in parallel_names(data):
        lang = _lang_of(native) or "ru-Latn"
        for word, english in align(native, latin, lang):
            if vocab[english.casefold()] < _MIN_HEADWORDS or len(word) < _MIN_LETTERS[lang]:
                continue
            if lang == "ru-Latn" and vocab[word.casefold()] >= _MIN_HEADWORDS:
                continue  # an English word on both sides, not romanised Russian
            if any(t.text == english.casefold() for t in analyse_name(word).tokens):
                continue
            if lang in ("zh", "ko") and _sounds_like(word, english):
                continue  # a transliteration left unmatched (长安 ~ Chang An), not a word
            key = (lang, word, english.casefold())
            if key not in seen:
                seen.add(key)
                part = "not in the evaluation" if rid.startswith("public-groups:") else "dev part"
                yield lang, word, english.casefold(), f"{source} {rid} ({part})"


_SYMBOL_CATEGORIES = ("SYMBOL", "DOMAIN", "LOCATION")  # not legal forms, names, numbers
_MAX_ENGLISH_PER_SYMBOL = 3  # the most common English words of the symbol


def _symbols(word: str) -> set[str]:
    from rigour.names import NameTypeTag, analyze_names

    out: set[str] = set()
    for name in analyze_names(NameTypeTag.ORG, [word]):
        for span in name.spans:
            category = str(span.symbol.category).rsplit(".", 1)[-1]
            if category in _SYMBOL_CATEGORIES and [p.form for p in span.parts] == [name.form]:
                out.add(f"{category}:{span.symbol.id}")
    return out


def symbol_entries(data: Path, vocab: Counter[str]) -> Iterator[Entry]:
    """Words of the names at hand (development part and bundled data only) that rigour's
    multilingual symbol table tags, paired with the English words it tags the same way
    (лизинг and leasing are both DOMAIN:LEASING)."""
    from importlib import metadata

    english: dict[str, list[str]] = defaultdict(list)
    for word in sorted(w for w, n in vocab.items() if n >= _MIN_HEADWORDS and len(w) >= 3):
        for sym in _symbols(word):
            english[sym].append(word)
    words: dict[str, str] = {}
    for rid, native, _latin, source in parallel_names(data, every_name=True):
        lang = _lang_of(native)
        for word in re.findall(r"[^\W\d_]+", native):
            if lang and _lang_of(word) == lang and len(word) >= _MIN_LETTERS[lang]:
                words.setdefault(word.casefold(), f"{source} {rid}")
    version = metadata.version("rigour")
    for word, where in sorted(words.items()):
        lang = _lang_of(word)
        for sym in sorted(_symbols(word)):
            found = sorted(english.get(sym, []), key=lambda w: (-vocab[w], w))
            for en in found[:_MAX_ENGLISH_PER_SYMBOL]:
                part = "not in the evaluation" if where.startswith("bundled") else "dev part"
                yield lang, word, en, f"rigour {version} symbol {sym}; word from {where} ({part})"


# --- the Mueller English-Russian dictionary (Debian package mueller7-dict) -----------------

MUELLER = Path("/usr/share/dictd/mueller7")  # .index and .dict.dz, as dictd reads them
_MUELLER_SENSES = 2  # the first senses of a noun or adjective: the common meanings
_CYR_WORD = re.compile(r"[а-яё]+(?:-[а-яё]+)?")
_HEAD = r"^(?:_?[IVX]+\s*)?(?:\[[^\]]*\]\s*)?"  # homonym number, then pronunciation
_POS_MARK = re.compile(_HEAD + r"(?:\d+\.\s*)?_(n|a|v|adv|pron|prep|cj|int|num|predic|pl)\.")
_PART = re.compile(_HEAD + r"\d+\.")
_NEW_CHUNK = re.compile(r"^(?:_?[IVX]+\b|\d+\.|\d+\)|\[)")
# slang, colloquial, obsolete, poetic, jocular, rude, dialect, historical, pejorative
_MUELLER_SKIP = ("_жарг", "_разг", "_уст", "_поэт", "_шутл", "_груб", "_диал", "_ист",
                 "_презр", "_пренебр", "_бран")  # fmt: skip


def mueller_translations(article: str) -> list[tuple[int, str, bool]]:
    """(sense number, Russian word, attributive) for the one-word translations a Mueller
    article gives its noun and adjective senses (and senses without a part of speech);
    verbs and adverbs are left out, and so are senses marked slang, colloquial, obsolete,
    historical ... A sense's translations end where its first English example starts."""
    chunks: list[str] = []
    for line in article.split("\n")[1:]:  # the first line is the headword
        text = line.strip()
        if text and (not chunks or _NEW_CHUNK.match(text)):
            chunks.append(text)
        elif text:
            chunks[-1] += " " + text  # a sense continued on the next line
    out: list[tuple[int, str, bool]] = []
    pos: str | None = None
    sense = 0
    for chunk in chunks:
        rest = chunk
        mark = _POS_MARK.match(chunk)
        if mark:
            pos, sense, rest = mark.group(1), 0, chunk[mark.end():]
        elif _PART.match(chunk):
            pos = None
        if pos not in ("n", "a", None):
            continue
        numbered = re.match(r"^\s*(\d+)\)(.*)$", rest)
        if numbered:
            sense, rest = int(numbered.group(1)), numbered.group(2)
        else:
            sense = max(sense, 1)
        rest = re.sub(r"\([^)]*\)", " ", rest)
        lead = re.split(r"(?<![_\w])[A-Za-z]", rest)[0]  # up to the first example
        if any(label in lead for label in _MUELLER_SKIP):
            continue
        for segment in re.split(r"[;,]", lead):
            words = re.sub(r"_\S+", " ", segment).split()
            if len(words) == 1 and _CYR_WORD.fullmatch(words[0]):
                out.append((sense, words[0], "_attr." in segment))
    return out


def mueller_version() -> str:
    import gzip

    changelog = Path("/usr/share/doc/mueller7-dict/changelog.Debian.gz")
    with gzip.open(changelog, "rt", encoding="utf-8") as fh:
        first = fh.readline()
    m = re.search(r"\(([^)]+)\)", first)
    return m.group(1) if m else "?"


def mueller_articles(base: Path) -> dict[str, list[str]]:
    """Headword → its articles, from Mueller's dictd files."""
    return dictd_articles(base, missing="apt-get install mueller7-dict (GPL-2+), or --mueller "
                          "to point at it")


def name_words(data: Path, vocab: Counter[str]) -> list[str]:
    """The generic English words of the Latin names of the development part's records
    and the bundled public groups: lower-case CC-CEDICT vocabulary (three headwords or
    more, so no brand), three letters or more, not a legal form nor a word English
    glosses leave out (articles, prepositions, "one")."""
    return sorted(w for w in dev_name_words(data) if _generic_english(w, vocab))


def dev_name_words(data: Path) -> set[str]:
    """Every word (lower-cased) of the Latin names of the development part's records and
    the bundled public groups."""
    words: set[str] = set()
    for _source, orgs in _sources(data):
        for org in orgs:
            if part_of(org.rid) == "dev":
                for name in [org.primary] + [n for _kind, n in org.others]:
                    if name and not _lang_of(name):
                        words.update(w.casefold() for w in _EN_WORD.findall(name))
    names_csv = ROOT / "src" / "ringfence" / "data" / "public-groups" / "names.csv"
    with names_csv.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["script"] == "Latn":
                words.update(w.casefold() for w in _EN_WORD.findall(row["name"]))
    return words


def _generic_english(word: str, vocab: Counter[str]) -> bool:
    """Lower-case CC-CEDICT vocabulary (three headwords or more, so no brand), three
    letters or more, a word English glosses keep (not "one", "the", "for"), not a legal
    form."""
    from ringfence.resolve.gloss import en_phrase
    from ringfence.resolve.names import analyse_name

    return (len(word) >= 3 and vocab[word] >= _MIN_HEADWORDS and len(en_phrase(word)) == 1
            and not analyse_name(f"Zorbaks {word}").legal_forms)


def rigour_words(vocab: Counter[str], headwords: Iterable[str] = ()) -> list[str]:
    """The generic English words (as :func:`name_words`), and the lower-case one-word
    headwords of Mueller's dictionary that CC-CEDICT's glosses use at least once (a
    dictionary's headwords name no company; once in CC-CEDICT leaves out rare senses such
    as designing, scheming), that
    rigour's symbol table tags as an organisation-name symbol or domain (airline,
    hospital, university, steel, shipbuilding, reinsurance): the vocabulary of company
    names beyond the development part's."""
    from ringfence.resolve.gloss import en_phrase
    from ringfence.resolve.names import analyse_name

    def tagged(w: str) -> bool:
        return any(not s.startswith("LOCATION:") for s in _symbols(w))

    words = {w for w in vocab if _generic_english(w, vocab) and tagged(w)}
    words |= {h for h in headwords if h.isalpha() and h.islower() and len(h) >= 4
              and vocab[h] >= 1 and len(en_phrase(h)) == 1
              and not analyse_name(f"Zorbaks {h}").legal_forms and tagged(h)}
    return sorted(words)


def _headwords(english: str) -> list[str]:
    """The word, then its singular (technologies → technology, plants → plant)."""
    out = [english]
    if english.endswith("ies") and len(english) > 4:
        out.append(english[:-3] + "y")
    elif english.endswith("s") and not english.endswith("ss"):
        out.append(english[:-1])
    return out


_SEE = re.compile(r"=\s*([a-z]+)\s*$")  # "center ... _ам. = centre"


def _followed(articles: dict[str, list[str]], head: str) -> list[str]:
    """The articles of a headword; an article that only refers to another spelling
    (center: "_ам. = centre") is replaced by that one's."""
    out: list[str] = []
    for article in articles.get(head, []):
        see = _SEE.search(article.strip()) if article.count("\n") <= 2 else None
        out.extend(articles.get(see.group(1), []) if see else [article])
    return out


def mueller_entries(data: Path, vocab: Counter[str], base: Path) -> Iterator[Entry]:
    """Russian translations of the English words company names use (:func:`name_words`,
    :func:`rigour_words`),
    from Mueller's English-Russian dictionary: the one-word translations of the first two
    senses of each noun or adjective, and its attributive (_attr.) adjectives (insurance
    → страхование, страховой; plant → завод; equipment → оборудование)."""
    from ringfence.resolve.gloss import en_key
    from ringfence.resolve.names import analyse_name

    articles = mueller_articles(base)
    source = (f"Mueller English-Russian dictionary 7 (Debian mueller7-dict {mueller_version()},"
              " GPL-2+)")
    from_names = set(name_words(data, vocab))
    tagged = set(rigour_words(vocab, articles))
    for english in sorted(from_names | tagged):
        why = "English word of dev-part names" if english in from_names else (
            "English word rigour's symbol table tags")
        for head in _headwords(english):
            found = [(s, w, attr) for article in _followed(articles, head)
                     for s, w, attr in mueller_translations(article)]
            for sense, word, attr in found:
                if sense > _MUELLER_SENSES and not attr:
                    continue
                if any(en_key(head) in t.keys for t in analyse_name(word).tokens):
                    continue  # spelt the same (генерал general, индекс index): nothing to add
                yield "ru", word, head, f"{source} headword {head!r}; {why}"
            if found:
                break


def latin_symbol_entries(data: Path, vocab: Counter[str], base: Path) -> Iterator[Entry]:
    """Words of other languages written in Latin letters in the development part's names
    (groupe, islamique, zavod, tejarat) that rigour's symbol table tags as an
    organisation-name symbol or domain, paired with the English words it tags the same
    way, as :func:`symbol_entries` does for other scripts. English words (CC-CEDICT
    vocabulary or a headword of Mueller's dictionary), places and the symbols of legal
    forms (compagnie, sociedad: company) are left out."""
    from importlib import metadata

    from ringfence.resolve.gloss import en_key
    from ringfence.resolve.names import analyse_name

    english: dict[str, list[str]] = defaultdict(list)
    for word in sorted(w for w in vocab if _generic_english(w, vocab)):
        for sym in _symbols(word):
            english[sym].append(word)
    headwords = set(mueller_articles(base))
    legal = {sym for w in ("company", "corporation", "limited") for sym in _symbols(w)}
    words: dict[str, str] = {}
    for source, orgs in _sources(data):
        for org in orgs:
            if part_of(org.rid) != "dev":
                continue
            for name in [org.primary] + [n for _kind, n in org.others]:
                if name and not _lang_of(name):
                    for word in re.findall(r"[A-Za-z]+", name):
                        words.setdefault(word.casefold(), f"{source} {org.rid}")
    version = metadata.version("rigour")
    for word, where in sorted(words.items()):
        if len(word) < 4 or vocab[word] or any(h in headwords for h in _headwords(word)):
            continue
        for sym in sorted(s for s in _symbols(word)
                          if not s.startswith("LOCATION:") and s not in legal):
            found = sorted(english.get(sym, []), key=lambda w: (-vocab[w], w))
            for en in found[:_MAX_ENGLISH_PER_SYMBOL]:
                if any(en_key(en) in t.keys for t in analyse_name(word).tokens):
                    continue  # spelt the same already
                yield ("und-Latn", word, en,
                       f"rigour {version} symbol {sym}; word from {where} (dev part)")


_ENGLISH = re.compile(r"[A-Za-z]+(?:[ -][A-Za-z]+)*")
_SPLIT = re.compile(r"[\s\-‐‑‒–—.'’・]")  # the analysis splits a word here
_HAN_MAX = 4  # resolve.han segments Chinese into words of at most four characters
_RU_LATIN_MIN = 6  # romanised Russian is glossed from six letters on (resolve.names)


def _usable(lang: str, word: str, english: str) -> bool:
    """An entry the analysis can look up: one word as the analysis splits words (no
    space, hyphen or dot), Han words of at most four characters, romanised Russian of at
    least six letters, English of letters only (CLDR's "St. Lucia", "Bosnia &
    Herzegovina" are left out), and not a legal form (stripped, never translated)."""
    from ringfence.resolve.names import analyse_name
    from ringfence.resolve.text import script_of

    if not word or _SPLIT.search(word) or not _ENGLISH.fullmatch(english):
        return False
    if len({script_of(ch) for ch in word if ch not in "ー"}) > 1:
        return False  # Japanese kana and Han in one word are two words to the analysis
    if script_of(word) == "Hani":
        return len(word) <= _HAN_MAX
    if lang == "ru-Latn" and len(word) < _RU_LATIN_MIN:
        return False
    return not analyse_name(f"Zorbaks {word}").legal_forms


def _clean(entries: Iterable[Entry]) -> list[Entry]:
    out: dict[tuple[str, str, str], Entry] = {}
    for lang, word, english, source in entries:
        word, english = word.strip(), english.strip()
        if not _usable(lang, word, english) or not english or "\t" in word + english + source:
            continue
        out.setdefault((lang, word, english.casefold()), (lang, word, english, source))
    return sorted(out.values(), key=lambda e: (e[0], e[1], e[2]))


HEADER = """\
# Company-name parts in other scripts with their English, compiled by
# benchmarks/build_lexicon.py (do not edit by hand; run it again). Sources: Unicode CLDR
# via babel (territories, time-zone exemplar cities, language names as adjectives) and
# words aligned in names given in two scripts side by side, mined ONLY from records in the
# development part of benchmarks/real_pairs.py (OFAC consolidated enhanced XML and SDN
# CSV excerpt, UK HMT excerpt, UN SC list, GLEIF golden copy/API and GLEIF-derived BODS;
# split by the same hash of the record id, real_pairs.part_of) and from the bundled
# public groups, which are not in the evaluation. Mueller's English-Russian dictionary
# (Debian mueller7-dict, GPL-2+) read for the English words of those names and the English
# words rigour's symbol table tags, and FreeDict's English-Arabic dictionary (Debian
# dict-freedict-eng-ara, GPL-3+) for the same words; pycountry's ISO 3166-1 names for
# CLDR's short country names; rigour's symbol table. Mined words, and the English words
# the dictionaries are read for, are generic: a lower-case word in the glosses of three
# or more CC-CEDICT headwords (proper names are capitalised there); no entry names an
# organisation.
# lang: zh (Han, any variant), ja, ko, ru, ru-Latn (Russian romanised), fa, ar, en (another
# English name), und-Latn (another language in Latin letters).
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--mueller", type=Path, default=MUELLER,
                    help="the Mueller dictionary's dictd files, without suffix")
    ap.add_argument("--no-freedict", action="store_true",
                    help="leave out the Arabic entries taken from FreeDict's English-Arabic "
                         "dictionary (GPL-3+; lexicon_sources_ar.py)")
    ap.add_argument("--no-mueller", action="store_true",
                    help="leave out the entries taken from Mueller's dictionary (GPL-2+); "
                         "its headwords still tell English words apart")
    args = ap.parse_args(argv)
    vocab = english_vocabulary()
    mueller = [] if args.no_mueller else list(mueller_entries(args.data, vocab, args.mueller))
    freedict = [] if args.no_freedict else list(freedict_entries(
        [(w, "English word of dev-part names") for w in sorted(dev_name_words(args.data))]
        + [(w, "English word rigour's symbol table tags") for w in rigour_words(vocab)]))
    entries = _clean([*cldr_entries(), *mined_entries(args.data, vocab), *freedict,
                      *symbol_entries(args.data, vocab), *mueller,
                      *country_entries(), *latin_symbol_entries(args.data, vocab, args.mueller),
                      *alias_entries(args.data, vocab, args.mueller),
                      *country_initials_entries()])
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER)
        fh.write("lang\tword\tenglish\tsource\n")
        for entry in entries:
            fh.write("\t".join(entry) + "\n")
    wg_path = args.out.parent / "wadegiles.tsv"
    with wg_path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("# Pinyin syllables (no tone) in Wade-Giles, compiled by "
                 "benchmarks/build_lexicon.py from\n# pypinyin's Style.WADEGILES over the "
                 "syllables CC-CEDICT writes.\npinyin\twade_giles\tsource\n")
        for row in wade_giles_rows():
            fh.write("\t".join(row) + "\n")
    counts = Counter((e[0], e[3].split(" ", 1)[0]) for e in entries)
    print(f"rigour symbols tagged {len(set(e[1] for e in entries if e[3].startswith('rigour')))}"
          " native words")
    for (lang, source), n in sorted(counts.items()):
        print(f"{lang:8} {source:10} {n}")
    print(f"{len(entries)} entries → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
