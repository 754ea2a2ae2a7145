"""The yearly report's strategy sections, from a database: "Agenda 2030" (applications and grants per goal of the
follow-ups' calls) and "Internationellt arbete" (the activity register), in the page, the workbook and per
administration."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

from openpyxl import load_workbook
from sqlmodel import select

from commands.strategy import tag_stored_calls
from reporting import compute_report, render_document, xlsx_bytes
from store.calls import list_calls, upsert_calls
from store.engine import read_session, write_session
from store.migrate import upgrade
from store.models import Call
from store.models_followup import FollowUp
from store.report import report_years, year_facts
from store.strategy import add_activity
from tests.strategy_fixtures import records

NOW = datetime(2026, 11, 28, 21, 10, tzinfo=UTC)
NAMES = {"miljo": "Miljöförvaltningen", "skola": "Barn- och ungdomsförvaltningen"}


def fill(engine) -> None:
    upgrade(engine)
    with write_session(engine) as db:
        upsert_calls(db, records(), now=datetime(2026, 1, 2, tzinfo=UTC))
    with read_session(engine) as db:
        ids = {c.external_id: c.id for c in db.exec(select(Call))}
        calls = list_calls(db)
    tag_stored_calls(engine, calls, NOW)
    rows = (
        # Interreg South Baltic (goals 13, 14, 15): EUR 100 000 at 11.5 applied, 80 000 granted in 2026
        ("miljo", "south-baltic", "beviljad", 100_000, 80_000, "EUR", 11.5, "2026-02-01", "2026-06-01"),
        # LONA (goal 15): rejected
        ("miljo", "lona", "avslag", 500_000, None, "SEK", None, "2026-03-01", "2026-05-01"),
        # Arvsfonden (goal 5, children and youth): submitted in 2025, still waiting
        ("skola", "arvsfonden", "inskickad", 2_000_000, None, "SEK", None, "2025-12-01", None),
        # Erasmus+ (goal 4): submitted 2026, no decision yet
        ("skola", "erasmus", "inskickad", 60_000, None, "EUR", 11.0, "2026-03-20", None),
    )
    with write_session(engine) as db:
        for profile, call, status, applied, granted, currency, rate, submitted, decided in rows:
            db.add(
                FollowUp(
                    profile_id=profile,
                    call_id=ids[call],
                    status=status,
                    currency=currency,
                    eur_rate=rate,
                    amount_applied=applied,
                    amount_granted=granted,
                    submitted_on=date.fromisoformat(submitted),
                    decided_on=date.fromisoformat(decided) if decided else None,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        for day, profile, kind, partner, people, mode in (
            ("2026-03-10", "miljo", "study_visit", "Gdańsk", 5, "travel"),
            ("2026-04-02", "miljo", "meeting", "Union of the Baltic Cities", 2, "web"),
            ("2026-09-15", "skola", "training", "Savonlinna", 12, "web"),
            ("2027-01-10", "skola", "meeting", "Wismar", 3, "web"),
        ):
            add_activity(
                db,
                held_on=date.fromisoformat(day),
                profile_id=profile,
                kind=kind,
                partner=partner,
                participants=people,
                mode=mode,
                now=NOW,
            )


def table_rows(html: str, key: str) -> list[list[str]]:
    table = re.search(rf'<table class="report-table" id="tabell-{key}">(.*?)</table>', html, re.S).group(1)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)] for r in rows
    ]


def test_the_report_sums_applications_per_goal_and_counts_the_international_activities(engine):
    fill(engine)
    with read_session(engine) as db:
        facts = year_facts(db, 2026)
        assert 2027 in report_years(db)  # a year with only an activity can be chosen
    html = render_document(compute_report(facts, NAMES, NOW))
    assert '<h2 id="agenda2030-rubrik">Agenda 2030</h2>' in html
    assert '<h2 id="internationellt-rubrik">Internationellt arbete</h2>' in html
    sdg = table_rows(html, "agenda2030")
    nbsp = "\u00a0"
    assert sdg[0] == ["Mål", "Inskickade ansökningar", "Sökt belopp", "Beviljade", "Beviljat belopp"]
    by_goal = {row[0]: row[1:] for row in sdg[1:]}
    assert by_goal["14. Hav och marina resurser"] == ["1", f"1{nbsp}150{nbsp}000{nbsp}kr", "1", f"920{nbsp}000{nbsp}kr"]
    assert by_goal["15. Ekosystem och biologisk mångfald"] == [
        "2",
        f"1{nbsp}650{nbsp}000{nbsp}kr",
        "1",
        f"920{nbsp}000{nbsp}kr",
    ]
    assert by_goal["4. God utbildning för alla"] == ["1", f"660{nbsp}000{nbsp}kr", "0", f"0{nbsp}kr"]
    assert "5. Jämställdhet" not in by_goal  # submitted in 2025
    kinds = table_rows(html, "internationellt")
    assert kinds[1:] == [
        ["Möte", "1", "2"],
        ["Utbildning", "1", "12"],
        ["Studiebesök", "1", "5"],
        ["Varav resa", "1", "5"],
        ["Varav webbmöte", "2", "14"],
        ["Totalt", "3", "19"],
    ]
    assert "Totalt 3 aktiviteter med 19 deltagande medarbetare;" in html
    assert table_rows(html, "internationellt-forvaltningar")[1:] == [
        ["Miljöförvaltningen", "2", "7"],
        ["Barn- och ungdomsförvaltningen", "1", "12"],
    ]
    book = load_workbook(io.BytesIO(xlsx_bytes(compute_report(facts, NAMES, NOW))))
    sheet = book["Agenda 2030"]
    values = {row[0]: row[1:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["14. Hav och marina resurser"] == (1, 1_150_000, 1, 920_000)
    assert [r for r in book["Internationellt arbete"].iter_rows(min_row=2, values_only=True)][-1] == ("Totalt", 3, 19)


def test_a_report_for_one_administration_has_only_its_activities_and_applications(engine):
    fill(engine)
    with read_session(engine) as db:
        facts = year_facts(db, 2026, "skola")
    html = render_document(compute_report(facts, NAMES, NOW, profile_id="skola"))
    assert table_rows(html, "internationellt")[-1] == ["Totalt", "1", "12"]
    goals = [row[0] for row in table_rows(html, "agenda2030")[1:]]
    assert goals == ["4. God utbildning för alla"]


def test_a_year_without_tags_or_activities_says_so(engine):
    fill(engine)
    with read_session(engine) as db:
        facts = year_facts(db, 2024)
    html = render_document(compute_report(facts, NAMES, NOW))
    assert "Inga aktiviteter är registrerade för året." in html
    assert table_rows(html, "agenda2030")[1:] == [["Inga uppgifter för året."]]
