"""The yearly report to the municipal board: figures, charts and documents from one year's facts. Pure.

No database, no network, no clock: ``store.report.year_facts`` gathers the facts, the caller gives ``now``.

- ``reporting.figures``: ``compute_report(facts, names, now)`` → ``YearReport`` (the rules of what counts when)
- ``reporting.funding``: ``classify_funding`` (EU / national and regional / Nordic and other)
- ``reporting.tables``: the report's tables (``Table``), shared by HTML, CSV and xlsx
- ``reporting.charts``: the report's SVG charts; ``reporting.svg``: the SVG chart primitives
- ``reporting.summary``: the summary in words and the definitions
- ``reporting.document``: ``SECTIONS`` (the extension point), ``render_sections``, ``render_document``
- ``reporting.exports``: ``csv_table``/``csv_rows`` and ``xlsx_bytes``
"""

from reporting.document import SECTIONS, Section, render_document, render_sections
from reporting.exports import csv_rows, csv_table, xlsx_bytes
from reporting.figures import YearReport, compute_report

__all__ = [
    "SECTIONS",
    "Section",
    "YearReport",
    "compute_report",
    "csv_rows",
    "csv_table",
    "render_document",
    "render_sections",
    "xlsx_bytes",
]
