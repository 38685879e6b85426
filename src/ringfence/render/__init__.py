"""Render proofs and detection clusters for people: text and SVG (JSON is the proof's own
``as_dict``)."""

from ringfence.render.cluster import cluster_svg
from ringfence.render.proof import proof_svg, proof_text

__all__ = ["cluster_svg", "proof_svg", "proof_text"]
