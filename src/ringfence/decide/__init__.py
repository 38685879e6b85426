"""ringfence.decide."""
