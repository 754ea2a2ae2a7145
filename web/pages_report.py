"""Rapport: the yearly report to the municipal board, with its charts and tables, a printable version and
CSV and xlsx downloads. Readable by whoever may read the web UI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from reporting import compute_report, csv_rows, csv_table, render_document, render_sections, xlsx_bytes
from reporting.document import SECTIONS, shown_sections, style_hash
from reporting.figures import YearReport
from store.engine import read_session
from store.report import report_years, year_facts
from web.app import render, state
from web.csvout import csv_response

router = APIRouter()
#: the years a report may be asked for
YEARS = (2000, 2100)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Choice:
    year: int
    profile: str | None
    error: str = ""

    def query(self, **extra: str) -> str:
        values = {"year": str(self.year)}
        if self.profile:
            values["profile"] = self.profile
        values.update(extra)
        return urlencode(values)

    @property
    def file_stem(self) -> str:
        return f"externa-medel-{self.year}" + (f"-{self.profile}" if self.profile else "")


def _choice(request: Request, names: dict[str, str]) -> Choice:
    web = state(request)
    this_year = datetime.now(UTC).astimezone(ZoneInfo(web.settings.schedule.timezone)).year
    text = request.query_params.get("year", "").strip()
    error = ""
    year = this_year
    if text:
        if text.isdigit() and YEARS[0] <= int(text) <= YEARS[1]:
            year = int(text)
        else:
            error = f"Året ska vara ett årtal mellan {YEARS[0]} och {YEARS[1]}. Rapporten visar {this_year}."
    profile = request.query_params.get("profile", "").strip() or None
    if profile is not None and profile not in names:
        raise HTTPException(404, "Förvaltningen finns inte.")
    return Choice(year, profile, error)


def _report(request: Request) -> tuple[YearReport, Choice, dict[str, str], list[int]]:
    web = state(request)
    names = web.profiles.names()
    choice = _choice(request, names)
    with read_session(web.engine) as db:
        facts = year_facts(db, choice.year, choice.profile, web.settings.schedule.timezone)
        years = report_years(db, web.settings.schedule.timezone)
    return compute_report(facts, names, datetime.now(UTC), choice.profile), choice, names, years


@router.get("/report", response_class=HTMLResponse)
def report_page(request: Request) -> Response:
    report, choice, names, years = _report(request)
    options = sorted(set(years) | {choice.year, datetime.now(UTC).year}, reverse=True)
    return render(
        request,
        "report.html",
        {
            "report": report,
            "choice": choice,
            "names": names,
            "years": options,
            "sections": shown_sections(report, SECTIONS),
            "body": render_sections(report),
        },
    )


@router.get("/report/print", response_class=HTMLResponse)
def report_document(request: Request) -> Response:
    """The printable document: the same file ``fundwatch report --format html`` writes."""
    report, _, _, _ = _report(request)
    response = HTMLResponse(render_document(report))
    # the document carries its own stylesheet inline (it must work as a lone file): allow exactly that one
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src {style_hash()}; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    return response


@router.get("/report.csv")
def report_csv(request: Request) -> Response:
    report, choice, _, _ = _report(request)
    which = request.query_params.get("table", "summary")
    try:
        table = csv_table(report, which)
    except ValueError:
        raise HTTPException(404, "Tabellen finns inte. Välj sammanfattning eller uppföljningar.") from None
    header, rows = csv_rows(table)
    suffix = "" if which == "summary" else "-uppfoljningar"
    return csv_response(f"{choice.file_stem}{suffix}.csv", header, rows)


@router.get("/report.xlsx")
def report_xlsx(request: Request) -> Response:
    report, choice, _, _ = _report(request)
    return Response(
        content=xlsx_bytes(report),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{choice.file_stem}.xlsx"'},
    )
