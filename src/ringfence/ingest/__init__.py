"""ringfence.ingest."""
