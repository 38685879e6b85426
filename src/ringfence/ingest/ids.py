"""Identifiers, entity ids, countries and scripts as every reader needs them.

Entity ids are derived from validated identifiers so that the same company read from
different sources lands on the same id: a valid LEI gives ``lei:<LEI>``. Otherwise a
reader keeps the source's own id behind a prefix (``bods:``, ``ftm:``); CSV ids are kept
as written.

Identifier schemes (the snapshot's ``identifiers.scheme``): ``lei``, ``cn_uscc``,
``ru_ogrn``, ``ru_inn``, ``gb_crn``, ``bic``, ``imo`` (a ship's IMO number),
``reg_XX`` (a registration number in
country ``XX``, not validated and never used to merge), ``merged_id`` (an id this entity
had in a source before it was merged into another id).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import pycountry
from stdnum import bic as _bic
from stdnum import imo as _imo
from stdnum.cn import uscc as _uscc
from stdnum.ru import inn as _inn
from stdnum.ru import ogrn as _ogrn

from ringfence.model.countries import is_country

__all__ = [
    "MERGE_SCHEMES",
    "classify_identifier",
    "country_code",
    "guess_script",
    "is_lei",
    "lei_key",
]

MERGE_SCHEMES = frozenset({"lei", "cn_uscc", "ru_ogrn", "ru_inn", "gb_crn", "imo"})
"""Schemes whose values are validated and unique enough to merge entities on."""

_LEI_SHAPE = re.compile(r"^[0-9A-Z]{18}[0-9]{2}$")
_GB_CRN = re.compile(r"^(?:[0-9]{8}|(?:SC|NI|OC|SO|NC|FC|SF|NF|LP|SL|NL|R0|RC|IP|SP|IC|"
                     r"SI|NP|NV|RS|SZ|ZC|SA|SR|GE|GN|GS|CE|CS|PC|RF|NO|NR)[0-9]{6})$")


_TO_DIGITS = str.maketrans({c: str(ord(c) - 55) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"})


def is_lei(value: str) -> bool:
    """A syntactically valid LEI with correct ISO 7064 MOD 97-10 check digits (the
    same test as ``stdnum.lei``, without its per-call overhead: it runs millions of
    times on a golden copy)."""
    return (len(value) == 20 and bool(_LEI_SHAPE.match(value))
            and int(value.translate(_TO_DIGITS)) % 97 == 1)


def lei_key(value: str) -> str:
    return f"lei:{value}"


_CLEAN = re.compile(r"[\s\-.]")


def _clean(value: str) -> str:
    return _CLEAN.sub("", value).upper()


# org-id.guide scheme codes (BODS) and other spellings → our scheme names
_SCHEME_ALIASES = {
    "xi-lei": "lei", "lei": "lei", "leicode": "lei",
    "gb-coh": "gb_crn", "gb_crn": "gb_crn",
    "ru-inn": "ru_inn", "ru_inn": "ru_inn", "inncode": "ru_inn",
    "ru-ogrn": "ru_ogrn", "ru_ogrn": "ru_ogrn", "ogrncode": "ru_ogrn",
    "cn-uscc": "cn_uscc", "cn_uscc": "cn_uscc", "usccode": "cn_uscc", "uscccode": "cn_uscc",
    "bic": "bic", "swiftbic": "bic", "swift/bic": "bic",
    "imo": "imo",
}


def classify_identifier(scheme_hint: str, value: str, country: str = "") -> tuple[str, str]:
    """Map a source's identifier to ``(scheme, value)``; ``("", "")`` to drop it.

    A recognised scheme is validated: an invalid LEI/USCC/OGRN/INN is kept under
    ``<scheme>_invalid`` (never merged on). An unrecognised scheme (a GLEIF RA code such
    as ``RA000092``, a free-text scheme name) is recognised by the value when it is a
    valid USCC (country CN or unknown) or OGRN/INN (country RU); otherwise it is kept as
    ``reg_<country>`` when the country is known.
    """
    raw = value.strip()
    if not raw:
        return "", ""
    hint = scheme_hint.strip().lower()
    scheme = _SCHEME_ALIASES.get(hint, "")
    val = _clean(raw)
    if scheme == "lei":
        return ("lei", val) if is_lei(val) else ("lei_invalid", raw)
    if scheme == "cn_uscc":
        return ("cn_uscc", val) if _uscc_ok(val) else ("cn_uscc_invalid", raw)
    if scheme == "ru_inn":
        return ("ru_inn", val) if _inn.is_valid(val) else ("ru_inn_invalid", raw)
    if scheme == "ru_ogrn":
        return ("ru_ogrn", val) if _ogrn.is_valid(val) else ("ru_ogrn_invalid", raw)
    if scheme == "gb_crn":
        val = val.zfill(8) if val.isdigit() else val
        return ("gb_crn", val) if _GB_CRN.match(val) else ("gb_crn_invalid", raw)
    if scheme == "bic":
        if hint in ("swift/bic",):  # a designation list's BIC: checked by its shape
            return ("bic", val) if _bic.is_valid(val) else ("bic_invalid", raw)
        return "bic", val
    if scheme == "imo":
        return ("imo", _imo.compact(val)) if _imo.is_valid(val) else ("imo_invalid", raw)
    if len(val) == 18 and country in ("", "CN") and _uscc_ok(val):
        return "cn_uscc", val
    if country == "RU" and val.isdigit():
        if len(val) in (13, 15) and _ogrn.is_valid(val):
            return "ru_ogrn", val
        if len(val) in (10, 12) and _inn.is_valid(val):
            return "ru_inn", val
    if country == "GB":
        crn = val.zfill(8) if val.isdigit() and len(val) <= 8 else val
        if _GB_CRN.match(crn):
            return "gb_crn", crn
    if country:
        return f"reg_{country.lower()}", raw
    if hint:
        return re.sub(r"[^a-z0-9]+", "_", hint).strip("_") or "other", raw
    return "", ""


def _uscc_ok(val: str) -> bool:
    try:
        return bool(_uscc.is_valid(val))
    except Exception:
        return False


# -- countries -------------------------------------------------------------------------

_STOP = {"of", "the", "and", "republic", "rep"}


def _words(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(sorted(w for w in re.split(r"[^a-z]+", folded) if w and w not in _STOP))


@cache
def _country_names() -> dict[str, str]:
    index: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            name = getattr(c, attr, None)
            if name:
                index.setdefault(_words(name), c.alpha_2)
    extra = {
        "UK": "GB", "Great Britain": "GB", "England": "GB", "Scotland": "GB",
        "Wales": "GB", "Northern Ireland": "GB", "USA": "US", "United States": "US",
        "Russia": "RU", "Iran": "IR", "North Korea": "KP", "South Korea": "KR",
        "Korea": "KR", "Hong Kong": "HK", "Macau": "MO", "Macao": "MO", "Taiwan": "TW",
        "China": "CN", "Mainland China": "CN", "PRC": "CN", "Vietnam": "VN",
        "Syria": "SY", "Laos": "LA", "Moldova": "MD", "Tanzania": "TZ", "Bolivia": "BO",
        "Venezuela": "VE", "Czech Republic": "CZ", "Turkey": "TR", "Kosovo": "XK",
        "Cayman Islands": "KY", "British Virgin Islands": "VG", "Jersey": "JE",
        "Guernsey": "GG", "Isle of Man": "IM",
    }
    for name, code in extra.items():
        index[_words(name)] = code
    return index


def country_code(value: object) -> str | None:
    """A country given as code, object ``{code, name}`` or full name → ISO alpha-2.

    ``""`` when nothing is given; ``None`` when something is given but not recognised.
    Subdivision codes (``US-DE``) give their country.
    """
    if isinstance(value, dict):
        code = value.get("code")
        if isinstance(code, str) and code.strip():
            got = country_code(code)
            if got:
                return got
        name = value.get("name")
        return country_code(name) if isinstance(name, str) else ("" if not code else None)
    if not isinstance(value, str):
        return "" if value is None else None
    text = value.strip()
    if not text:
        return ""
    if len(text) <= 6 and re.fullmatch(r"[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?", text):
        code = text[:2].upper()
        return code if is_country(code) else None
    if len(text) == 3 and text.isalpha():
        found = pycountry.countries.get(alpha_3=text.upper())
        if found is not None:
            return str(found.alpha_2)
    return _country_names().get(_words(text))


# -- scripts ---------------------------------------------------------------------------

_SCRIPT_PREFIX = (
    ("CJK", "Hani"), ("HIRAGANA", "Jpan"), ("KATAKANA", "Jpan"), ("HANGUL", "Hang"),
    ("CYRILLIC", "Cyrl"), ("GREEK", "Grek"), ("ARABIC", "Arab"), ("HEBREW", "Hebr"),
    ("THAI", "Thai"), ("DEVANAGARI", "Deva"), ("GEORGIAN", "Geor"), ("ARMENIAN", "Armn"),
    ("LATIN", "Latn"),
)


def guess_script(text: str) -> str:
    """ISO 15924 code of the first letter that is not ASCII (``Latn`` for ASCII text)."""
    if text.isascii():  # an ASCII letter is exactly what upper- and lower-casing change
        return "Latn" if text.upper() != text.lower() else ""
    for ch in text:
        if ch.isalpha() and not ch.isascii():
            name = unicodedata.name(ch, "")
            for prefix, script in _SCRIPT_PREFIX:
                if name.startswith(prefix):
                    return script
            return ""
    return "Latn"
