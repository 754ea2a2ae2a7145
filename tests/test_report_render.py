"""The yearly report's rendering (pure): SVG charts with text alternatives, the printable HTML document and its
sections, CSV rows and the xlsx workbook read back."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from reporting import SECTIONS, Section, compute_report, csv_rows, csv_table, render_document, xlsx_bytes
from reporting.charts import applications_chart, funding_chart
from reporting.document import render_sections, style_hash
from reporting.svg import Group, Series, grouped_bar_chart
from reporting.tables import activity_table
from store.engine import make_engine, read_session
from store.migrate import upgrade
from store.report import FollowUpFact, YearFacts, year_facts
from tests.report_year import NAMES, fill_report_year

NOW = datetime(2026, 11, 28, 21, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('render') / 'r.db'}")
    upgrade(engine)
    fill_report_year(engine)
    with read_session(engine) as db:
        facts = year_facts(db, 2026)
    engine.dispose()
    return compute_report(facts, NAMES, NOW)


class Outline(HTMLParser):
    """Headings, tables (caption and cell texts) and SVG titles/descs of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.svgs: list[dict] = []
        self._stack: list[str] = []
        self._text = ""
        self._table: str | None = None
        self._row: list[str] | None = None
        self.html_lang = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        if tag == "table":
            self._table = attrs.get("id", "")
            self.tables[self._table] = []
        if tag == "tr" and self._table is not None:
            self._row = []
        if tag == "svg":
            self.svgs.append({"role": attrs.get("role"), "label": attrs.get("aria-label"), "title": "", "desc": ""})
        self._stack.append(tag)
        self._text = ""

    def handle_endtag(self, tag):
        text = self._text.strip()
        if tag in ("h1", "h2", "h3"):
            self.headings.append((tag, text))
        if tag in ("th", "td") and self._row is not None:
            self._row.append(text)
        if tag == "tr" and self._row is not None and self._table is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        if tag == "table":
            self._table = None
        if tag in ("title", "desc") and "svg" in self._stack and self.svgs and not self.svgs[-1][tag]:
            self.svgs[-1][tag] = text
        while self._stack and self._stack.pop() != tag:
            pass

    def handle_data(self, data):
        self._text += data


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


def test_grouped_bar_chart_is_an_accessible_image_that_escapes_every_label():
    svg = grouped_bar_chart(
        "c1",
        'Titel "<b>"',
        "Beskrivning & mer",
        [Group("<script>alert(1)</script>", (3, 1)), Group("B", (0, 2))],
        [Series("Inskickade"), Series('Bevil"jade')],
    )
    assert svg.startswith('<svg class="bar-chart"') and 'role="img"' in svg
    assert "<title>Titel &quot;&lt;b&gt;&quot;</title>" in svg and "<desc>Beskrivning &amp; mer</desc>" in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    # the second series is hatched (a pattern), with an id unique to this chart
    assert 'id="c1-p1"' in svg and 'fill="url(#c1-p1)"' in svg
    # every value is written out, so colour is never the only carrier
    values = re.findall(r'font-size="12"[^>]*>([^<]+)</text>', svg)
    assert values == ["3", "1", "0", "2"]
    assert grouped_bar_chart("c2", "t", "d", [], [Series("x")]) == ""


def test_report_charts_describe_every_number_they_draw(report):
    svg = applications_chart(report)
    desc = re.search(r"<desc>(.*?)</desc>", svg).group(1)
    assert "Miljöförvaltningen: 3 inskickade, 2 beviljade, 1 avslag" in desc
    assert "Barn- och ungdomsförvaltningen: 2 inskickade, 2 beviljade, 1 avslag" in desc
    assert "Kultur- och fritidsförvaltningen: 1 inskickade, 0 beviljade, 0 avslag" in desc
    money = funding_chart(report)
    assert "EU-medel: sökt 6\u00a0855\u00a0057\u00a0kr, beviljat 3\u00a0276\u00a0000\u00a0kr" in money
    # without any application there is nothing to draw
    empty = compute_report(YearFacts(2026, (), {}), NAMES, NOW)
    assert applications_chart(empty) == "" and funding_chart(empty) == ""


