"""End to end in a real browser: Debian's chromium driven by Playwright against the real server.

The scenario a KLK officer goes through (search with filters, open a call, log in, give feedback,
edit, preview and save a profile), an axe-core accessibility check of every page, keyboard-only use,
and screenshots (kept when FUNDWATCH_SCREENSHOTS names a folder).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from matcher.profiles import load_profile
from store.engine import write_session
from store.models import ScrapeRun
from tests.web.conftest import PASSWORD, Site
from tests.web.corpus import NOW

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parent.parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _need(path: Path, how: str) -> None:
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing on CI; {how}")
        pytest.skip(f"{path} is missing ({how})")


@pytest.fixture(scope="module")
def browser():
    _need(CHROMIUM, "`make system-deps` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    # the app's Content-Security-Policy forbids inline scripts; axe is injected by the test, so bypass it here only
    context = browser.new_context(bypass_csp=True, locale="sv-SE", viewport={"width": 1200, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def login(page, site: Site, username: str = "klk-anna") -> None:
    page.goto(site.url + "/login")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(site.url + "/")


def screenshot(page, name: str, tmp_path: Path) -> None:
    target = tmp_path / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    keep = os.environ.get("FUNDWATCH_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(target, Path(keep) / target.name)


def test_scenario_search_open_call_feedback_login_edit_preview_save(site: Site, page, tmp_path):
    # search with filters
    page.goto(site.url + "/")
    page.get_by_label("Sökord").fill("vatten")
    page.get_by_text("Filter och sortering").click()
    page.get_by_label("Öppen", exact=True).check()
    page.get_by_label("Språk").select_option("sv")
    page.get_by_role("button", name="Sök med filter").click()
    assert "q=vatten" in page.url and "status=open" in page.url and "language=sv" in page.url
    heading = page.get_by_role("heading", level=2).first.inner_text()
    assert heading.startswith("3 utlysningar")
    screenshot(page, "sok", tmp_path)

    # open a call
    page.get_by_role("link", name="Stöd till vattenvård i kommuner").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Stöd till vattenvård i kommuner"
    assert page.get_by_text("Nämner vattenvård och Östersjön").first.is_visible()
    call_url = page.url

    # feedback needs a login; the login returns to the call
    page.locator("#aterkoppling").scroll_into_view_if_needed()
    page.get_by_role("link", name="Logga in", exact=True).last.click()
    page.get_by_label("Användarnamn").fill("klk-anna")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(call_url)
    page.get_by_role("button", name="Relevant för Miljöförvaltningen", exact=True).click()
    assert page.get_by_role("status").inner_text() == "Återkoppling sparad: Relevant för Miljöförvaltningen."
    screenshot(page, "utlysning", tmp_path)

    # edit the profile: an error first, shown by its field
    page.get_by_role("link", name="Profilverkstad").click()
    page.get_by_role("link", name="Miljöförvaltningen").click()
    weight = page.locator("#f-p0-weight")
    weight.fill("tolv")
    page.get_by_role("button", name="Kontrollera").click()
    assert page.get_by_role("alert").inner_text().startswith("Profilen har 1 fel")
    assert page.locator("#f-p0-weight").get_attribute("aria-invalid") == "true"
    assert "ska vara ett tal större än 0 och högst 10" in page.locator("#err-p0-weight").inner_text()
    screenshot(page, "profilverkstad-fel", tmp_path)

    # fix it, change the keywords and preview
    page.locator("#f-p0-weight").fill("3")
    page.locator("#f-p0-keywords").fill("vatten, våtmark, kust")
    page.get_by_role("button", name="Förhandsvisa rankningen").click()
    preview = page.locator("section.preview")
    assert "Sparad profil" in preview.inner_text() and "Redigerad profil" in preview.inner_text()
    assert "Kommer in" in preview.inner_text()
    screenshot(page, "profilverkstad-forhandsvisning", tmp_path)

    # save
    page.get_by_role("button", name="Spara profilen").click()
    assert "Profilen ”Miljöförvaltningen” är sparad." in page.get_by_role("status").inner_text()
    saved = load_profile(site.profiles_dir / "miljo.toml")
    assert saved.priorities[0].weight == 3.0 and saved.priorities[0].keywords == ("vatten", "våtmark", "kust")
    assert list((site.profiles_dir / ".history" / "miljo").glob("*.toml"))


AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
}"""


def axe_violations(page) -> list:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN)


def test_the_axe_check_does_report_violations(page):
    _need(AXE, "`make test` runs `npm ci` in tests/browser to install axe-core")
    page.set_content("<html><body><img src='x.png'><input id='a'></body></html>")
    found = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "html-has-lang", "label"} <= found


