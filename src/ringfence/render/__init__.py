"""Render proofs for people: text and SVG (JSON is the proof's own ``as_dict``)."""

from ringfence.render.proof import proof_svg, proof_text

__all__ = ["proof_svg", "proof_text"]
