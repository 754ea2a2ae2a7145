"""Stored tags (computed at match time), the SDG and child/youth search filters, the activity register and the
yearly sums, on a real SQLite file and on PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from commands.strategy import tag_stored_calls
from store.calls import list_calls, upsert_calls
from store.engine import read_session, write_session
from store.migrate import upgrade
from store.models import Call
from store.models_followup import FollowUp
from store.search import SearchFilters, search_calls
from store.strategy import (
    activity_years,
    add_activity,
    delete_activity,
    goals_by_call,
    list_activities,
    tags_for_calls,
)
from strategy.indicators import activity_indicators, sdg_sums
from tests.strategy_fixtures import records

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


@pytest.fixture
def stored(engine):
    upgrade(engine)
    with write_session(engine) as db:
        upsert_calls(db, records(), now=NOW)
    with read_session(engine) as db:
        ids = {c.external_id: c.id for c in db.exec(select(Call))}
        calls = list_calls(db)
    assert tag_stored_calls(engine, calls, NOW) == 5
    return engine, ids


def found(engine, text: str = "", **filters) -> list[str]:
    with read_session(engine) as db:
        result = search_calls(db, text, SearchFilters(**filters), limit=50)
    return sorted(c.external_id for c in result.calls)


def test_tags_are_stored_with_their_terms_and_only_recomputed_when_a_call_changes(stored):
    engine, ids = stored
    with read_session(engine) as db:
        tags = tags_for_calls(db, ids.values())
        calls = list_calls(db)
    assert set(tags[ids["south-baltic"]]) == {"sdg13", "sdg14", "sdg15"}
    assert "marine litter" in tags[ids["south-baltic"]]["sdg14"]
    assert tags[ids["arvsfonden"]]["barn_unga"][:2] == ["barn", "unga"]
    assert ids["lona"] in tags and "barn_unga" not in tags[ids["lona"]]
    assert tag_stored_calls(engine, calls, NOW) == 0  # nothing changed: nothing re-tagged
    changed = [replace(r, description=r.description + " Projekten ska minska matsvinn.") for r in records()[2:3]]
    with write_session(engine) as db:
        upsert_calls(db, changed, now=NOW)
    with read_session(engine) as db:
        calls = list_calls(db)
    assert tag_stored_calls(engine, calls, NOW) == 1
    with read_session(engine) as db:
        assert tags_for_calls(db, [ids["lona"]])[ids["lona"]]["sdg12"] == ["matsvinn"]


def test_the_sdg_and_child_youth_filters_work_alone_and_with_text(stored):
    engine, _ = stored
    assert found(engine, sdg_goals=[14]) == ["south-baltic"]
    assert found(engine, sdg_goals=[14, 15]) == ["lona", "south-baltic"]
    assert found(engine, child_youth=True) == ["arvsfonden", "erasmus"]
    assert found(engine, "partnerships", child_youth=True) == ["erasmus"]
    assert found(engine, "bidrag", sdg_goals=[15]) == ["lona"]
    assert found(engine, sdg_goals=[1]) == []


def test_the_activity_register_adds_lists_by_year_and_deletes(engine):
    upgrade(engine)
    with write_session(engine) as db:
        first = add_activity(
            db,
            held_on=date(2026, 5, 4),
            profile_id="kommunledningskontoret",
            kind="study_visit",
            partner="Gdańsk",
            participants=6,
            mode="travel",
            note="Hamnutveckling",
            created_by="klk-anna",
            now=NOW,
        ).id
        for day, mode, people in ((date(2026, 9, 1), "web", 12), (date(2025, 10, 2), "web", 3)):
            add_activity(
                db,
                held_on=day,
                profile_id="barn-och-ungdomsforvaltningen",
                kind="meeting",
                partner="Union of the Baltic Cities",
                participants=people,
                mode=mode,
                now=NOW,
            )
    with read_session(engine) as db:
        assert [a.held_on for a in list_activities(db, 2026)] == [date(2026, 9, 1), date(2026, 5, 4)]
        assert [a.partner for a in list_activities(db, profile_ids=["kommunledningskontoret"])] == ["Gdańsk"]
        assert activity_years(db) == [2026, 2025]
        figures = activity_indicators(list_activities(db), 2026)
    assert (figures.activities, figures.participants) == (2, 18)
    assert figures.by_kind == {"meeting": (1, 12), "training": (0, 0), "study_visit": (1, 6)}
    assert figures.web_share == 0.5
    with write_session(engine) as db:
        assert delete_activity(db, first).partner == "Gdańsk"
        assert delete_activity(db, first) is None
    with read_session(engine) as db:
        assert len(list_activities(db)) == 2


def test_applications_and_grants_are_summed_per_goal_from_follow_ups(stored):
    engine, ids = stored
    with write_session(engine) as db:
        for call, status, applied, granted, currency, rate, submitted, decided in (
            ("south-baltic", "beviljad", 100_000, 80_000, "EUR", 11.5, date(2026, 2, 1), date(2026, 6, 1)),
            ("lona", "avslag", 500_000, None, "SEK", None, date(2026, 3, 1), date(2026, 5, 1)),
            ("arvsfonden", "inskickad", 2_000_000, None, "SEK", None, date(2025, 12, 1), None),
        ):
            db.add(
                FollowUp(
                    profile_id="serviceforvaltningen",
                    call_id=ids[call],
                    status=status,
                    currency=currency,
                    eur_rate=rate,
                    amount_applied=applied,
                    amount_granted=granted,
                    submitted_on=submitted,
                    decided_on=decided,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
    with read_session(engine) as db:
        followups = list(db.exec(select(FollowUp)))
        goals = goals_by_call(db, [f.call_id for f in followups])
    sums = {g.goal: g for g in sdg_sums(followups, goals, 2026).goals}
    assert (sums[14].applications, sums[14].applied_sek, sums[14].granted, sums[14].granted_sek) == (
        1,
        1_150_000,
        1,
        920_000,
    )
    assert (sums[15].applications, sums[15].applied_sek) == (2, 1_650_000)  # South Baltic and LONA
    assert sums[15].granted_sek == 920_000
    assert sums[5].applications == 0  # the youth call's application was submitted in 2025
    assert {g.goal: g.applications for g in sdg_sums(followups, goals, 2025).goals}[5] == 1
