"""Strategy alignment commands: ``activity add|list``; and ``tag_stored_calls``, run with every matching.

- :func:`tag_stored_calls`: tags every call whose content or the term list changed since it was last tagged
  (run by ``fundwatch match`` and the matching after each scrape; the first run is the backfill);
- :func:`cmd_activity_add` / :func:`cmd_activity_list`: ``fundwatch activity add|list``.
"""

from __future__ import annotations

import csv
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from commands.users import cli_actor
from errors import InputFormatError

log = logging.getLogger("fundwatch.strategy")

#: calls tagged per write transaction
BATCH = 500


def tag_stored_calls(engine, calls: Sequence[Any], now: datetime | None = None) -> int:
    """Tag the calls (stored ``Call`` rows) whose tags are missing or out of date; returns how many were tagged."""
    from store.engine import read_session, write_session
    from store.strategy import save_tags, tagging_state
    from strategy.sdg import Tagger, fingerprint

    tagger = Tagger()
    now = now or datetime.now(UTC)
    with read_session(engine) as session:
        state = tagging_state(session)
    due = [c for c in calls if c.id in state and state[c.id][1] != fingerprint(state[c.id][0], tagger.version)]
    for start in range(0, len(due), BATCH):
        with write_session(engine) as session:
            for call in due[start : start + BATCH]:
                tags = tagger.tag(call)
                save_tags(session, call.id, tags.as_rows(), fingerprint(call.content_hash, tagger.version), now)
    if due:
        log.info("tagged %d calls with Agenda 2030 and child/youth tags", len(due))
    return len(due)


#: form field -> (flag, English message) for the command line
_CLI_ERRORS = {
    "held_on": ("--date", "must be a date YYYY-MM-DD, from the year 2000 to next year"),
    "profile_id": ("--profile", "must be one of the profile ids"),
    "kind": ("--kind", "must be meeting, training or study_visit"),
    "partner": ("--partner", "must be a partner city or network, at most 200 characters"),
    "participants": ("--participants", "must be a whole number from 1 to 10000"),
    "mode": ("--mode", "must be travel or web"),
    "note": ("--note", "must be at most 2000 characters"),
}


def cmd_activity_add(app) -> int:
    from matcher import load_profiles
    from store.accounts import record_audit
    from store.engine import write_session
    from store.strategy import add_activity
    from strategy.activities import parse_activity

    args = app.args
    profiles = load_profiles(app.settings.path(app.settings.paths.profiles_dir))
    data = {
        "held_on": args.date,
        "profile_id": args.profile,
        "kind": args.kind,
        "partner": args.partner,
        "participants": str(args.participants),
        "mode": args.mode,
        "note": args.note or "",
    }
    entry, errors = parse_activity(data, set(profiles), date.today())
    if entry is None:
        problems = [f"{flag}: {_CLI_ERRORS[key][1]}" for key, (flag, _) in _CLI_ERRORS.items() if key in errors]
        if "profile_id" in errors:
            problems[[p.split(":")[0] for p in problems].index("--profile")] += f" ({', '.join(profiles) or 'none'})"
        raise InputFormatError("; ".join(problems), problems)
    actor = cli_actor()
    with write_session(app.engine) as session:
        activity = add_activity(session, **entry.__dict__, created_by=actor)
        record_audit(session, actor, "activity.add", f"activity:{activity.id}", data)
        activity_id = activity.id
    print(f"added activity {activity_id}: {entry.held_on} {entry.kind} with {entry.partner} ({entry.profile_id})")
    return 0


def cmd_activity_list(app) -> int:
    from store.engine import read_session
    from store.strategy import list_activities

    with read_session(app.engine) as session:
        rows = list_activities(session, year=app.args.year)
    writer = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    writer.writerow(["id", "date", "profile", "kind", "partner", "participants", "mode", "note", "recorded_by"])
    for a in rows:
        writer.writerow(
            [a.id, a.held_on, a.profile_id, a.kind, a.partner, a.participants, a.mode, a.note, a.created_by]
        )
    return 0


def register(sub) -> None:
    """Add ``fundwatch activity add|list`` to the ``fundwatch`` parser."""
    from strategy.activities import KINDS, MODES

    activity = sub.add_parser("activity", help="the register of international meetings, trainings and study visits")
    activity_sub = activity.add_subparsers(dest="activity_command", metavar="ACTION", required=True)
    p = activity_sub.add_parser("add", help="record one activity")
    p.add_argument("--date", required=True, help="the day it was held, YYYY-MM-DD")
    p.add_argument("--profile", required=True, help="the administration (profile id) that took part")
    p.add_argument("--kind", required=True, choices=list(KINDS))
    p.add_argument("--partner", required=True, help="partner city or network")
    p.add_argument("--participants", type=int, required=True, help="employees who took part")
    p.add_argument("--mode", required=True, choices=list(MODES), help="travel, or a web meeting")
    p.add_argument("--note", help="free text")
    p.set_defaults(func=cmd_activity_add)
    p = activity_sub.add_parser("list", help="list activities (tab-separated)")
    p.add_argument("--year", type=int, help="only this year")
    p.set_defaults(func=cmd_activity_list)
