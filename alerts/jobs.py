"""The digest jobs the CLI and the scheduler call: queue the week's digests, KLK's overview, deliver.

The due profiles are read and built in batches (``store.digest_reads``: a few queries per 100 profiles, in a
read transaction); each profile's digest is then queued in its own write transaction: the ledger row (unique
per profile and ISO week), the calls it lists and one outbox message per recipient. A second run, or a
second process, for the same week finds the row (or hits the unique constraint) and queues nothing.

- :func:`queue_due_digests` / :func:`queue_overview`: build and queue (or, with ``dry_run_dir``, write
  the messages to that folder and record nothing)
- :func:`deliver_pending` (from ``alerts.delivery``): send what is queued
- :func:`send_due_digests` / :func:`send_overview`: queue, then deliver
- :func:`preview_digest`: the text a profile would get now
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from alerts.delivery import DeliveryReport, deliver_pending
from alerts.digest import Digest, DigestOptions, digest_from_selection, select_digest, threshold
from alerts.links import Links
from alerts.message import build_message, message_id_for
from alerts.overview import build_overview
from alerts.render import render_digest, render_overview
from alerts.strategy_lines import strategy_lines_for
from alerts.text import iso_week, parse_week
from alerts.tokens import load_web_secret
from errors import ConfigError, ProfileError
from matcher.profiles import Profile, load_profiles
from store.alerts import open_alerts
from store.digest_reads import ProfileReads, digest_reads, read_explanations
from store.digests import (
    OVERVIEW_ID,
    AlreadyRecorded,
    NewMessage,
    digest_for_week,
    record_digest,
    unsubscribed,
)
from store.engine import read_session, write_session
from store.followup_rules import STATUS_SV
from store.matches import feedback_for_profile, matches_for_profile

log = logging.getLogger(__name__)

__all__ = [
    "QueueReport",
    "deliver_pending",
    "preview_digest",
    "queue_due_digests",
    "queue_overview",
    "send_due_digests",
    "send_overview",
]


@dataclass
class QueueReport:
    week: str = ""
    #: profile id -> what happened: "queued N", "empty", "already", "no recipients", "dry run N"
    outcomes: dict[str, str] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
    delivery: DeliveryReport | None = None

    def __str__(self) -> str:
        parts = [f"{pid}: {what}" for pid, what in self.outcomes.items()]
        text = f"week {self.week}: " + ("; ".join(parts) if parts else "no profiles")
        return text + (f"; delivery: {self.delivery}" if self.delivery else "")


def options_for(settings) -> DigestOptions:
    d = settings.digest
    return DigestOptions(
        min_score=d.min_score,
        closing_days=d.closing_days,
        title_chars=d.title_chars,
        summary_chars=d.summary_chars,
        send_empty=d.send_empty,
    )


def links_for(settings) -> Links:
    secret = load_web_secret(settings.web.secret_env, settings.path(settings.paths.var_dir))
    try:
        return Links(settings.web.base_url, secret)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def profiles_for(settings, profile_ids: Sequence[str] | None = None) -> list[Profile]:
    profiles = load_profiles(settings.path(settings.paths.profiles_dir))
    if not profile_ids:
        return list(profiles.values())
    unknown = [p for p in profile_ids if p not in profiles]
    if unknown:
        known = ", ".join(profiles) or "none"
        raise ProfileError(f"unknown profile {', '.join(map(repr, unknown))}; known profiles: {known}")
    return [profiles[p] for p in profile_ids]


def week_of(now: datetime, week: str | None) -> str:
    if week is None:
        return iso_week(now)
    try:
        return parse_week(week)
    except ValueError as exc:
        raise ConfigError(f"--week: {exc}") from None


def build_for_profile(session, profile: Profile, now: datetime, week: str, settings, links: Links) -> Digest:
    """Read what one profile's digest needs from the store and build it (nothing is written)."""
    options = options_for(settings)
    reads = digest_reads(session, {profile.id: threshold(profile, options)}, week)[profile.id]
    return build_digests(session, [(profile, reads)], now, week, settings, links)[profile.id]


def build_digests(
    session, due: Sequence[tuple[Profile, ProfileReads]], now: datetime, week: str, settings, links: Links
) -> dict[str, Digest]:
    """profile id -> its digest, built from its reads (``store.digest_reads``); the strategy lines of every
    listed call are read in one go."""
    options = options_for(settings)
    selections = {
        profile.id: select_digest(
            profile, reads.candidates, reads.earlier, reads.changes, reads.feedback, now, options, reads.groups
        )
        for profile, reads in due
    }
    # the match explanations and strategy lines (tags) only of the calls the digests list, not every candidate
    read_explanations(session, [(pid, m) for pid, s in selections.items() for m, _ in s.new])
    strategy = strategy_lines_for(session, settings, [c for s in selections.values() for c in s.calls])
    return {
        profile.id: digest_from_selection(
            profile,
            selections[profile.id],
            reads.changes,
            now,
            week,
            links,
            options,
            reads.groups,
            strategy=strategy,
            followups={cid: STATUS_SV.get(s, s) for cid, s in reads.followups.items()},
        )
        for profile, reads in due
    }