def test_the_document_is_swedish_with_sections_in_order_and_the_same_numbers_in_its_tables(report):
    html = render_document(report)
    page = outline(html)
    assert page.html_lang == "sv"
    assert page.headings[0] == ("h1", "Externa medel 2026")
    h2 = [text for tag, text in page.headings if tag == "h2"]
    assert h2 == ["Innehåll"] + [s.title for s in SECTIONS]  # "Att kontrollera" is there: two warnings
    assert "Skapad 28 november 2026 kl. 22:10 av fundwatch." in html  # Swedish time
    assert "Året pågår: siffrorna gäller till och med 28 november 2026." in html
    # the activity table: one row per administration and the total, as computed
    rows = page.tables["tabell-ansokningar"]
    assert rows[0][:4] == ["Förvaltning", "Matchade utlysningar", "Markerade som intressanta", "Inskickade ansökningar"]
    assert rows[-1] == ["Hela kommunen", "7", "8", "6", "4", "2", "1", "66,7\u00a0%"]
    assert ["Kultur- och fritidsförvaltningen", "0", "1", "1", "0", "0", "0", "–"] in rows
    money = page.tables["tabell-belopp"]
    assert money[-1] == [
        "Hela kommunen",
        "7\u00a0655\u00a0057\u00a0kr",
        "3\u00a0276\u00a0000\u00a0kr",
        "748\u00a0000\u00a0kr",
    ]
    # both charts, as images with a name and a description
    assert len(page.svgs) == 2 and all(s["role"] == "img" and s["title"] and s["desc"] for s in page.svgs)
    assert (
        "Under 2026 skickade kommunens förvaltningar in 6 ansökningar om externa medel, varav 3 till EU-program."
        in html
    )
    assert "<script" not in html


def test_the_document_prints_its_own_way_and_a_strict_policy_can_allow_its_stylesheet(report):
    html = render_document(report)
    css = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    assert "@media print" in css and "break-before: page" in css and "@page" in css
    expected = "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"
    assert style_hash() == expected
    assert 'class="report-section page-break" id="uppfoljningar"' in html


def test_hostile_text_in_a_call_title_stays_text(report):
    hostile = replace(report.records[0], call_title='<img src=x onerror=alert(1)>"=HYPERLINK("http://evil")')
    html = render_sections(replace(report, records=(hostile, *report.records[1:])))
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_a_section_added_to_the_list_appears_in_the_page_and_the_workbook(report):
    from reporting.tables import Column, Table

    def sheets(r):
        return (Table("sdg", "Agenda 2030-mål", (Column("Mål"), Column("Belopp", "sek")), (("Mål 14", 1200),)),)

    extra = Section("agenda2030", "Agenda 2030", "definitions.html", sheets=sheets)
    sections = (*SECTIONS[:-1], extra, SECTIONS[-1])
    html = render_document(report, sections)
    assert 'id="agenda2030"' in html and '<a href="#agenda2030">Agenda 2030</a>' in html
    book = load_workbook(io.BytesIO(xlsx_bytes(report, sections)))
    assert "Agenda 2030-mål" in book.sheetnames and book["Agenda 2030-mål"]["B2"].value == 1200


def test_csv_summary_has_a_row_per_administration_and_a_total(report):
    header, rows = csv_rows(csv_table(report, "summary"))
    assert header[:3] == ["Förvaltning", "Profil-id", "Matchade utlysningar"]
    assert [r[0] for r in rows] == [
        "Barn- och ungdomsförvaltningen",
        "Kultur- och fritidsförvaltningen",
        "Miljöförvaltningen",
        "Hela kommunen",
    ]
    total = dict(zip(header, rows[-1], strict=True))
    assert total["Beviljandegrad (%)"] == "66,7" and total["Sökt belopp (kr)"] == 7_655_057
    assert (
        total["EU-medel: beviljat (kr)"] == 3_276_000
        and total["Partnerländer"] == "Danmark, Estland, Finland, Litauen, Polen"
    )
    kultur = dict(zip(header, rows[1], strict=True))
    assert kultur["Beviljandegrad (%)"] == ""  # nothing decided: empty, not 0
    header, rows = csv_rows(csv_table(report, "records"))
    assert len(rows) == 11 and "Kurs (kr per euro)" in header
    m3 = next(
        dict(zip(header, r, strict=True)) for r in rows if r[3] == "Nature-based coastal adaptation" and r[2] == "miljo"
    )
    assert (
        m3["Inskickad"] == "2026-12-31" and m3["Kurs (kr per euro)"] == "11,30" and m3["Sökt belopp (kr)"] == 3_955_057
    )
    assert m3["Partner"] == "Aarhus Kommune (Danmark); GDAŃSK KOMMUN (Polen)"
    with pytest.raises(ValueError):
        csv_table(report, "bogus")


