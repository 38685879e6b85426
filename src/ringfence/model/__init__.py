"""The canonical model: entities, names, identifiers, holdings, shares, sources."""

from ringfence.model.records import (
    Entity,
    EntityType,
    Holding,
    HoldingKind,
    Identifier,
    Name,
    SourceRef,
    VerdictKind,
)
from ringfence.model.share import SCALE, Share, parse_fraction, parse_share

__all__ = [
    "SCALE",
    "Entity",
    "EntityType",
    "Holding",
    "HoldingKind",
    "Identifier",
    "Name",
    "Share",
    "SourceRef",
    "VerdictKind",
    "parse_fraction",
    "parse_share",
]
