"""GLEIF: LEI-CDF 3.1 (Level 1), RR-CDF 2.1 (Level 2 relationships) and Reporting
Exceptions 2.1, as golden-copy XML, golden-copy CSV or API v1 JSON.

XML is streamed with ``lxml.etree.iterparse`` and each record cleared once read, so
memory does not grow with the file. The format of each file is sniffed from its content.

What each fact becomes (see docs/ingest.md for the reasons):

- LEI record → entity ``lei:<LEI>``; HQ country from ``HeadquartersAddress/Country``;
  jurisdiction from ``LegalJurisdiction`` (else the legal address); every name in every
  script (legal, other, transliterated); identifiers: the LEI, the register number
  (``RegistrationAuthorityEntityID``, recognised as USCC/OGRN/INN/UK company number when
  it validates), BICs from the API.
- ``IS_DIRECTLY_CONSOLIDATED_BY`` → parent holds ``control`` of a majority (more than
  50%, up to 100%) and ``shares`` of unknown size (0–100%): accounting consolidation
  says control, not how much equity.
- ``IS_ULTIMATELY_CONSOLIDATED_BY`` → evidence only (it restates a chain of direct
  edges); fund links (``IS_FUND-MANAGED_BY``, ``IS_SUBFUND_OF``, ``IS_FEEDER_TO``) →
  evidence only (not ownership).
- ``IS_INTERNATIONAL_BRANCH_OF`` → the head office holds 100% of the branch's shares
  (same legal person: whoever owns the head office owns the branch).
- Reporting exception for the direct parent → an undisclosed owner (see
  :func:`exception_holdings`); for the ultimate parent → evidence only.

One module per format: ``xml`` (golden copy, streamed), ``golden_csv``, ``api`` (API
JSON); ``records`` holds what they share (code lists, the holdings a relationship or an
exception stands for, the :class:`~ringfence.ingest.gleif.records.Emitter` that checks a
record and stages its rows); ``reader`` sniffs each file and dispatches; ``parallel``
cuts large XML at record boundaries for worker processes.
"""

from ringfence.ingest.gleif.reader import read_gleif, sniff
from ringfence.ingest.gleif.records import (
    EXCEPTION_REASONS,
    RELATIONSHIP_TYPES,
    Bad,
    exception_holdings,
    relationship_holdings,
)

__all__ = [
    "EXCEPTION_REASONS",
    "RELATIONSHIP_TYPES",
    "Bad",
    "exception_holdings",
    "read_gleif",
    "relationship_holdings",
    "sniff",
]
