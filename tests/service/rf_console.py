"""Helpers for console tests through the public pages: sign in as a browser would (the
login form's CSRF cookie and field), read a page's CSRF token."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    m = _CSRF.search(html)
    assert m, "no CSRF field on the page"
    return m.group(1)


def sign_in(client: TestClient, secret: str) -> str:
    """Sign in with ``secret``; returns the session's CSRF token (from the queue page)."""
    form = client.get("/console/login")
    assert form.status_code == 200, form.text
    r = client.post("/console/login", data={"token": secret, "csrf": csrf_of(form.text),
                                            "next": "/console"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get("/console")
    assert page.status_code == 200, page.text
    return csrf_of(page.text)
