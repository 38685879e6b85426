"""The embedded default dataset: one snapshot merged from the data shipped in the package.

Sources, in priority order (earlier sources keep their ids and win attribute ties):

1. ``data/public-groups/`` — real corporate groups in the CSV contract (CC0).
2. ``data/gleif/`` — real GLEIF golden-copy XML and API JSON records (CC0).
3. ``data/bods/0.4-gleif-real-cc0``, ``0.4-oo-published-gleif-cc0`` (CC0) and
   ``0.4-oo-published-ukpsc-ogl3`` (OGL v3.0: "Contains public sector information
   licensed under the Open Government Licence v3.0. Source: Companies House / Open
   Ownership.") — real BODS 0.4 statements.
4. ``data/sanctions`` — designation lists: OFAC SDN CSV excerpts (2021, 2025), OFAC's
   consolidated non-SDN list (Enhanced XML 2025-01-10, legacy XML 2024-05-06), trade.gov
   CSL excerpts (2023, 2025; public domain) and an HM Treasury 2014 consolidated list
   excerpt (OGL v3.0, attribution below). Excerpts are read as ``partial``: they never
   delist.

The fictional BODS examples (``0.3-examples-fictional``, ``0.4-examples-fictional``) ship
for tests and demonstrations but are not part of the default snapshot: fictional
companies do not belong in a screening dataset.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

from ringfence.ingest.pipeline import SourceSpec, ingest_sources
from ringfence.snapshot import Manifest

__all__ = ["ATTRIBUTION", "build_default_snapshot", "data_dir", "default_sources",
           "list_sources"]

ATTRIBUTION = ("Contains public sector information licensed under the Open Government "
               "Licence v3.0. Source: Companies House / Open Ownership; HM Treasury, "
               "Consolidated List of Financial Sanctions Targets (2014). GLEIF LEI data "
               "CC0 1.0. OFAC and trade.gov lists: US government works, public domain. "
               "BODS examples Apache-2.0 (openownership/data-standard).")


def data_dir() -> Path:
    """The package's ``data`` folder (works from a wheel or a source checkout)."""
    return Path(str(resources.files("ringfence") / "data"))


def default_sources() -> list[SourceSpec]:
    d = data_dir()
    bods = d / "bods"
    return [
        SourceSpec("csv", [d / "public-groups"]),
        SourceSpec("gleif", [d / "gleif"]),
        SourceSpec("bods", [bods / "0.4-gleif-real-cc0", bods / "0.4-oo-published-gleif-cc0",
                            bods / "0.4-oo-published-ukpsc-ogl3"]),
        *list_sources(d / "sanctions"),
    ]


def list_sources(d: Path) -> list[SourceSpec]:
    """The bundled designation lists (see ``data/sanctions/README.md``)."""
    ofac, csl = d / "ofac", d / "csl"
    return [
        SourceSpec("lists", [ofac / "sdn_csv_2021-07"], published=dt.date(2021, 7, 7),
                   partial=True),
        SourceSpec("lists", [ofac / "sdn_csv_2025"], published=dt.date(2025, 1, 6),
                   partial=True),
        SourceSpec("lists", [ofac / "consolidated"]),
        SourceSpec("lists", [csl / "consolidated_2023-11_excerpt.csv"],
                   published=dt.date(2023, 11, 30), partial=True),
        SourceSpec("lists", [csl / "consolidated_watchman_sample_2025.csv"],
                   published=dt.date(2025, 6, 25), partial=True),
        SourceSpec("lists", [d / "uk"], partial=True),
    ]


def build_default_snapshot(out: Path, *, force: bool = False) -> Manifest:
    """Build the merged default snapshot at ``out`` (strict: any bad record fails)."""
    report = ingest_sources(default_sources(), out=Path(out), force=force,
                            notes=[f"default dataset: {ATTRIBUTION}"])
    return report.manifest
