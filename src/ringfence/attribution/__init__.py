"""Attribution: which entities are restricted under a policy, with bounds and proofs.

Pure NumPy/SciPy/numba over the arrays of :mod:`ringfence.attribution.graph`; imports only
the core (model, policy, exc). See docs/ARCHITECTURE.md, "Attribution".
"""

from ringfence.attribution.edges import LiveEdges
from ringfence.attribution.engine import (
    CLEAR,
    RESTRICTED,
    UNCERTAIN,
    VERDICT_NAMES,
    AttributionResult,
    BoundResult,
    Prepared,
    attribute,
    prepare,
    verdict_names,
)
from ringfence.attribution.graph import EntityTable, HoldingTable, from_records
from ringfence.attribution.incremental import Flip, Update, update
from ringfence.attribution.ordering import GraphOrder
from ringfence.attribution.origin import OriginReason, origin_reasons, origins
from ringfence.attribution.proof import prove
from ringfence.model.results import Proof, ProofEdge, ProofPath, ProofStep

__all__ = [
    "CLEAR",
    "RESTRICTED",
    "UNCERTAIN",
    "VERDICT_NAMES",
    "AttributionResult",
    "BoundResult",
    "EntityTable",
    "Flip",
    "GraphOrder",
    "HoldingTable",
    "LiveEdges",
    "OriginReason",
    "Prepared",
    "Proof",
    "ProofEdge",
    "ProofPath",
    "ProofStep",
    "Update",
    "attribute",
    "from_records",
    "origin_reasons",
    "origins",
    "prepare",
    "prove",
    "update",
    "verdict_names",
]
