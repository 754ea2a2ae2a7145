"""When a call can be applied for, read from prose: the record kind, opening, deadlines and yearly windows.

Pages about standing schemes and recurring rounds state their dates in sentences ("Ansökningstiden är
mellan 15 september och 15 november", "Sista ansökningsdag är 1 oktober varje år", "Ansökan görs
löpande"). :func:`read_schedule` turns such a text into a :class:`Schedule`:

- ``call``: a window or deadline written with its year ("stänger 28 januari 2022");
- ``recurring``: a window or deadline written without a year, i.e. one that comes back each year; its
  dates are the next occurrence as seen at ``now`` (a window still open, or next year's);
- ``planned``: announced but not open ("planeras att öppna i mars 2026", "kommande utlysning");
- ``scheme``: always open ("löpande", "när som helst"), or a page that names no date at all.

Pure: the same text and ``now`` always give the same schedule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from scrapers.dates import DateMatch, zone_of
from scrapers.prose_dates import (
    DEADLINE_LABELS,
    OPENING_LABELS,
    DateRange,
    find_labelled_match,
    find_labelled_month,
    find_ranges,
)

#: applying is possible at any time
_ROLLING_RE = re.compile(
    r"(?:(?:ansök\w*|sök\w*|söka|ansökning\w*|intag)\W+(?:\w+\W+){0,5}?löpande(?![^\W\d_])"
    r"|löpande\W+(?:\w+\W+){0,2}?(?:ansök|sök|intag)\w*"
    r"|löpande\s+under\s+(?:hela\s+)?året|när\s+som\s+helst(?:\s+under\s+året)?|året\s+runt"
    r"|ingen\s+(?:sista\s+ansökningsdag|ansökningsperiod|deadline)|saknar\s+sista\s+ansökningsdag"
    r"|(?:on\s+a\s+)?rolling\s+basis|continuously\s+open|open\s+all\s+year|no\s+(?:fixed\s+)?deadline"
    r"|at\s+any\s+time\s+of\s+the\s+year|applications?\s+(?:can|may)\s+be\s+submitted\s+at\s+any\s+time)",
    re.IGNORECASE,
)
#: a field that says only "Löpande" / "Rolling" / "Ongoing"
_ROLLING_FIELD_RE = re.compile(
    r"^\W*(?:löpande(?:\s+ansökan)?|kontinuerlig|rolling|ongoing|continuous|open(?:-ended)?|no deadline|"
    r"ingen(?: sista ansökningsdag)?|tills vidare|until further notice)\W*$",
    re.IGNORECASE,
)
#: announced but not yet open
_PLANNED_RE = re.compile(
    r"planer\w*\s+(?:att\s+)?öppna|planeras\s+(?:att\s+)?(?:utlysas|publiceras)|kommer\s+att\s+öppna"
    r"|beräknas\s+öppna|preliminärt\s+öppna|öppnar\s+preliminärt|kommande\s+utlysning|nästa\s+utlysning\s+öppnar"
    r"|(?:is\s+)?(?:planned|expected|scheduled)\s+to\s+open|will\s+open|upcoming\s+call|forthcoming\s+call",
    re.IGNORECASE,
)


#: words a month of opening follows ("planeras att öppna i mars 2026", "expected to open in October 2025")
_MONTH_OPENING = ("öppna", "open", "utlysas", "publiceras", "utlyses")


def is_rolling(text: str) -> bool:
    """The text says applications are taken at any time ("Ansökan görs löpande", "rolling basis")."""
    return bool(_ROLLING_RE.search(text or ""))


def is_rolling_field(text: str) -> bool:
    """A deadline field that holds no date but says it is always open ("Löpande", "Rolling")."""
    return bool(_ROLLING_FIELD_RE.match(text or ""))


def is_planned(text: str) -> bool:
    return bool(_PLANNED_RE.search(text or ""))


@dataclass(frozen=True)
class Schedule:
    kind: str = "scheme"
    opens_at: datetime | None = None
    deadlines: list[datetime] = field(default_factory=list)
    #: for ``recurring``: the yearly window as month-day texts, {"opens": "09-15", "closes": "11-15"}
    window: dict[str, str] = field(default_factory=dict)
    #: the text says applications are taken at any time
    rolling: bool = False


def _md(value: datetime) -> str:
    return f"{value.month:02d}-{value.day:02d}"


def _pick(ranges: list[DateRange], now: datetime) -> DateRange:
    """The window that matters at ``now``: the earliest one still open or to come, else the latest."""
    coming = [r for r in ranges if r.closes >= now]
    return min(coming, key=lambda r: r.closes) if coming else max(ranges, key=lambda r: r.closes)


def _shift(value: datetime, years: int) -> datetime | None:
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return None


def _next_window(window: DateRange, now: datetime) -> tuple[datetime, datetime]:
    """A yearless window moved to the year in which it is open now or opens next."""
    opens, closes = window.opens, window.closes
    for years in (-1, 0, 1, 2):
        o, c = _shift(window.opens, years), _shift(window.closes, years)
        if o is not None and c is not None and c >= now:
            return o, c
    return opens, closes


def _next_date(found: DateMatch, now: datetime) -> datetime:
    for years in (0, 1, 2):
        value = _shift(found.value, years)
        if value is not None and value >= now:
            return value
    return found.value


def read_schedule(
    text: str,
    now: datetime,
    zone: str | tzinfo | None = None,
    *,
    deadline_labels: tuple[str, ...] | list[str] = DEADLINE_LABELS,
    opening_labels: tuple[str, ...] | list[str] = OPENING_LABELS,
) -> Schedule:
    """What ``text`` says about when to apply, as seen at ``now`` (see the module's description)."""
    tz = zone_of(zone)
    text = text or ""
    year = now.astimezone(tz).year
    rolling = is_rolling(text)
    ranges = find_ranges(text, tz, year=year)
    dated = [r for r in ranges if r.has_year]
    deadline = find_labelled_match(text, deadline_labels, tz, end_of_day=True, year=year)
    opening = find_labelled_match(text, opening_labels, tz, end_of_day=False, year=year)

    if dated:
        window = _pick(dated, now)
        return Schedule("call", window.opens, [window.closes], rolling=rolling)
    if deadline is not None and deadline.has_year:
        opens = opening.value if opening is not None and opening.has_year and opening.value <= deadline.value else None
        return Schedule("call", opens, [deadline.value], rolling=rolling)
    yearless = [r for r in ranges if not r.has_year]
    if yearless:
        window = _pick([DateRange(r.start, r.end, *_next_window(r, now), has_year=False) for r in yearless], now)
        return Schedule(
            "recurring",
            window.opens,
            [window.closes],
            {"opens": _md(window.opens), "closes": _md(window.closes)},
            rolling,
        )
    if deadline is not None:  # a yearless deadline: "Sista ansökningsdag är 1 oktober varje år"
        closes = _next_date(deadline, now)
        return Schedule("recurring", None, [closes], {"closes": _md(closes)}, rolling)
    month = find_labelled_month(text, (*opening_labels, *_MONTH_OPENING), tz)
    opens = opening.value if opening is not None and opening.has_year else month
    if opens is not None and opens > now:
        return Schedule("planned" if month is not None or is_planned(text) else "call", opens, [], rolling=rolling)
    if is_planned(text) and not rolling:
        return Schedule("planned", opens if opens and opens > now else None, [], rolling=rolling)
    return Schedule("scheme", None, [], rolling=rolling)
