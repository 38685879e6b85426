"""Engines run the attribution algorithm over a snapshot: in-process (local) by default."""
