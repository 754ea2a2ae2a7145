"""Upsert, change recording and listing on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from store.calls import get_call, list_calls, mark_unlisted, upsert_calls
from store.engine import read_session, write_session
from store.models import Call, CallChange
from store.records import CallRecord

STHLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


def make_record(external_id: str = "A-1", **changes) -> CallRecord:
    values = dict(
        source="test",
        external_id=external_id,
        title="Vattenvård i kustområden",
        url=f"https://example.org/{external_id}",
        funder="Havs- och vattenmyndigheten",
        summary="Stöd till åtgärder mot övergödning.",
        language="sv",
        status="open",
        opens_at=datetime(2026, 10, 1, tzinfo=STHLM),
        deadlines=[datetime(2027, 3, 15, 23, 59, 59, tzinfo=STHLM)],
        applicant_types=["kommun", "region"],
    )
    values.update(changes)
    return CallRecord(**values)


def snapshot(engine) -> list[tuple]:
    with read_session(engine) as s:
        calls = [
            (c.source, c.external_id, c.title, c.content_hash, c.updated_at, c.last_seen_at, c.listed)
            for c in s.exec(select(Call).order_by(Call.id))
        ]
        changes = [(c.call_id, c.field) for c in s.exec(select(CallChange))]
    return calls + changes


def test_new_calls_are_inserted_with_timezone_aware_dates(engine):
    with write_session(engine) as s:
        result = upsert_calls(s, [make_record("A-1"), make_record("A-2")], now=NOW)
    assert (result.new, result.updated, result.unchanged) == (2, 0, 0)
    with read_session(engine) as s:
        call = get_call(s, "test", "A-1")
    assert call.title == "Vattenvård i kustområden"
    assert call.deadline_at == datetime(2027, 3, 15, 22, 59, 59, tzinfo=UTC)
    assert call.deadline_at.tzinfo is not None
    assert call.first_seen_at == NOW
    assert call.applicant_types == ["kommun", "region"]


def test_upserting_the_same_records_twice_changes_nothing(engine):
    with write_session(engine) as s:
        upsert_calls(s, [make_record("A-1"), make_record("A-2")], now=NOW)
    before = snapshot(engine)
    with write_session(engine) as s:
        result = upsert_calls(s, [make_record("A-1"), make_record("A-2")], now=NOW + timedelta(minutes=5))
    assert (result.new, result.updated, result.unchanged, result.changes) == (0, 0, 2, [])
    assert snapshot(engine) == before


def test_a_moved_deadline_is_exactly_one_change_record(engine):
    with write_session(engine) as s:
        upsert_calls(s, [make_record("A-1")], now=NOW)
    moved = make_record("A-1", deadlines=[datetime(2027, 4, 1, 14, 0, tzinfo=STHLM)])
    with write_session(engine) as s:
        result = upsert_calls(s, [moved], now=NOW + timedelta(days=1))
    assert result.updated == 1
    with read_session(engine) as s:
        call = get_call(s, "test", "A-1")
        changes = list(s.exec(select(CallChange).where(CallChange.call_id == call.id)))
    fields = sorted(c.field for c in changes)
    # the final deadline and the list of cut-offs both moved; nothing else is recorded
    assert fields == ["deadline_at", "deadlines"]
    deadline_change = next(c for c in changes if c.field == "deadline_at")
    assert deadline_change.old_value == "2027-03-15T22:59:59+00:00"
    assert deadline_change.new_value == "2027-04-01T12:00:00+00:00"
    assert call.updated_at == NOW + timedelta(days=1)
    assert call.first_seen_at == NOW


def test_status_change_is_recorded_with_old_and_new_value(engine):
    with write_session(engine) as s:
        upsert_calls(s, [make_record("A-1", status="forthcoming")], now=NOW)
    with write_session(engine) as s:
        upsert_calls(s, [make_record("A-1", status="open")], now=NOW + timedelta(days=1))
    with read_session(engine) as s:
        change = s.exec(select(CallChange)).one()
    assert (change.field, change.old_value, change.new_value) == ("status", "forthcoming", "open")


def test_calls_missing_from_a_listing_are_marked_not_listed_and_kept(engine):
    with write_session(engine) as s:
        upsert_calls(s, [make_record("A-1"), make_record("A-2")], now=NOW)
    with write_session(engine) as s:
        assert mark_unlisted(s, "test", ["A-1"]) == 1
    with read_session(engine) as s:
        assert get_call(s, "test", "A-2").listed is False
        assert get_call(s, "test", "A-1").listed is True
    # seen again: listed again
    with write_session(engine) as s:
        upsert_calls(s, [make_record("A-2")], now=NOW + timedelta(minutes=1))
    with read_session(engine) as s:
        assert get_call(s, "test", "A-2").listed is True


def test_list_calls_filters_by_status_in_a_stable_order(engine):
    with write_session(engine) as s:
        upsert_calls(
            s,
            [make_record("B"), make_record("A", status="closed"), make_record("C", status="forthcoming")],
            now=NOW,
        )
    with read_session(engine) as s:
        assert [c.external_id for c in list_calls(s)] == ["A", "B", "C"]
        assert [c.external_id for c in list_calls(s, statuses=["open", "forthcoming"])] == ["B", "C"]


def test_several_cutoffs_are_kept_sorted_and_the_last_is_the_deadline(engine):
    cutoffs = [datetime(2027, 9, 1, 17, 0, tzinfo=STHLM), datetime(2027, 2, 1, 17, 0, tzinfo=STHLM)]
    with write_session(engine) as s:
        upsert_calls(s, [make_record("A-1", deadlines=cutoffs)], now=NOW)
    with read_session(engine) as s:
        call = get_call(s, "test", "A-1")
    assert call.deadlines == ["2027-02-01T16:00:00+00:00", "2027-09-01T15:00:00+00:00"]
    assert call.deadline_at == datetime(2027, 9, 1, 15, 0, tzinfo=UTC)
