"""The strategy pages in chromium: no axe-core violations on the call page's strategy section and the
Internationellt page (empty, filled, with form errors), and the activity form used by keyboard alone."""

from __future__ import annotations

import pytest

from tests.web.conftest import Site
from tests.web.test_browser import AXE, _need, axe_violations, browser, login, page, tab_until  # noqa: F401
from tests.web.test_strategy_web import add_strategy_calls

pytestmark = pytest.mark.browser


def test_axe_finds_no_violations_on_the_strategy_pages(site: Site, page):  # noqa: F811
    _need(AXE, "`make test` runs `npm ci` in tests/browser to install axe-core")
    ids = add_strategy_calls(site)
    failures = {}
    for path in (f"/calls/{ids['south-baltic']}", f"/calls/{ids['arvsfonden']}", "/activities", "/?sdg=14&barn=1"):
        page.goto(site.url + path)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        if found := axe_violations(page):
            failures[path] = found
    login(page, site)
    page.goto(site.url + "/activities")
    page.get_by_role("button", name="Registrera").click()  # nothing filled in: every field has an error
    assert page.locator("#err-partner").is_visible()
    if found := axe_violations(page):
        failures["activity form with errors"] = found
    assert failures == {}


def test_an_activity_is_registered_with_the_keyboard_alone(site: Site, page):  # noqa: F811
    login(page, site)
    page.goto(site.url + "/activities")
    page.locator("#held_on").focus()
    page.keyboard.type("04202026")  # chromium's date field in its default (en-US) order: month, day, year
    tab_until(page, lambda f: f["id"] == "profile_id")
    page.keyboard.press("ArrowDown")  # the first administration
    tab_until(page, lambda f: f["id"] == "kind-meeting")
    page.keyboard.press("Space")
    tab_until(page, lambda f: f["id"] == "partner")
    page.keyboard.type("Savonlinna")
    tab_until(page, lambda f: f["id"] == "participants")
    page.keyboard.press("Control+a")
    page.keyboard.type("3")
    tab_until(page, lambda f: f["id"].startswith("mode-"))  # "Webbmöte" is chosen beforehand
    tab_until(page, lambda f: f["id"] == "note")
    page.keyboard.type("Vänortsmöte om skolutbyte")
    tab_until(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Registrera")
    page.keyboard.press("Enter")
    page.wait_for_url("**/activities?year=2026")
    row = page.locator("tr", has_text="Savonlinna").inner_text()
    assert "Vänortsmöte om skolutbyte" in row and "Möte" in row and "Webbmöte" in row and "2026-04-20" in row
