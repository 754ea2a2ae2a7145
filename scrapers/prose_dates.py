"""Dates in running text: a deadline or an opening after its label ("Sista ansökningsdag: 15 mars 2027",
"öppnar i mars 2026") and date windows ("mellan 15 september och 15 november 2025", "1–15 mars 2025").

Single dates and their shapes are read by :mod:`scrapers.dates`; this module finds which of them a text
presents as a deadline, an opening or the two ends of a window, and skips dates a page writes about itself
("Sidan uppdaterades senast den 3 mars 2025").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo

from scrapers.dates import (
    MAX_YEAR,
    MIN_YEAR,
    MONTH_PATTERN,
    SPACE,
    Candidate,
    DateError,
    DateMatch,
    candidates,
    find_dates,
    month_number,
    zone_of,
)

#: deadline wording used by Swedish and EU funders (followed by a date)
DEADLINE_LABELS = (
    "sista ansökningsdag",
    "sista ansökningsdatum",
    "sista dag för ansökan",
    "sista dag att ansöka",
    "ansök senast",
    "sök senast",
    "ansöka senast",
    "ansökan senast",
    "ansökan ska vara inne senast",
    "in senast",
    "inne senast",
    "tillhanda senast",
    "ansökningstiden går ut",
    "stänger",
    "stängd",
    "stängs",
    "deadline",
    "closing date",
    "closes",
    "closed",
    "submission deadline",
    "submitted by",
    "submitted no later than",
    "apply by",
    "applications close",
)
#: opening wording (followed by a date)
OPENING_LABELS = (
    "öppnar",
    "öppnas",
    "öppen från",
    "öppen fr.o.m.",
    "opening",
    "opens",
    "open from",
    "will open",
)
#: words that make a date before them the page's own history, not a deadline ("Senast uppdaterad 3 mars")
_HISTORY_RE = re.compile(
    r"uppdaterad|uppdaterades|ändrad|ändrades|publicerad|publicerades|granskad|reviderad|"
    r"updated|modified|published|reviewed",
    re.IGNORECASE,
)
_DAY_RANGE_RE = re.compile(
    rf"(?<![\w.])(?P<d1>[0-3]?[0-9])\.?{SPACE}*[-–—]{SPACE}*(?P<d2>[0-3]?[0-9])\.?{SPACE}+(?P<mon>{MONTH_PATTERN})(?![^\W\d_])\.?"
    rf"(?:{SPACE}+(?P<year>[0-9]{{4}})(?![0-9]))?",
    re.IGNORECASE,
)
# "mellan den 1 och 31 mars", "between 1 and 15 April 2026"
_BETWEEN_DAYS_RE = re.compile(
    rf"(?:mellan|between){SPACE}+(?:den{SPACE}+|the{SPACE}+)?(?P<d1>[0-3]?[0-9])(?:st|nd|rd|th|:a|:e)?\.?{SPACE}+(?:och|and)"
    rf"{SPACE}+(?:den{SPACE}+|the{SPACE}+)?(?P<d2>[0-3]?[0-9])(?:st|nd|rd|th|:a|:e)?\.?{SPACE}+(?:of{SPACE}+)?"
    rf"(?P<mon>{MONTH_PATTERN})(?![^\W\d_])\.?(?:{SPACE}+(?P<year>[0-9]{{4}})(?![0-9]))?",
    re.IGNORECASE,
)
_RANGE_JOIN_RE = re.compile(
    r"^\s*(?:[-–—]|till|to|until|through|t\.?\s?o\.?\s?m\.?|fram\s+till)\s*(?:den\s+|the\s+)?$", re.IGNORECASE
)
_AND_JOIN_RE = re.compile(r"^\s*(?:och|and)\s*(?:den\s+|the\s+)?$", re.IGNORECASE)
_BETWEEN_RE = re.compile(r"(?:mellan|between)\s+(?:den\s+|the\s+)?$", re.IGNORECASE)
# "öppnar 18 oktober 2021 … stänger 28 januari 2022"
_OPENS_BEFORE_RE = re.compile(r"(?:öppnar|öppnas|opens|opening)[\s:]*(?:den\s+|on\s+)?$", re.IGNORECASE)
_CLOSES_BETWEEN_RE = re.compile(
    r"^[\s,.;…]*(?:(?:och|and|men|but)\s+)?(?:stänger|stängs|closes|closing|deadline|sista\s+ansökningsdag)"
    r"[\s:]*(?:den\s+|on\s+)?$",
    re.IGNORECASE,
)
_MONTH_YEAR_RE = re.compile(
    rf"(?<![\w])(?:(?:i|in|under|during|från|from|from{SPACE}+the{SPACE}+start{SPACE}+of|i{SPACE}+början{SPACE}+av){SPACE}+)?"
    rf"(?P<mon>{MONTH_PATTERN})(?![^\W\d_])\.?{SPACE}+(?P<year>[0-9]{{4}})(?![0-9])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateRange:
    """A window found in prose ("mellan 15 september och 15 november 2025")."""

    start: int
    end: int
    opens: datetime
    closes: datetime
    #: False when neither end was written with a year (a window that comes back each year)
    has_year: bool = True


def _label_pattern(labels: tuple[str, ...] | list[str]) -> re.Pattern[str]:
    return re.compile(
        r"(?<![^\W\d_])(?:" + "|".join(re.escape(label) for label in labels) + r")(?![^\W\d_])", re.IGNORECASE
    )


def find_labelled_match(
    text: str,
    labels: tuple[str, ...] | list[str] = DEADLINE_LABELS,
    zone: str | tzinfo | None = None,
    *,
    end_of_day: bool = True,
    year: int | None = None,
    max_gap: int = 40,
) -> DateMatch | None:
    """The first date that follows one of ``labels`` within ``max_gap`` characters, with where it was.

    A date the page writes about itself is skipped ("Sidan uppdaterades senast den 3 mars 2025"): when
    "uppdaterad", "publicerad", "updated", ... stands between the label (or just before it) and the date.
    """
    text = text or ""
    if not labels:
        return None
    dates = find_dates(text, zone, end_of_day=end_of_day, year=year)
    for label in _label_pattern(labels).finditer(text):
        for found in dates:
            if label.end() <= found.start <= label.end() + max_gap:
                before = re.split(r"[.,;:|\n]", text[max(0, label.start() - 30) : label.start()])[-1]
                if _HISTORY_RE.search(before + text[label.end() : found.start]):
                    break
                return found
    return None


def find_labelled(
    text: str,
    labels: tuple[str, ...] | list[str] = DEADLINE_LABELS,
    zone: str | tzinfo | None = None,
    *,
    end_of_day: bool = True,
    year: int | None = None,
    max_gap: int = 40,
) -> datetime | None:
    """The first date that follows one of ``labels`` within ``max_gap`` characters ("Sista ansökningsdag: 15 mars")."""
    found = find_labelled_match(text, labels, zone, end_of_day=end_of_day, year=year, max_gap=max_gap)
    return found.value if found else None


def find_labelled_month(
    text: str,
    labels: tuple[str, ...] | list[str] = OPENING_LABELS,
    zone: str | tzinfo | None = None,
    *,
    max_gap: int = 40,
) -> datetime | None:
    """The first day of a month named with its year after one of ``labels``: "öppnar i mars 2026" is
    2026-03-01. Dates with a day are left to :func:`find_labelled`."""
    tz = zone_of(zone)
    text = text or ""
    if not labels:
        return None
    for label in _label_pattern(labels).finditer(text):
        m = _MONTH_YEAR_RE.search(text, label.end(), label.end() + max_gap + 30)
        if m is None or m.start() - label.end() > max_gap:
            continue
        if re.search(r"[0-9]", text[label.end() : m.start()]):
            continue  # "öppnar 3 mars 2026" has a day
        month, y = month_number(m.group("mon")), int(m.group("year"))
        if month is not None and MIN_YEAR <= y <= MAX_YEAR:
            return datetime(y, month, 1, tzinfo=tz)
    return None


def find_ranges(text: str, zone: str | tzinfo | None = None, *, year: int | None = None) -> list[DateRange]:
    """Date windows in prose: "15 september – 15 november 2025", "mellan 1 mars och 15 april", "1–15 mars 2025".

    A start without a year takes the end's year (the year before, when it would fall after the end);
    when neither has a year, ``year`` is used, and without it the range is skipped.
    """
    tz = zone_of(zone)
    text = text or ""
    ranges: list[DateRange] = []
    taken: list[tuple[int, int]] = []
    for m in [*_DAY_RANGE_RE.finditer(text), *_BETWEEN_DAYS_RE.finditer(text)]:
        if any(s <= m.start() < e for s, e in taken):
            continue
        month = month_number(m.group("mon"))
        y = int(m.group("year")) if m.group("year") else year
        if month is None or y is None:
            continue
        first = Candidate(m.start(), m.end(), y, month, int(m.group("d1")))
        last = Candidate(m.start(), m.end(), y, month, int(m.group("d2")))
        try:
            opens, closes = first.build(tz, False, None), last.build(tz, True, None)
        except DateError:
            continue
        if opens <= closes:
            ranges.append(DateRange(m.start(), m.end(), opens, closes, has_year=bool(m.group("year"))))
            taken.append((m.start(), m.end()))
    cands = candidates(text)
    i = 0
    while i < len(cands) - 1:
        a, b = cands[i], cands[i + 1]
        i += 1
        if any(s <= a.start < e or s <= b.start < e for s, e in taken):
            continue
        between = text[a.end : b.start]
        joined = _RANGE_JOIN_RE.match(between) or (
            _AND_JOIN_RE.match(between) and _BETWEEN_RE.search(text[max(0, a.start - 16) : a.start])
        )
        joined = joined or (
            _CLOSES_BETWEEN_RE.match(between) and _OPENS_BEFORE_RE.search(text[max(0, a.start - 16) : a.start])
        )
        if not joined:
            continue
        window = _window(a, b, tz, year)
        if window is not None:
            has_year = a.year is not None or b.year is not None
            ranges.append(DateRange(a.start, b.end, *window, has_year=has_year))
            i += 1  # b is used up as this range's end
    ranges.sort(key=lambda r: r.start)
    return ranges


def _window(a: Candidate, b: Candidate, tz: tzinfo, year: int | None) -> tuple[datetime, datetime] | None:
    """Opening and closing of a range whose ends may lack a year (taken from the other end, or ``year``)."""
    a_year = a.year if a.year is not None else (b.year if b.year is not None else year)
    b_year = b.year if b.year is not None else a_year
    if a_year is None or b_year is None:
        return None
    if a.year is None and b.year is not None and (a.month, a.day) > (b.month, b.day):
        a_year -= 1  # "15 november – 15 januari 2026" starts in 2025
    if b.year is None and (b.month, b.day) < (a.month, a.day):
        b_year += 1  # "15 november 2025 – 15 januari" ends in 2026
    try:
        opens = replace(a, year=a_year).build(tz, False, None)
        closes = replace(b, year=b_year).build(tz, True, None)
    except DateError:
        return None
    return (opens, closes) if opens <= closes else None
