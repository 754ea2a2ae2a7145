"""Swedish formatting for the yearly report: amounts, numbers, shares, dates and country names. Pure."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from strategy.countries import country_sv

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MONTHS = "januari februari mars april maj juni juli augusti september oktober november december".split()
#: no-break space: keeps "1 234 567 kr" on one line
NBSP = "\u00a0"

STATUS_LABELS = {
    "intresserad": "Intresserad",
    "ansoker": "Ansöker",
    "inskickad": "Inskickad",
    "beviljad": "Beviljad",
    "avslag": "Avslag",
    "avstar": "Avstår",
}


def number(value: int | None) -> str:
    """``1 234 567`` (thousands separated by a no-break space); ``–`` for None."""
    if value is None:
        return "–"
    return f"{value:,}".replace(",", NBSP).replace("-", "−")


def sek(value: int | None) -> str:
    """``1 234 567 kr``; ``–`` for None."""
    return "–" if value is None else f"{number(value)}{NBSP}kr"


def percent(share: float | None) -> str:
    """``66,7 %`` (one decimal, comma); ``–`` when there is no share."""
    if share is None:
        return "–"
    return f"{share * 100:.1f}".replace(".", ",") + f"{NBSP}%"


def decimal_sv(value: float | None, places: int = 4) -> str:
    """A rate such as ``11,2345``: decimal comma, trailing zeros dropped (at least two decimals)."""
    if value is None:
        return "–"
    text = f"{value:.{places}f}".rstrip("0")
    whole, _, fraction = text.partition(".")
    return f"{whole},{fraction.ljust(2, '0')}"


def date_sv(value: date | None) -> str:
    """``15 december 2026``; ``–`` for None."""
    if value is None:
        return "–"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def datetime_sv(value: datetime) -> str:
    """``28 november 2026 kl. 22:10`` in Swedish time."""
    when = value.astimezone(STOCKHOLM)
    return f"{date_sv(when.date())} kl. {when:%H:%M}"


def country_name(code: str) -> str:
    """The Swedish name of a country code, or the code itself when unknown."""
    return country_sv(code)


def join_sv(items: list[str]) -> str:
    """``a, b och c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " och " + items[-1]
