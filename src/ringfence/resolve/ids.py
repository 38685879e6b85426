"""Registry identifiers: strip labels and separators, validate, compare.

Validation is python-stdnum's (LEI ISO 17442, USCC GB 32100-2015, OGRN, INN, UEN, BIC).
UK company numbers have a format check; ``reg_XX`` schemes (any country's register) are
opaque strings compared after compaction.

Comparison rules: the same valid identifier in the same scheme is the same legal person,
whatever the names say; two different valid identifiers in the same scheme are strong
evidence of different legal persons (a parent and its subsidiary share a name, never a
registration number); identifiers of different schemes are not comparable.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from ringfence.exc import InputError

__all__ = [
    "SCHEMES",
    "IdOutcome",
    "ParsedId",
    "compare_ids",
    "parse_id",
    "parse_id_ref",
]

_LABELS = re.compile(  # one label or several ("ИНН/INN", "SWIFT/BIC"), after NFKC
    r"^\s*(?:(?:uscc|统一社会信用代码|統一社會信用代碼|инн|огрн|огрнип|inn|ogrn|lei|uen|bic|"
    r"swift|crn|company\s*(?:no|number)|reg(?:istration)?\s*(?:no|number))\s*[.:#№/]*\s*)+",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[\s\-./:_·,]+")


def _stdnum(module: str) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        import importlib

        mod = importlib.import_module(f"stdnum.{module}")
        return bool(mod.is_valid(value))

    return check


def _gb_crn(value: str) -> bool:
    return bool(re.fullmatch(r"(?:\d{8}|[A-Z]{2}\d{6})", value))


SCHEMES: dict[str, Callable[[str], bool]] = {
    "lei": _stdnum("lei"),
    "cn_uscc": _stdnum("cn.uscc"),
    "ru_ogrn": _stdnum("ru.ogrn"),
    "ru_inn": _stdnum("ru.inn"),
    "sg_uen": _stdnum("sg.uen"),
    "bic": _stdnum("bic"),
    "gb_crn": _gb_crn,
}


@dataclass(frozen=True, slots=True)
class ParsedId:
    scheme: str
    value: str  # compact, upper-case
    raw: str
    valid: bool

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


def _check_scheme(scheme: str) -> str:
    s = scheme.strip().casefold()
    if s in SCHEMES or re.fullmatch(r"reg_[a-z]{2}", s):
        return s
    known = ", ".join([*SCHEMES, "reg_XX"])
    raise InputError(f"unknown identifier scheme {scheme!r} (known: {known})")


def parse_id(scheme: str, raw: str) -> ParsedId:
    """Compact and validate ``raw`` under ``scheme``; unknown schemes are an InputError."""
    s = _check_scheme(scheme)
    # NFKC first: full-width digits and colons (９１１…, 统一社会信用代码：) as typed in CJK
    text = unicodedata.normalize("NFKC", raw).strip()
    value = _SEPARATORS.sub("", _LABELS.sub("", text)).upper()
    if s == "gb_crn" and value.isdigit() and len(value) < 8:
        value = value.zfill(8)
    check = SCHEMES.get(s)
    valid = bool(value) and (check(value) if check else True)
    return ParsedId(scheme=s, value=value, raw=raw, valid=valid)


def parse_id_ref(ref: str) -> ParsedId:
    """Parse ``SCHEME:VALUE`` (``cn_uscc:91110000710925462X``)."""
    scheme, sep, value = ref.partition(":")
    if not sep or not value.strip():
        raise InputError(f"identifier {ref!r} must be written SCHEME:VALUE, e.g. lei:529900...")
    return parse_id(scheme, value)


class IdOutcome(StrEnum):
    SAME = "same"  # a shared valid identifier: the same legal person
    CONFLICT = "conflict"  # same scheme, different valid values, none shared
    NONE = "none"  # nothing comparable


def compare_ids(
    a: tuple[ParsedId, ...], b: tuple[ParsedId, ...]
) -> tuple[IdOutcome, ParsedId | None, ParsedId | None]:
    """Compare two identifier sets; returns the outcome and the pair that decided it."""
    conflict: tuple[ParsedId, ParsedId] | None = None
    for x in a:
        if not x.valid:
            continue
        for y in b:
            if not y.valid or x.scheme != y.scheme:
                continue
            if x.value == y.value:
                return IdOutcome.SAME, x, y
            conflict = conflict or (x, y)
    if conflict:
        return IdOutcome.CONFLICT, conflict[0], conflict[1]
    return IdOutcome.NONE, None, None
