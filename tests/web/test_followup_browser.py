"""The follow-up in a real browser (Debian's chromium via Playwright): a staff member logs in, marks a call
Intresserad, then Inskickad with amounts and partners; errors are announced by field; axe-core finds no
violation on the call page with the forms (also with errors) nor on /followup."""

from __future__ import annotations

import pytest

from store.engine import read_session
from store.followup import get_followup
from tests.web.conftest import PASSWORD, Site

# the browser fixtures ("browser", "page") and helpers of the main browser test
from tests.web.test_browser import AXE, _need, axe_violations, browser, login, page, screenshot  # noqa: F401

pytestmark = pytest.mark.browser


def open_form(tab, summary: str) -> None:
    tab.get_by_text(summary, exact=True).click()


def test_staff_marks_interest_then_submission_with_amounts(site: Site, page, tmp_path):  # noqa: F811
    call = site.ids["v1"]
    login(page, site, "buf-bo")
    page.goto(f"{site.url}/calls/{call}")
    page.locator("#uppfoljning").scroll_into_view_if_needed()
    open_form(page, "Ny uppföljning")
    page.get_by_label("Förvaltning", exact=True).select_option("skola")
    page.locator("#fu-new-status").select_option("intresserad")
    page.locator("#fu-new-contact_name").fill("Bo Ek")
    page.locator("#fu-new-contact_email").fill("bo@kalmar.example")
    page.get_by_role("button", name="Spara uppföljningen").click()
    assert page.get_by_role("status").inner_text().endswith("är sparad: Intresserad.")
    heading = page.locator("#uppfoljning-skola")
    assert heading.inner_text() == "Barn- och ungdomsförvaltningen: Intresserad"

    # an error first: the granted amount belongs to a decision, and a country must be a code
    page.get_by_text("Ändra uppföljningen", exact=False).first.click()
    page.locator("#fu-skola-status").select_option("inskickad")
    page.locator("#fu-skola-amount_applied").fill("1 500 000")
    page.locator("#fu-skola-amount_granted").fill("100")
    page.locator("#fu-skola-partners").fill("Gdańsk kommun; Polen")
    page.get_by_role("button", name="Spara uppföljningen för Barn- och ungdomsförvaltningen").click()
    alert = page.get_by_role("alert")
    assert alert.inner_text().startswith("Uppföljningen har 2 fel")
    assert page.locator("#fu-skola-amount_granted").get_attribute("aria-invalid") == "true"
    assert "Beviljad" in page.locator("#fu-skola-amount_granted-err").inner_text()
    assert "landskod" in page.locator("#fu-skola-partners-err").inner_text()
    screenshot(page, "uppfoljning-fel", tmp_path)

    # fixed: submitted with amounts and partners
    page.locator("#fu-skola-amount_granted").fill("")
    page.locator("#fu-skola-partners").fill("Gdańsk kommun; PL\nKlaipėdos savivaldybė; LT")
    page.locator("#fu-skola-cofinancing").fill("250000")
    page.get_by_role("button", name="Spara uppföljningen för Barn- och ungdomsförvaltningen").click()
    assert page.get_by_role("status").inner_text().endswith("är sparad: Inskickad.")
    section = page.locator("article.followup").inner_text()
    assert "1\u00a0500\u00a0000 SEK" in section and "250\u00a0000 SEK" in section and "Gdańsk kommun (PL)" in section
    screenshot(page, "uppfoljning", tmp_path)
    with read_session(site.engine) as db:
        record = get_followup(db, "skola", call)
    assert (record.status, record.amount_applied, record.cofinancing) == ("inskickad", 1_500_000, 250_000)
    assert record.interested_on is not None and record.submitted_on is not None

    # the list shows it, and links back
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Uppföljning").click()
    assert page.get_by_role("heading", level=2).first.inner_text() == "1 uppföljning"
    assert "Inskickad" in page.locator("table").inner_text()


def test_axe_finds_no_violations_on_the_follow_up_forms_and_the_list(site: Site, page):  # noqa: F811
    _need(AXE, "`make test` runs `npm ci` in tests/browser to install axe-core")
    call = site.ids["v1"]
    failures = {}

    def check(label: str) -> None:
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        found = axe_violations(page)
        if found:
            failures[label] = found

    login(page, site)  # KLK: a form for every administration
    page.goto(f"{site.url}/calls/{call}")
    check("call page with the new follow-up form")
    page.locator("#fu-new-profile_id").select_option("miljo")
    page.locator("#fu-new-currency").select_option("EUR")
    page.locator("#fu-new-amount_applied").fill("-1")
    page.get_by_role("button", name="Spara uppföljningen").click()
    check("call page with follow-up errors")
    page.locator("#fu-new-currency").select_option("SEK")
    page.locator("#fu-new-amount_applied").fill("40000")
    page.locator("#fu-new-notes").fill("Vi söker med Kalmarsundsregionen.")
    page.get_by_role("button", name="Spara uppföljningen").click()
    check("call page with a follow-up, its history and both forms")
    for path in ("/followup", "/followup?status=intresserad&year=2026"):
        page.goto(site.url + path)
        check(path)
    assert failures == {}


def test_the_follow_up_form_works_without_javascript_and_by_keyboard(site: Site, browser):  # noqa: F811
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto(site.url + "/login")
        tab.get_by_label("Användarnamn").fill("klk-anna")
        tab.get_by_label("Lösenord").fill(PASSWORD)
        tab.get_by_role("button", name="Logga in").click()
        call = site.ids["h1"]
        tab.goto(f"{site.url}/calls/{call}")
        summary = tab.get_by_text("Ny uppföljning", exact=True)
        summary.focus()
        tab.keyboard.press("Enter")  # a <details> opens by keyboard, no script needed
        tab.locator("#fu-new-profile_id").select_option("miljo")
        tab.locator("#fu-new-status").select_option("ansoker")
        tab.locator("#fu-new-partners").fill("Gdańsk kommun; PL\nAalborg Kommune; DK")
        tab.locator("#fu-new-partners").press("Tab")
        tab.keyboard.press("Tab")  # the notes field, then the save button
        tab.keyboard.press("Enter")
        tab.wait_for_url(f"**/calls/{call}*")
        assert "Miljöförvaltningen: Ansöker" in tab.locator("#uppfoljning-miljo").inner_text()
    finally:
        context.close()
    with read_session(site.engine) as db:
        record = get_followup(db, "miljo", call)
    assert record.status == "ansoker" and [p["country"] for p in record.partners] == ["PL", "DK"]
