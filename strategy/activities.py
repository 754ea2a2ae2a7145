"""The register of international activities: what one entry holds and how a form's text becomes one. Pure.

The strategy's follow-up counts international meetings, trainings and study visits, how many employees took
part and whether people travelled or met on the web (the strategy asks to travel less).
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import date

#: kinds of activity -> Swedish names
KINDS = {"meeting": "Möte", "training": "Utbildning", "study_visit": "Studiebesök"}
#: how it was held -> Swedish names
MODES = {"travel": "Resa", "web": "Webbmöte"}
MAX_PARTICIPANTS = 10_000
MAX_NOTE = 2000


@dataclass(frozen=True)
class ActivityInput:
    held_on: date
    profile_id: str
    kind: str
    partner: str
    participants: int
    mode: str
    note: str = ""


def parse_activity(
    data: Mapping[str, str], profiles: Set[str], today: date
) -> tuple[ActivityInput | None, dict[str, str]]:
    """Read a form (or CLI flags): the entry, or None and a Swedish message per field that cannot be used."""
    errors: dict[str, str] = {}
    text = {key: str(data.get(key, "") or "").strip() for key in ("held_on", "profile_id", "kind", "partner")}
    held_on = None
    try:
        held_on = date.fromisoformat(text["held_on"])
        if held_on.year < 2000 or held_on > date(today.year + 1, 12, 31):
            errors["held_on"] = "Ange ett datum mellan år 2000 och nästa år."
    except ValueError:
        errors["held_on"] = "Ange datumet som ÅÅÅÅ-MM-DD, till exempel 2026-11-20."
    if text["profile_id"] not in profiles:
        errors["profile_id"] = "Välj en förvaltning."
    if text["kind"] not in KINDS:
        errors["kind"] = "Välj möte, utbildning eller studiebesök."
    if not text["partner"]:
        errors["partner"] = "Ange vänort, partnerstad eller nätverk."
    elif len(text["partner"]) > 200:
        errors["partner"] = "Högst 200 tecken."
    participants = 0
    raw = str(data.get("participants", "") or "").strip()
    if raw.isdigit() and 1 <= int(raw) <= MAX_PARTICIPANTS:
        participants = int(raw)
    else:
        errors["participants"] = f"Ange antalet deltagare som ett heltal från 1 till {MAX_PARTICIPANTS}."
    mode = str(data.get("mode", "") or "").strip()
    if mode not in MODES:
        errors["mode"] = "Välj resa eller webbmöte."
    note = str(data.get("note", "") or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = f"Högst {MAX_NOTE} tecken."
    if errors or held_on is None:
        return None, errors
    return ActivityInput(held_on, text["profile_id"], text["kind"], text["partner"], participants, mode, note), {}
