"""GLEIF reporting exceptions through to verdicts: a widely held company (NO_KNOWN_PERSON)
clears a ``> 50%`` policy and stays REVIEW under an inclusive ``>= 50%`` one; a
non-consolidating parent (NON_CONSOLIDATING) stays REVIEW under both."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ringfence.attribution import CLEAR, UNCERTAIN, attribute
from ringfence.ingest.gleif import exception_holdings
from ringfence.ingest.synth import make_lei
from ringfence.model import SCALE, HoldingKind, Share
from ringfence.policy.loader import load_policy, resolve
from ringfence.snapshot import open_snapshot

WIDELY_HELD, NON_CONS = make_lei(11), make_lei(12)


def test_exception_holdings_table() -> None:
    assert exception_holdings("NO_KNOWN_PERSON") == (
        "unknown", [(HoldingKind.SHARES, Share(0, SCALE // 2))])
    assert exception_holdings("NON_CONSOLIDATING") == (
        "unknown", [(HoldingKind.SHARES, Share(0, SCALE))])


def _lei_record(lei: str, name: str) -> str:
    return f"""<lei:LEIRecord><lei:LEI>{lei}</lei:LEI><lei:Entity>
<lei:LegalName>{name}</lei:LegalName>
<lei:LegalAddress><lei:FirstAddressLine>1 St</lei:FirstAddressLine><lei:City>X</lei:City>
<lei:Country>DE</lei:Country></lei:LegalAddress>
<lei:HeadquartersAddress><lei:FirstAddressLine>1 St</lei:FirstAddressLine>
<lei:City>X</lei:City><lei:Country>DE</lei:Country></lei:HeadquartersAddress>
</lei:Entity><lei:Registration><lei:LastUpdateDate>2024-01-01T00:00:00Z</lei:LastUpdateDate>
</lei:Registration></lei:LEIRecord>"""


@pytest.mark.parametrize(("inclusive", "widely_held"), [(False, CLEAR), (True, UNCERTAIN)])
def test_no_known_person_verdicts(ingest, tmp_path: Path, inclusive: bool,
                                  widely_held: int) -> None:
    lei = tmp_path / "lei.xml"
    lei.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<lei:LEIData xmlns:lei='
                   '"http://www.gleif.org/data/schema/leidata/2016"><lei:LEIRecords>'
                   + _lei_record(WIDELY_HELD, "Widely Held AG")
                   + _lei_record(NON_CONS, "Some Subsidiary GmbH")
                   + "</lei:LEIRecords></lei:LEIData>\n")
    repex = tmp_path / "repex.xml"
    repex.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<repex:ReportingExceptionData xmlns:repex='
        '"http://www.gleif.org/data/schema/repex/2016"><repex:ReportingExceptions>'
        + "".join(f"<repex:Exception><repex:LEI>{x}</repex:LEI><repex:ExceptionCategory>"
                  "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT</repex:ExceptionCategory>"
                  f"<repex:ExceptionReason>{r}</repex:ExceptionReason></repex:Exception>"
                  for x, r in ((WIDELY_HELD, "NO_KNOWN_PERSON"),
                               (NON_CONS, "NON_CONSOLIDATING")))
        + "</repex:ReportingExceptions></repex:ReportingExceptionData>\n")
    snap = ingest(("gleif", [lei, repex]))
    ents, holds = open_snapshot(snap.root).graph()
    settings = resolve(load_policy("provider-terms"), dt.date(2025, 10, 1)).settings
    assert settings.unknown_ownership == "review"
    settings = settings.model_copy(update={"ownership": settings.ownership.model_copy(
        update={"inclusive": inclusive})})
    result = attribute(ents, holds, settings, dt.date(2025, 10, 1))
    ids = list(ents.ids)
    assert result.verdict[ids.index(f"lei:{WIDELY_HELD}")] == widely_held
    assert result.verdict[ids.index(f"lei:{NON_CONS}")] == UNCERTAIN
