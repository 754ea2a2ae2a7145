"""The yearly report in a real browser (Debian's chromium through Playwright): charts as accessible SVG images
whose numbers are the same as in the tables beside them, no axe-core violations, usable without JavaScript and
readable when printed."""

from __future__ import annotations

import re

import pytest

from tests.report_year import fill_report_year
from tests.web import test_browser as shared
from tests.web.conftest import Site
from tests.web.test_browser import AXE, _need, axe_violations, screenshot

# the browser tests' own fixtures: one chromium per module, a fresh context per test
browser = shared.browser
page = shared.page

pytestmark = pytest.mark.browser

CHARTS = """() => Array.from(document.querySelectorAll('svg')).map(svg => ({
  role: svg.getAttribute('role'),
  name: svg.getAttribute('aria-label'),
  title: (svg.querySelector(':scope > title') || {}).textContent || '',
  desc: (svg.querySelector(':scope > desc') || {}).textContent || '',
  bars: Array.from(svg.querySelectorAll('g > title')).map(t => t.textContent),
  width: svg.getBoundingClientRect().width,
}))"""

TABLE = """(id) => Array.from(document.querySelectorAll('#' + id + ' tbody tr')).map(
  tr => Array.from(tr.querySelectorAll('th, td')).map(c => c.textContent.trim()))"""


def number(text: str) -> int:
    """ "3 955 057 kr" -> 3955057."""
    return int(re.sub(r"[^\d]", "", text) or 0)


@pytest.fixture
def report_site(site: Site) -> Site:
    fill_report_year(site.engine)
    return site


def bars_by_group(chart: dict) -> dict[str, dict[str, int]]:
    """{group: {series: value}} from the bars' own titles ("Miljöförvaltningen – Beviljade: 2")."""
    out: dict[str, dict[str, int]] = {}
    for title in chart["bars"]:
        group, _, rest = title.partition(" – ")
        series, _, value = rest.rpartition(": ")
        out.setdefault(group, {})[series] = number(value)
    return out


def test_charts_are_accessible_images_with_the_same_numbers_as_their_tables(report_site: Site, page, tmp_path):
    page.goto(report_site.url + "/report?year=2026")
    charts = page.evaluate(CHARTS)
    assert len(charts) == 2
    for chart in charts:
        assert chart["role"] == "img" and chart["name"] and chart["title"].strip() and chart["desc"].strip()
        assert chart["width"] > 300  # drawn, not collapsed
    applications, funding = charts
    assert applications["title"].startswith("Ansökningar per förvaltning 2026")

    # applications per administration: the chart's bars against the table's columns
    drawn = bars_by_group(applications)
    rows = {row[0]: row for row in page.evaluate(TABLE, "tabell-ansokningar")}
    assert set(drawn) == {"Miljöförvaltningen", "Barn- och ungdomsförvaltningen", "Kultur- och fritidsförvaltningen"}
    for name, values in drawn.items():
        row = rows[name]  # Förvaltning, Matchade, Intressanta, Inskickade, Beviljade, Avslag, Avstådda, Beviljandegrad
        assert (values["Inskickade"], values["Beviljade"], values["Avslag"]) == (
            number(row[3]),
            number(row[4]),
            number(row[5]),
        )
    assert drawn["Miljöförvaltningen"] == {"Inskickade": 3, "Beviljade": 2, "Avslag": 1}

    # EU / national / other amounts: the chart's bars against the funding table
    drawn = bars_by_group(funding)
    rows = {row[0]: row for row in page.evaluate(TABLE, "tabell-finansiering")}
    for category, values in drawn.items():
        row = rows[category]  # Finansieringstyp, Inskickade, Sökt, Beviljade, Beviljat
        assert (values["Sökt belopp"], values["Beviljat belopp"]) == (number(row[2]), number(row[4]))
    assert drawn["EU-medel"] == {"Sökt belopp": 6_855_057, "Beviljat belopp": 3_276_000}
    # the description says the same in words
    assert "EU-medel: sökt 6\u00a0855\u00a0057\u00a0kr, beviljat 3\u00a0276\u00a0000\u00a0kr" in funding["desc"]
    screenshot(page, "rapport", tmp_path)


def test_axe_finds_no_violations_on_the_report_page_and_its_printable_version(report_site: Site, page):
    _need(AXE, "`make test` runs `npm ci` in tests/browser to install axe-core")
    failures = {}
    for path in (
        "/report?year=2026",
        "/report?year=2026&profile=skola",
        "/report?year=1999",
        "/report/print?year=2026",
    ):
        page.goto(report_site.url + path)
        found = axe_violations(page)
        if found:
            failures[path] = found
    assert failures == {}


def test_choosing_an_administration_without_javascript_and_printing(report_site: Site, browser, tmp_path):
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    tab = context.new_page()
    tab.goto(report_site.url + "/report?year=2026")
    tab.get_by_label("Förvaltning", exact=True).select_option("miljo")
    tab.get_by_role("button", name="Visa rapporten").click()
    tab.wait_for_url("**/report?year=2026&profile=miljo")
    assert tab.locator("svg[role=img]").count() == 2
    assert tab.get_by_role("heading", name="Ansökningar per förvaltning").is_visible()
    # printed: the navigation and the form go, the charts and tables stay
    tab.emulate_media(media="print")
    assert not tab.locator("nav.main-nav").is_visible() and not tab.locator("form.report-form").is_visible()
    assert tab.locator("svg[role=img]").first.is_visible() and tab.locator("#tabell-ansokningar").is_visible()
    tab.goto(report_site.url + "/report/print?year=2026")
    pdf = tmp_path / "rapport.pdf"
    tab.pdf(path=str(pdf), format="A4")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    context.close()
