"""Digest commands: ``digest`` (build, queue and send what is due) and ``unsubscribe``."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scheduler import App


def parse_now(text: str):
    """``--now``: an ISO 8601 datetime; without a zone it is Swedish local time."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 datetime: {text!r} (e.g. 2026-11-23T06:00)") from None
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo("Europe/Stockholm"))


def now_of(app: App):
    from datetime import UTC, datetime

    return app.args.now or datetime.now(UTC)


def cmd_digest(app: App) -> int:
    from alerts.delivery import deliver_pending
    from alerts.jobs import preview_digest, queue_due_digests, queue_overview

    args, settings, now = app.args, app.settings, now_of(app)
    if args.preview:
        sys.stdout.write(preview_digest(settings, app.engine, args.preview, now))
        return 0
    folder = settings.path(settings.digest.dry_run_dir) if args.dry_run else None
    report = queue_due_digests(settings, app.engine, now, profile_ids=args.profile, week=args.week, dry_run_dir=folder)
    for profile_id, outcome in report.outcomes.items():
        print(f"{report.week} {profile_id}: {outcome}")
    if not args.profile:
        overview = queue_overview(settings, app.engine, now, week=args.week, dry_run_dir=folder)
        for profile_id, outcome in overview.outcomes.items():
            print(f"{overview.week} {profile_id}: {outcome}")
        report.written += overview.written
    if folder is not None:
        print(f"dry run: {len(report.written)} file(s) written to {folder}; nothing recorded or sent")
        return 0
    print(f"delivery: {deliver_pending(settings, app.engine, now)}")
    return 0


def cmd_unsubscribe(app: App) -> int:
    from store.digests import resubscribe, unsubscribe
    from store.engine import write_session

    args = app.args
    with write_session(app.engine) as session:
        if args.undo:
            changed = resubscribe(session, args.profile, args.address)
        else:
            changed = unsubscribe(session, args.profile, args.address, now_of(app), via="cli")
    action = "resubscribed to" if args.undo else "unsubscribed from"
    print(f"{args.address} {action} {args.profile}" + ("" if changed else " (no change)"))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to the ``fundwatch`` parser."""
    p = sub.add_parser("digest", help="build and send the weekly digests that are due")
    p.add_argument("--profile", action="append", metavar="ID", help="only this profile (repeatable; no overview)")
    p.add_argument("--week", metavar="YYYY-Www", help="ledger week to record, e.g. 2026-W48 (default: this week)")
    p.add_argument("--dry-run", action="store_true", help="write the messages to [digest] dry_run_dir; record nothing")
    p.add_argument("--now", type=parse_now, metavar="ISO-DATETIME", help="the time to act as (tests, catch-up)")
    p.add_argument("--preview", metavar="ID", help="print the text digest this profile would get now")
    p.set_defaults(func=cmd_digest)

    p = sub.add_parser("unsubscribe", help="stop (or with --undo restart) a profile's digests to one address")
    p.add_argument("address", help="email address")
    p.add_argument("--profile", required=True, help="profile id (_overview for KLK's overview)")
    p.add_argument("--undo", action="store_true", help="subscribe the address again")
    p.add_argument("--now", type=parse_now, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_unsubscribe)
