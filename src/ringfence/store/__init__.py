"""ringfence.store."""
