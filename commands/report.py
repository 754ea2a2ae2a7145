"""``fundwatch report``: the yearly report as HTML, CSV or xlsx.

Gathers the year's facts (``store.report``), computes the figures and renders them (``reporting``), and writes
the result to a file or, for the text formats, to standard output.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from errors import InputFormatError, ProfileError
from matcher.profiles import ID_PATTERN, load_profile
from reporting import compute_report, csv_rows, csv_table, render_document, xlsx_bytes
from reporting.exports import CSV_TABLES
from reporting.figures import YearReport
from store.engine import read_session
from store.report import year_facts

if TYPE_CHECKING:
    from scheduler import App

log = logging.getLogger(__name__)

FORMATS = ("html", "csv", "xlsx")
#: the earliest and latest years a report may be asked for
YEARS = (2000, 2100)


def profile_names(folder: Path) -> dict[str, str]:
    """profile id -> administration name for every profile file; a file that does not load is named by its id
    (the yearly report must not fail because one profile has a typo)."""
    names: dict[str, str] = {}
    if not folder.is_dir():
        return names
    for path in sorted(folder.glob("*.toml")):
        if not ID_PATTERN.match(path.stem):
            continue
        try:
            names[path.stem] = load_profile(path).name
        except ProfileError as exc:  # a broken file: fall back to the id, and say so
            log.warning("%s: %s; the report names the administration by its id", path, str(exc).splitlines()[0])
            names[path.stem] = path.stem
    return names


def current_year(now: datetime, timezone: str) -> int:
    return now.astimezone(ZoneInfo(timezone)).year


def build_report(engine, names: dict[str, str], year: int, profile_id: str | None, now: datetime) -> YearReport:
    """The year's report for every administration, or one; unknown profiles raise InputFormatError."""
    if not YEARS[0] <= year <= YEARS[1]:
        raise InputFormatError(f"--year {year}: must be between {YEARS[0]} and {YEARS[1]}")
    with read_session(engine) as session:
        facts = year_facts(session, year, profile_id)
    if profile_id is not None and profile_id not in names and not facts.followups and not facts.matched:
        known = ", ".join(sorted(names)) or "none"
        raise InputFormatError(f"--profile {profile_id!r}: no such profile and no data for it; known profiles: {known}")
    return compute_report(facts, names, now, profile_id)


def render(report: YearReport, fmt: str, table: str = "summary") -> bytes:
    """The report in one format, as bytes (HTML and CSV in UTF-8; CSV with a byte-order mark for Excel)."""
    if fmt == "html":
        return render_document(report).encode("utf-8")
    if fmt == "csv":
        from web.csvout import csv_text

        header, rows = csv_rows(csv_table(report, table))
        return csv_text(header, rows).encode("utf-8")
    if fmt == "xlsx":
        return xlsx_bytes(report)
    raise InputFormatError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")


def run_report(
    settings,
    engine,
    *,
    year: int | None,
    profile_id: str | None,
    fmt: str,
    output: str | None,
    table: str = "summary",
    now: datetime | None = None,
    stdout=None,
) -> str:
    """Write the report; returns a one-line summary of what was written (for the CLI's standard error)."""
    now = now or datetime.now(UTC)
    if table not in CSV_TABLES:
        raise InputFormatError(f"--table {table!r}: choose one of {', '.join(CSV_TABLES)}")
    if fmt == "xlsx" and not output:
        raise InputFormatError("--format xlsx writes a binary file: give --output PATH")
    names = profile_names(settings.path(settings.paths.profiles_dir))
    report = build_report(
        engine, names, year if year is not None else current_year(now, settings.schedule.timezone), profile_id, now
    )
    data = render(report, fmt, table)
    if output:
        path = Path(output)
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise InputFormatError(f"--output {output}: cannot write: {exc.strerror}") from None
        where = str(path)
    else:
        stream = stdout or sys.stdout
        if hasattr(stream, "buffer"):
            stream.flush()
            stream.buffer.write(data)
            stream.buffer.flush()
        else:
            stream.write(data.decode("utf-8"))
        where = "standard output"
    what = f"{fmt}" + (f" ({table})" if fmt == "csv" else "")
    return f"report {report.year} for {report.scope}: {what} written to {where}"


def cmd_report(app: App) -> int:
    args = app.args
    summary = run_report(
        app.settings,
        app.engine,
        year=args.year,
        profile_id=args.profile,
        fmt=args.format,
        output=args.output,
        table=args.table,
    )
    print(summary, file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``report`` to the ``fundwatch`` parser."""
    p = sub.add_parser("report", help="the yearly report to the municipal board (HTML, CSV or xlsx)")
    p.add_argument("--year", type=int, help="calendar year (default: this year)")
    p.add_argument("--profile", metavar="ID", help="only this administration (default: every one and the total)")
    p.add_argument("--format", choices=["html", "csv", "xlsx"], default="html")
    p.add_argument("--table", choices=["summary", "records"], default="summary", help="CSV: which table")
    p.add_argument("-o", "--output", metavar="PATH", help="file to write (default: standard output; xlsx needs one)")
    p.set_defaults(func=cmd_report)
