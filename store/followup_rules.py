"""Validating a follow-up before it is stored. Pure: no database, no clock (``today`` is given).

:func:`clean_followup` takes what a form, a link or a test gives (strings or typed values) and the stored
record (or None for a new one) and returns the cleaned values to store, or raises :class:`FollowUpInvalid`
whose ``errors`` map each field to a Swedish message the web UI shows beside that field.

Status rules (``store.models_followup.FOLLOWUP_STATUSES``):

- a new follow-up may start in any status (an application may be recorded after it was sent);
- forward moves are always allowed, also skipping a step (intresserad → inskickad): the skipped steps keep no
  date unless one is given;
- ``avstar`` (the administration declined to apply) is allowed from every state not yet decided;
- a decided state (``beviljad``, ``avslag``, ``avstar``) is final, and moving to an earlier state is a
  correction: only a KLK user may do it (``allow_backwards``). The dates of the steps after the new state
  are then cleared, so the record tells its current truth (the audit log keeps the old values).

Moving into a state sets its date (interested_on, applying_on, submitted_on, decided_on) to ``today`` unless a
date is given. Amounts are non-negative whole numbers in ``currency``; EUR needs ``eur_rate`` (SEK per EUR)
above 0; the granted amount may only be given when the status is ``beviljad``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from store.countries import COUNTRY_CODES
from store.models_followup import CURRENCIES, FOLLOWUP_STATUSES

#: Swedish names of the states, for pages, emails and messages
STATUS_SV = {
    "intresserad": "Intresserad",
    "ansoker": "Ansöker",
    "inskickad": "Inskickad",
    "beviljad": "Beviljad",
    "avslag": "Avslag",
    "avstar": "Avstår",
}
#: the step each state stands for (avstar is outside the line)
STEP = {"intresserad": 0, "ansoker": 1, "inskickad": 2, "beviljad": 3, "avslag": 3}
DECIDED = ("beviljad", "avslag", "avstar")
#: which date field a state sets
DATE_OF = {
    "intresserad": "interested_on",
    "ansoker": "applying_on",
    "inskickad": "submitted_on",
    "beviljad": "decided_on",
    "avslag": "decided_on",
    "avstar": "decided_on",
}
DATE_FIELDS = ("interested_on", "applying_on", "submitted_on", "decided_on")
AMOUNT_FIELDS = ("amount_applied", "amount_granted", "cofinancing")
TEXT_LIMITS = {"contact_name": 200, "contact_email": 320, "notes": 10_000}
#: Swedish field labels (used in messages and the history)
FIELD_SV = {
    "status": "Status",
    "contact_name": "Kontaktperson",
    "contact_email": "E-post",
    "currency": "Valuta",
    "eur_rate": "Kurs (kronor per euro)",
    "amount_applied": "Sökt belopp",
    "amount_granted": "Beviljat belopp",
    "cofinancing": "Egen medfinansiering",
    "interested_on": "Intresserad den",
    "applying_on": "Ansöker sedan",
    "submitted_on": "Inskickad den",
    "decided_on": "Beslut den",
    "partners": "Partner",
    "notes": "Anteckningar",
}
EMAIL = re.compile(r"^[^@\s<>\"',;()\[\]\\]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
MAX_PARTNERS = 100
MAX_AMOUNT = 10**15


class FollowUpInvalid(ValueError):
    """One or more fields are wrong; ``errors`` maps field name -> Swedish message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))


def allowed_next(current: str | None, allow_backwards: bool = False) -> tuple[str, ...]:
    """The states a record in ``current`` (None: a new record) may move to, itself included."""
    if current is None or allow_backwards:
        return FOLLOWUP_STATUSES
    if current in DECIDED:
        return (current,)
    later = tuple(s for s in FOLLOWUP_STATUSES if s in STEP and STEP[s] >= STEP[current])
    return later + ("avstar",)


def is_backwards(current: str | None, new: str) -> bool:
    """Whether moving ``current`` → ``new`` is a correction (not allowed without ``allow_backwards``)."""
    return current is not None and new not in allowed_next(current, allow_backwards=False)


def parse_amount(value: Any) -> int | None:
    """A whole, non-negative amount; spaces (also non-breaking) between thousands are fine. Raises ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("ska vara ett heltal")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError("ska vara ett helt belopp (utan decimaler)")
        number = int(value)
    else:
        text = re.sub(r"[\s\u00a0\u202f]", "", str(value))
        if not re.fullmatch(r"-?\d+", text):
            raise ValueError("ska vara ett helt belopp i siffror, t.ex. 1 200 000")
        number = int(text)
    if number < 0:
        raise ValueError("kan inte vara negativt")
    if number >= MAX_AMOUNT:
        raise ValueError("är orimligt stort")
    return number


def parse_rate(value: Any) -> float | None:
    """A rate such as ``11,45`` or ``11.45``; None when empty. Raises ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("ska vara ett tal")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        raise ValueError("ska vara ett tal, t.ex. 11,45")
    return float(text)


def parse_day(value: Any) -> date | None:
    """A date as ``YYYY-MM-DD`` (or a ``date``); None when empty. Raises ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError("ska vara ett datum som ÅÅÅÅ-MM-DD, t.ex. 2026-12-01") from None


def parse_partners_text(text: str) -> list[dict[str, str]]:
    """Partners written one per line as ``Namn; land`` (``Gdańsk kommun; PL``). Raises ValueError naming the line."""
    partners = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        name, separator, country = line.rpartition(";")
        if not separator:
            raise ValueError(f"rad {number}: skriv ”Namn; landskod”, t.ex. ”Gdańsk kommun; PL”")
        partners.append({"name": name.strip(), "country": country.strip()})
    return partners


def partners_text(partners: list[dict[str, Any]] | None) -> str:
    """The stored partners as the form's text, one ``Namn; LAND`` per line."""
    return "\n".join(f"{p.get('name', '')}; {p.get('country', '')}" for p in partners or [])


