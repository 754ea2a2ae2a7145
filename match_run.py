"""The match run: every stored call scored against every profile, the matches stored in one transaction.

``run_match(settings, engine)`` is what ``fundwatch match`` and the scheduled scrape job call. The matcher
(``matcher/``) is pure; this module is the glue that reads calls, profiles and feedback from the store and
writes the results back with ``store.matches.replace_matches``.

Crash safety (D3): every profile's matches are replaced in a single transaction, so a process killed
during the run leaves the matches of the previous run untouched, and a re-run writes the same rows as a
run that was never interrupted. ``crashpoints`` names the points the crash tests kill the process at.

Nothing changed (most scrapes): the run records a fingerprint of its inputs (every call as the matcher reads
it, status included; every profile; all feedback; the matcher's code, resources and settings) in the same
transaction as the matches (``store.match_state``). When the next run's inputs have the same fingerprint and
the match table is the one that run left, ranking would write nothing, so it is skipped and each profile is
reported unchanged.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from crashpoints import crash_point
from matcher import CallIndex, CallText, load_profiles, rank_all
from settings import Settings
from store.calls import list_calls
from store.engine import read_session, write_session
from store.match_state import last_inputs, matches_in_scope, save_state
from store.matches import (
    SCORE_DIGITS,
    MatchRow,
    ReplaceResult,
    all_feedback,
    remove_matches_of_unknown_profiles,
    replace_matches,
)

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
    return CallIndex.build([c if isinstance(c, CallText) else CallText.from_record(c) for c in calls])


@cache
def matcher_code() -> str:
    """SHA-256 of the matcher's code and resources and of this module: a new release ranks afresh."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    files = sorted(p for p in (here / "matcher").rglob("*") if p.is_file() and p.suffix in (".py", ".txt"))
    for path in [*files, here / "match_run.py"]:
        digest.update(path.relative_to(here).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _call_key(call: CallText) -> str:
    return json.dumps(
        [
            call.id,
            call.source,
            call.external_id,
            call.title,
            call.summary,
            call.description,
            call.language,
            call.funder,
            call.programme,
            call.status,
            call.kind,
            list(call.applicant_types),
            call.extra,
            call.opens_at,
        ],
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )


def inputs_fingerprint(
    calls: Sequence[CallText],
    profiles: Sequence[Any],
    feedback: Mapping[str, Mapping[int, str]],
    options: Mapping[str, Any],
) -> str:
    """SHA-256 of everything a match run's results depend on: every call as the matcher reads it (in the
    order it is indexed; its status too, so a call that closed changes it), every profile, all feedback,
    the run's options (statuses, store limit and minimum score) and the matcher's code."""
    digest = hashlib.sha256(matcher_code().encode())
    digest.update(json.dumps(options, sort_keys=True, default=str).encode())
    for call in calls:
        digest.update(_call_key(call).encode())
        digest.update(b"\n")
    for profile in profiles:
        digest.update(repr(profile).encode())
        digest.update(b"\n")
    for profile_id in sorted(feedback):
        marks = sorted((str(call_id), verdict) for call_id, verdict in feedback[profile_id].items())
        digest.update(json.dumps([profile_id, marks]).encode())
    return digest.hexdigest()


def run_match(
    settings: Settings, engine: Engine, now: datetime | None = None, timings: dict[str, float] | None = None
) -> dict[str, Any]:
    """Score every open or forthcoming call against every profile and store the matches.

    Returns each profile's ``ReplaceResult`` (what changed), under ``REMOVED`` how many matches of profiles
    that no longer exist were removed, and under ``TAGGED`` how many calls were (re)tagged. ``timings``, when given, receives the seconds each step
    took (``read``, ``check``, then ``index``, ``rank``, ``store`` or, when nothing changed since the last
    completed run, ``skip``; then ``tags``); they are also logged.
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
        last = last_inputs(session)
    texts = [CallText.from_record(c) for c in calls]
    lap("read")
    options = settings.matcher
    fingerprint = inputs_fingerprint(
        texts,
        list(profiles.values()),
        feedback,
        {
            "statuses": OPEN_STATUSES,
            "limit": options.store_limit,
            "min_score": options.store_min_score,
            "digits": SCORE_DIGITS,
        },
    )
    lap("check")
    now = now or datetime.now(UTC)
    report: dict[str, Any] = {}
    if fingerprint == last:
        # the same inputs as the last completed run, whose matches are still there: ranking would write nothing
        with read_session(engine) as session:
            counts = matches_in_scope(session, OPEN_STATUSES)
        for profile_id in profiles:
            report[profile_id] = ReplaceResult(unchanged=counts.get(profile_id, 0))
        report[REMOVED] = 0
        lap("skip")
    else:
        index = call_index(texts)
        lap("index")
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
        with write_session(engine) as session:
            for profile_id, scored in results.items():
                rows = [MatchRow(s.call_id, s.score, s.explanation()) for s in scored]
                version = profiles[profile_id].version
                report[profile_id] = replace_matches(session, profile_id, version, rows, scope, now)
                session.flush()
                crash_point("match.profile_uncommitted")
            report[REMOVED] = remove_matches_of_unknown_profiles(session, set(profiles))
            save_state(session, fingerprint, now)
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