def test_the_workbook_reads_back_with_numbers_as_numbers_and_text_never_a_formula(report):
    hostile = replace(report.records[0], call_title='=HYPERLINK("http://evil")\x07')
    data = xlsx_bytes(replace(report, records=(hostile, *report.records[1:])))
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == [
        "Sammanfattning",
        "Uppföljningar",
        "Finansieringstyp",
        "Finansiering per förvaltning",
        "Agenda 2030",
        "Internationellt arbete",
        "Aktiviteter per förvaltning",
        "Aktiviteter per partner",
        "Växelkurser",
        "Definitioner",
    ]
    summary = book["Sammanfattning"]
    header = [c.value for c in summary[1]]
    total = dict(zip(header, [c.value for c in summary[5]], strict=True))
    assert total["Förvaltning"] == "Hela kommunen" and total["Inskickade ansökningar"] == 6
    assert total["Sökt belopp (kr)"] == 7_655_057 and total["Beviljandegrad (%)"] == pytest.approx(4 / 6)
    records = book["Uppföljningar"]
    titles = [c.value for c in records["D"]][1:]
    assert '=HYPERLINK("http://evil") ' in titles
    cell = next(c for c in records["D"] if c.value == '=HYPERLINK("http://evil") ')
    assert cell.data_type == "s"
    dates = [c.value for c in records["N"]][1:]  # "Inskickad"
    assert datetime(2026, 12, 31) in dates
    rates = [[c.value for c in row] for row in book["Växelkurser"].iter_rows(min_row=2)]
    assert sorted(r[3] for r in rates) == [11.0, 11.2, 11.3]
    assert book["Definitioner"]["A2"].value == "Matchade utlysningar"


def test_a_report_of_one_administration_has_no_total_row():
    facts = YearFacts(
        2026,
        (
            FollowUpFact(
                id=1, profile_id="kultur", call_id=1, status="inskickad", currency="SEK", eur_rate=None,
                amount_applied=1000, amount_granted=None, cofinancing=None, interested_on=None, applying_on=None,
                submitted_on=date(2026, 4, 1), decided_on=None, created_on=date(2026, 4, 1), updated_on=date(2026, 4, 1),
                partners=(), contact_name="", call_title="T", call_url="https://x.example", funder="Formas",
                programme="", source="formas",
            ),
        ),
        {},
    )  # fmt: skip
    one = compute_report(facts, NAMES, NOW, "kultur")
    rows = outline(render_document(one)).tables["tabell-ansokningar"]
    assert [r[0] for r in rows] == ["Förvaltning", "Kultur- och fritidsförvaltningen"]
    assert activity_table(one).has_total is False
    assert "Under 2026 skickade Kultur- och fritidsförvaltningen in 1 ansökan om externa medel." in render_document(one)


def test_the_reporting_package_is_pure(tmp_path):
    """Facts in (any objects with the right attributes), documents out: no database, web or network module loads."""
    import subprocess
    import sys
    from pathlib import Path

    script = """
import sys
from datetime import UTC, date, datetime
from types import SimpleNamespace as NS
from reporting import compute_report, csv_rows, csv_table, render_document, xlsx_bytes
follow = NS(id=1, profile_id="p", call_id=1, status="beviljad", currency="EUR", eur_rate=11.0, amount_applied=10,
            amount_granted=10, cofinancing=1, interested_on=date(2026, 1, 1), applying_on=None,
            submitted_on=date(2026, 2, 1), decided_on=date(2026, 3, 1), created_on=None, updated_on=None,
            partners=(NS(name="Rostock", country="DE"),), contact_name="", call_title="T", call_url="https://x.example",
            funder="European Commission", programme="LIFE", source="eu-ftp")
report = compute_report(NS(year=2026, followups=(follow,), matched={"p": frozenset({1})}), {"p": "P"}, datetime.now(UTC))
assert report.total.granted_sek == 110 and report.total.category("eu").granted == 1
render_document(report); xlsx_bytes(report); csv_rows(csv_table(report))
loaded = sorted(m for m in sys.modules if m.split(".")[0] in
                ("store", "sqlalchemy", "sqlmodel", "psycopg", "web", "fastapi", "starlette", "httpx", "scrapers", "alerts"))
print(",".join(loaded))
"""
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_the_summary_says_whether_the_year_is_over():
    def first_paragraph(now):
        return render_document(compute_report(YearFacts(2026, (), {}), NAMES, now)).split("<p>")[1]

    assert first_paragraph(datetime(2026, 6, 1, tzinfo=UTC)).startswith(
        "Året pågår: siffrorna gäller till och med 1 juni 2026."
    )
    assert first_paragraph(datetime(2025, 6, 1, tzinfo=UTC)).startswith("Året 2026 har inte börjat ännu.")
    assert first_paragraph(datetime(2027, 1, 1, tzinfo=UTC)).startswith(
        "Under 2026 skickade kommunens förvaltningar inte in"
    )
