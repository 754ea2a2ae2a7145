"""iCalendar (RFC 5545) feed of a profile's matched calls' deadlines, written by hand.

One all-day event per deadline (on its date in Swedish time, the exact time in the text), stable
UIDs so calendar programs update events instead of duplicating them, CRLF line ends and lines folded
at 75 octets. Outlook, Google Calendar and Apple Calendar can subscribe to the URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from web.formatting import datetime_sv, local


@dataclass(frozen=True)
class DeadlineEvent:
    call_id: int
    index: int
    deadline: datetime
    title: str
    url: str
    page_url: str
    funder: str
    final: bool


#: control characters a TEXT value may not hold (tab is allowed; line breaks are escaped before this)
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")


def escape_text(value: str) -> str:
    """TEXT value escaping: backslash, semicolon, comma and line breaks; other control characters dropped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return _CONTROL.sub("", value)


def fold_line(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets, never splitting a UTF-8 character."""
    if len(line) <= 18 or len(line.encode("utf-8")) <= 75:  # most lines: nothing to fold (4 octets a char at most)
        return line
    if line.isascii():  # one octet a character: the first line 75 characters, each continuation " " + 74
        return "\r\n ".join([line[:75], *(line[i : i + 74] for i in range(75, len(line), 74))])
    out: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(name: str, events: Iterable[DeadlineEvent], host: str, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Kalmar kommun//fundwatch//SV",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        "X-WR-TIMEZONE:Europe/Stockholm",
        "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
        "X-PUBLISHED-TTL:PT6H",
    ]
    for event in events:
        day = local(event.deadline).date()
        label = "Sista dag" if event.final else "Deadline"
        description = [
            f"{label}: {datetime_sv(event.deadline)} (svensk tid)",
            f"Finansiär: {event.funder}" if event.funder else "",
            f"Utlysningen: {event.url}" if event.url else "",
            f"I fundwatch: {event.page_url}",
        ]
        lines += [
            "BEGIN:VEVENT",
            f"UID:call-{event.call_id}-deadline-{event.index}@{host}",
            f"DTSTAMP:{_stamp(now)}",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape_text(f'{label}: {event.title}')}",
            f"DESCRIPTION:{escape_text(chr(10).join(d for d in description if d))}",
            f"URL:{_uri(event.page_url)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + "\r\n" for line in lines)


def _uri(value: str) -> str:
    """A URI property value: not TEXT-escaped, but with no control characters or spaces."""
    return "".join(c for c in value if ord(c) > 0x20 and ord(c) != 0x7F)
