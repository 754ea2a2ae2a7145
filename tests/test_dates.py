"""scrapers.dates and scrapers.prose_dates: every date shape the sources write, dates in prose, and no crash on any input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrapers.dates import DateError, find_dates, http_date, parse_date, zone_of
from scrapers.prose_dates import OPENING_LABELS, find_labelled, find_ranges

STHLM = ZoneInfo("Europe/Stockholm")
BXL = ZoneInfo("Europe/Brussels")


def local(*args: int, tz=STHLM) -> datetime:
    return datetime(*args, tzinfo=tz)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Swedish month names, full and abbreviated, with the wording funders put around them
        ("15 mars 2027", local(2027, 3, 15)),
        ("Stängd 19 mars 2024", local(2024, 3, 19)),
        ("Öppnar 12 augusti 2024", local(2024, 8, 12)),
        ("15 sep 2026", local(2026, 9, 15)),
        ("15 sept. 2026", local(2026, 9, 15)),
        ("1 okt 2026", local(2026, 10, 1)),
        ("den 1:a maj 2026", local(2026, 5, 1)),
        ("3:e december 2026", local(2026, 12, 3)),
        ("31 DECEMBER 2026", local(2026, 12, 31)),
        ("15 mars 2027 kl. 14.00", local(2027, 3, 15, 14, 0)),
        ("15 mars 2027 kl 16", local(2027, 3, 15, 16, 0)),
        ("15 mars 2027 klockan 23:59", local(2027, 3, 15, 23, 59)),
        ("15 mars 2027 kl. 24.00", local(2027, 3, 16, 0, 0)),
        ("15\u00a0mars\u00a02027", local(2027, 3, 15)),
        # numeric, day first
        ("27.01.2026 17:00", local(2026, 1, 27, 17, 0)),
        ("12.11.2025 16:00", local(2025, 11, 12, 16, 0)),
        ("1.2.2026", local(2026, 2, 1)),
        ("27/01/2026", local(2026, 1, 27)),
        ("Deadline: 27.01.2026 17.00", local(2026, 1, 27, 17, 0)),
        # ISO 8601
        ("2027-03-15", local(2027, 3, 15)),
        ("2027-03-15T14:00", local(2027, 3, 15, 14, 0)),
        ("2027-03-15 14:00:30", local(2027, 3, 15, 14, 0, 30)),
        ("2027-03-15T14:00:00+01:00", local(2027, 3, 15, 14, 0, tz=timezone(timedelta(hours=1)))),
        ("2027-03-15T14:00:00Z", local(2027, 3, 15, 14, 0, tz=UTC)),
        ("2026-12-15T00:00:00.000+0000", local(2026, 12, 15, tz=UTC)),
        ("2024-02-07T17:00:00.000+0100", local(2024, 2, 7, 17, 0, tz=timezone(timedelta(hours=1)))),
        ("2026-10-13T14:00:00", local(2026, 10, 13, 14, 0)),
        # English
        ("5th November 2024", local(2024, 11, 5)),
        ("1st March 2025", local(2025, 3, 1)),
        ("22nd May 2025", local(2025, 5, 22)),
        ("3rd June 2025", local(2025, 6, 3)),
        ("November 5, 2024", local(2024, 11, 5)),
        ("Nov 5 2024", local(2024, 11, 5)),
        ("5 November 2024 at 17:00 (Brussels time)", local(2024, 11, 5, 17, 0, tz=BXL)),
        ("5th November 2024, 17:00 CET", local(2024, 11, 5, 17, 0, tz=timezone(timedelta(hours=1)))),
        ("22 September 2026 17:00:00 Brussels time", local(2026, 9, 22, 17, 0, tz=BXL)),
        ("5 Nov 2024 5 pm", local(2024, 11, 5, 17, 0)),
        ("5 Nov 2024 12 a.m.", local(2024, 11, 5, 0, 0)),
        # RFC 822 as feeds send it
        ("Tue, 05 Nov 2024 10:00:00 +0100", local(2024, 11, 5, 10, 0, tz=timezone(timedelta(hours=1)))),
        ("Mon, 01 Jan 2024 00:00:00 GMT", local(2024, 1, 1, tz=UTC)),
        ("Wed, 02 Oct 2002 08:00:00 EST", local(2002, 10, 2, 8, 0, tz=timezone(timedelta(hours=-5)))),
    ],
)
def test_each_shape_parses_to_the_right_instant(text, expected):
    value = parse_date(text)
    assert value == expected
    assert value.tzinfo is not None


def test_a_date_without_zone_is_stockholm_time_and_a_caller_can_choose_brussels():
    summer = parse_date("2026-07-01 12:00")
    assert summer.utcoffset() == timedelta(hours=2)
    assert parse_date("2026-07-01 12:00", "Europe/Brussels").tzinfo == BXL
    assert parse_date("2026-07-01T12:00:00+00:00", "Europe/Brussels").utcoffset() == timedelta(0)


def test_a_date_without_time_is_the_start_of_the_day_or_its_end_for_a_deadline():
    assert parse_date("15 mars 2027") == local(2027, 3, 15, 0, 0)
    assert parse_date("15 mars 2027", end_of_day=True) == local(2027, 3, 15, 23, 59, 59)
    assert parse_date("15 mars 2027 14:00", end_of_day=True) == local(2027, 3, 15, 14, 0)


def test_winter_and_summer_time_follow_the_zone_rules():
    assert parse_date("15 januari 2026 12:00").utcoffset() == timedelta(hours=1)
    assert parse_date("15 juli 2026 12:00").utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize("text", ["", "   ", None, "Öppen", "Löpande", "se webbplatsen", "version 2.0", "3 projekt"])
def test_text_without_a_date_gives_none(text):
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31.02.2026", "day is out of range"),
        ("2026-13-01", "month must be in 1..12"),
        ("30 februari 2026", "day is out of range"),
        ("15 mars 1066", "outside 1900-2199"),
        ("15 mars 2027 kl. 24.30", "not a time of day"),
        ("15 mars", "has no year"),
    ],
)
def test_an_impossible_date_raises_a_value_error_naming_the_text(text, reason):
    with pytest.raises(DateError, match=reason) as info:
        parse_date(text)
    assert text in str(info.value)
    assert isinstance(info.value, ValueError)


def test_a_year_can_complete_a_date_written_without_one():
    assert parse_date("15 mars", year=2027) == local(2027, 3, 15)


def test_configured_formats_are_tried_first():
    assert parse_date("03/04/2026", formats=["%m/%d/%Y"]) == local(2026, 3, 4)
    assert parse_date("03/04/2026") == local(2026, 4, 3)  # day first without a format
    assert parse_date("2026.04.03", formats=["%Y.%m.%d"], end_of_day=True) == local(2026, 4, 3, 23, 59, 59)


def test_an_unknown_zone_is_refused_clearly():
    with pytest.raises(DateError, match="unknown time zone 'Europe/Kalmar'"):
        parse_date("15 mars 2027", "Europe/Kalmar")
    assert zone_of(None) == STHLM


def test_find_dates_lists_every_date_in_prose_and_skips_impossible_ones():
    text = "Steg 1: 15 april 2026. Steg 2: 31.02.2026 (fel). Steg 3: 2026-09-15 kl 14."
    found = find_dates(text, end_of_day=True)
    assert [f.value for f in found] == [local(2026, 4, 15, 23, 59, 59), local(2026, 9, 15, 14, 0)]
    assert [text[f.start : f.end] for f in found] == ["15 april 2026", "2026-09-15 kl 14"]
    assert found[1].has_time and not found[0].has_time


def test_find_dates_keeps_dates_without_a_year_only_when_a_year_is_given():
    assert find_dates("senast 15 mars") == []
    assert [f.value for f in find_dates("senast 15 mars", year=2026)] == [local(2026, 3, 15)]
    assert not find_dates("senast 15 mars", year=2026)[0].has_year


@pytest.mark.parametrize(
    ("text", "year", "opens", "closes"),
    [
        (
            "Ansökningstiden är mellan 15 september och 15 november",
            2025,
            local(2025, 9, 15),
            local(2025, 11, 15, 23, 59, 59),
        ),
        (
            "Utlysningen öppnar 18 oktober 2021 … stänger 28 januari 2022",
            None,
            local(2021, 10, 18),
            local(2022, 1, 28, 23, 59, 59),
        ),
        (
            "öppnar den 18 oktober 2021 och stänger den 28 januari 2022.",
            None,
            local(2021, 10, 18),
            local(2022, 1, 28, 23, 59, 59),
        ),
        ("Ansök 1–15 mars 2025!", None, local(2025, 3, 1), local(2025, 3, 15, 23, 59, 59)),
        ("15 november – 15 januari 2026", None, local(2025, 11, 15), local(2026, 1, 15, 23, 59, 59)),
        ("15 november 2025 – 15 januari", None, local(2025, 11, 15), local(2026, 1, 15, 23, 59, 59)),
        ("från 1 mars 2026 till 30 april 2026", None, local(2026, 3, 1), local(2026, 4, 30, 23, 59, 59)),
        ("between 1 March and 15 April 2026", None, local(2026, 3, 1), local(2026, 4, 15, 23, 59, 59)),
        ("from 01.03.2026 to 15.04.2026 17:00", None, local(2026, 3, 1), local(2026, 4, 15, 17, 0)),
    ],
)
def test_find_ranges_reads_windows_in_prose(text, year, opens, closes):
    ranges = find_ranges(text, year=year)
    assert [(r.opens, r.closes) for r in ranges] == [(opens, closes)]


def test_two_deadlines_joined_by_and_are_not_a_range():
    assert find_ranges("Sista ansökningsdag 15 mars 2025 och 15 september 2025") == []


def test_a_range_without_any_year_is_skipped_unless_a_year_is_given():
    assert find_ranges("mellan 15 september och 15 november") == []


def test_find_labelled_takes_the_date_after_the_label():
    text = "Utlysningen öppnar 1 mars 2026. Sista ansökningsdag: 15 april 2026 kl 14.00."
    assert find_labelled(text) == local(2026, 4, 15, 14, 0)
    assert find_labelled(text, OPENING_LABELS, end_of_day=False) == local(2026, 3, 1)
    assert find_labelled("Stängd 19 mars 2024") == local(2024, 3, 19, 23, 59, 59)
    assert find_labelled("Publicerad 2 mars 2024") is None
    assert find_labelled("Deadline" + " " * 100 + "15 mars 2026") is None


def test_http_date_reads_the_date_header_and_tolerates_garbage():
    assert http_date("Wed, 01 Jul 2026 10:00:00 GMT") == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    assert http_date(None) is None
    assert http_date("not a date") is None
    assert http_date("Wed, 31 Feb 2026 10:00:00 GMT") is None


_TOKENS = st.sampled_from(
    [
        "15", "31", "0", "24", "99", "2027", "0001", "9999", "mars", "sept.", "May", "maj", "ſep", "KELVIN", "K",
        "İ", ":a", "th", ".", ":", "/", "-", "–", " ", "\u00a0", "kl.", "at", "pm", "a.m.", "+0100", "+99:99",
        "Z", "CET", "(Brussels time)", "T", "mellan", "och", "till", "öppnar", "stänger", "\n", "١٢", "²",
    ]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=80), st.lists(_TOKENS, max_size=14).map("".join)))
def test_no_input_crashes_the_parser(text):
    try:
        value = parse_date(text)
    except ValueError as exc:
        assert str(exc)
    else:
        assert value is None or value.tzinfo is not None
    for found in find_dates(text, year=2026):
        assert found.value.tzinfo is not None
    for window in find_ranges(text, year=2026):
        assert window.opens <= window.closes
    find_labelled(text, year=2026)
