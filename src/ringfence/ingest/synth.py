"""Schema-shaped synthetic GLEIF and BODS files, written fast from string templates.

For benchmarks and tests only: names and numbers are made up, LEIs carry valid check
digits, the structure follows LEI-CDF 3.1, RR-CDF 2.1, RepEx 2.1 and BODS 0.4.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

__all__ = ["REASON_WEIGHTS", "make_lei", "write_bods", "write_lei_xml", "write_repex_xml",
           "write_rr_xml"]

_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_COUNTRIES = ("US", "GB", "DE", "FR", "CN", "HK", "JP", "NL", "LU", "KY", "RU", "SG", "CH",
              "IT", "ES", "IE", "CA", "AU", "IN", "BR")


def make_lei(n: int) -> str:
    """The ``n``-th synthetic LEI: prefix ``5299``, 14 base-36 digits, valid check."""
    body = []
    x = n
    for _ in range(14):
        x, r = divmod(x, 36)
        body.append(_ALNUM[r])
    base = "5299" + "".join(reversed(body))
    digits = "".join(str(int(c, 36)) for c in base + "00")
    return f"{base}{98 - int(digits) % 97:02d}"


_LEI_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<lei:LEIData '
             'xmlns:lei="http://www.gleif.org/data/schema/leidata/2016" '
             'xmlns:gleif="http://www.gleif.org/data/schema/golden-copy/extensions/1.0">\n'
             '<lei:LEIHeader><lei:ContentDate>2024-06-06T08:00:00Z</lei:ContentDate>'
             '<lei:FileContent>GLEIF_FULL_PUBLISHED</lei:FileContent>'
             '<lei:RecordCount>{n}</lei:RecordCount></lei:LEIHeader>\n<lei:LEIRecords>\n')
_LEI_REC = """<lei:LEIRecord>
   <lei:LEI>{lei}</lei:LEI>
   <lei:Entity>
      <lei:LegalName xml:lang="en">SYNTHETIC HOLDINGS {i} LIMITED</lei:LegalName>
      <lei:OtherEntityNames>
         <lei:OtherEntityName xml:lang="zh" type="ALTERNATIVE_LANGUAGE_LEGAL_NAME">\
合成控股{i}有限公司</lei:OtherEntityName>
      </lei:OtherEntityNames>
      <lei:TransliteratedOtherEntityNames>
         <lei:TransliteratedOtherEntityName xml:lang="en" \
type="AUTO_ASCII_TRANSLITERATED_LEGAL_NAME">HECHENG KONGGU {i} YOUXIAN GONGSI\
</lei:TransliteratedOtherEntityName>
      </lei:TransliteratedOtherEntityNames>
      <lei:LegalAddress xml:lang="en">
         <lei:FirstAddressLine>{i} Registered Street</lei:FirstAddressLine>
         <lei:City>Legal City</lei:City>
         <lei:Country>{legal}</lei:Country>
         <lei:PostalCode>10{i4}</lei:PostalCode>
      </lei:LegalAddress>
      <lei:HeadquartersAddress xml:lang="en">
         <lei:FirstAddressLine>{i} Head Office Road</lei:FirstAddressLine>
         <lei:City>HQ City</lei:City>
         <lei:Country>{hq}</lei:Country>
         <lei:PostalCode>20{i4}</lei:PostalCode>
      </lei:HeadquartersAddress>
      <lei:RegistrationAuthority>
         <lei:RegistrationAuthorityID>RA000585</lei:RegistrationAuthorityID>
         <lei:RegistrationAuthorityEntityID>HRB{i}</lei:RegistrationAuthorityEntityID>
      </lei:RegistrationAuthority>
      <lei:LegalJurisdiction>{legal}</lei:LegalJurisdiction>
      <lei:EntityCategory>GENERAL</lei:EntityCategory>
      <lei:LegalForm>
         <lei:EntityLegalFormCode>8888</lei:EntityLegalFormCode>
         <lei:OtherLegalForm>LIMITED</lei:OtherLegalForm>
      </lei:LegalForm>
      <lei:EntityStatus>ACTIVE</lei:EntityStatus>
   </lei:Entity>
   <lei:Registration>
      <lei:InitialRegistrationDate>2014-01-01T00:00:00Z</lei:InitialRegistrationDate>
      <lei:LastUpdateDate>2024-01-01T00:00:00Z</lei:LastUpdateDate>
      <lei:RegistrationStatus>ISSUED</lei:RegistrationStatus>
      <lei:NextRenewalDate>2025-01-01T00:00:00Z</lei:NextRenewalDate>
      <lei:ManagingLOU>5299000J2N45DDNE4Y28</lei:ManagingLOU>
      <lei:ValidationSources>FULLY_CORROBORATED</lei:ValidationSources>
   </lei:Registration>
   <lei:Extension><gleif:Geocoding><gleif:lat>1.0</gleif:lat></gleif:Geocoding></lei:Extension>