def followup_links(links: Links, profile_id: str, recipient: str):
    """call id -> the recipient's signed follow-up link for this profile's follow-up of that call."""
    return lambda call_id: links.followup(profile_id, call_id, recipient)


def _messages(rendered_for, ledger_id: str, week: str, recipients: Iterable[str], settings, links, now):
    out = []
    for recipient in recipients:
        unsubscribe_url = links.unsubscribe(ledger_id, recipient)
        rendered = rendered_for(recipient, unsubscribe_url)
        message_id = message_id_for(ledger_id, week, recipient, settings.email.from_address)
        data = build_message(
            sender=settings.email.from_address,
            recipient=recipient,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            message_id=message_id,
            date=now,
            unsubscribe_url=unsubscribe_url,
        )
        out.append((NewMessage(recipient, rendered.subject, data, message_id), rendered))
    return out


def _write_dry_run(folder: Path, ledger_id: str, week: str, pairs) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for message, rendered in pairs:
        stem = re.sub(r"[^A-Za-z0-9@._-]", "_", f"{week}-{ledger_id}-{message.recipient}")
        (folder / f"{stem}.eml").write_bytes(message.message)
        (folder / f"{stem}.html").write_text(rendered.html, encoding="utf-8")
        written += [folder / f"{stem}.eml", folder / f"{stem}.html"]
    return written


def _recipients(session, ledger_id: str, addresses: Iterable[str]) -> list[str]:
    return _subscribed(unsubscribed(session, ledger_id), addresses)


