"""ringfence.cli."""
