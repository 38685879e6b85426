"""A real gateway in front (issue 20, item 7): Debian's nginx runs the shipped reference
configuration, docs/deploy/nginx.conf, with ``auth_request`` on ringfence's ext_authz
endpoint. Started by the test on free ports, in a prefix folder of its own (no system
configuration is read or written).

An allowed request reaches the upstream with its decision id; a denied one gets 403 with
``x-ringfence-decision`` and ``x-ringfence-decision-id`` and never reaches it, also when
the client names an allowed account in a header of its own; with ringfence stopped, or
one that accepts the connection and never answers, nginx refuses (503) and the upstream
sees nothing: fail closed. Skips, saying so, when nginx is not installed."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from rf_service import COUNTRY, public_groups_snapshot

from ringfence.service import Runtime, ServiceSettings, create_app
from ringfence.service.book import create_token
from ringfence.store import make_engine

CONF = Path(__file__).resolve().parents[2] / "docs" / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

pytestmark = pytest.mark.skipif(
    not Path(NGINX).is_file(),
    reason="nginx is not installed (scripts/setup.sh installs Debian's nginx package)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Upstream:
    """The model backend: answers 200 and records what reached it."""

    def __init__(self) -> None:
        seen: list[dict[str, str]] = []
        self.seen = seen

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append({"path": self.path, **{k.lower(): v for k, v in
                                                    self.headers.items()}})
                body = b"model says hello\n"
                self.send_response(200)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Nginx:
    """The reference configuration with its addresses and token replaced."""

    def __init__(self, prefix: Path, *, ringfence: str, upstream: int, token: str) -> None:
        text = CONF.read_text(encoding="utf-8")
        self.port = _free_port()
        for old, new in {"listen 127.0.0.1:8080": f"listen 127.0.0.1:{self.port}",
                         "server 127.0.0.1:8000": f"server {ringfence}",
                         "server 127.0.0.1:9000": f"server 127.0.0.1:{upstream}",
                         "REPLACE-WITH-GATEWAY-TOKEN": token}.items():
            assert old in text, f"docs/deploy/nginx.conf no longer has {old!r}"
            text = text.replace(old, new)
        for sub in ("logs", "temp"):
            (prefix / sub).mkdir(parents=True, exist_ok=True)
        conf = prefix / "nginx.conf"
        conf.write_text(text, encoding="utf-8")
        self.error_log = prefix / "logs" / "error.log"
        check = subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(conf), "-e",
                                str(self.error_log), "-g", f"pid {prefix}/nginx.pid;"],
                               capture_output=True, text=True, check=False)
        assert check.returncode == 0, check.stderr
        self.proc = subprocess.Popen(
            [NGINX, "-p", str(prefix), "-c", str(conf), "-e", str(self.error_log),
             "-g", f"daemon off; pid {prefix}/nginx.pid;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        t0 = time.monotonic()
        while True:
            assert self.proc.poll() is None, self.proc.communicate()[1]
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() - t0 < 30, "nginx did not start listening"
                time.sleep(0.05)
        self.base = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[dict[str, Any]]:
    snap = public_groups_snapshot(tmp_path / "snap")
    db = f"sqlite:///{tmp_path / 'rf.db'}"
    settings = ServiceSettings(database_url=db, snapshot=snap, geoip=False,
                               embedded_default=False, background=False)
    rt = Runtime(settings, engine=make_engine(db), country_of=COUNTRY.get)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(settings, runtime=rt), host="127.0.0.1",
                                        port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    t0 = time.monotonic()
    while not srv.started:
        assert time.monotonic() - t0 < 120 and th.is_alive(), "ringfence did not start"
        time.sleep(0.05)
    upstream = Upstream()
    base = f"http://127.0.0.1:{port}"
    an = {"Authorization": "Bearer " + create_token(rt, role="analyst", label="a",
                                                    actor="test")["token"]}

    def customer(name: str, country: str) -> dict[str, str]:
        org = httpx.post(f"{base}/v1/organizations", headers=an,
                         json={"name": name, "country": country}).json()
        acc = httpx.post(f"{base}/v1/organizations/{org['id']}/accounts", headers=an,
                         json={}).json()
        key = httpx.post(f"{base}/v1/accounts/{acc['id']}/keys", headers=an).json()
        return {"org": org["id"], "status": org["status"], "account": acc["id"],
                "secret": key["secret"]}

    nginxes: list[Nginx] = []
    yield {"rt": rt, "server": srv, "thread": th, "upstream": upstream, "tmp": tmp_path,
           "ringfence": f"127.0.0.1:{port}", "nginxes": nginxes, "customer": customer,
           "gateway": create_token(rt, role="gateway", label="nginx", actor="test")["token"]}
    for n in nginxes:
        n.stop()
    srv.should_exit = True
    th.join(timeout=30)
    upstream.close()


def _start(world: dict[str, Any], name: str, ringfence: str) -> Nginx:
    n = Nginx(world["tmp"] / name, ringfence=ringfence, upstream=world["upstream"].port,
              token=world["gateway"])
    world["nginxes"].append(n)
    return n


def test_nginx_allows_denies_and_fails_closed(world: dict[str, Any]) -> None:
    allowed = world["customer"]("Spotify Technology S.A.", "LU")
    denied = world["customer"]("Beijing Lantern Data Technology Co., Ltd.", "CN")
    assert (allowed["status"], denied["status"]) == ("allowed", "denied")
    gw = _start(world, "nginx", world["ringfence"])
    seen = world["upstream"].seen

    r = httpx.get(f"{gw.base}/v1/messages?x=1", headers={"x-api-key": allowed["secret"]})
    assert r.status_code == 200 and r.text == "model says hello\n", r.text
    assert r.headers["x-ringfence-decision"] == "ALLOW"
    decision_id = r.headers["x-ringfence-decision-id"]
    assert len(seen) == 1 and seen[0]["path"] == "/v1/messages?x=1"
    assert seen[0]["x-ringfence-decision-id"] == decision_id
    assert "x-ringfence-gateway-token" not in seen[0]  # the gateway's token stays inside
    # the client's own Authorization: Bearer <API key> names the customer too
    r = httpx.get(f"{gw.base}/v1/models",
                  headers={"Authorization": f"Bearer {allowed['secret']}"})
    assert r.status_code == 200 and len(seen) == 2

    r = httpx.get(f"{gw.base}/v1/messages", headers={"x-api-key": denied["secret"]})
    assert r.status_code == 403
    assert r.headers["x-ringfence-decision"] == "DENY"
    assert r.headers["x-ringfence-decision-id"] not in ("", decision_id)
    # naming an allowed account beside one's own key does not help: nginx drops the header
    r = httpx.get(f"{gw.base}/v1/messages", headers={
        "x-api-key": denied["secret"], "x-ringfence-account": allowed["account"]})
    assert (r.status_code, r.headers["x-ringfence-decision"]) == (403, "DENY")
    r = httpx.get(f"{gw.base}/v1/messages", headers={"x-api-key": "rfk_not-a-key"})
    assert r.status_code == 403
    r = httpx.get(f"{gw.base}/v1/messages")  # no credential at all
    assert r.status_code == 403
    assert len(seen) == 2  # nothing denied reached the model

    # ringfence slow: it accepts the connection and never answers
    with socket.socket() as hole:
        hole.bind(("127.0.0.1", 0))
        hole.listen(64)
        slow = _start(world, "nginx-slow", f"127.0.0.1:{hole.getsockname()[1]}")
        t0 = time.monotonic()
        r = httpx.get(f"{slow.base}/v1/messages", headers={"x-api-key": allowed["secret"]},
                      timeout=30)
        waited = time.monotonic() - t0
    assert (r.status_code, r.headers["x-ringfence-decision"]) == (503, "unavailable")
    assert waited >= 0.9  # refused at the configured latency budget (1 s), not before
    assert len(seen) == 2

    # ringfence down
    world["server"].should_exit = True
    world["thread"].join(timeout=30)
    r = httpx.get(f"{gw.base}/v1/messages", headers={"x-api-key": allowed["secret"]})
    assert (r.status_code, r.headers["x-ringfence-decision"]) == (503, "unavailable")
    assert "refused" in r.text and len(seen) == 2
