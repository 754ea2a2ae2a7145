"""Dates in prose: how Swedish and English funders write when to apply, read into a record kind and dates.

Each phrasing below is written the way funders' pages write it (Tillväxtverket, Länsstyrelsen, Boverket,
Naturvårdsverket, Interreg, EU portal, ...). ``NOW`` is the moment the page was fetched.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrapers.prose_dates import find_labelled, find_labelled_month, find_ranges
from scrapers.schedule import is_planned, is_rolling, is_rolling_field, read_schedule

STHLM = ZoneInfo("Europe/Stockholm")
BXL = ZoneInfo("Europe/Brussels")
CET = timezone(timedelta(hours=1))
NOW = datetime(2025, 7, 1, 10, 0, tzinfo=STHLM)


def at(*args: int, tz=STHLM) -> datetime:
    return datetime(*args, tzinfo=tz)


def end(y: int, m: int, d: int) -> datetime:
    return at(y, m, d, 23, 59, 59)


PHRASINGS = [
    # (text, kind, opens_at, deadlines, window)
    ("Ansökningstiden är mellan 15 september och 15 november", "recurring", at(2025, 9, 15), [end(2025, 11, 15)],
     {"opens": "09-15", "closes": "11-15"}),
    ("Utlysningen öppnar 18 oktober 2021 … stänger 28 januari 2022", "call", at(2021, 10, 18), [end(2022, 1, 28)], {}),
    ("Sista dag att ansöka är den 1 mars", "recurring", None, [end(2026, 3, 1)], {"closes": "03-01"}),
    ("Ansökan ska ha kommit in senast 2025-02-15", "call", None, [end(2025, 2, 15)], {}),
    ("Deadline: 12 November 2025, 16:00 CET", "call", None, [at(2025, 11, 12, 16, 0, tz=CET)], {}),
    ("Ansökan görs löpande under året.", "scheme", None, [], {}),
    ("Sista ansökningsdag: 2026-03-01", "call", None, [end(2026, 3, 1)], {}),
    ("Ansök senast 31 januari 2026.", "call", None, [end(2026, 1, 31)], {}),
    ("Utlysningen stänger 2025-10-14 kl. 14.00", "call", None, [at(2025, 10, 14, 14, 0)], {}),
    ("Closing date: 5th November 2025, 17:00 (Brussels time)", "call", None, [at(2025, 11, 5, 17, 0, tz=BXL)], {}),
    ("The call opens on 1 February 2026 and closes on 30 April 2026.", "call", at(2026, 2, 1), [end(2026, 4, 30)], {}),
    ("Application period: 15 January – 15 March 2026", "call", at(2026, 1, 15), [end(2026, 3, 15)], {}),
    ("Ansökningsomgången pågår 1 oktober–1 december 2025.", "call", at(2025, 10, 1), [end(2025, 12, 1)], {}),
    ("Du kan söka bidrag från 1 september till 31 oktober.", "recurring", at(2025, 9, 1), [end(2025, 10, 31)],
     {"opens": "09-01", "closes": "10-31"}),
    ("Ansökan ska vara inne senast 15 oktober 2025 klockan 23.59.", "call", None, [at(2025, 10, 15, 23, 59)], {}),
    ("Utlysningen är öppen 3 mars–14 april 2026.", "call", at(2026, 3, 3), [end(2026, 4, 14)], {}),
    ("Ansökningsperioden är mellan den 1 och 31 mars.", "recurring", at(2026, 3, 1), [end(2026, 3, 31)],
     {"opens": "03-01", "closes": "03-31"}),
    ("Sök senast 1 mars!", "recurring", None, [end(2026, 3, 1)], {"closes": "03-01"}),
    ("Applications must be submitted by 31 January 2026.", "call", None, [end(2026, 1, 31)], {}),
    ("Ansökan ska ha kommit in senast kl. 14.00 den 3 februari 2026.", "call", None, [at(2026, 2, 3, 14, 0)], {}),
    ("The deadline for applications is 4 March 2026 at 13:00 Swedish time.", "call", None,
     [at(2026, 3, 4, 13, 0)], {}),
    ("Ansökningsperiod: 2026-01-15 – 2026-03-15", "call", at(2026, 1, 15), [end(2026, 3, 15)], {}),
    ("Call opens: 18 September 2025 | Call closes: 20 November 2025 at 16:00 CET", "call", at(2025, 9, 18),
     [at(2025, 11, 20, 16, 0, tz=CET)], {}),
    ("Submission deadline: 2025-11-20 16:00 (CET)", "call", None, [at(2025, 11, 20, 16, 0, tz=CET)], {}),
    ("Sista ansökningsdag är 1 oktober varje år.", "recurring", None, [end(2025, 10, 1)], {"closes": "10-01"}),
    ("Ansökan ska vara Länsstyrelsen tillhanda senast den 1 februari.", "recurring", None, [end(2026, 2, 1)],
     {"closes": "02-01"}),
    ("Nästa utlysning planeras att öppna i mars 2026.", "planned", at(2026, 3, 1), [], {}),
    ("Ansökan kan göras när som helst under året. Beslut fattas löpande.", "scheme", None, [], {}),
    ("Stöd kan sökas under perioden 15 augusti – 30 september varje år.", "recurring", at(2025, 8, 15),
     [end(2025, 9, 30)], {"opens": "08-15", "closes": "09-30"}),
    ("Ansökningsperioden 15 november – 15 januari.", "recurring", at(2025, 11, 15), [end(2026, 1, 15)],
     {"opens": "11-15", "closes": "01-15"}),
    ("Vi tar emot ansökningar löpande. Projektet ska vara avslutat senast 2027-12-31.", "scheme", None, [], {}),
    ("Förra omgången: 1–31 mars 2024. Nästa: ansök mellan 1 och 30 april 2026.", "call", at(2026, 4, 1),
     [end(2026, 4, 30)], {}),
    ("Applications are accepted on a rolling basis.", "scheme", None, [], {}),
    ("Sidan uppdaterades senast den 3 mars 2025. Bidraget kan sökas av kommuner.", "scheme", None, [], {}),
    ("Utlysningen öppnar 1 september 2025.", "call", at(2025, 9, 1), [], {}),
    ("The next call is expected to open in October 2025.", "planned", at(2025, 10, 1), [], {}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "kind", "opens_at", "deadlines", "window"), PHRASINGS, ids=lambda v: str(v)[:40])
def test_a_funders_phrasing_gives_the_record_kind_and_dates(text, kind, opens_at, deadlines, window):
    schedule = read_schedule(text, NOW)
    assert (schedule.kind, schedule.opens_at, schedule.deadlines, schedule.window) == (
        kind,
        opens_at,
        deadlines,
        window,
    )


def test_at_least_twenty_five_real_world_phrasings_are_covered():
    assert len(PHRASINGS) >= 25
    assert {k for _, k, *_ in PHRASINGS} == {"call", "recurring", "scheme", "planned"}


def test_a_yearly_window_already_past_this_year_is_next_years():
    schedule = read_schedule("Ansökningstiden är mellan 1 mars och 15 april.", NOW)
    assert (schedule.opens_at, schedule.deadlines) == (at(2026, 3, 1), [end(2026, 4, 15)])


def test_a_yearly_window_that_is_open_now_stays_this_years():
    now = datetime(2025, 10, 1, tzinfo=STHLM)
    schedule = read_schedule("Ansökningstiden är mellan 15 september och 15 november.", now)
    assert (schedule.opens_at, schedule.deadlines) == (at(2025, 9, 15), [end(2025, 11, 15)])


def test_of_several_dated_windows_the_one_still_to_close_is_taken():
    text = "Omgång 1: 1 februari – 1 mars 2025. Omgång 2: 1 september – 1 oktober 2025."
    assert read_schedule(text, NOW).deadlines == [end(2025, 10, 1)]
    assert read_schedule(text, datetime(2026, 1, 1, tzinfo=STHLM)).deadlines == [end(2025, 10, 1)]


def test_rolling_wording_is_recognised_in_prose_and_in_a_deadline_field():
    assert is_rolling("Du kan söka stödet löpande.")
    assert is_rolling("Ansökningar behandlas löpande")
    assert not is_rolling("Vi gör en löpande uppföljning av projekten.")
    assert is_rolling_field("Löpande")
    assert is_rolling_field(" Rolling ")
    assert not is_rolling_field("Löpande, senast 1 mars")
    assert is_planned("Utlysningen kommer att öppna under hösten")
    assert not is_planned("Utlysningen är öppen")


def test_history_dates_are_never_deadlines():
    assert find_labelled("Senast uppdaterad: 2025-03-01") is None
    assert find_labelled("Sidan uppdaterades senast den 3 mars 2025") is None
    assert find_labelled("Publicerad 2 mars 2024, stängd 19 mars 2024") == end(2024, 3, 19)


def test_a_month_and_year_after_an_opening_word_is_the_first_of_that_month():
    assert find_labelled_month("Utlysningen öppnar i mars 2026.") == at(2026, 3, 1)
    assert find_labelled_month("Utlysningen öppnar 3 mars 2026.") is None
    assert find_labelled_month("Beslut i mars 2026.") is None


def test_ranges_say_whether_they_carry_a_year():
    (yearless,) = find_ranges("mellan 15 september och 15 november", year=2025)
    (dated,) = find_ranges("1–15 mars 2025")
    assert (yearless.has_year, dated.has_year) == (False, True)


_TOKENS = st.sampled_from(
    [*"0123456789", " ", "-", "–", ".", ":", "/", "kl", " mars", " 2026", " mellan", " och", " senast", " löpande",
     " öppnar", " stänger", " varje år", " sista ansökningsdag", " i", " planeras att öppna"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_TOKENS, max_size=30).map("".join))
def test_no_text_crashes_the_schedule_reader_and_its_dates_are_coherent(text):
    schedule = read_schedule(text, NOW)
    assert schedule.kind in ("call", "recurring", "scheme", "planned")
    if schedule.opens_at and schedule.deadlines:
        assert schedule.opens_at <= schedule.deadlines[-1]
    assert all(d.tzinfo is not None for d in schedule.deadlines)
