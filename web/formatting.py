"""Jinja filters: Swedish labels, dates in Swedish time, numbers with a decimal comma, safe links."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Stockholm")

STATUS = {"forthcoming": "Kommande", "open": "Öppen", "closed": "Stängd"}
KIND = {
    "call": "Utlysning",
    "recurring": "Återkommande utlysning",
    "scheme": "Löpande stöd",
    "planned": "Planerad utlysning",
}
LANGUAGE = {"sv": "Svenska", "en": "Engelska", "da": "Danska", "no": "Norska", "fi": "Finska", "de": "Tyska"}
VERDICT = {"relevant": "Relevant", "not_relevant": "Inte relevant"}
OUTCOME = {"ok": "Lyckad", "not_modified": "Oförändrad", "error": "Fel", "skipped": "Överhoppad"}
FIELD = {
    "title": "Titel",
    "url": "Länk",
    "funder": "Finansiär",
    "programme": "Program",
    "summary": "Sammanfattning",
    "description": "Beskrivning",
    "language": "Språk",
    "status": "Status",
    "kind": "Typ",
    "opens_at": "Öppnar",
    "deadline_at": "Sista dag",
    "deadlines": "Deadlines",
    "budget": "Budget",
    "applicant_types": "Vem kan söka",
    "extra": "Övrigt",
}
_MONTHS = "januari februari mars april maj juni juli augusti september oktober november december".split()


def local(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(TZ)


def datetime_sv(value: datetime | str | None, empty: str = "–") -> str:
    """ "2026-12-01 kl. 17:00" in Swedish time; a deadline at 23:59 shows as the date alone."""
    moment = local(value)
    if moment is None:
        return empty
    if (moment.hour, moment.minute) in ((23, 59), (0, 0)):
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%d kl. %H:%M")


def date_sv(value: datetime | date | str | None, empty: str = "–") -> str:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    moment = local(value)
    return moment.strftime("%Y-%m-%d") if moment else empty


def long_date_sv(value: datetime | None) -> str:
    moment = local(value)
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}" if moment else "–"


def decimal_sv(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}".replace(".", ",")


def number_sv(value: int | None) -> str:
    """Thousands separated by a (non-breaking) space: 100 000."""
    if value is None:
        return "–"
    return f"{value:,}".replace(",", "\u00a0")


def safe_href(url: object) -> str | None:
    """The URL when it is an absolute http(s) link; None otherwise (it is then shown as text, not linked)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if re.search(r"[\x00-\x20\x7f]", url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def paragraphs(text: str | None) -> list[str]:
    """Plain text split into paragraphs at blank lines (single line breaks are kept inside)."""
    if not text:
        return []
    return [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]


def truncate_text(text: str | None, length: int = 300) -> str:
    if not text:
        return ""
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


FILTERS = {
    "datetime_sv": datetime_sv,
    "date_sv": date_sv,
    "long_date_sv": long_date_sv,
    "decimal_sv": decimal_sv,
    "number_sv": number_sv,
    "safe_href": safe_href,
    "paragraphs": paragraphs,
    "truncate_text": truncate_text,
    "status_sv": lambda v: STATUS.get(v, v or "–"),
    "kind_sv": lambda v: KIND.get(v, v or "–"),
    "language_sv": lambda v: LANGUAGE.get(v, v or "–"),
    "verdict_sv": lambda v: VERDICT.get(v, v or "–"),
    "outcome_sv": lambda v: OUTCOME.get(v, v or "–"),
    "field_sv": lambda v: FIELD.get(v, v),
}
