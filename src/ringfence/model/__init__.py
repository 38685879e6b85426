"""The canonical model: entities, names, identifiers, holdings, shares, sources."""

from ringfence.model.records import (
    Entity,
    EntityType,
    Holding,
    HoldingKind,
    Identifier,
    Name,
    SourceRef,
)
from ringfence.model.results import (
    EntityVerdict,
    Explanation,
    HoldingChanges,
    OriginReason,
    PolicyStamp,
    Proof,
    ProofEdge,
    ProofNode,
    ProofPath,
    ProofStep,
    Verdict,
)
from ringfence.model.share import SCALE, Share, parse_fraction, parse_share

__all__ = [
    "SCALE",
    "Entity",
    "EntityType",
    "EntityVerdict",
    "Explanation",
    "Holding",
    "HoldingChanges",
    "HoldingKind",
    "Identifier",
    "Name",
    "OriginReason",
    "PolicyStamp",
    "Proof",
    "ProofEdge",
    "ProofNode",
    "ProofPath",
    "ProofStep",
    "Share",
    "SourceRef",
    "Verdict",
    "parse_fraction",
    "parse_share",
]
