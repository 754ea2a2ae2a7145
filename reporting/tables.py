"""The report's tables: the same rows feed the HTML tables, the CSV files and the xlsx sheets. Pure.

A ``Table`` holds raw values (ints in SEK, shares as fractions, dates); ``display`` formats a cell for people
(HTML) and ``plain`` for files (CSV: decimal comma, ISO dates). Builders take a ``YearReport``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reporting.figures import Figures, YearReport
from reporting.formatting import country_name, date_sv, decimal_sv, number, percent, sek
from reporting.funding import CATEGORIES, LABELS

#: column kinds: how a value is shown and written
KINDS = ("text", "int", "sek", "share", "date", "isodate", "rate")


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"


@dataclass(frozen=True)
class Table:
    #: short id (file and sheet names are made from it)
    key: str
    #: the caption / sheet title, in Swedish
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[object, ...], ...]
    #: the last row is a total (shown in bold, and named so in files)
    has_total: bool = False

    @property
    def header(self) -> list[str]:
        return [c.label for c in self.columns]


def display(value: object, kind: str) -> str:
    """A cell as people read it: ``1 234 kr``, ``66,7 %``, ``15 mars 2026``; ``–`` for nothing."""
    if value is None or value == "":
        return "–"
    if kind == "sek":
        return sek(int(value))
    if kind == "int":
        return number(int(value))
    if kind == "share":
        return percent(float(value))
    if kind == "date":
        return date_sv(value) if isinstance(value, date) else str(value)
    if kind == "isodate":  # the Swedish standard form, 2026-03-15: short enough for narrow columns
        return value.isoformat() if isinstance(value, date) else str(value)
    if kind == "rate":
        return decimal_sv(float(value))
    return str(value)


def plain(value: object, kind: str) -> object:
    """A cell for a file: numbers stay numbers (shares as percent with a decimal comma), dates in ISO form."""
    if value is None:
        return ""
    if kind == "share":
        return f"{float(value) * 100:.1f}".replace(".", ",")
    if kind == "rate":
        return decimal_sv(float(value))
    if kind in ("date", "isodate") and isinstance(value, date):
        return value.isoformat()
    return value


def _countries(codes: Sequence[str]) -> str:
    return ", ".join(sorted(country_name(c) for c in codes))


def _rows(report: YearReport) -> list[Figures]:
    """The administrations' rows, then the whole municipality's (not for a report on one administration)."""
    return list(report.rows) + ([report.total] if report.profile_id is None else [])


def activity_table(report: YearReport) -> Table:
    columns = (
        Column("Förvaltning"),
        Column("Matchade utlysningar", "int"),
        Column("Markerade som intressanta", "int"),
        Column("Inskickade ansökningar", "int"),
        Column("Beviljade", "int"),
        Column("Avslag", "int"),
        Column("Avstådda", "int"),
        Column("Beviljandegrad", "share"),
    )
    rows = tuple(
        (f.name, f.matched, f.interested, f.submitted, f.granted, f.rejected, f.withdrawn, f.success_rate)
        for f in _rows(report)
    )
    return Table("ansokningar", "Utlysningar och ansökningar per förvaltning", columns, rows, report.profile_id is None)


def money_table(report: YearReport) -> Table:
    columns = (
        Column("Förvaltning"),
        Column("Sökt belopp", "sek"),
        Column("Beviljat belopp", "sek"),
        Column("Egen medfinansiering i beviljade projekt", "sek"),
    )
    rows = tuple((f.name, f.applied_sek, f.granted_sek, f.cofinancing_sek) for f in _rows(report))
    return Table("belopp", "Belopp per förvaltning (kronor)", columns, rows, report.profile_id is None)


def funding_table(report: YearReport) -> Table:
    columns = (
        Column("Finansieringstyp"),
        Column("Inskickade ansökningar", "int"),
        Column("Sökt belopp", "sek"),
        Column("Beviljade", "int"),
        Column("Beviljat belopp", "sek"),
    )
    total = report.total
    rows = [
        (LABELS[key], c.submitted, c.applied_sek, c.granted, c.granted_sek)
        for key in CATEGORIES
        for c in [total.category(key)]
    ]
    rows.append(("Summa", total.submitted, total.applied_sek, total.granted, total.granted_sek))
    return Table("finansiering", f"EU-medel och nationella medel, {report.scope.lower()}", columns, tuple(rows), True)


def funding_by_administration_table(report: YearReport) -> Table:
    columns = [Column("Förvaltning")]
    for key in CATEGORIES:
        columns += [Column(f"{LABELS[key]}: sökt", "sek"), Column(f"{LABELS[key]}: beviljat", "sek")]
    rows = tuple(
        (f.name, *[v for key in CATEGORIES for v in (f.category(key).applied_sek, f.category(key).granted_sek)])
        for f in _rows(report)
    )
    return Table(
        "finansiering-forvaltning",
        "Sökt och beviljat per finansieringstyp och förvaltning",
        tuple(columns),
        rows,
        report.profile_id is None,
    )


def partners_table(report: YearReport) -> Table:
    columns = (
        Column("Förvaltning"),
        Column("Internationella partner", "int"),
        Column("Ansökningar med internationella partner", "int"),
        Column("Länder"),
    )
    rows = tuple((f.name, f.partners, f.with_partners, _countries(f.partner_countries)) for f in _rows(report))
    return Table("partner", "Internationella partner i årets ansökningar", columns, rows, report.profile_id is None)


def rates_table(report: YearReport) -> Table:
    columns = (
        Column("Uppföljning", "int"),
        Column("Förvaltning"),
        Column("Utlysning"),
        Column("Kurs (kr per euro)", "rate"),
    )
    rows = tuple((r.followup_id, r.administration, r.call_title, r.rate) for r in report.rates)
    return Table("kurser", "Växelkurser som använts", columns, rows)


def summary_table(report: YearReport) -> Table:
    """Everything per administration in one wide table, plus the total row: the CSV and the xlsx summary."""
    columns = [
        Column("Förvaltning"),
        Column("Profil-id"),
        Column("Matchade utlysningar", "int"),
        Column("Markerade som intressanta", "int"),
        Column("Inskickade ansökningar", "int"),
        Column("Beviljade", "int"),
        Column("Avslag", "int"),
        Column("Avstådda", "int"),
        Column("Beviljandegrad (%)", "share"),
        Column("Sökt belopp (kr)", "sek"),
        Column("Beviljat belopp (kr)", "sek"),
        Column("Egen medfinansiering i beviljade projekt (kr)", "sek"),
        Column("Internationella partner", "int"),
        Column("Ansökningar med internationella partner", "int"),
        Column("Partnerländer"),
    ]
    for key in CATEGORIES:
        label = LABELS[key]
        columns += [
            Column(f"{label}: inskickade", "int"),
            Column(f"{label}: sökt (kr)", "sek"),
            Column(f"{label}: beviljade", "int"),
            Column(f"{label}: beviljat (kr)", "sek"),
        ]
    rows = []
    for f in _rows(report):
        row: list[object] = [
            f.name,
            f.key,
            f.matched,
            f.interested,
            f.submitted,
            f.granted,
            f.rejected,
            f.withdrawn,
            f.success_rate,
            f.applied_sek,
            f.granted_sek,
            f.cofinancing_sek,
            f.partners,
            f.with_partners,
            _countries(f.partner_countries),
        ]
        for key in CATEGORIES:
            c = f.category(key)
            row += [c.submitted, c.applied_sek, c.granted, c.granted_sek]
        rows.append(tuple(row))
    return Table(
        "sammanfattning", f"Sammanfattning {report.year}", tuple(columns), tuple(rows), report.profile_id is None
    )


def records_table(report: YearReport) -> Table:
    """One row per follow-up with a step in the year: the underlying data of every figure."""
    columns = (
        Column("Uppföljning", "int"),
        Column("Förvaltning"),
        Column("Profil-id"),
        Column("Utlysning"),
        Column("Länk"),
        Column("Finansiär"),
        Column("Program"),
        Column("Källa"),
        Column("Finansieringstyp"),
        Column("Status"),
        Column("Räknas under året som"),
        Column("Intresse", "date"),
        Column("Ansöker", "date"),
        Column("Inskickad", "date"),
        Column("Beslut", "date"),
        Column("Valuta"),
        Column("Kurs (kr per euro)", "rate"),
        Column("Sökt belopp (valuta)", "int"),
        Column("Beviljat belopp (valuta)", "int"),
        Column("Medfinansiering (valuta)", "int"),
        Column("Sökt belopp (kr)", "sek"),
        Column("Beviljat belopp (kr)", "sek"),
        Column("Medfinansiering (kr)", "sek"),
        Column("Partner"),
    )
    rows = tuple(
        (
            r.followup_id,
            r.administration,
            r.profile_id,
            r.call_title,
            r.call_url,
            r.funder,
            r.programme,
            r.source,
            r.category_label,
            r.status_label,
            ", ".join(r.counted_as),
            r.interested_on,
            r.applying_on,
            r.submitted_on,
            r.decided_on,
            r.currency,
            r.eur_rate if r.currency == "EUR" else None,
            r.amount_applied,
            r.amount_granted,
            r.cofinancing,
            r.applied_sek,
            r.granted_sek,
            r.cofinancing_sek,
            r.partners_text,
        )
        for r in report.records
    )
    return Table("uppfoljningar", f"Uppföljningar med steg under {report.year}", columns, rows)
