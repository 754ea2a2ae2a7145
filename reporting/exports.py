"""The report as files: CSV rows (written by the caller's CSV writer) and an xlsx workbook. Pure.

- CSV ``summary``: one row per administration and a last row for the whole municipality (``summary_table``);
  CSV ``records``: one row per follow-up with a step in the year, with every date, amount, rate and partner.
- xlsx: a sheet ``Sammanfattning`` (the CSV summary), a sheet ``Uppföljningar`` (the CSV records), the sheets
  the report's sections add (funding types, exchange rates) and a sheet ``Definitioner``.

Amounts are numbers in the files (whole kronor; in xlsx with a thousands format), shares are percent.
Text cells are always text: a title starting with "=" is never a formula in the workbook.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from reporting.document import SECTIONS, Section, shown_sections
from reporting.figures import YearReport
from reporting.summary import DEFINITIONS
from reporting.tables import Column, Table, plain, records_table, summary_table

#: what ``--table`` / ``table=`` may name for CSV
CSV_TABLES = ("summary", "records")


def csv_table(report: YearReport, which: str = "summary") -> Table:
    if which == "summary":
        return summary_table(report)
    if which == "records":
        return records_table(report)
    raise ValueError(f"unknown table {which!r}; choose one of: {', '.join(CSV_TABLES)}")


def csv_rows(table: Table) -> tuple[list[str], list[list[object]]]:
    """(header, rows) with plain values, ready for a CSV writer."""
    rows = [[plain(value, column.kind) for value, column in zip(row, table.columns, strict=True)] for row in table.rows]
    return table.header, rows


def definitions_table() -> Table:
    return Table("definitioner", "Definitioner", (Column("Begrepp"), Column("Förklaring")), tuple(DEFINITIONS))


def workbook_tables(report: YearReport, sections: Sequence[Section] = SECTIONS) -> list[Table]:
    out = [summary_table(report), records_table(report)]
    for section in shown_sections(report, sections):
        out.extend(section.sheets(report))
    out.append(definitions_table())
    return out


_SHEET_NAMES = {
    "sammanfattning": "Sammanfattning",
    "uppfoljningar": "Uppföljningar",
    "finansiering": "Finansieringstyp",
    "finansiering-forvaltning": "Finansiering per förvaltning",
    "agenda2030": "Agenda 2030",
    "internationellt": "Internationellt arbete",
    "internationellt-forvaltningar": "Aktiviteter per förvaltning",
    "internationellt-partner": "Aktiviteter per partner",
    "kurser": "Växelkurser",
    "definitioner": "Definitioner",
}
_INVALID_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_name(table: Table) -> str:
    """An Excel sheet name (at most 31 characters, none of []:*?/\\)."""
    name = _SHEET_NAMES.get(table.key, table.title)
    return name.translate(_INVALID_SHEET_CHARS).strip()[:31] or table.key[:31]


def xlsx_bytes(report: YearReport, sections: Sequence[Section] = SECTIONS) -> bytes:
    """The report as an xlsx workbook (openpyxl)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for table in workbook_tables(report, sections):
        sheet = book.create_sheet(sheet_name(table))
        sheet.append(table.header)
        for cell in sheet[1]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row_number, row in enumerate(table.rows, start=2):
            for column_number, (value, column) in enumerate(zip(row, table.columns, strict=True), start=1):
                _write(sheet.cell(row=row_number, column=column_number), value, column)
            if table.has_total and row_number == len(table.rows) + 1:
                for cell in sheet[row_number]:
                    cell.font = bold
        for index, column in enumerate(table.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = 48 if column.kind == "text" else 16
        sheet.freeze_panes = "B2"
    book.properties.title = f"Externa medel {report.year} – {report.scope}"
    book.properties.creator = "fundwatch"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write(cell, value: object, column: Column) -> None:
    if value is None or value == "":
        return
    if column.kind in ("int", "sek"):
        cell.value = int(value)
        cell.number_format = "#,##0"
    elif column.kind == "share":
        cell.value = float(value)
        cell.number_format = "0.0%"
    elif column.kind == "rate":
        cell.value = float(value)
        cell.number_format = "0.0000"
    elif column.kind in ("date", "isodate") and isinstance(value, date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    else:
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        cell.value = ILLEGAL_CHARACTERS_RE.sub(" ", str(value))
        cell.data_type = "s"  # never a formula, whatever the text starts with
