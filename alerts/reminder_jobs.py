"""The reminders job: queue every due deadline reminder in the outbox, then deliver (``schedule.reminders``).

Each reminder is recorded with its messages in one write transaction; the ``reminder`` table's unique
(follow-up, deadline, days before) makes a second run, or a second process, queue nothing again. Messages go
to the follow-up's ``contact_email``, else to the administration's digest recipients (less those who
unsubscribed from its digest). Delivery is the digests' ledger (``alerts.delivery.deliver_pending``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from alerts.delivery import DeliveryReport, deliver_pending
from alerts.jobs import links_for
from alerts.message import build_message
from alerts.reminders import Due, due_reminders, reminder_message_id, reminder_view, render_reminder
from errors import ProfileError
from matcher.profiles import load_profiles
from store.digests import AlreadyRecorded, NewMessage, unsubscribed
from store.engine import read_session, write_session
from store.followup_rules import STATUS_SV
from store.models_followup import REMINDER_STATUSES, FollowUp
from store.reminders import record_reminder, reminder_candidates, sent_reminders

log = logging.getLogger(__name__)

__all__ = ["ReminderReport", "queue_due_reminders", "send_due_reminders"]


@dataclass
class ReminderReport:
    #: one line per reminder: "queued", "already", "no recipients" or "dry run", with what it was about
    lines: list[str] = field(default_factory=list)
    queued: int = 0
    delivery: DeliveryReport | None = None

    def __str__(self) -> str:
        text = f"{self.queued} reminders queued"
        skipped = len(self.lines) - self.queued
        if skipped:
            text += f", {skipped} not queued"
        return text + (f"; delivery: {self.delivery}" if self.delivery else "")


def _profiles(settings) -> dict:
    try:
        return load_profiles(settings.path(settings.paths.profiles_dir))
    except ProfileError as exc:  # a broken profile file must not stop reminders to named contacts
        log.error("reminders: profiles could not be read (%s); only follow-ups with a contact email get one", exc)
        return {}


def _recipients(session, followup, profile) -> list[str]:
    if followup.contact_email:
        return [followup.contact_email]
    if profile is None:
        return []
    gone = unsubscribed(session, profile.id)
    seen, out = set(), []
    for address in profile.recipients:
        key = address.strip().lower()
        if key not in gone and key not in seen:
            seen.add(key)
            out.append(address.strip())
    return out


def _messages(settings, links, followup, call, due: Due, profile_name: str, recipients, now) -> list[NewMessage]:
    view = reminder_view(
        followup,
        call,
        due,
        profile_name=profile_name,
        call_url=links.call(call.id),
        status_label=STATUS_SV.get(followup.status, followup.status),
    )
    rendered = render_reminder(view)
    sender = settings.email.from_address
    out = []
    for recipient in recipients:
        message_id = reminder_message_id(followup.id, due.deadline, due.days_before, recipient, sender)
        data = build_message(
            sender=sender,
            recipient=recipient,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            message_id=message_id,
            date=now,
        )
        out.append(NewMessage(recipient, rendered.subject, data, message_id))
    return out


def queue_due_reminders(settings, engine, now: datetime, *, dry_run: bool = False) -> ReminderReport:
    """Record and queue every reminder due at ``now`` (with ``dry_run``: only list them; nothing is written)."""
    report = ReminderReport()
    links = links_for(settings)
    profiles = _profiles(settings)
    with read_session(engine) as session:
        candidates = reminder_candidates(session)
        sent = sent_reminders(session, [f.id for f, _ in candidates])
    for followup, call in candidates:
        profile = profiles.get(followup.profile_id)
        name = profile.name if profile else followup.profile_id
        for due in due_reminders(followup.id, call, now, sent):
            about = f"{followup.profile_id} call {call.id} deadline {due.deadline:%Y-%m-%d} ({due.days_before} days)"
            try:
                with (read_session if dry_run else write_session)(engine) as session:
                    current = session.get(FollowUp, followup.id)
                    if current is None or current.status not in REMINDER_STATUSES:
                        continue  # changed a moment ago (e.g. submitted): no reminder any more
                    recipients = _recipients(session, followup, profile)
                    if not recipients:
                        report.lines.append(f"no recipients: {about}")
                        log.warning("reminder %s: no contact email and no digest recipients", about)
                        continue
                    messages = _messages(settings, links, followup, call, due, name, recipients, now)
                    if dry_run:
                        report.lines.append(f"dry run: {about} to {', '.join(recipients)}")
                        continue
                    record_reminder(
                        session,
                        followup_id=followup.id,
                        deadline_at=due.deadline,
                        days_before=due.days_before,
                        recipients=recipients,
                        now=now,
                        messages=messages,
                    )
            except AlreadyRecorded:
                report.lines.append(f"already: {about}")
                continue
            except ValueError as exc:  # an address build_message refuses: tell, and go on with the others
                report.lines.append(f"not sent: {about}: {exc}")
                log.error("reminder %s not queued: %s", about, exc)
                continue
            if not dry_run:
                report.queued += 1
                report.lines.append(f"queued: {about} to {', '.join(recipients)}")
    log.info("reminders: %s", report)
    return report


def send_due_reminders(settings, engine, now: datetime) -> ReminderReport:
    """Queue the due reminders, then deliver everything due (the scheduler's ``reminders`` job)."""
    report = queue_due_reminders(settings, engine, now)
    report.delivery = deliver_pending(settings, engine, now)
    return report
