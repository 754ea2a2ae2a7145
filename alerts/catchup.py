"""Catch-up: send what was due during downtime, from the ledger, not from the scheduler's memory.

``reconcile`` runs at start and hourly. For the weekly digest and KLK's overview it finds the most
recent scheduled time; if that is at most ``schedule.catch_up_days`` ago and the week's ledger rows are
missing, it queues and sends them now (the ledger's unique constraint keeps it to one per week).
Scheduled times older than the cut-off are not sent: their weeks are reported once, as an operator
alert that KLK's overview shows, instead of flooding inboxes with stale mail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from alerts.delivery import deliver_pending
from alerts.jobs import profiles_for, queue_due_digests, queue_overview
from alerts.text import iso_week
from settings import cron_trigger
from store.alerts import open_alerts, record_alert
from store.digest_tables import OVERVIEW_ID, Digest
from store.engine import read_session, write_session

log = logging.getLogger(__name__)
SKIPPED_KIND = "skipped_weeks"
#: how many weeks back skipped weeks are looked for
LOOKBACK_WEEKS = 8


@dataclass
class CatchUp:
    due_week: str | None = None
    queued: dict[str, str] = field(default_factory=dict)
    skipped_weeks: list[str] = field(default_factory=list)
    delivered: object = None

    def __str__(self) -> str:
        parts = [f"due week {self.due_week or 'none'}"]
        queued = [f"{k}: {v}" for k, v in self.queued.items() if not v.startswith("already")]
        if queued:
            parts.append("queued " + ", ".join(queued))
        if self.skipped_weeks:
            parts.append("skipped " + ", ".join(self.skipped_weeks))
        return "; ".join(parts)


def first_fires(expression: str, timezone: str, now: datetime, weeks: int) -> list[datetime]:
    """The first time the cron expression fires in each ISO week of the last ``weeks`` weeks, up to ``now``.

    One trigger step per week, however often the expression fires: a week's digest is due from its
    week's first scheduled time on.
    """
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    monday = datetime.combine(local.date() - timedelta(days=local.weekday()), time(0, 0), zone)
    trigger = cron_trigger(expression, timezone)
    out = []
    for back in range(weeks, -1, -1):
        start = monday - timedelta(weeks=back)
        first = trigger.get_next_fire_time(None, start)
        if first is not None and first < start + timedelta(weeks=1) and first <= now:
            out.append(first)
    return out


def reconcile(settings, engine, now: datetime) -> CatchUp:
    """Send the digests and overview that are due and unsent (within the cut-off); report older ones."""
    sched = settings.schedule
    cutoff = timedelta(days=sched.catch_up_days)
    result = CatchUp()
    profile_ids = [p.id for p in profiles_for(settings) if p.recipients]
    for expression, kind in ((sched.digest, "digest"), (sched.overview, "overview")):
        times = first_fires(expression, sched.timezone, now, LOOKBACK_WEEKS)
        if not times:
            continue
        latest = times[-1]
        ledger_ids = profile_ids if kind == "digest" else ([OVERVIEW_ID] if settings.digest.overview_recipients else [])
        if not ledger_ids:
            continue
        if now - latest <= cutoff:
            week = iso_week(latest)
            if kind == "digest":
                result.due_week = week
                report = queue_due_digests(settings, engine, now, week=week)
            else:
                report = queue_overview(settings, engine, now, week=week)
            result.queued.update({f"{kind} {k}": v for k, v in report.outcomes.items()})
        old_weeks = sorted({iso_week(t) for t in times if now - t > cutoff})
        result.skipped_weeks += [f"{w} ({kind})" for w in _missing_after_first(engine, ledger_ids, old_weeks)]
    if result.skipped_weeks:
        _report_skipped(engine, result.skipped_weeks, now)
    result.delivered = deliver_pending(settings, engine, now)
    log.info("catch-up: %s", result)
    return result


def _missing_after_first(engine, ledger_ids: list[str], weeks: list[str]) -> list[str]:
    """Weeks without a ledger row for some id, counted only after the first week fundwatch ever recorded.

    A fresh installation has no history, so nothing before its first digest counts as skipped.
    """
    with read_session(engine) as session:
        rows = session.exec(select(Digest.profile_id, Digest.week).where(Digest.profile_id.in_(ledger_ids))).all()
    if not rows:
        return []
    first = min(week for _, week in rows)
    done = {(profile_id, week) for profile_id, week in rows}
    return [w for w in weeks if w > first and any((pid, w) not in done for pid in ledger_ids)]


def _report_skipped(engine, weeks: list[str], now: datetime) -> None:
    subject = "Utskick hoppades över efter driftstopp: " + ", ".join(weeks)
    with write_session(engine) as session:
        if any(a.subject == subject for a in open_alerts(session, kind=SKIPPED_KIND)):
            return  # reported already; one alert, not one per hour
        record_alert(
            session,
            SKIPPED_KIND,
            subject,
            "fundwatch var nere när dessa veckors utskick skulle ha gått, och de är äldre än "
            "gränsen för efterskick (schedule.catch_up_days). De skickas inte automatiskt; skicka vid behov "
            "med `fundwatch digest --week VECKA`.",
            now,
        )
    log.warning("skipped weeks not sent after downtime: %s", ", ".join(weeks))