def test_axe_finds_no_accessibility_violations_on_any_page(site: Site, page):
    _need(AXE, "`make test` runs `npm ci` in tests/browser to install axe-core")
    with write_session(site.engine) as db:
        for index, (outcome, parsed) in enumerate([("ok", 20), ("error", 0), ("ok", 22)]):
            db.add(
                ScrapeRun(
                    source="vinnova",
                    started_at=NOW.replace(hour=index),
                    outcome=outcome,
                    parsed=parsed,
                    reason="timeout" if outcome == "error" else "",
                )
            )
    site.settings.sources = []
    call = site.ids["v1"]
    visits: list[tuple[str, str | None]] = [
        ("/", None),
        ("/?q=vatten&status=open&from=fel", None),
        (f"/calls/{call}", None),
        ("/profiles", None),
        ("/profiles/miljo", None),
        ("/sources", None),
        ("/login", None),
        ("/finns-inte", None),
    ]
    failures = {}

    def check(label: str) -> None:
        found = axe_violations(page)
        if found:
            failures[label] = found

    for path, _ in visits:
        page.goto(site.url + path)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        check(path)
    # a failed login, then the pages only a KLK user sees
    page.goto(site.url + "/login")
    page.get_by_label("Användarnamn").fill("klk-anna")
    page.get_by_label("Lösenord").fill("fel")
    page.get_by_role("button", name="Logga in").click()
    check("login with an error")
    login(page, site)
    for path in (
        "/",
        f"/calls/{call}",
        "/workshop",
        "/workshop/miljo",
        "/workshop/miljo?mode=toml",
        "/workshop/ny-profil",
        "/audit",
    ):
        page.goto(site.url + path)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        check(path + " (KLK)")
    page.goto(site.url + "/workshop/miljo")
    page.locator("#f-name").fill("")
    page.locator("#f-p0-weight").fill("tolv")
    page.get_by_role("button", name="Kontrollera").click()
    check("workshop with errors")
    page.locator("#f-name").fill("Miljöförvaltningen")
    page.locator("#f-p0-weight").fill("2")
    page.get_by_role("button", name="Förhandsvisa rankningen").click()
    check("workshop preview")
    page.goto(site.url + "/workshop/new?id=Fel id")
    check("workshop new with a bad id")
    assert failures == {}


def focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement; const s = getComputedStyle(e);
        return {tag: e.tagName, id: e.id, text: (e.innerText || e.value || '').trim().slice(0, 80),
                href: e.getAttribute('href'), outline: s.outlineStyle, shadow: s.boxShadow}; }"""
    )


def tab_until(page, predicate, limit: int = 80) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        current = focused(page)
        if predicate(current):
            return current
    raise AssertionError("the wanted element was never reached with Tab")


def test_keyboard_only_search_open_call_login_and_feedback(site: Site, page, tmp_path):
    page.goto(site.url + "/")
    page.keyboard.press("Tab")
    first = focused(page)
    assert first["text"] == "Hoppa till huvudinnehållet"
    assert first["outline"] == "solid"  # a visible focus indicator
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    search = tab_until(page, lambda f: f["id"] == "q")
    assert search["outline"] == "solid"
    page.keyboard.type("vattenvård")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=vattenv*")
    result = tab_until(page, lambda f: (f["href"] or "").startswith("/calls/"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{result['href']}")
    # log in from the call page and come back to it, by keyboard
    tab_until(page, lambda f: f["text"] == "Logga in")
    page.keyboard.press("Enter")
    page.wait_for_url("**/login?next=*")
    tab_until(page, lambda f: f["id"] == "username")
    page.keyboard.type("buf-bo")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{result['href']}")
    button = tab_until(page, lambda f: f["tag"] == "BUTTON" and f["text"].startswith("Inte relevant"))
    assert button["outline"] == "solid"
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text().startswith("Återkoppling sparad: Inte relevant")
    screenshot(page, "tangentbord-aterkoppling", tmp_path)


def test_every_page_works_without_javascript(site: Site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url + "/")
    page.get_by_label("Sökord").fill("digitalisering")
    page.get_by_role("button", name="Sök", exact=True).click()
    assert page.get_by_role("link", name="Digitalisering i små företag").is_visible()
    page.goto(site.url + "/login")
    page.get_by_label("Användarnamn").fill("klk-anna")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.goto(site.url + "/workshop/kultur")
    page.get_by_role("button", name="Lägg till prioritering").click()
    assert page.locator("#f-p1-title").is_visible()
    context.close()
