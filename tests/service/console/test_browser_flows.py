"""The analysts' work end to end in a real browser: search in Chinese, onboard, read the
ownership picture, override with four eyes, watch the decision log change; a hostile name
shown as text. Screenshots of each page are saved and checked to be non-blank."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from rf_browser import Demo, shot, sign_in

pytestmark = pytest.mark.browser


def _onboard_as_declared(page: Any, name: str, country: str = "") -> str:
    page.goto("/console/search")
    page.fill("input[name=q]", name)
    page.fill("input[name=country]", country)
    page.click("#search-form button[type=submit]")
    page.click("#onboard-typed button")
    page.wait_for_url(re.compile(r".*/console/organizations/org_[0-9a-f]+.*"))
    m = re.search(r"/console/organizations/(org_[0-9a-f]+)", page.url)
    assert m
    return m.group(1)


def _decide(demo: Demo, api_key: str) -> dict[str, Any]:
    r = httpx.post(f"{demo.base}/v1/decide", json={"api_key": api_key},
                   headers={"Authorization": f"Bearer {demo.tokens['gateway']}"})
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def test_search_in_chinese_and_the_bytedance_path_in_the_picture(page: Any,
                                                                  demo: Demo) -> None:
    sign_in(page, demo.tokens["analyst"])
    page.goto("/console/search")
    page.fill("input[name=q]", "字节跳动")
    page.click("#search-form button[type=submit]")
    row = page.locator("#results tr[data-entity=bytedance]")
    assert row.count() == 1 and "restricted" in row.text_content()
    shot(page, demo, "search")
    org = _onboard_as_declared(page, "TikTok Inc.", "US")
    assert page.text_content("#org-status") == "denied"
    picture = page.locator("#proof svg")
    assert picture.is_visible()
    # the path TikTok Inc. <- TikTok LLC <- TikTok Ltd. <- ByteDance is drawn, edge by edge
    for owner, owned in (("tiktok_llc", "tiktok_inc"), ("tiktok_ltd", "tiktok_llc"),
                         ("bytedance", "tiktok_ltd")):
        edge = picture.locator(f"g.edge[data-owner={owner}][data-owned={owned}]")
        assert edge.count() == 1
        assert "source:" in edge.locator("title").text_content()
    assert picture.locator("text", has_text="ByteDance Ltd.").is_visible()
    page.click("button[data-zoom='1.25']")
    assert page.get_attribute("#proof", "data-scale") == "1.25"
    page.locator("#policies").wait_for()  # loaded by htmx once the books are evaluated
    assert page.locator("#policies tbody tr").count() == 5
    shot(page, demo, "organization")
    assert org


def test_override_by_one_analyst_approved_by_a_second_changes_the_log(page: Any,
                                                                      demo: Demo) -> None:
    page.on("dialog", lambda d: d.accept())
    sign_in(page, demo.tokens["analyst"])
    org = _onboard_as_declared(page, "TikTok Inc.", "US")
    page.fill("#account-form input[name=account_id]", "acc-e2e-1")
    page.click("#account-form button[type=submit]")
    page.click("tr[data-account=acc-e2e-1] >> text=Issue key")
    api_key = page.text_content("#new-key")
    assert api_key and _decide(demo, api_key)["decision"] == "DENY"

    page.goto(f"/console/decisions?org={org}")
    assert page.locator("#decisions tr[data-outcome=DENY]").count() == 1
    assert page.locator("#decisions tr[data-outcome=ALLOW]").count() == 0

    page.goto(f"/console/organizations/{org}")
    page.select_option("#override-form select[name=status]", "allowed")
    page.fill("#override-form textarea[name=reason]", "ByteDance sold its stake (filing 42).")
    page.click("#override-form button[type=submit]")
    assert "second analyst" in page.text_content(".flash")
    assert page.text_content("#org-status") == "denied"  # not yet: four eyes
    assert page.locator(".approve-form").count() == 0  # the requester cannot approve
    shot(page, demo, "override-requested")

    sign_in(page, demo.tokens["analyst2"])
    page.goto("/console")
    assert int(page.text_content("[data-kind=override] .count") or 0) >= 1
    page.select_option("select[name=kind]", "override")  # htmx swaps the table in place
    page.wait_for_url("**kind=override**")
    assert page.locator("#queue tr[data-kind=override]").count() >= 1
    assert page.locator("#queue tr[data-kind=org]").count() == 0
    shot(page, demo, "queue-pending")
    page.goto(f"/console/organizations/{org}")
    page.fill(".approve-form input[name=reason]", "Checked the filing.")
    page.click(".approve-form button[type=submit]")
    assert page.text_content("#org-status") == "allowed"
    shot(page, demo, "override-approved")

    assert _decide(demo, api_key)["decision"] == "ALLOW"
    page.goto(f"/console/decisions?org={org}")
    assert page.locator("#decisions tr[data-outcome=ALLOW]").count() == 1
    assert page.locator("#decisions tr[data-outcome=DENY]").count() == 1
    shot(page, demo, "decisions")


def test_a_script_in_a_name_is_shown_as_text(page: Any, demo: Demo) -> None:
    sign_in(page, demo.tokens["analyst"])
    name = "<script>window.__pwned = 1</script><img src=x onerror=window.__pwned=2> Ltd"
    _onboard_as_declared(page, name)
    assert page.text_content("h1") == name
    assert page.evaluate("window.__pwned") is None
    assert page.locator("main script, main img").count() == 0
    shot(page, demo, "hostile-name")
    page.goto("/console")
    assert page.evaluate("window.__pwned") is None


def test_admin_pages_policies_and_audit(page: Any, demo: Demo) -> None:
    sign_in(page, demo.tokens["admin"])
    page.goto("/console/policies")
    page.select_option("#simulate-form select[name=shipped]", "ofac-50")
    page.click("#simulate-form button[type=submit]")
    assert page.locator("#simulation").is_visible()
    shot(page, demo, "policies")
    page.goto("/console/admin/snapshots")
    assert page.locator("#snapshots tr").count() >= 2
    shot(page, demo, "snapshots")
    page.goto("/console/audit")
    page.click("#verify-form button")
    assert "The chain holds" in page.text_content("#verification")
    shot(page, demo, "audit")
