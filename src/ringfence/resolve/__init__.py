"""ringfence.resolve."""
