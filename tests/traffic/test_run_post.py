"""``detect run`` posts findings to the service; what the service refuses or cannot take
stays queued in the state and goes out on the next run."""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import tinylog

from ringfence.traffic.run import FindingsPoster, run
from ringfence.traffic.store import load_checkpoint


class _Service:
    def __init__(self) -> None:
        self.status = 200
        self.bodies: list[list[dict[str, Any]]] = []
        self.auth: list[str] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                service.auth.append(self.headers.get("Authorization", ""))
                if service.status == 200:
                    service.bodies.append([json.loads(x) for x in body.splitlines()])
                self.send_response(service.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)  # a random free port
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _inbox(root: Path) -> Path:
    data = tinylog.build().write(root / "data")
    inbox = root / "inbox"
    inbox.mkdir()
    for name in ("accounts.jsonl", "orgs.jsonl", "events.json"):
        (inbox / name).write_bytes((data / name).read_bytes())
    (inbox / "requests-0001.jsonl").write_bytes((data / "requests.jsonl").read_bytes())
    return inbox


@pytest.mark.slow
def test_findings_posted_and_kept_when_the_service_fails(tmp_path: Path) -> None:
    service = _Service()
    inbox = _inbox(tmp_path)
    service.status = 503  # down: nothing accepted, everything stays queued
    down = run(inbox, tmp_path / "state", tmp_path / "out", once=True,
               poster=FindingsPoster(service.url, "tok", attempts=2, backoff=0.01))
    saved = load_checkpoint(tmp_path / "state")
    assert down.posted == 0
    assert down.unsent == len(saved.outbox) > 0
    service.status = 200  # back: the next run sends the queue first
    (inbox / "requests-0002.jsonl").write_text("")
    up = run(inbox, tmp_path / "state", tmp_path / "out", once=True,
             poster=FindingsPoster(service.url, "tok", attempts=2, backoff=0.01))
    assert load_checkpoint(tmp_path / "state").outbox == []
    sent = [f for body in service.bodies for f in body]
    assert up.posted == len(sent) == down.unsent
    assert {"cluster_id", "account_ids", "evidence", "action"} <= sent[0].keys()
    assert set(service.auth) == {"Bearer tok"}


def test_nothing_is_queued_without_a_service(tmp_path: Path) -> None:
    """A run with no service to post to keeps no queue: its progress mark stays small
    however many findings the log gives (they are in OUT/findings.jsonl for `publish`)."""
    inbox = _inbox(tmp_path)
    report = run(inbox, tmp_path / "state", tmp_path / "out", once=True)
    findings = (tmp_path / "out" / "findings.jsonl").read_text().splitlines()
    assert findings, "the tiny log gives findings"
    assert report.unsent == 0 and report.posted == 0
    assert load_checkpoint(tmp_path / "state").outbox == []
