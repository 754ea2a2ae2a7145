"""The yearly report's charts, as SVG strings, with a description in words of every number they show. Pure."""

from __future__ import annotations

from reporting.figures import YearReport
from reporting.formatting import sek
from reporting.funding import CATEGORIES, LABELS
from reporting.svg import Group, Series, grouped_bar_chart

APPLICATION_SERIES = (Series("Inskickade"), Series("Beviljade"), Series("Avslag"))
MONEY_SERIES = (Series("Sökt belopp"), Series("Beviljat belopp"))


def applications_chart(report: YearReport) -> str:
    """Applications submitted, granted and rejected per administration (those with any), as horizontal bars."""
    active = [f for f in report.rows if f.submitted or f.granted or f.rejected]
    title = f"Ansökningar per förvaltning {report.year}: inskickade, beviljade och avslag"
    if not active:
        return ""
    described = "; ".join(
        f"{f.name}: {f.submitted} inskickade, {f.granted} beviljade, {f.rejected} avslag" for f in active
    )
    left_out = len(report.rows) - len(active)
    desc = f"Liggande staplar, tre per förvaltning. {described}."
    if left_out:
        desc += f" {left_out} förvaltningar utan inskickade eller avgjorda ansökningar visas inte."
    groups = [Group(f.name, (f.submitted, f.granted, f.rejected)) for f in active]
    return grouped_bar_chart("chart-applications", title, desc, groups, APPLICATION_SERIES)


def funding_chart(report: YearReport) -> str:
    """Amounts applied for and granted in SEK, by EU, national and other funding."""
    total = report.total
    if not (total.applied_sek or total.granted_sek):
        return ""
    title = f"Sökt och beviljat belopp {report.year} per finansieringstyp, {report.scope.lower()}"
    described = "; ".join(
        f"{LABELS[key]}: sökt {sek(total.category(key).applied_sek)}, beviljat {sek(total.category(key).granted_sek)}"
        for key in CATEGORIES
    )
    desc = f"Liggande staplar, två per finansieringstyp. {described}."
    groups = [
        Group(LABELS[key], (total.category(key).applied_sek, total.category(key).granted_sek)) for key in CATEGORIES
    ]
    return grouped_bar_chart("chart-funding", title, desc, groups, MONEY_SERIES, value_text=sek)
