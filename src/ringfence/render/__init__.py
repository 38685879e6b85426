"""ringfence.render."""
