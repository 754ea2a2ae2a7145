"""The report's strategy sections: applications and grants per Agenda 2030 goal, and the international activities.
Pure: the tables come from the report's facts (``goals_by_call``, ``activities``) through ``strategy.indicators``.

Facts without these fields (a report built from other facts) give empty tables.
"""

from __future__ import annotations

from reporting.figures import YearReport
from reporting.tables import Column, Table
from strategy.activities import KINDS, MODES
from strategy.indicators import ActivityIndicators, SdgSums, activity_indicators, sdg_sums
from strategy.sdg import load_sdg_terms


def sdg_figures(report: YearReport) -> SdgSums:
    facts = report.facts
    followups = getattr(facts, "followups", ()) if facts is not None else ()
    goals = getattr(facts, "goals_by_call", {}) if facts is not None else {}
    return sdg_sums(followups, goals, report.year)


def activity_figures(report: YearReport) -> ActivityIndicators:
    facts = report.facts
    return activity_indicators(getattr(facts, "activities", ()) if facts is not None else (), report.year)


def sdg_table(report: YearReport) -> Table:
    """One row per goal that has an application or a grant in the year, then the applications without a goal."""
    names = load_sdg_terms()
    sums = sdg_figures(report)
    columns = (
        Column("Mål"),
        Column("Inskickade ansökningar", "int"),
        Column("Sökt belopp", "sek"),
        Column("Beviljade", "int"),
        Column("Beviljat belopp", "sek"),
    )
    rows: list[tuple[object, ...]] = [
        (f"{g.goal}. {names.goal_name(g.goal)}", g.applications, g.applied_sek, g.granted, g.granted_sek)
        for g in sums.goals
        if g.applications or g.granted
    ]
    if rows and (sums.untagged_applications or sums.untagged_granted):
        rows.append(("Utan mål", sums.untagged_applications, None, sums.untagged_granted, None))
    return Table(
        "agenda2030", f"Ansökningar och beviljade medel per mål i Agenda 2030, {report.year}", columns, tuple(rows)
    )


def activity_kind_table(report: YearReport) -> Table:
    figures = activity_figures(report)
    columns = (Column("Aktivitet"), Column("Antal", "int"), Column("Deltagare", "int"))
    rows: list[tuple[object, ...]] = [(KINDS[k], *figures.by_kind[k]) for k in KINDS]
    rows += [(f"Varav {MODES[m].lower()}", *figures.by_mode[m]) for m in MODES]
    rows.append(("Totalt", figures.activities, figures.participants))
    return Table("internationellt", f"Internationella aktiviteter {report.year}", columns, tuple(rows), True)


def activity_partner_table(report: YearReport) -> Table:
    figures = activity_figures(report)
    names = {f.key: f.name for f in report.rows}
    columns = (Column("Förvaltning"), Column("Aktiviteter", "int"), Column("Deltagare", "int"))
    rows = tuple((names.get(pid, pid), n, people) for pid, (n, people) in figures.by_profile.items())
    return Table(
        "internationellt-forvaltningar", f"Internationella aktiviteter per förvaltning {report.year}", columns, rows
    )


def partner_activity_table(report: YearReport) -> Table:
    figures = activity_figures(report)
    columns = (Column("Vänort, partnerstad eller nätverk"), Column("Aktiviteter", "int"))
    rows = tuple((partner, n) for partner, n in figures.by_partner.items())
    return Table("internationellt-partner", f"Aktiviteter per partner {report.year}", columns, rows)
