"""The rule that labels a list alias without string evidence (``list_alias_other``,
benchmarks/alias_evidence.py) reads the two names only: aliases sharing a word, a
spelling of one, or an acronym either way keep ``list_alias``; renames, nicknames and
translations that share nothing do not."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _module() -> ModuleType:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location(
        "alias_evidence", ROOT / "benchmarks" / "alias_evidence.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


ev = _module()
FORMS = frozenset({"jsc", "ojsc", "oao", "ooo", "ltd", "co", "company", "limited", "zao"})


@pytest.mark.parametrize(("alias", "primary"), [
    ("ROSNEFT", "OPEN JOINT-STOCK COMPANY ROSNEFT OIL COMPANY"),  # a shared word
    ("BANK OF RUSSIA, CENTRAL BANK", "CENTRAL BANK OF THE RUSSIAN FEDERATION"),  # reordered
    ("TRANSNEFT SIBIRIA, JSC", "TRANSNEFT-SIBIR, AO"),  # a spelling of a word
    ("AKTSIONERNOE OBSHCHESTVO KOMMERCHESKI BANK GLOBEKS", "GLOBEXBANK"),  # shared start
    ("ZAO SNGB", "JOINT STOCK COMPANY SURGUTNEFTEGASBANK"),  # a syllable acronym
    ("BANK GPB JSC", "GAZPROMBANK JOINT STOCK COMPANY"),
    ("VO TEKHNOPROMEKSPORT, OAO", "VNESHNEEKONOMICHESKOE OBEDINENIE TEKHNOPROMEKSPORT"),
    ("FSUE SRPE BAZALT", "FEDERAL STATE UNITARY ENTERPRISE STATE RESEARCH AND PRODUCTION"),
    ("Al Qa’ida/Islamic Army", "AL-QAIDA"),  # a word split by an apostrophe
    ("ВЭБ.РФ", "VEB.RF"),  # read through ICU's Latin transliteration
    ("IRAN AIRCRAFT MANUFACTURING COMPANY", "IAMC"),  # an acronym the other way
])
def test_string_evidence_keeps_list_alias(alias: str, primary: str) -> None:
    assert ev.has_string_evidence(alias, primary, FORMS)
    assert ev.has_string_evidence(primary, alias, FORMS)  # symmetric


@pytest.mark.parametrize(("alias", "primary"), [
    ("Boko Haram", "JAMA'ATU AHLIS SUNNA LIDDA'AWATI WAL-JIHAD"),  # a nickname
    ("RUSSIAN HELICOPTERS JSC", "VERTOLETY ROSSII AO"),  # a translation sharing no word
    ('"The Base"', "AL-QAIDA"),
    ("JINDALLAE", "GREEN PINE ASSOCIATED CORPORATION"),  # a rename
    ("OOO ALFA", "ZAO OMEGA"),  # legal forms and stopwords are not evidence
])
def test_no_string_evidence_is_list_alias_other(alias: str, primary: str) -> None:
    assert not ev.has_string_evidence(alias, primary, FORMS)
    assert not ev.has_string_evidence(primary, alias, FORMS)
