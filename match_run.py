"""The match run: every stored call scored against every profile, the matches stored in one transaction.

``run_match(settings, engine)`` is what ``fundwatch match`` and the scheduled scrape job call. The matcher
(``matcher/``) is pure; this module is the glue that reads calls, profiles and feedback from the store and
writes the results back with ``store.matches.replace_matches``.

Crash safety (D3): every profile's matches are replaced in a single transaction, so a process killed
during the run leaves the matches of the previous run untouched, and a re-run writes the same rows as a
run that was never interrupted. ``crashpoints`` names the points the crash tests kill the process at.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from crashpoints import crash_point
from matcher import CallIndex, CallText, load_profiles, rank_all
from settings import Settings
from store.calls import list_calls
from store.engine import read_session, write_session
from store.matches import MatchRow, all_feedback, remove_matches_of_unknown_profiles, replace_matches

log = logging.getLogger(__name__)

#: the calls the match run scores (and the CLI ranks unless told to include closed ones)
OPEN_STATUSES = ("open", "forthcoming")
#: key of the report entry counting the removed matches of profiles that no longer exist
REMOVED = "(removed profiles)"
#: key of the report entry counting the calls given new Agenda 2030 and child/youth tags (strategy alignment)
TAGGED = "(tagged calls)"


def profiles_dir(settings: Settings) -> Path:
    return settings.path(settings.paths.profiles_dir)


def stored_calls(engine: Engine) -> list[Any]:
    """Every stored call (closed ones too)."""
    with read_session(engine) as session:
        return list_calls(session)


def call_index(calls: list[Any]) -> CallIndex:
    """The matcher's index of ``calls``."""
    # the vocabulary and IDF come from every stored call, closed ones too: a bigger, steadier corpus
    return CallIndex.build([CallText.from_record(c) for c in calls])


def run_match(
    settings: Settings, engine: Engine, now: datetime | None = None, timings: dict[str, float] | None = None
) -> dict[str, Any]:
    """Score every open or forthcoming call against every profile and store the matches.

    Returns each profile's ``ReplaceResult`` (what changed), under ``REMOVED`` how many matches of profiles
    that no longer exist were removed, and under ``TAGGED`` how many calls were (re)tagged. ``timings``, when given, receives the seconds each step
    took (``read``, ``index``, ``rank``, ``store``); they are also logged.
    """
    timings = {} if timings is None else timings
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        timings[step] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()

    profiles = load_profiles(profiles_dir(settings))
    calls = stored_calls(engine)
    with read_session(engine) as session:
        feedback = all_feedback(session)
    lap("read")
    index = call_index(calls)
    lap("index")
    options = settings.matcher
    results = rank_all(
        list(profiles.values()),
        index,
        feedback,
        statuses=OPEN_STATUSES,
        limit=options.store_limit,
        min_score=options.store_min_score,
    )
    lap("rank")
    scope = {c.id for c in calls if c.status in OPEN_STATUSES}
    now = now or datetime.now(UTC)
    report: dict[str, Any] = {}
    with write_session(engine) as session:
        for profile_id, scored in results.items():
            rows = [MatchRow(s.call_id, s.score, s.explanation()) for s in scored]
            report[profile_id] = replace_matches(session, profile_id, profiles[profile_id].version, rows, scope, now)
            session.flush()
            crash_point("match.profile_uncommitted")
        report[REMOVED] = remove_matches_of_unknown_profiles(session, set(profiles))
    crash_point("match.after_commit")
    lap("store")
    # every call whose text or the term list changed gets its tags (the first run after 0011_strategy: all)
    from commands.strategy import tag_stored_calls

    report[TAGGED] = tag_stored_calls(engine, calls, now)
    lap("tags")
    log.info(
        "match run: %d calls x %d profiles; %s",
        len(calls),
        len(profiles),
        ", ".join(f"{step} {seconds:.1f} s" for step, seconds in timings.items()),
    )
    return report
