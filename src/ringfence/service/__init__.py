"""ringfence.service."""
