"""Stored matches and feedback on SQLite and PostgreSQL: replacing writes only what changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from store.calls import list_calls, upsert_calls
from store.engine import read_session, write_session
from store.matches import (
    MatchRow,
    all_feedback,
    clear_feedback,
    feedback_for_profile,
    matched_deadlines,
    matches_for_call,
    matches_for_profile,
    remove_matches_of_unknown_profiles,
    replace_matches,
    set_feedback,
)
from store.models import Match
from store.records import CallRecord

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)


def explanation(word: str) -> dict:
    return {
        "priority": "God vattenstatus i kustvatten",
        "reasons": ["Prioritering: God vattenstatus i kustvatten", f"Termer: {word}"],
        "terms": [{"term": word, "call_term": word, "weight": 1.0}],
    }


def seed(engine, n: int = 4) -> list[int]:
    records = [
        CallRecord(source="test", external_id=f"C-{i}", title=f"Utlysning {i}", url=f"https://example.org/{i}")
        for i in range(n)
    ]
    with write_session(engine) as session:
        upsert_calls(session, records, now=NOW)
    with read_session(engine) as session:
        return [c.id for c in list_calls(session)]


def stored(engine, profile_id: str = "kust") -> dict[int, tuple]:
    with read_session(engine) as session:
        rows = session.exec(select(Match).where(Match.profile_id == profile_id))
        return {m.call_id: (m.score, m.explanation, m.profile_version, m.matched_at) for m in rows}


def test_replacing_adds_updates_removes_and_leaves_the_rest(engine):
    a, b, c, d = seed(engine)
    with write_session(engine) as session:
        first = replace_matches(
            session,
            "kust",
            "v1",
            [MatchRow(a, 0.81234, explanation("övergödning")), MatchRow(b, 0.5, explanation("x"))],
        )
    assert (first.added, first.updated, first.removed, first.unchanged) == (2, 0, 0, 0)
    assert stored(engine)[a][:3] == (0.8123, explanation("övergödning"), "v1")

    later = NOW + timedelta(days=1)
    with write_session(engine) as session:
        second = replace_matches(
            session,
            "kust",
            "v1",
            [MatchRow(a, 0.81229, explanation("övergödning")), MatchRow(c, 0.4, explanation("y"))],
            now=later,
        )
    assert (second.added, second.updated, second.removed, second.unchanged) == (1, 0, 1, 1)
    rows = stored(engine)
    assert set(rows) == {a, c}
    assert rows[a][3] != later  # untouched: same rounded score, explanation and version

    with write_session(engine) as session:
        third = replace_matches(
            session, "kust", "v2", [MatchRow(a, 0.8123, explanation("övergödning")), MatchRow(c, 0.4, explanation("y"))]
        )
    assert (third.updated, third.unchanged) == (2, 0)
    assert {v[2] for v in stored(engine).values()} == {"v2"}


def test_matches_outside_the_ranked_scope_are_kept(engine):
    a, b, c, d = seed(engine)
    with write_session(engine) as session:
        replace_matches(session, "kust", "v1", [MatchRow(a, 0.9, explanation("a")), MatchRow(d, 0.7, explanation("d"))])
    with write_session(engine) as session:
        # d has closed: it is not among the ranked calls, so its match stays as history
        result = replace_matches(session, "kust", "v1", [], scope={a, b, c})
    assert result.removed == 1
    assert set(stored(engine)) == {d}


def test_replacing_the_same_rows_twice_writes_nothing(engine):
    ids = seed(engine)
    rows = [MatchRow(i, 0.9 - n / 10, explanation(str(n))) for n, i in enumerate(ids)]
    with write_session(engine) as session:
        replace_matches(session, "kust", "v1", rows)
    before = stored(engine)
    with write_session(engine) as session:
        again = replace_matches(session, "kust", "v1", rows, now=NOW + timedelta(hours=3))
    assert not again.changed and again.unchanged == len(ids)
    assert stored(engine) == before


def test_profiles_do_not_touch_each_others_matches(engine):
    a, b, *_ = seed(engine)
    with write_session(engine) as session:
        replace_matches(session, "kust", "v1", [MatchRow(a, 0.9, explanation("a"))])
        replace_matches(session, "skola", "v1", [MatchRow(a, 0.3, explanation("a"))])
    with write_session(engine) as session:
        replace_matches(session, "kust", "v1", [])
    assert stored(engine, "kust") == {} and set(stored(engine, "skola")) == {a}
    with read_session(engine) as session:
        assert [m.profile_id for m in matches_for_call(session, a)] == ["skola"]


def test_a_call_marked_not_relevant_is_left_out_of_the_profiles_matches(engine):
    a, b, *_ = seed(engine)
    with write_session(engine) as session:
        replace_matches(session, "kust", "v1", [MatchRow(a, 0.9, explanation("a")), MatchRow(b, 0.5, explanation("b"))])
        set_feedback(session, "kust", a, "not_relevant", user="anna", now=NOW)
        set_feedback(session, "skola", b, "not_relevant", user="anna", now=NOW)
    with read_session(engine) as session:
        assert [m.call_id for m, _ in matches_for_profile(session, "kust")] == [b]
        assert [m.call_id for m, _ in matches_for_profile(session, "kust", include_rejected=True)] == [a, b]
        assert feedback_for_profile(session, "kust") == {a: "not_relevant"}
        assert all_feedback(session) == {"kust": {a: "not_relevant"}, "skola": {b: "not_relevant"}}
    with write_session(engine) as session:
        assert clear_feedback(session, "kust", a) is True
        assert clear_feedback(session, "kust", a) is False
    with read_session(engine) as session:
        assert [m.call_id for m, _ in matches_for_profile(session, "kust")] == [a, b]


def test_matches_of_removed_profiles_are_deleted(engine):
    a, *_ = seed(engine)
    with write_session(engine) as session:
        replace_matches(session, "kust", "v1", [MatchRow(a, 0.9, explanation("a"))])
        replace_matches(session, "gammal", "v1", [MatchRow(a, 0.9, explanation("a"))])
    with write_session(engine) as session:
        assert remove_matches_of_unknown_profiles(session, {"kust"}) == 1
    assert stored(engine, "gammal") == {} and stored(engine, "kust")


def test_matched_deadlines_are_the_profiles_matches_best_first_without_rejected_calls(engine):
    a, b, c, _d = seed(engine)
    with write_session(engine) as session:
        rows = [
            MatchRow(a, 0.5, explanation("a")),
            MatchRow(b, 0.9, explanation("b")),
            MatchRow(c, 0.7, explanation("c")),
        ]
        replace_matches(session, "kust", "v1", rows, now=NOW)
        set_feedback(session, "kust", c, "not_relevant", "anna", NOW)
    with read_session(engine) as session:
        found = matched_deadlines(session, "kust")
        full = matches_for_profile(session, "kust")
    assert [r.call_id for r in found] == [b, a] == [call.id for _m, call in full]
    assert [(r.title, r.url, r.deadlines) for r in found] == [
        (call.title, call.url, call.deadlines) for _m, call in full
    ]


def test_matched_deadlines_since_a_day_leave_out_calls_whose_final_deadline_is_earlier(engine):
    from datetime import timedelta

    records = [
        CallRecord(
            source="test",
            external_id=f"D-{days}",
            title=f"Utlysning {days}",
            url=f"https://example.org/d{days}",
            deadlines=[NOW - timedelta(days=90), NOW + timedelta(days=days)],
        )
        for days in (-40, -5, 30)
    ]
    with write_session(engine) as session:
        upsert_calls(session, records, now=NOW)
        ids = {c.external_id: c.id for c in list_calls(session)}
        replace_matches(session, "kust", "v1", [MatchRow(i, 0.5, explanation("x")) for i in ids.values()], now=NOW)
    with read_session(engine) as session:
        recent = matched_deadlines(session, "kust", since=NOW - timedelta(days=31))
        every = matched_deadlines(session, "kust")
    assert sorted(r.call_id for r in recent) == sorted([ids["D--5"], ids["D-30"]])
    assert len(every) == 3
    # a kept call still brings all its deadlines (the calendar picks the recent ones)
    assert all(len(r.deadlines) == 2 for r in recent)
