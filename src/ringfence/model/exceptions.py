"""GLEIF reporting exceptions as statements: what each reason says of the undisclosed
parent it stands for.

GLEIF's Level 2 data asks every LEI holder for its direct and its ultimate accounting
consolidating parent; where it reports none, a reporting exception names one of the LEI
ROC's reasons (Reporting Exceptions format 2.1; ROC policy "PNI data collection and
opt-outs to parent relationship reporting"). Each reason is a statement about the parent
that is not reported, and this module is the one place those statements are written
down (docs/ingest.md, "Reporting exceptions"):

- ``kind``: what the parent is: ``legal_entity``, ``persons`` (natural persons), or
  ``none`` (no controller at all);
- ``control``: whether the statement says someone controls the entity (a majority);
- ``max_share``: ``"half"`` when it rules out any holder of more than half;
- ``family``: the ROC's grouping: ``non_consolidating`` (the consolidation definition
  does not apply: NATURAL_PERSONS, NON_CONSOLIDATING, NO_KNOWN_PERSON), ``non_public``
  (a parent exists and is withheld) or ``no_lei`` (a parent exists without an LEI).

An undisclosed parent becomes an owner entity whose id carries its statement, so that
attribution can read it without another column: ``unknown:<owned id>:<label>`` where the
label is ``direct-parent:<REASON>``, optionally followed by what the other category
says: ``~ultimate=<REASON>`` (the ultimate parent is an exception too) or
``~ultimate=reported`` (the ultimate parent is a named entity). :func:`owner_label`
writes labels, :func:`parse_undisclosed` reads ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "NON_CONSOLIDATING_FAMILY",
    "REASONS",
    "STATEMENTS",
    "ExceptionStatement",
    "Undisclosed",
    "canonical_reason",
    "owner_label",
    "parse_undisclosed",
    "reason_field",
]

Kind = Literal["legal_entity", "persons", "none"]
Family = Literal["non_consolidating", "non_public", "no_lei"]


@dataclass(frozen=True)
class ExceptionStatement:
    """What one reporting-exception reason states about the unreported parent."""

    reason: str
    family: Family
    kind: Kind
    control: bool  # someone (of ``kind``) controls the entity
    max_share: Literal["any", "half"]  # "half": no holder of more than half
    words: str  # the reason in GLEIF's / the ROC's terms

    @property
    def rules_out(self) -> str:
        """Which holdings the statement rules out, in words."""
        if self.kind == "persons":
            return "a legal entity (company, state, fund) in control"
        if self.kind == "none":
            return "any holder of more than half, and any controller"
        if self.family == "non_consolidating":
            return "natural persons in control; a consolidating parent"
        return "nothing about who the parent is: only that it is not disclosed"


_NP = "the relationship information is non-public"
STATEMENTS: dict[str, ExceptionStatement] = {s.reason: s for s in (
    ExceptionStatement("NATURAL_PERSONS", "non_consolidating", "persons", True, "any",
                       "controlled by natural person(s) without any intermediate "
                       "legal entity"),
    ExceptionStatement("NON_CONSOLIDATING", "non_consolidating", "legal_entity", True, "any",
                       "controlled by legal entities not subject to consolidation"),
    ExceptionStatement("NO_KNOWN_PERSON", "non_consolidating", "none", False, "half",
                       "no known person controls the entity (e.g. diverse shareholders)"),
    ExceptionStatement("NON_PUBLIC", "non_public", "legal_entity", True, "any", _NP),
    ExceptionStatement("BINDING_LEGAL_COMMITMENTS", "non_public", "legal_entity", True, "any",
                       _NP + ": laws or regulations of a jurisdiction restrict reporting"),
    ExceptionStatement("LEGAL_OBSTACLES", "non_public", "legal_entity", True, "any",
                       _NP + ": other legal constraints (articles, a contract)"),
    ExceptionStatement("DISCLOSURE_DETRIMENTAL", "non_public", "legal_entity", True, "any",
                       _NP + ": disclosure would be detrimental to the entity or parent"),
    ExceptionStatement("DETRIMENT_NOT_EXCLUDED", "non_public", "legal_entity", True, "any",
                       _NP + ": detriment from disclosure cannot be excluded"),
    ExceptionStatement("CONSENT_NOT_OBTAINED", "non_public", "legal_entity", True, "any",
                       _NP + ": the parent's consent to disclose was not obtained"),
    ExceptionStatement("NO_LEI", "no_lei", "legal_entity", True, "any",
                       "the parent does not consent to obtain an LEI or to let its child "
                       "obtain one on its behalf"),
)}
REASONS: tuple[str, ...] = tuple(STATEMENTS)
NON_CONSOLIDATING_FAMILY = frozenset(r for r, s in STATEMENTS.items()
                                     if s.family == "non_consolidating")
_SPELLINGS = {"DISCOLSURE_DETRIMENTAL": "DISCLOSURE_DETRIMENTAL"}  # GLEIF's old typo


def canonical_reason(reason: str) -> str:
    """The reason as :data:`STATEMENTS` spells it (GLEIF once misspelt one); raises
    ``KeyError`` for a reason that is not GLEIF's."""
    r = _SPELLINGS.get(reason, reason)
    if r not in STATEMENTS:
        raise KeyError(reason)
    return r


def reason_field(reason: str) -> str:
    """The policy setting that decides a reason: ``reporting_exceptions.<this>``."""
    return reason.lower()


def owner_label(category: Literal["direct", "ultimate"], reason: str) -> str:
    """The undisclosed owner's label (the last part of its entity id)."""
    return f"{category}-parent:{canonical_reason(reason)}"


@dataclass(frozen=True)
class Undisclosed:
    """An undisclosed parent read back from its entity id."""

    owned: str
    category: Literal["direct", "ultimate"]
    statement: ExceptionStatement
    ultimate: str  # "" (not known), "reported", or the ultimate category's reason

    @property
    def ultimate_statement(self) -> ExceptionStatement | None:
        return STATEMENTS.get(self.ultimate)


def parse_undisclosed(entity_id: str) -> Undisclosed | None:
    """The statement an undisclosed owner's id carries, or ``None`` for any other id
    (an unspecified BODS party, an unknown owner of the CSV contract, a company)."""
    if not entity_id.startswith(("unknown:", "persons:")):
        return None
    head, sep, tail = entity_id.rpartition("-parent:")
    if not sep:
        return None
    owned_and_cat = head.split(":", 1)[1] if ":" in head else ""
    owned, _, cat = owned_and_cat.rpartition(":")
    if cat not in ("direct", "ultimate"):
        return None
    reason, _, other = tail.partition("~ultimate=")
    statement = STATEMENTS.get(reason)
    if statement is None:
        return None
    return Undisclosed(owned, "direct" if cat == "direct" else "ultimate", statement, other)