</lei:LEIRecord>
"""

_RR_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<rr:RelationshipData '
            'xmlns:rr="http://www.gleif.org/data/schema/rr/2016">\n<rr:Header>'
            '<rr:ContentDate>2024-06-06T08:00:00Z</rr:ContentDate>'
            '<rr:FileContent>GLEIF_FULL_PUBLISHED</rr:FileContent>'
            '<rr:RecordCount>{n}</rr:RecordCount></rr:Header>\n<rr:RelationshipRecords>\n')
_RR_REC = """<rr:RelationshipRecord>
   <rr:Relationship>
      <rr:StartNode><rr:NodeID>{child}</rr:NodeID><rr:NodeIDType>LEI</rr:NodeIDType></rr:StartNode>
      <rr:EndNode><rr:NodeID>{parent}</rr:NodeID><rr:NodeIDType>LEI</rr:NodeIDType></rr:EndNode>
      <rr:RelationshipType>{rtype}</rr:RelationshipType>
      <rr:RelationshipPeriods>
         <rr:RelationshipPeriod><rr:StartDate>2015-01-01T00:00:00Z</rr:StartDate><rr:PeriodType>RELATIONSHIP_PERIOD</rr:PeriodType></rr:RelationshipPeriod>
         <rr:RelationshipPeriod><rr:StartDate>2023-01-01T00:00:00Z</rr:StartDate><rr:EndDate>2023-12-31T00:00:00Z</rr:EndDate><rr:PeriodType>ACCOUNTING_PERIOD</rr:PeriodType></rr:RelationshipPeriod>
      </rr:RelationshipPeriods>
      <rr:RelationshipStatus>ACTIVE</rr:RelationshipStatus>
      <rr:RelationshipQualifiers><rr:RelationshipQualifier><rr:QualifierDimension>ACCOUNTING_STANDARD</rr:QualifierDimension><rr:QualifierCategory>IFRS</rr:QualifierCategory></rr:RelationshipQualifier></rr:RelationshipQualifiers>
   </rr:Relationship>
   <rr:Registration>
      <rr:InitialRegistrationDate>2017-01-01T00:00:00Z</rr:InitialRegistrationDate>
      <rr:LastUpdateDate>2024-01-01T00:00:00Z</rr:LastUpdateDate>
      <rr:RegistrationStatus>PUBLISHED</rr:RegistrationStatus>
      <rr:NextRenewalDate>2025-01-01T00:00:00Z</rr:NextRenewalDate>
      <rr:ManagingLOU>5299000J2N45DDNE4Y28</rr:ManagingLOU>
      <rr:ValidationSources>FULLY_CORROBORATED</rr:ValidationSources>
      <rr:ValidationDocuments>ACCOUNTS_FILING</rr:ValidationDocuments>
   </rr:Registration>
</rr:RelationshipRecord>
"""

_REPEX_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<repex:ReportingExceptionData '
               'xmlns:repex="http://www.gleif.org/data/schema/repex/2016">\n<repex:Header>'
               '<repex:ContentDate>2024-06-06T08:00:00Z</repex:ContentDate>'
               '<repex:FileContent>GLEIF_FULL_PUBLISHED</repex:FileContent>'
               '<repex:RecordCount>{n}</repex:RecordCount></repex:Header>\n'
               '<repex:ReportingExceptions>\n')
_REPEX_REC = """<repex:Exception>
   <repex:LEI>{lei}</repex:LEI>
   <repex:ExceptionCategory>{cat}</repex:ExceptionCategory>
   <repex:ExceptionReason>{reason}</repex:ExceptionReason>
