"""Follow-up commands: ``reminders`` (queue and send the due deadline reminders of followed-up calls)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from commands.digests import now_of, parse_now

if TYPE_CHECKING:
    from scheduler import App


def cmd_reminders(app: App) -> int:
    from alerts.delivery import deliver_pending
    from alerts.reminder_jobs import queue_due_reminders

    settings, now = app.settings, now_of(app)
    report = queue_due_reminders(settings, app.engine, now, dry_run=app.args.dry_run)
    for line in report.lines:
        print(line)
    if app.args.dry_run:
        print(f"dry run: {len(report.lines)} reminder(s) due; nothing recorded or sent")
        return 0
    print(f"{report.queued} reminder(s) queued")
    print(f"delivery: {deliver_pending(settings, app.engine, now)}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to the ``fundwatch`` parser."""
    p = sub.add_parser("reminders", help="queue and send the due deadline reminders of followed-up calls")
    p.add_argument("--dry-run", action="store_true", help="list the due reminders; record and send nothing")
    p.add_argument("--now", type=parse_now, metavar="ISO-DATETIME", help="the time to act as (default: now)")
    p.set_defaults(func=cmd_reminders)
