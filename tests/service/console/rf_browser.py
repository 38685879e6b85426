"""Browser-test fixtures and helpers (conftest.py says the strategy).

The browser tests (marked ``browser``) share one real server for the
whole session: ``ringfence serve`` on a free port, on the embedded demo data (built once
in a temporary data folder, a fresh SQLite database), with tokens made beforehand for two
analysts, an admin and a gateway. Playwright's Python package drives Debian's Chromium
through ``executable_path`` (``RINGFENCE_CHROMIUM``, default /usr/bin/chromium, installed
by scripts/setup.sh); Playwright never downloads a browser. Each test gets a fresh browser
context (no cookies). Screenshots go to ``RINGFENCE_CONSOLE_SHOTS`` (default: a folder in
the session's temporary directory) and each is checked to be non-blank."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = os.environ.get("RINGFENCE_CHROMIUM", "/usr/bin/chromium")


@dataclass
class Demo:
    base: str
    tokens: dict[str, str]  # analyst, analyst2, admin, gateway -> secret
    token_ids: dict[str, str]
    shots: Path
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _make_tokens(env: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    from ringfence.service import Runtime, ServiceSettings
    from ringfence.service.book import create_token
    from ringfence.store import upgrade

    rt = Runtime(replace(ServiceSettings.from_env(env), background=False, geoip=False))
    upgrade(rt.engine)
    secrets, ids = {}, {}
    for key, role, label in (("analyst", "analyst", "Ana Lyst"), ("analyst2", "analyst",
                             "Second Pair"), ("admin", "admin", "Ada Min"),
                             ("gateway", "gateway", "edge gateway")):
        out = create_token(rt, role=role, label=label, actor="test")
        secrets[key], ids[key] = out["token"], out["id"]
    rt.engine.dispose()
    return secrets, ids


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"no Chromium at {CHROMIUM}: scripts/setup.sh installs it")
        pytest.skip(f"no Chromium at {CHROMIUM} (scripts/setup.sh installs it)")
    root = tmp_path_factory.mktemp("console-demo")
    shots = Path(os.environ.get("RINGFENCE_CONSOLE_SHOTS") or root / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "RINGFENCE_DATABASE_URL": f"sqlite:///{root / 'db.sqlite'}",
           "RINGFENCE_DATA_DIR": str(root / "var"), "RINGFENCE_GEOIP": "0",
           "RINGFENCE_SYNC_SECONDS": "1", "RINGFENCE_ALLOW_FLUSH_SECONDS": "0.2"}
    tokens, ids = _make_tokens(env)
    port = _free_port()
    log = root / "serve.log"
    exe = Path(sys.executable).with_name("ringfence")
    with log.open("wb") as out:
        proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield Demo(base, tokens, ids, shots, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module. Not per session: Playwright's sync API keeps an event
    loop running in the main thread while it is open, and a later test of the suite that
    calls ``asyncio.run`` would fail with "cannot be called from a running event loop"."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu",
                                    "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, demo: Demo) -> Iterator[Any]:
    context = browser.new_context(base_url=demo.base, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()


def shot(page: Any, demo: Demo, name: str) -> Path:
    """A full-page screenshot, checked to be non-blank: more than one colour, and more
    than 1% of the pixels away from the commonest one."""
    from PIL import Image

    path = demo.shots / f"{name}.png"
    png = page.screenshot(path=str(path), full_page=True)
    img = Image.open(BytesIO(png)).convert("L")
    hist = img.histogram()
    total = sum(hist)
    assert max(hist) < total * 0.99, f"screenshot {name} is blank"
    return path


def sign_in(page: Any, secret: str) -> None:
    page.goto("/console/login")
    page.fill("input[name=token]", secret)
    page.click("button[type=submit]")
    page.wait_for_selector("#role")
