"""ringfence.traffic: adapters between the provider's request logs and the detection logic.

Readers (JSONL / JSONL.gz, streamed), enrichment data loading, the checkpoint store, the
output writers and the replay / run drivers. File I/O lives here; ``ringfence.detect`` is
pure.
"""
