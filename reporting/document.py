"""The yearly report as HTML: a list of sections, each a template, rendered for the web page or as a printable
document. Pure (Jinja2 with autoescaping; no database, no clock).

**Adding a section** (e.g. SDG sums or an activity register): write ``reporting/templates/sections/KEY.html``
(it gets ``report``, ``section`` and the macros in ``_macros.html``; headings inside start at ``<h3>``), add a
``Section`` to ``SECTIONS`` where it belongs, and give it ``sheets`` if its tables belong in the xlsx workbook.
Data the figures do not have yet goes into ``store.report.YearFacts`` (read by the section from
``report.facts``). The web page, the printable document and the workbook pick the section up from the list.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from reporting import charts, strategy_tables, tables
from reporting.figures import YearReport
from reporting.formatting import datetime_sv, sek
from reporting.summary import DEFINITIONS, summary_paragraphs
from reporting.tables import Table

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _none(_report: YearReport) -> Sequence[Table]:
    return ()


def _always(_report: YearReport) -> bool:
    return True


@dataclass(frozen=True)
class Section:
    """One part of the report: its id (the HTML anchor), its heading and its template."""

    key: str
    title: str
    template: str
    #: tables this section adds to the xlsx workbook, one sheet each
    sheets: Callable[[YearReport], Sequence[Table]] = _none
    #: whether the section is shown for this report (e.g. the warnings only when there are any)
    shown: Callable[[YearReport], bool] = _always
    #: start on a new page when printed
    page_break: bool = False


def records_brief_table(report: YearReport) -> Table:
    """The year's follow-ups as the printed report lists them (the files have every column)."""
    columns = (
        tables.Column("Förvaltning"),
        tables.Column("Utlysning"),
        tables.Column("Finansiär och program"),
        tables.Column("Typ"),
        tables.Column("Status"),
        tables.Column("Intresse", "isodate"),
        tables.Column("Inskickad", "isodate"),
        tables.Column("Beslut", "isodate"),
        tables.Column("Sökt", "sek"),
        tables.Column("Beviljat", "sek"),
        tables.Column("Partner"),
    )
    rows = tuple(
        (
            r.administration,
            r.call_title,
            " – ".join(x for x in (r.funder, r.programme) if x) or r.source,
            r.category_label,
            r.status_label,
            r.interested_on,
            r.submitted_on,
            r.decided_on,
            r.applied_sek,
            r.granted_sek,
            r.partners_text,
        )
        for r in report.records
    )
    return Table("uppfoljningar-kort", f"Uppföljningar med steg under {report.year}", columns, rows)


SECTIONS: tuple[Section, ...] = (
    Section("sammanfattning", "Sammanfattning", "summary.html"),
    Section("ansokningar", "Ansökningar per förvaltning", "applications.html"),
    Section("belopp", "Belopp", "amounts.html"),
    Section(
        "finansiering",
        "EU-medel och nationella medel",
        "funding.html",
        sheets=lambda r: (tables.funding_table(r), tables.funding_by_administration_table(r)),
    ),
    Section("partner", "Internationella partner", "partners.html"),
    Section("agenda2030", "Agenda 2030", "agenda2030.html", sheets=lambda r: (strategy_tables.sdg_table(r),)),
    Section(
        "internationellt",
        "Internationellt arbete",
        "international.html",
        sheets=lambda r: (
            strategy_tables.activity_kind_table(r),
            strategy_tables.activity_partner_table(r),
            strategy_tables.partner_activity_table(r),
        ),
    ),
    Section("uppfoljningar", "Årets uppföljningar", "records.html", page_break=True),
    Section("kurser", "Växelkurser", "rates.html", sheets=lambda r: (tables.rates_table(r),) if r.rates else ()),
    Section("kontroll", "Att kontrollera", "warnings.html", shown=lambda r: bool(r.warnings)),
    Section("definitioner", "Definitioner", "definitions.html", page_break=True),
)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        tables=tables,
        charts=charts,
        display=tables.display,
        sek=sek,
        summary_paragraphs=summary_paragraphs,
        definitions=DEFINITIONS,
        records_brief_table=records_brief_table,
        strategy_tables=strategy_tables,
    )
    env.filters["markup"] = Markup
    return env


_ENV = _environment()


def shown_sections(report: YearReport, sections: Sequence[Section] = SECTIONS) -> list[Section]:
    return [s for s in sections if s.shown(report)]


def render_sections(report: YearReport, sections: Sequence[Section] = SECTIONS) -> Markup:
    """The sections' HTML (``<section>`` elements with ``<h2>`` headings), for the web page and the document."""
    parts = []
    for section in shown_sections(report, sections):
        template = _ENV.get_template(f"sections/{section.template}")
        parts.append(template.render(report=report, section=section))
    return Markup("\n".join(parts))


def document_css() -> str:
    return (TEMPLATES / "document.css").read_text(encoding="utf-8")


def style_hash() -> str:
    """The CSP source (``'sha256-...'``) of the document's inline stylesheet, so a strict policy can allow it."""
    import base64

    digest = hashlib.sha256(document_css().encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def render_document(report: YearReport, sections: Sequence[Section] = SECTIONS) -> str:
    """The whole report as one printable HTML file: Swedish, with its own stylesheet and no external file."""
    return _ENV.get_template("document.html").render(
        report=report,
        sections=shown_sections(report, sections),
        body=render_sections(report, sections),
        css=Markup(document_css()),
        generated=datetime_sv(report.generated_at),
    )
