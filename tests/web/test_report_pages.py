"""Rapport over real HTTP: the yearly report page, its printable version and its CSV and xlsx downloads."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

from tests.report_year import fill_report_year
from tests.web.conftest import Site


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def report_site(make_site, **settings) -> Site:
    site = make_site(**settings)
    fill_report_year(site.engine)
    return site


def test_the_report_page_shows_the_year_s_figures_charts_and_downloads(make_site):
    site = report_site(make_site)
    response = site.client().get("/report", params={"year": "2026"})
    assert response.status_code == 200
    html = response.text
    assert '<a href="/report" aria-current="page">Rapport</a>' in html
    assert html.count("<h1") == 1 and "Årsrapport: externa medel 2026" in html
    page = text_of(html)
    assert (
        "Under 2026 skickade kommunens förvaltningar in 6 ansökningar om externa medel, varav 3 till EU-program."
        in page
    )
    total = re.search(r'<tr class="total">(.*?)</tr>', html.split('id="tabell-ansokningar"')[1], re.S).group(1)
    assert text_of(total).split() == ["Hela", "kommunen", "7", "8", "6", "4", "2", "1", "66,7", "%"]
    assert html.count('role="img"') == 2
    for link in (
        "/report/print?year=2026",
        "/report.csv?year=2026",
        "/report.csv?year=2026&amp;table=records",
        "/report.xlsx?year=2026",
    ):
        assert f'href="{link}"' in html, link
    # the year and the administration can be chosen; the years with data are offered
    assert '<option value="2026" selected>2026</option>' in html and '<option value="2024">2024</option>' in html
    assert '<option value="skola">Barn- och ungdomsförvaltningen</option>' in html


def test_one_administration_and_a_bad_year(make_site):
    site = report_site(make_site)
    client = site.client()
    html = client.get("/report", params={"year": "2026", "profile": "skola"}).text
    assert "Barn- och ungdomsförvaltningen" in html and 'id="tabell-ansokningar"' in html
    rows = html.split('id="tabell-ansokningar"')[1].split("</table>")[0]
    assert "Hela kommunen" not in rows and "Miljöförvaltningen" not in rows
    assert '<a href="/report.csv?year=2026&amp;profile=skola">' in html
    bad = client.get("/report", params={"year": "tjugo"})
    assert bad.status_code == 200 and "Året ska vara ett årtal mellan 2000 och 2100." in bad.text
    missing = client.get("/report", params={"profile": "finns-inte"})
    assert missing.status_code == 404 and "Förvaltningen finns inte." in missing.text


def test_csv_and_xlsx_downloads(make_site):
    site = report_site(make_site)
    client = site.client()
    response = client.get("/report.csv", params={"year": "2026"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert 'filename="externa-medel-2026.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff")), delimiter=";"))
    assert rows[-1][0] == "Hela kommunen" and dict(zip(rows[0], rows[-1], strict=True))["Beviljade"] == "4"
    records = client.get("/report.csv", params={"year": "2026", "profile": "miljo", "table": "records"})
    assert 'filename="externa-medel-2026-miljo-uppfoljningar.csv"' in records.headers["content-disposition"]
    assert len(records.content.decode("utf-8").strip().splitlines()) == 1 + 5  # M1-M5 have steps in 2026
    assert client.get("/report.csv", params={"table": "allt"}).status_code == 404
    xlsx = client.get("/report.xlsx", params={"year": "2026"})
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[:2] == ["Sammanfattning", "Uppföljningar"]


def test_the_printable_version_is_the_standalone_document_with_its_own_style_allowed(make_site):
    site = report_site(make_site)
    response = site.client().get("/report/print", params={"year": "2026"})
    assert response.status_code == 200
    assert response.text.startswith("<!doctype html>") and "<h1>Externa medel 2026</h1>" in response.text
    policy = response.headers["content-security-policy"]
    assert re.search(r"style-src 'sha256-[A-Za-z0-9+/=]+';", policy) and "script-src" not in policy
    assert "unsafe-inline" not in policy


def test_reading_the_report_needs_a_login_when_reading_does(make_site):
    site = report_site(make_site, web__require_login=True)
    anonymous = site.client()
    assert anonymous.get("/report").status_code == 303
    assert anonymous.get("/report.csv").status_code == 401
    staff = site.login("buf-bo")
    assert staff.get("/report", params={"year": "2026"}).status_code == 200