def _subscribed(gone: set[str], addresses: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for address in addresses:
        key = address.strip().lower()
        if key not in gone and key not in seen:
            seen.add(key)
            out.append(address.strip())
    return out


#: profiles whose digests are read and built together (a few queries each batch; bounded memory)
BATCH = 100


def queue_due_digests(
    settings,
    engine,
    now: datetime,
    *,
    profile_ids: Sequence[str] | None = None,
    week: str | None = None,
    dry_run_dir: Path | None = None,
) -> QueueReport:
    """Build and queue this week's digest for every profile that has none yet (one transaction each).

    Profiles are read and built in batches (``store.digest_reads``: a few queries per batch); each profile's
    digest is then recorded in its own write transaction, where the ledger's unique constraint decides whether
    it is the first: a digest another process recorded since the batch was read counts as "already".
    """
    week = week_of(now, week)
    report = QueueReport(week=week)
    links = links_for(settings)
    options = options_for(settings)
    profiles = profiles_for(settings, profile_ids)
    for start in range(0, len(profiles), BATCH):
        batch = profiles[start : start + BATCH]
        with read_session(engine) as session:
            reads = digest_reads(session, {p.id: threshold(p, options) for p in batch}, week)
            recipients = {p.id: _subscribed(reads[p.id].unsubscribed, p.recipients) for p in batch}
            due = [(p, reads[p.id]) for p in batch if not reads[p.id].recorded and recipients[p.id]]
            digests = build_digests(session, due, now, week, settings, links)
        for profile in batch:
            if reads[profile.id].recorded:
                report.outcomes[profile.id] = "already"
            elif not recipients[profile.id]:
                report.outcomes[profile.id] = "no recipients"
            else:
                try:
                    report.outcomes[profile.id] = _queue_one(
                        settings,
                        engine,
                        profile,
                        digests[profile.id],
                        recipients[profile.id],
                        now,
                        week,
                        links,
                        dry_run_dir,
                        report,
                    )
                except AlreadyRecorded:
                    report.outcomes[profile.id] = "already"  # another process queued it a moment ago
    log.info("digests: %s", report)
    return report


def _queue_one(settings, engine, profile, digest, recipients, now, week, links, dry_run_dir, report) -> str:
    """Render one built digest and record it with its messages in one write transaction."""
    if not digest.should_send:
        if not dry_run_dir:
            with write_session(engine) as session:
                record_digest(
                    session, profile_id=profile.id, week=week, now=now, outcome="empty", subject=digest.subject
                )
        return "empty"
    pairs = _messages(
        lambda recipient, url: render_digest(
            digest, url, settings.digest.closing_days, followup_url=followup_links(links, profile.id, recipient)
        ),
        profile.id,
        week,
        recipients,
        settings,
        links,
        now,
    )
    if dry_run_dir:
        report.written += _write_dry_run(dry_run_dir, profile.id, week, pairs)
        return f"dry run {len(pairs)}"
    items = (
        [(e.call_id, "new", e.score) for e in digest.new]
        + [(e.call_id, "closing", None) for e in digest.closing]
        + [(e.call_id, "changed", None) for e in digest.changed]
        + [(call_id, "duplicate", None) for call_id in digest.absorbed]
    )
    with write_session(engine) as session:
        record_digest(
            session,
            profile_id=profile.id,
            week=week,
            now=now,
            outcome="mail",
            subject=digest.subject,
            items=items,
            messages=[m for m, _ in pairs],
            counts=(len(digest.new), len(digest.closing), len(digest.changed)),
            profile_version=profile.version,
        )
    return f"queued {len(pairs)}"


def source_health_list(session, settings, now: datetime) -> list:
    """Every configured source's health (``store.health``), judged by the ``[scrape]`` settings."""
    from store.health import policy_of, source_health

    entries = [(source.name, source.kind, source.enabled) for source in settings.sources]
    return source_health(session, entries, now, policy_of(settings.scrape))


def build_overview_now(session, settings, profiles: Sequence[Profile], now: datetime, week: str, links: Links):
    matches = {p.id: matches_for_profile(session, p.id) for p in profiles}
    feedback = {p.id: feedback_for_profile(session, p.id) for p in profiles}
    alerts = [a.message for a in open_alerts(session, since=now - timedelta(days=7))]
    return build_overview(
        profiles,
        matches,
        feedback,
        source_health_list(session, settings, now),
        alerts,
        now,
        week,
        links,
        options_for(settings),
        top=settings.digest.overview_top,
    )


def queue_overview(
    settings, engine, now: datetime, *, week: str | None = None, dry_run_dir: Path | None = None
) -> QueueReport:
    """Build and queue KLK's overview for the week (once per week), to ``digest.overview_recipients``."""
    week = week_of(now, week)
    report = QueueReport(week=week)
    if not settings.digest.overview_recipients:
        report.outcomes[OVERVIEW_ID] = "no recipients"
        return report
    links = links_for(settings)
    profiles = profiles_for(settings)
    session_factory = read_session if dry_run_dir else write_session
    try:
        with session_factory(engine) as session:
            if digest_for_week(session, OVERVIEW_ID, week) is not None:
                report.outcomes[OVERVIEW_ID] = "already"
                return report
            recipients = _recipients(session, OVERVIEW_ID, settings.digest.overview_recipients)
            if not recipients:
                report.outcomes[OVERVIEW_ID] = "no recipients"
                return report
            overview = build_overview_now(session, settings, profiles, now, week, links)
            pairs = _messages(
                lambda _recipient, url: render_overview(overview, url),
                OVERVIEW_ID,
                week,
                recipients,
                settings,
                links,
                now,
            )
            if dry_run_dir:
                report.written += _write_dry_run(dry_run_dir, OVERVIEW_ID, week, pairs)
                report.outcomes[OVERVIEW_ID] = f"dry run {len(pairs)}"
                return report
            listed = []
            for section in overview.sections:
                listed += [(e.call_id, e.score) for e in section.entries]
            items = list({call_id: (call_id, "overview", score) for call_id, score in listed}.values())
            record_digest(
                session,
                profile_id=OVERVIEW_ID,
                week=week,
                now=now,
                outcome="mail",
                subject=overview.subject,
                items=items,
                messages=[m for m, _ in pairs],
                counts=(len(items), 0, 0),
            )
            report.outcomes[OVERVIEW_ID] = f"queued {len(pairs)}"
    except AlreadyRecorded:
        report.outcomes[OVERVIEW_ID] = "already"
    log.info("overview: %s", report)
    return report


def send_due_digests(settings, engine, now: datetime) -> QueueReport:
    """Queue this week's due digests, then deliver everything due (the scheduler's weekly job)."""
    report = queue_due_digests(settings, engine, now)
    report.delivery = deliver_pending(settings, engine, now)
    return report


def send_overview(settings, engine, now: datetime) -> QueueReport:
    """Queue KLK's overview for this week, then deliver everything due."""
    report = queue_overview(settings, engine, now)
    report.delivery = deliver_pending(settings, engine, now)
    return report


def preview_digest(settings, engine, profile_id: str, now: datetime) -> str:
    """The plain-text digest ``profile_id`` would get now (built fresh; nothing is recorded)."""
    profile = profiles_for(settings, [profile_id])[0]
    links = links_for(settings)
    week = iso_week(now)
    with read_session(engine) as session:
        digest = build_for_profile(session, profile, now, week, settings, links)
    recipient = profile.recipients[0] if profile.recipients else "mottagare@example.invalid"
    text = render_digest(
        digest,
        links.unsubscribe(profile.id, recipient),
        settings.digest.closing_days,
        followup_url=followup_links(links, profile.id, recipient),
    ).text
    if not digest.should_send:
        text += "\n(Inget skickas den här veckan: inga nya träffar och inget som stänger snart.)\n"
    return text
