"""ringfence.detect."""
