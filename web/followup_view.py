"""What the follow-up section of a call page shows: each administration's record, its history, and the forms.

Plain data for ``templates/_followup.html``; reads through ``store.followup``. Form fields are named after the
record's fields; their ids are ``fu-<key>-<field>`` where key is the profile id (or ``new``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from store.followup import followup_history, followups_for_call
from store.followup_rules import (
    AMOUNT_FIELDS,
    DATE_FIELDS,
    FIELD_SV,
    STATUS_SV,
    allowed_next,
    partners_text,
)
from store.models_followup import CURRENCIES, FOLLOWUP_STATUSES
from web.accounts import feedback_profiles

#: every field of the form, in order
FORM_FIELDS = (
    "status",
    *DATE_FIELDS,
    "contact_name",
    "contact_email",
    "currency",
    "eur_rate",
    *AMOUNT_FIELDS,
    "partners",
    "notes",
)
#: how the history shows a changed value
_EMPTY = "–"


@dataclass
class FollowUpForm:
    """One form: to change ``profile_id``'s follow-up, or (key ``new``) to start one for a chosen profile."""

    key: str
    profile_id: str
    values: dict[str, str]
    statuses: list[tuple[str, str]]
    errors: dict[str, str] = field(default_factory=dict)
    open: bool = False
    #: for the "new" form: the profiles to choose from (id, name)
    choices: list[tuple[str, str]] = field(default_factory=list)


def amount_text(value: int | None) -> str:
    """``1 200 000`` (Swedish thousands spacing with a no-break space); empty for None."""
    return "" if value is None else f"{value:,}".replace(",", "\u00a0")


def rate_text(value: float | None) -> str:
    return "" if value is None else f"{value:g}".replace(".", ",")


def form_values(record: Any | None) -> dict[str, str]:
    """The stored record as the form's strings (defaults for a new one)."""
    if record is None:
        return {name: "" for name in FORM_FIELDS} | {"status": "intresserad", "currency": "SEK"}
    values: dict[str, str] = {}
    for name in FORM_FIELDS:
        value = getattr(record, name)
        if name in AMOUNT_FIELDS:
            values[name] = amount_text(value)
        elif name == "eur_rate":
            values[name] = rate_text(value)
        elif name == "partners":
            values[name] = partners_text(value)
        elif isinstance(value, date):
            values[name] = value.isoformat()
        else:
            values[name] = "" if value is None else str(value)
    return values


def submitted_values(form: Mapping[str, Any]) -> dict[str, str]:
    """The posted fields (strings), for saving and for showing them again after an error."""
    return {name: str(form.get(name, "") or "") for name in FORM_FIELDS}


def _shown(name: str, value: Any) -> str:
    if value in (None, "", []):
        return _EMPTY
    if name == "status":
        return STATUS_SV.get(value, str(value))
    if name in AMOUNT_FIELDS and isinstance(value, int):
        return amount_text(value)
    if name == "partners" and isinstance(value, list):
        return ", ".join(f"{p.get('name')} ({p.get('country')})" for p in value if isinstance(p, Mapping))
    if name == "eur_rate" and isinstance(value, int | float):
        return rate_text(value)
    return str(value)


def history_lines(events) -> list[dict[str, Any]]:
    """The audit events of a follow-up as readable lines: when, who, and "Fält: gammalt → nytt"."""
    out = []
    for event in events:
        detail = event.detail or {}
        changes = [
            f"{FIELD_SV.get(name, name)}: {_shown(name, old)} → {_shown(name, new)}"
            for name, (old, new) in (detail.get("changes") or {}).items()
        ]
        out.append({"at": event.at, "actor": event.actor, "created": bool(detail.get("created")), "changes": changes})
    return out


def followup_section(
    db,
    call_id: int,
    user,
    names: Mapping[str, str],
    ordered: list[str],
    *,
    failed: FollowUpForm | None = None,
) -> dict[str, Any]:
    """Template values for the section: ``followups`` (profile id -> record), ``followup_history``,
    ``followup_forms`` (one per record the user may change) and ``followup_new`` (or None)."""
    records = followups_for_call(db, call_id)
    history = {pid: history_lines(followup_history(db, pid, call_id)) for pid in records}
    allowed = feedback_profiles(user, list(records) + [p for p in ordered if p not in records])
    klk = user is not None and user.role == "klk"
    forms = []
    for pid in allowed:
        if pid not in records:
            continue
        record = records[pid]
        statuses = [(s, STATUS_SV[s]) for s in allowed_next(record.status, allow_backwards=klk)]
        if failed is not None and failed.key == pid:
            failed.statuses = statuses
            forms.append(failed)
            continue
        forms.append(FollowUpForm(key=pid, profile_id=pid, values=form_values(record), statuses=statuses))
    choices = [(pid, names.get(pid, pid)) for pid in allowed if pid not in records]
    new = None
    if failed is not None and failed.key == "new":
        new = failed
        new.choices = choices
    elif choices:
        new = FollowUpForm(
            key="new",
            profile_id="",
            values=form_values(None),
            statuses=[(s, STATUS_SV[s]) for s in FOLLOWUP_STATUSES],
            choices=choices,
        )
    return {
        "followups": records,
        "followup_history": history,
        "followup_forms": forms,
        "followup_new": new,
        "status_names": STATUS_SV,
        "currencies": CURRENCIES,
        "field_names": FIELD_SV,
    }
