"""Text helpers for digests: untrusted text made safe to show, Swedish dates, ISO weeks, safe links. Pure."""

from __future__ import annotations

import re
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
STATUS_SV = {"forthcoming": "kommande", "open": "öppen", "closed": "stängd"}
WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")
# control characters, line/paragraph separators and bidirectional overrides: never shown, never in a header
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"\s+")


def clean(value: object) -> str:
    """One line of plain text: control characters become spaces, runs of whitespace one space."""
    if value is None:
        return ""
    text = _INVISIBLE.sub(" ", str(value))
    return _SPACES.sub(" ", text).strip()


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a word boundary when one is near, ending in "…"."""
    if len(text) <= limit:
        return text
    cut = text[: max(1, limit - 1)]
    space = cut.rfind(" ")
    if space >= limit * 0.7:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–") + "…"


def short(value: object, limit: int) -> str:
    return truncate(clean(value), limit)


def safe_http_url(value: object) -> str | None:
    """``value`` if it is an absolute http(s) URL with a host and nothing that could break out of an attribute.

    Anything else (``javascript:``, ``data:``, relative paths, URLs with spaces, quotes or control
    characters) gives None, and the text is shown without a link.
    """
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url or len(url) > 2000 or re.search(r"[\s\"'<>\\`\x00-\x1f\x7f]", url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def local(value: datetime) -> datetime:
    return value.astimezone(STOCKHOLM)


def swedish_date(value: datetime) -> str:
    """``15 december 2026``, with ``kl. 17:00`` when the time is not the start or end of the day."""
    when = local(value)
    text = f"{when.day} {MONTHS[when.month - 1]} {when.year}"
    if (when.hour, when.minute) not in ((0, 0), (23, 59)):
        text += f" kl. {when:%H:%M}"
    return text


def days_left(deadline: datetime, now: datetime) -> int:
    """Calendar days from today to the deadline's day, in Swedish local time."""
    return (local(deadline).date() - local(now).date()).days


def days_left_text(days: int) -> str:
    if days < 0:
        return "(stängd)"
    if days == 0:
        return "(sista dagen i dag)"
    if days == 1:
        return "(1 dag kvar)"
    return f"({days} dagar kvar)"


def iso_week(now: datetime) -> str:
    """The ISO week of ``now`` in Swedish local time, e.g. ``2026-W48``."""
    year, week, _ = local(now).isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(text: str) -> str:
    """Validate ``YYYY-Www`` (e.g. ``2026-W48``); raises ValueError naming what is wrong."""
    match = WEEK_PATTERN.match(text or "")
    if not match:
        raise ValueError(f"week {text!r} must look like 2026-W48")
    try:
        date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise ValueError(f"week {text!r} does not exist") from None
    return text


def week_number(week: str) -> int:
    return int(week.split("-W")[1])


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"