</repex:Exception>
"""
# How often each reason occurs: the 33 distinct (LEI, category) exceptions of the GLEIF
# sample shipped with the project (golden-copy XML and API JSON under data/gleif): 14
# NO_KNOWN_PERSON, 10 NON_CONSOLIDATING, 6 NATURAL_PERSONS, 2 NON_PUBLIC, 1 NO_LEI. A small
# sample, not GLEIF's published statistics (none were found to cite); BENCHMARKS.md says so.
REASON_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("NO_KNOWN_PERSON", 14), ("NON_CONSOLIDATING", 10), ("NATURAL_PERSONS", 6),
    ("NON_PUBLIC", 2), ("NO_LEI", 1))
_REASON_SLOTS = tuple(r for r, w in REASON_WEIGHTS for _ in range(w))


def _write(path: Path, head: str, tail: str, rows: object) -> None:
    with path.open("w", encoding="utf-8", buffering=1 << 22) as fh:
        fh.write(head)
        chunk: list[str] = []
        for row in rows:  # type: ignore[attr-defined]
            chunk.append(row)
            if len(chunk) >= 10_000:
                fh.write("".join(chunk))
                chunk.clear()
        fh.write("".join(chunk))
        fh.write(tail)


def write_lei_xml(path: Path, n: int) -> None:
    """``n`` Level 1 records, LEIs ``make_lei(0..n-1)``."""
    _write(path, _LEI_HEAD.format(n=n), "</lei:LEIRecords>\n</lei:LEIData>\n",
           (_LEI_REC.format(lei=make_lei(i), i=i, i4=i % 10_000,
                            legal=_COUNTRIES[i % len(_COUNTRIES)],
                            hq=_COUNTRIES[(i * 7) % len(_COUNTRIES)]) for i in range(n)))


def write_rr_xml(path: Path, n: int, *, entities: int) -> None:
    """``n`` relationships among entities ``0..entities-1``: child ``i`` (from 1) under
    a parent with a lower number (a forest, no cycles); mostly direct consolidation,
    some ultimate, branch and fund links."""
    rnd = random.Random(7)
    types = (["IS_DIRECTLY_CONSOLIDATED_BY"] * 6 + ["IS_ULTIMATELY_CONSOLIDATED_BY"] * 3
             + ["IS_FUND-MANAGED_BY"])

    def rows() -> object:
        for k in range(n):
            child = 1 + (k % (entities - 1))
            parent = rnd.randrange(0, child)
            rtype = types[k % len(types)] if k < entities - 1 else "IS_FUND-MANAGED_BY"
            yield _RR_REC.format(child=make_lei(child), parent=make_lei(parent), rtype=rtype)

    _write(path, _RR_HEAD.format(n=n), "</rr:RelationshipRecords>\n</rr:RelationshipData>\n",
           rows())


def write_repex_xml(path: Path, n: int, *, entities: int) -> None:
    """``n`` exceptions: the direct and ultimate category for entities from the top of
    the numbering down (those are not children in :func:`write_rr_xml`'s direct links
    only by chance, which is what real data looks like too). An entity gives the same
    reason for both categories, drawn in the proportions of :data:`REASON_WEIGHTS`."""
    slots = len(_REASON_SLOTS)

    def rows() -> object:
        for k in range(n):
            i = entities - 1 - (k // 2) % entities
            cat = ("DIRECT_ACCOUNTING_CONSOLIDATION_PARENT" if k % 2 == 0
                   else "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT")
            reason = _REASON_SLOTS[(i * 7919) % slots]
            yield _REPEX_REC.format(lei=make_lei(i), cat=cat, reason=reason)

    _write(path, _REPEX_HEAD.format(n=n),
           "</repex:ReportingExceptions>\n</repex:ReportingExceptionData>\n", rows())


def write_bods(path: Path, n_companies: int) -> None:
    """BODS 0.4 JSON Lines: per company an entity and, for all but the first, a
    shareholding relationship from a lower-numbered company (a UK PSC band)."""
    pub = {"publicationDate": "2025-01-01", "bodsVersion": "0.4",
           "publisher": {"name": "synthetic"}}
    with path.open("w", encoding="utf-8", buffering=1 << 22) as fh:
        for i in range(n_companies):
            ent = {"statementId": f"s-e-{i:012d}", "recordId": f"GB-COH-{i:08d}",
                   "recordType": "entity", "recordStatus": "new",
                   "statementDate": "2024-01-01", "declarationSubject": f"GB-COH-{i:08d}",
                   "publicationDetails": pub,
                   "recordDetails": {"isComponent": False,
                                     "entityType": {"type": "registeredEntity"},
                                     "name": f"SYNTHETIC {i} LTD",
                                     "jurisdiction": {"name": "United Kingdom", "code": "GB"},
                                     "identifiers": [{"id": f"{i:08d}", "scheme": "GB-COH"}],
                                     "addresses": [{"type": "business", "address": "x",
                                                    "country": {"code": "GB"}}]}}
            fh.write(json.dumps(ent) + "\n")
            if i:
                rel = {"statementId": f"s-r-{i:012d}", "recordId": f"GB-COH-REL-{i:08d}",
                       "recordType": "relationship", "recordStatus": "new",
                       "statementDate": "2024-01-01",
                       "declarationSubject": f"GB-COH-{i:08d}", "publicationDetails": pub,
                       "recordDetails": {
                           "isComponent": False, "subject": f"GB-COH-{i:08d}",
                           "interestedParty": f"GB-COH-{(i - 1) // 2:08d}",
                           "interests": [{"type": "shareholding",
                                          "directOrIndirect": "direct",
                                          "share": {"minimum": 75, "maximum": 100},
                                          "startDate": "2020-01-01"}]}}
                fh.write(json.dumps(rel) + "\n")
