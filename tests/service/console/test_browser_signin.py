"""Sign-in, roles and CSRF in a real browser."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from rf_browser import Demo, shot, sign_in

pytestmark = pytest.mark.browser


def test_sign_in_shows_the_role_and_sign_out_ends_the_session(page: Any, demo: Demo) -> None:
    page.goto("/console")
    assert "/console/login" in page.url  # no session: sent to sign in
    shot(page, demo, "login")
    sign_in(page, demo.tokens["analyst"])
    assert page.text_content("#role") == "analyst"
    assert "Ana Lyst" in page.text_content("#who")
    assert page.locator("#counts").is_visible()
    shot(page, demo, "queue")
    cookie = next(c for c in page.context.cookies() if c["name"] == "rf_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert demo.tokens["analyst"] not in cookie["value"]
    page.click("text=Sign out")
    page.wait_for_url("**/console/login")
    page.goto("/console")
    assert "/console/login" in page.url


def test_a_gateway_token_cannot_sign_in(page: Any, demo: Demo) -> None:
    page.goto("/console/login")
    page.fill("input[name=token]", demo.tokens["gateway"])
    page.click("button[type=submit]")
    assert "cannot sign in" in page.text_content("#login-error")
    assert not [c for c in page.context.cookies() if c["name"] == "rf_console"]


def test_an_analyst_is_refused_an_admin_page(page: Any, demo: Demo) -> None:
    sign_in(page, demo.tokens["analyst"])
    assert page.locator("nav >> text=Tokens").count() == 0  # not offered ...
    resp = page.goto("/console/admin/tokens")  # ... and refused when asked for
    assert resp is not None and resp.status == 403
    assert "may not do this" in page.text_content("#error-message")
    shot(page, demo, "refused")
    sign_in(page, demo.tokens["admin"])
    resp = page.goto("/console/admin/tokens")
    assert resp is not None and resp.status == 200
    assert page.text_content("#role") == "admin"


def test_a_form_without_its_csrf_token_is_refused(page: Any, demo: Demo) -> None:
    sign_in(page, demo.tokens["analyst"])
    # the sign-out form, with its CSRF field removed as a forged form would lack it
    page.goto("/console")
    page.evaluate("document.querySelectorAll('input[name=csrf]').forEach(e => e.remove())")
    page.evaluate("document.body.removeAttribute('hx-headers')")
    with page.expect_navigation():
        page.evaluate("document.querySelector('header form').submit()")
    assert "CSRF" in page.text_content("#error-message")
    # and outside the browser: the session cookie alone does not make a POST
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    r = httpx.post(f"{demo.base}/console/logout", cookies=cookies, follow_redirects=False)
    assert r.status_code == 403
    page.goto("/console")
    assert page.text_content("#role") == "analyst"  # still signed in: sign-out was refused