def check_partners(value: Any) -> list[dict[str, str]]:
    """A list of ``{"name", "country"}`` with an ISO 3166-1 alpha-2 country (upper-cased). Raises ValueError."""
    if value is None:
        return []
    if isinstance(value, str):
        value = parse_partners_text(value)
    if not isinstance(value, list | tuple):
        raise ValueError("ska vara en lista med namn och land")
    if len(value) > MAX_PARTNERS:
        raise ValueError(f"högst {MAX_PARTNERS} partner")
    out = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, Mapping):
            raise ValueError(f"rad {number}: ska ha namn och land")
        name = str(item.get("name") or "").strip()
        country = str(item.get("country") or "").strip().upper()
        if not name:
            raise ValueError(f"rad {number}: namnet saknas")
        if len(name) > 200:
            raise ValueError(f"rad {number}: namnet är längre än 200 tecken")
        if country not in COUNTRY_CODES:
            raise ValueError(
                f"rad {number}: ”{str(item.get('country') or '').strip() or '(tomt)'}” är ingen landskod; använd två bokstäver enligt ISO 3166-1, "
                "t.ex. SE, PL, LT, DK"
            )
        out.append({"name": name, "country": country})
    return out


def _stored(current: Any, name: str, default: Any = None) -> Any:
    return getattr(current, name, default) if current is not None else default


def clean_followup(
    values: Mapping[str, Any],
    current: Any | None,
    *,
    today: date,
    allow_backwards: bool = False,
) -> dict[str, Any]:
    """The values to store for a follow-up (every field), from ``values`` over the stored record ``current``.

    Fields missing from ``values`` keep their stored value. Raises FollowUpInvalid naming each wrong field.
    """
    errors: dict[str, str] = {}
    old_status = _stored(current, "status")
    out: dict[str, Any] = {}

    status = str(values.get("status", old_status or "intresserad") or "").strip()
    if status not in FOLLOWUP_STATUSES:
        errors["status"] = "Välj en status: " + ", ".join(STATUS_SV.values()) + "."
    elif status not in allowed_next(old_status, allow_backwards):
        errors["status"] = (
            f"Status kan inte ändras från {STATUS_SV[old_status]} till {STATUS_SV[status]}. "
            "Bara kommunledningskontoret kan rätta en status bakåt."
        )
    out["status"] = status

    for name, limit in TEXT_LIMITS.items():
        text = str(values.get(name, _stored(current, name, "")) or "").strip()
        if name != "notes":
            text = " ".join(text.split())
        if len(text) > limit:
            errors[name] = f"Högst {limit} tecken."
        out[name] = text
    if out["contact_email"] and not EMAIL.match(out["contact_email"]):
        errors["contact_email"] = "Ange en e-postadress som namn@kalmar.se."

    currency = str(values.get("currency", _stored(current, "currency", "SEK")) or "SEK").strip().upper()
    if currency not in CURRENCIES:
        errors["currency"] = "Välj SEK eller EUR."
    out["currency"] = currency
    try:
        rate = parse_rate(values.get("eur_rate", _stored(current, "eur_rate")))
    except ValueError as exc:
        errors["eur_rate"] = f"Kursen {exc}."
        rate = None
    if currency == "EUR" and "eur_rate" not in errors and (rate is None or rate <= 0):
        errors["eur_rate"] = "Ange kursen (kronor per euro, större än 0) när beloppen är i euro."
    out["eur_rate"] = rate if currency == "EUR" else None

    for name in AMOUNT_FIELDS:
        try:
            out[name] = parse_amount(values.get(name, _stored(current, name)))
        except ValueError as exc:
            errors[name] = f"Beloppet {exc}."
            out[name] = None
    if out["amount_granted"] is not None and status != "beviljad" and "amount_granted" not in errors:
        errors["amount_granted"] = "Beviljat belopp kan bara anges när status är Beviljad."

    for name in DATE_FIELDS:
        try:
            out[name] = parse_day(values.get(name, _stored(current, name)))
        except ValueError as exc:
            errors[name] = f"Datumet {exc}."
            out[name] = None

    try:
        out["partners"] = check_partners(values.get("partners", _stored(current, "partners", [])))
    except ValueError as exc:
        text = str(exc)
        errors["partners"] = text[:1].upper() + text[1:] + "."
        out["partners"] = []

    if "status" not in errors:
        _step_dates(out, old_status, status, today, errors)
    if errors:
        raise FollowUpInvalid(errors)
    return out


def _step_dates(out: dict[str, Any], old_status: str | None, status: str, today: date, errors: dict) -> None:
    """Moving into a state dates it today (unless given); a correction backwards clears the later steps' dates;
    a date of a step the record has not reached is an error."""
    reached = DATE_FIELDS if status == "avstar" else DATE_FIELDS[: STEP[status] + 1]
    if is_backwards(old_status, status):
        for name in DATE_FIELDS:
            if name not in reached:
                out[name] = None
    for name in DATE_FIELDS:
        if name not in reached and out[name] is not None and name not in errors:
            errors[name] = f"{FIELD_SV[name]} kan bara anges när ansökan har kommit till det steget."
    if status != old_status and out[DATE_OF[status]] is None:
        out[DATE_OF[status]] = today
