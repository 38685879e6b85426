"""ringfence.engines."""
