"""Deadline reminders for followed-up calls: which are due now, and the email. Pure (``now`` is given).

A follow-up in ``intresserad`` or ``ansoker`` gets a reminder 14 and 3 days before each of its call's remaining
deadlines (:data:`REMINDER_DAYS`), unless the call is closed. A window is due from its day on: a reminder whose
day was missed (the worker was down) goes out on the next run, but only the latest window that has begun is
sent, so the 14-day reminder never follows the 3-day one. Days are counted in Swedish local time, as in the digests.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from alerts.digest import cutoffs
from alerts.message import domain_of
from alerts.render import Rendered, environment, tidy_text
from alerts.text import clean, days_left, days_left_text, safe_http_url, short, swedish_date

#: days before a deadline that a reminder goes out, latest first
REMINDER_DAYS = (14, 3)


@dataclass(frozen=True)
class Due:
    """One reminder to send: the deadline (UTC), its window (days before) and the days actually left."""

    deadline: datetime
    days_before: int
    days_left: int


def due_reminders(followup_id: int, call: Any, now: datetime, sent: Collection[tuple[int, datetime, int]]) -> list[Due]:
    """The reminders of one follow-up due at ``now`` that are not in ``sent`` ((follow-up id, deadline, days))."""
    if getattr(call, "status", "open") == "closed":
        return []  # the funder closed it: nothing to remind of
    out = []
    for deadline in cutoffs(call):
        deadline = deadline.astimezone(UTC)
        if deadline < now:
            continue
        left = days_left(deadline, now)
        begun = [days for days in REMINDER_DAYS if left <= days]
        if not begun:
            continue
        window = min(begun)
        if (followup_id, deadline, window) not in sent:
            out.append(Due(deadline=deadline, days_before=window, days_left=left))
    return out


@dataclass(frozen=True)
class ReminderView:
    """What a reminder shows; every text is clean plain text, every link safe."""

    profile_name: str
    title: str
    funder: str
    programme: str
    status: str
    deadline: str
    days_left: int
    days_left_text: str
    other_deadlines: tuple[str, ...]
    call_url: str
    followup_url: str
    source_url: str | None
    contact_name: str

    @property
    def subject(self) -> str:
        when = "i dag" if self.days_left == 0 else ("i morgon" if self.days_left == 1 else f"om {self.days_left} dagar")
        return f"Påminnelse: deadline {when} – {short(self.title, 120)}"


def reminder_view(
    followup: Any, call: Any, due: Due, *, profile_name: str, call_url: str, status_label: str
) -> ReminderView:
    """The reminder of ``due`` for one follow-up (``store.models_followup.FollowUp``) of one call;
    ``status_label`` is the follow-up's status in Swedish."""
    others = tuple(swedish_date(d) for d in cutoffs(call) if d.astimezone(UTC) > due.deadline)
    return ReminderView(
        profile_name=clean(profile_name),
        title=short(call.title, 200) or "(utan titel)",
        funder=short(call.funder or "", 200),
        programme=short(call.programme or "", 200),
        status=clean(status_label),
        deadline=swedish_date(due.deadline),
        days_left=due.days_left,
        days_left_text=days_left_text(due.days_left).strip("()"),
        other_deadlines=others,
        call_url=call_url,
        followup_url=call_url + "#uppfoljning",
        source_url=safe_http_url(call.url),
        contact_name=clean(followup.contact_name or ""),
    )


def render_reminder(view: ReminderView) -> Rendered:
    """Text and HTML of a reminder (Swedish)."""
    env = environment()
    text = tidy_text(env.get_template("reminder.txt").render(r=view))
    html = env.get_template("reminder.html").render(r=view)
    return Rendered(subject=view.subject, text=text, html=html)


def reminder_message_id(followup_id: int, deadline: datetime, days_before: int, recipient: str, sender: str) -> str:
    """The deterministic Message-ID of one reminder to one recipient (the same after a crash and re-send)."""
    key = f"{followup_id}\n{deadline.astimezone(UTC).isoformat()}\n{days_before}\n{recipient.strip().lower()}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    stamp = re.sub(r"[^0-9]", "", deadline.astimezone(UTC).strftime("%Y%m%d%H%M"))
    return f"<reminder.{followup_id}.{stamp}.{days_before}d.{digest}@{domain_of(sender)}>"
