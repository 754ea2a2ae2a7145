"""The yearly indicators (pure): activities by kind and mode, and applications and grants per Agenda 2030 goal;
and reading an activity form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from strategy.activities import parse_activity
from strategy.indicators import activity_indicators, sdg_sums


@dataclass
class Row:
    held_on: date
    kind: str
    mode: str
    participants: int
    profile_id: str = "klk"
    partner: str = "Gdańsk"


@dataclass
class Follow:
    call_id: int
    status: str
    amount_applied: int | None = None
    amount_granted: int | None = None
    currency: str = "SEK"
    eur_rate: float | None = None
    submitted_on: date | None = None
    decided_on: date | None = None


def test_activities_are_counted_for_their_year_only_with_every_kind_present():
    rows = [
        Row(date(2026, 1, 5), "training", "web", 30, "buf", "UBC"),
        Row(date(2026, 6, 1), "study_visit", "travel", 4),
        Row(date(2026, 6, 2), "study_visit", "travel", 5, "buf"),
        Row(date(2027, 1, 1), "meeting", "web", 9),
    ]
    figures = activity_indicators(rows, 2026)
    assert (figures.activities, figures.participants) == (3, 39)
    assert figures.by_kind == {"meeting": (0, 0), "training": (1, 30), "study_visit": (2, 9)}
    assert figures.by_mode == {"travel": (2, 9), "web": (1, 30)}
    assert figures.by_profile == {"buf": (2, 35), "klk": (1, 4)}
    assert figures.by_partner == {"Gdańsk": 2, "UBC": 1}
    assert round(figures.web_share, 3) == 0.333
    assert activity_indicators(rows, 2025).web_share is None


def test_sums_per_goal_follow_the_submission_and_decision_years_and_the_own_rate():
    followups = [
        Follow(1, "beviljad", 10_000, 8_000, "EUR", 11.0, date(2025, 11, 1), date(2026, 3, 1)),
        Follow(2, "inskickad", 200_000, None, submitted_on=date(2026, 2, 1)),
        Follow(3, "avslag", 50_000, None, "EUR", None, date(2026, 4, 1), date(2026, 9, 1)),
        Follow(4, "ansoker", 70_000, submitted_on=date(2026, 5, 1)),  # not submitted yet: not counted
        Follow(5, "inskickad", 1_000, submitted_on=date(2026, 1, 9)),  # its call has no goal
        Follow(6, "avstar", 5_000, None, "EUR", 10.25, date(2026, 6, 1), date(2026, 7, 1)),  # withdrawn, submitted
    ]
    goals = {1: [14, 6], 2: [14], 3: [6], 6: [3]}
    sums = {g.goal: g for g in sdg_sums(followups, goals, 2026).goals}
    assert (sums[14].applications, sums[14].applied_sek, sums[14].granted, sums[14].granted_sek) == (
        1,
        200_000,
        1,
        88_000,
    )
    assert (sums[6].applications, sums[6].applied_sek, sums[6].granted_sek) == (1, 0, 88_000)
    result = sdg_sums(followups, goals, 2026)
    assert result.missing_rate == 1  # the EUR application without a rate
    assert (result.untagged_applications, result.untagged_granted) == (1, 0)
    assert len(result.goals) == 17 and sums[1].applications == 0
    assert (sums[3].applications, sums[3].applied_sek, sums[3].granted) == (1, 51_250, 0)  # 5,000 × 10.25
    earlier = {g.goal: g for g in sdg_sums(followups, goals, 2025).goals}
    assert (earlier[14].applications, earlier[14].applied_sek, earlier[14].granted) == (1, 110_000, 0)


def test_an_activity_form_is_read_with_a_swedish_message_per_bad_field():
    good = {
        "held_on": "2026-04-20",
        "profile_id": "klk",
        "kind": "meeting",
        "partner": " Wismar ",
        "participants": "3",
        "mode": "web",
        "note": "",
    }
    entry, errors = parse_activity(good, {"klk"}, date(2026, 11, 28))
    assert errors == {} and entry.partner == "Wismar" and entry.participants == 3
    entry, errors = parse_activity(
        {**good, "held_on": "2031-01-01", "participants": "tre", "kind": "party", "profile_id": "x"},
        {"klk"},
        date(2026, 11, 28),
    )
    assert entry is None
    assert set(errors) == {"held_on", "participants", "kind", "profile_id"}
    assert errors["held_on"] == "Ange ett datum mellan år 2000 och nästa år."
