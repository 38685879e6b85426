"""Fixture strategy: no fixtures with state. Tests build small graphs from records
(cases.py) or random arrays (oracle.py: an independent brute-force engine) and compare;
this file only makes those helper modules importable (the test tree has no packages).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
