"""Fixture strategy: the browser tests (marked ``browser``) share one real server for the
whole session (``ringfence serve`` on a free port, on the embedded demo data, a fresh
SQLite database, tokens for two analysts, an admin and a gateway) and one headless
Debian Chromium driven by Playwright through ``executable_path``; each test gets a fresh
browser context. The fixtures live in rf_browser.py."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from rf_browser import browser, demo, page  # noqa: F401  (fixture re-export)
