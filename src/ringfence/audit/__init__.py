"""ringfence.audit."""
