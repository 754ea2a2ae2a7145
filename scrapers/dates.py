"""Dates as funders write them, for every source: one module, one set of rules.

Understood shapes (anywhere in a text, case-insensitive):

- ISO 8601: ``2027-03-15``, ``2027-03-15T14:00``, ``2027-03-15 14:00:00+01:00``, the EU portal's
  ``2026-12-15T00:00:00.000+0000`` and ``...Z``;
- numeric day first: ``27.01.2026 17:00``, ``27/01/2026``, ``1.2.2026 kl. 14.00``;
- day, month name, year in Swedish or English, month names full or abbreviated: ``15 mars 2027``,
  ``Stängd 19 mars 2024``, ``den 1:a sept. 2026 kl 16``, ``5th November 2024, 17:00 CET``;
- month name, day, year (English): ``November 5, 2024``;
- RFC 822 as feeds send it: ``Tue, 05 Nov 2024 10:00:00 +0100``.

A time may follow a date (``17:00``, ``kl. 14.00``, ``5 pm``) with a zone (``CET``, ``UTC``, ``+01:00``,
``(Brussels time)``). A value without a zone is in the zone the caller gives (Europe/Stockholm unless a
source says otherwise, e.g. Europe/Brussels for EU sources). A date without a time means the start of
the day, or its end (23:59:59) when the caller asks for a deadline (``end_of_day=True``).

``parse_date`` reads one field and returns None when it holds no date, or raises :class:`DateError`
(a ValueError) when it holds an impossible one (``31.02.2026``). ``find_dates`` finds every date in prose and
skips what it cannot use; which of them are deadlines, openings or windows is :mod:`scrapers.prose_dates`' job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

STOCKHOLM = ZoneInfo("Europe/Stockholm")
BRUSSELS = ZoneInfo("Europe/Brussels")
#: years outside this window are not dates of calls (and keep arithmetic far from datetime's limits)
MIN_YEAR, MAX_YEAR = 1900, 2199

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("januari", "january", "jan"),
        ("februari", "february", "feb", "febr"),
        ("mars", "march", "mar"),
        ("april", "apr"),
        ("maj", "may"),
        ("juni", "june", "jun"),
        ("juli", "july", "jul"),
        ("augusti", "august", "aug"),
        ("september", "sep", "sept"),
        ("oktober", "october", "okt", "oct"),
        ("november", "nov"),
        ("december", "dec"),
    ),
    start=1,
):
    for _name in _names:
        MONTHS[_name] = _number


MONTH_PATTERN = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
SPACE = r"[ \t\u00a0]"
_ZONE_WORDS = {
    "utc": UTC,
    "gmt": UTC,
    "z": UTC,
    "cet": timezone(timedelta(hours=1), "CET"),
    "cest": timezone(timedelta(hours=2), "CEST"),
    "eet": timezone(timedelta(hours=2), "EET"),
    "eest": timezone(timedelta(hours=3), "EEST"),
    "est": timezone(timedelta(hours=-5), "EST"),
    "edt": timezone(timedelta(hours=-4), "EDT"),
    "cst": timezone(timedelta(hours=-6), "CST"),
    "cdt": timezone(timedelta(hours=-5), "CDT"),
    "mst": timezone(timedelta(hours=-7), "MST"),
    "mdt": timezone(timedelta(hours=-6), "MDT"),
    "pst": timezone(timedelta(hours=-8), "PST"),
    "pdt": timezone(timedelta(hours=-7), "PDT"),
}
_ZONE = (
    r"(?P<zone>[+-][0-9]{2}:?[0-9]{2}(?![0-9])|(?:UTC|GMT|CEST|CET|EEST|EET|EST|EDT|CST|CDT|MST|MDT|PST|PDT|Z)(?![a-z])"
    r"|brussels(?:[ \t]local)?[ \t]time|svensk[ \t]tid|swedish[ \t]time|stockholm[ \t]time)"
)
# a time after a date: "17:00", "kl. 14.00", "at 5 pm", "10:00:00 +0100", "16:00 (CET)"
_TIME_RE = re.compile(
    rf"""
    {SPACE}*,?{SPACE}*(?:(?P<kl>kl\.?|klockan|at|um|à){SPACE}*)?
    (?P<hour>[0-2]?[0-9])
    (?:[:.](?P<minute>[0-5][0-9])(?::(?P<second>[0-5][0-9])(?:\.[0-9]+)?)?)?
    (?:{SPACE}*(?P<ampm>[ap]\.?m\.?)(?![a-z]))?
    (?![0-9]|[.:][0-9])
    (?:{SPACE}*\(?{_ZONE}\)?)?
    """,
    re.IGNORECASE | re.VERBOSE,
)
_DATE_RE = re.compile(
    rf"""
    (?P<iso>(?<![0-9])(?P<iy>[0-9]{{4}})[-/](?P<im>[0-9]{{2}})[-/](?P<id>[0-9]{{2}})
        (?:[T ](?P<ih>[0-9]{{2}}):(?P<imi>[0-9]{{2}})(?::(?P<is>[0-9]{{2}})(?:\.[0-9]+)?)?
           (?P<izone>Z|[+-][0-9]{{2}}:?[0-9]{{2}})?)?(?![0-9]))
    |(?P<num>(?<![0-9.])(?P<nd>[0-3]?[0-9])[./](?P<nm>[01]?[0-9])[./](?P<ny>[0-9]{{4}})(?![0-9]))
    |(?P<dmy>(?<![\w])(?P<dd>[0-3]?[0-9])(?:st|nd|rd|th|:a|:e|\.)?{SPACE}*(?:of{SPACE}+|-{SPACE}*)?
        (?P<dm>{MONTH_PATTERN})(?![^\W\d_])\.?(?:,?{SPACE}*-?(?P<dy>[0-9]{{4}})(?![0-9]))?)
    |(?P<mdy>(?<![\w])(?P<mm>{MONTH_PATTERN})\.?{SPACE}+(?P<md>[0-3]?[0-9])(?:st|nd|rd|th)?(?![0-9])
        (?:,?{SPACE}*(?P<my>[0-9]{{4}})(?![0-9]))?)
    """,
    re.IGNORECASE | re.VERBOSE,
)


class DateError(ValueError):
    """A text that looks like a date but is not a valid one, or an unknown time zone."""


def zone_of(value: str | tzinfo | None) -> tzinfo:
    """A time zone from an IANA name (``Europe/Brussels``) or a tzinfo; None means Europe/Stockholm."""
    if value is None:
        return STOCKHOLM
    if isinstance(value, tzinfo):
        return value
    try:
        return ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise DateError(f"unknown time zone {value!r} (use an IANA name such as 'Europe/Stockholm')") from None


@dataclass(frozen=True)
class DateMatch:
    """A date found in a text: where it was and what it means."""

    start: int
    end: int
    value: datetime
    has_time: bool
    has_year: bool


@dataclass
class Candidate:
    start: int
    end: int
    year: int | None
    month: int
    day: int
    hour: int | None = None
    minute: int = 0
    second: int = 0
    tz: tzinfo | None = None

    def build(self, zone: tzinfo, end_of_day: bool, year: int | None) -> datetime:
        """The aware datetime this candidate means; raises DateError when it is impossible."""
        y = self.year if self.year is not None else year
        if y is None:
            raise DateError("the date has no year")
        if not MIN_YEAR <= y <= MAX_YEAR:
            raise DateError(f"year {y} is outside {MIN_YEAR}-{MAX_YEAR}")
        tz = self.tz or zone
        try:
            if self.hour is None:
                moment = datetime.combine(
                    datetime(y, self.month, self.day).date(), time(23, 59, 59) if end_of_day else time(0, 0)
                )
            elif self.hour == 24:
                if self.minute or self.second:
                    raise DateError(f"{self.hour}:{self.minute:02d} is not a time of day")
                moment = datetime(y, self.month, self.day) + timedelta(days=1)
            else:
                moment = datetime(y, self.month, self.day, self.hour, self.minute, self.second)
        except ValueError as exc:
            raise DateError(f"{y:04d}-{self.month:02d}-{self.day:02d}: {exc}") from None
        return moment.replace(tzinfo=tz)


def _offset(text: str) -> tzinfo | None:
    key = text.strip().casefold()
    if key in _ZONE_WORDS:
        return _ZONE_WORDS[key]
    if key.startswith("brussels"):
        return BRUSSELS
    if key in ("svensk tid", "swedish time", "stockholm time"):
        return STOCKHOLM
    m = re.fullmatch(r"([+-])([0-9]{2}):?([0-9]{2})", key)
    if m:
        hours, minutes = int(m.group(2)), int(m.group(3))
        if hours > 14 or minutes > 59:
            return None
        delta = timedelta(hours=hours, minutes=minutes)
        return timezone(-delta if m.group(1) == "-" else delta)
    return None


def month_number(name: str) -> int | None:
    return MONTHS.get(name.casefold().rstrip("."))


def _attach_time(text: str, cand: Candidate) -> None:
    """Read a time (and zone) right after a date, if there is one."""
    m = _TIME_RE.match(text, cand.end)
    if not m:
        return
    hour = int(m.group("hour"))
    minute = m.group("minute")
    ampm = (m.group("ampm") or "").replace(".", "").casefold()
    if minute is None and not (m.group("kl") or ampm):
        return  # a bare number after a date is not a time ("15 mars 2027 3 projekt")
    if ampm:
        if not 1 <= hour <= 12:
            return
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 24:
        return
    cand.hour = hour
    cand.minute = int(minute or 0)
    cand.second = int(m.group("second") or 0)
    if m.group("zone"):
        cand.tz = _offset(m.group("zone"))
    cand.end = m.end()


# a time written before its date: "senast kl. 14.00 den 3 februari 2026", "at 16:00 CET on 3 February 2026"
_TIME_BEFORE_RE = re.compile(
    rf"(?:kl\.?|klockan|at){SPACE}*(?P<hour>[0-2]?[0-9])(?:[:.](?P<minute>[0-5][0-9]))?"
    rf"(?:{SPACE}*\(?{_ZONE}\)?)?{SPACE}*,?{SPACE}*(?:den|on(?:{SPACE}+the)?)?{SPACE}*$",
    re.IGNORECASE,
)


def _attach_time_before(text: str, cand: Candidate) -> None:
    """Read a time written just before the date ("kl. 14.00 den 3 februari"), if the date has none."""
    m = _TIME_BEFORE_RE.search(text, max(0, cand.start - 40), cand.start)
    if not m or m.end() != cand.start:
        return
    hour, minute = int(m.group("hour")), int(m.group("minute") or 0)
    if hour > 23 or (m.group("minute") is None and not m.group(0).lower().startswith("kl")):
        return
    cand.hour, cand.minute = hour, minute
    if m.group("zone"):
        cand.tz = _offset(m.group("zone"))


def candidates(text: str) -> list[Candidate]:
    out: list[Candidate] = []
    for m in _DATE_RE.finditer(text):
        g = m.group
        if g("iso"):
            cand = Candidate(m.start(), m.end(), int(g("iy")), int(g("im")), int(g("id")))
            if g("ih"):
                cand.hour, cand.minute, cand.second = int(g("ih")), int(g("imi")), int(g("is") or 0)
                if g("izone"):
                    cand.tz = _offset(g("izone"))
                out.append(cand)
                continue
        elif g("num"):
            cand = Candidate(m.start(), m.end(), int(g("ny")), int(g("nm")), int(g("nd")))
        elif g("dmy"):
            month = month_number(g("dm"))
            if month is None:
                continue
            cand = Candidate(m.start(), m.end(), int(g("dy")) if g("dy") else None, month, int(g("dd")))
        else:
            month = month_number(g("mm"))
            if month is None:
                continue
            cand = Candidate(m.start(), m.end(), int(g("my")) if g("my") else None, month, int(g("md")))
        _attach_time(text, cand)
        if cand.hour is None:
            _attach_time_before(text, cand)
        out.append(cand)
    return out


def parse_formatted(
    text: str, formats: tuple[str, ...] | list[str], zone: str | tzinfo | None = None, end_of_day: bool = False
) -> datetime | None:
    """``text`` (whitespace collapsed) read by the first ``strptime`` format that fits it whole, else None."""
    zone = zone_of(zone)
    text = " ".join((text or "").split())
    for fmt in formats:
        try:
            value = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise DateError(f"{text!r}: year {value.year} is outside {MIN_YEAR}-{MAX_YEAR}")
        has_time = any(code in fmt for code in ("%H", "%I", "%M", "%X", "%c"))
        if not has_time and end_of_day:
            value = value.replace(hour=23, minute=59, second=59)
        return value if value.tzinfo else value.replace(tzinfo=zone)
    return None


def parse_date(
    text: str | None,
    zone: str | tzinfo | None = None,
    *,
    end_of_day: bool = False,
    formats: tuple[str, ...] | list[str] = (),
    year: int | None = None,
) -> datetime | None:
    """The first date in ``text`` as an aware datetime, or None when the text holds no date.

    ``formats`` (``strptime`` patterns) are tried first on the whole text; then the shapes this module
    knows. ``year`` completes a date written without one. Raises :class:`DateError` for an impossible
    date or an unknown zone, with a message naming the text.
    """
    tz = zone_of(zone)
    if text is None:
        return None
    if not isinstance(text, str):
        raise DateError(f"expected a text, got {type(text).__name__}")
    cleaned = " ".join(text.split())
    if not cleaned:
        return None
    if formats:
        value = parse_formatted(cleaned, formats, tz, end_of_day)
        if value is not None:
            return value
    for cand in candidates(cleaned):
        try:
            return cand.build(tz, end_of_day, year)
        except DateError as exc:
            raise DateError(f"{cleaned[:80]!r}: {exc}") from None
    return None


def find_dates(
    text: str, zone: str | tzinfo | None = None, *, end_of_day: bool = False, year: int | None = None
) -> list[DateMatch]:
    """Every valid date in ``text``, in order. Dates without a year are kept only when ``year`` is given."""
    tz = zone_of(zone)
    found: list[DateMatch] = []
    for cand in candidates(text or ""):
        try:
            value = cand.build(tz, end_of_day, year)
        except DateError:
            continue
        found.append(DateMatch(cand.start, cand.end, value, cand.hour is not None, cand.year is not None))
    return found


def http_date(value: str | None) -> datetime | None:
    """An HTTP ``Date`` header as an aware datetime, or None when absent or unreadable."""
    try:
        return parse_date(value, UTC)
    except DateError:
        return None
