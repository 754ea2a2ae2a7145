"""Matching commands: ``rank``, ``match``, ``profile check/preview``, ``feedback`` and ``eval`` (the match run
itself, also scheduled after each scrape, is ``match_run.run_match``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from errors import InputFormatError

if TYPE_CHECKING:
    from scheduler import App


def profiles_dir(app: App) -> Path:
    return app.settings.path(app.settings.paths.profiles_dir)


def cmd_rank(app: App) -> int:
    from match_run import OPEN_STATUSES, call_index, stored_calls
    from matcher import rank, resolve_profile, threshold
    from matcher.output import ranking_json, ranking_table
    from store.engine import read_session
    from store.matches import feedback_for_profile

    args = app.args
    if args.limit < 0:
        raise InputFormatError("--limit must be 0 (all) or more")
    profile = resolve_profile(args.profile, profiles_dir(app))
    calls = stored_calls(app.engine)
    with read_session(app.engine) as session:
        feedback = feedback_for_profile(session, profile.id)
    statuses = None if args.include_closed else OPEN_STATUSES
    results = rank(profile, call_index(calls), feedback, limit=args.limit or None, statuses=statuses)
    by_id = {c.id: c for c in calls}
    if args.format == "json":
        print(ranking_json(results, by_id))
    else:
        print(f"{profile.name} ({profile.id}): {len(results)} calls, best first")
        print(ranking_table(results, by_id, threshold(profile, app.settings.digest.min_score)))
    return 0


def cmd_match(app: App) -> int:
    from match_run import REMOVED, TAGGED, run_match

    report = run_match(app.settings, app.engine)
    orphans = report.pop(REMOVED)
    tagged = report.pop(TAGGED)
    for profile_id, result in report.items():
        print(
            f"{profile_id}: {result.added} new, {result.updated} updated, {result.removed} removed, "
            f"{result.unchanged} unchanged"
        )
    if orphans:
        print(f"removed {orphans} matches of profiles that no longer exist")
    if tagged:
        print(f"tagged {tagged} calls with Agenda 2030 and child/youth tags")
    return 0


def cmd_profile_check(app: App) -> int:
    from matcher import load_profiles, profile_notes, resolve_profile

    folder = profiles_dir(app)
    if app.args.id:
        profiles = {"": resolve_profile(app.args.id, folder)}
    else:
        profiles = load_profiles(folder)
        if not profiles:
            print(f"{folder}: no profiles (*.toml)")
            return 0
    for profile in profiles.values():
        keywords = sum(len(p.keywords) for p in profile.priorities)
        print(
            f"{profile.id}: ok - {profile.name!r}, {len(profile.priorities)} priorities, {keywords} keywords, "
            f"{len(profile.recipients)} recipients, version {profile.version}"
        )
        for note in profile_notes(profile):
            print(f"  note: {note}")
    return 0


def cmd_profile_preview(app: App) -> int:
    from match_run import OPEN_STATUSES, call_index, stored_calls
    from matcher import feedback_effect, load_profile, preview, rank, resolve_profile
    from matcher.output import preview_table, ranking_table
    from store.engine import read_session
    from store.matches import feedback_for_profile

    args = app.args
    saved = resolve_profile(args.id, profiles_dir(app))
    calls = stored_calls(app.engine)
    with read_session(app.engine) as session:
        feedback = feedback_for_profile(session, saved.id)
    index = call_index(calls)
    statuses = None if args.include_closed else OPEN_STATUSES
    by_id = {c.id: c for c in calls}
    if args.against:
        edited = load_profile(args.against)
        result = preview(saved, edited, index, feedback, limit=args.limit, statuses=statuses)
        print(preview_table(result, by_id, f"{args.against} against the saved {saved.id} (top {args.limit}):"))
        print()
        print(f"Top {args.limit} with the edited profile:")
        print(ranking_table(result.after, by_id))
        return 0
    print(f"{saved.name} ({saved.id}), top {args.limit}:")
    print(ranking_table(rank(saved, index, feedback, limit=args.limit, statuses=statuses), by_id))
    if feedback:
        effect = feedback_effect(saved, index, feedback, limit=args.limit, statuses=statuses)
        print()
        print(
            preview_table(effect, by_id, f"What the {len(feedback)} feedback mark(s) changed in the top {args.limit}:")
        )
    return 0


def cmd_feedback(app: App) -> int:
    from match_run import stored_calls
    from matcher import resolve_profile
    from store.calls import get_call
    from store.engine import read_session, write_session
    from store.matches import clear_feedback, feedback_for_profile, set_feedback

    args = app.args
    profile = resolve_profile(args.profile, profiles_dir(app))
    if args.call is None:
        with read_session(app.engine) as session:
            marks = feedback_for_profile(session, profile.id)
            calls = {c.id: c for c in stored_calls(app.engine) if c.id in marks}
        if not marks:
            print(f"{profile.id}: no feedback")
        for call_id, verdict in sorted(marks.items()):
            call = calls.get(call_id)
            print(
                f"{verdict:<13} {call.source}:{call.external_id}  {call.title[:70]}"
                if call
                else f"{verdict} #{call_id}"
            )
        return 0
    if args.verdict is None:
        raise InputFormatError("give a verdict: relevant, not_relevant or clear")
    source, sep, external_id = args.call.partition(":")
    if not sep or not source or not external_id:
        raise InputFormatError(f"call {args.call!r}: expected SOURCE:EXTERNAL_ID, e.g. vinnova:2026-01234")
    with write_session(app.engine) as session:
        call = get_call(session, source, external_id)
        if call is None:
            raise InputFormatError(f"no stored call {args.call!r}")
        if args.verdict == "clear":
            done = clear_feedback(session, profile.id, call.id)
            print(f"{profile.id}: {args.call}: feedback {'cleared' if done else 'was not set'}")
        else:
            set_feedback(session, profile.id, call.id, args.verdict, user=args.user)
            print(f"{profile.id}: {args.call}: marked {args.verdict}")
    return 0


def cmd_eval(app: App) -> int:
    import json

    from matcher.evaluate import evaluate, evaluate_ladder, load_eval_set

    data = load_eval_set(app.args.data)
    report = evaluate_ladder(data) if app.args.ablation else evaluate(data)
    if app.args.format == "json":
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(report.table())
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to the ``fundwatch`` parser."""
    p = sub.add_parser("rank", help="rank stored calls for one profile")
    p.add_argument("--profile", required=True, help="profile id or path to a profile file")
    p.add_argument("--limit", type=int, default=20, help="how many calls to show (0 = all; default 20)")
    p.add_argument("--include-closed", action="store_true", help="rank closed calls too")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_rank)

    p = sub.add_parser("match", help="score all calls against all profiles and store the matches")
    p.set_defaults(func=cmd_match)

    p = sub.add_parser("profile", help="check and preview profiles")
    profile_sub = p.add_subparsers(dest="profile_command", metavar="ACTION", required=True)
    q = profile_sub.add_parser("check", help="validate every profile, or one")
    q.add_argument("id", nargs="?", help="profile id or path (default: every profile)")
    q.set_defaults(func=cmd_profile_check)
    q = profile_sub.add_parser("preview", help="a profile's top matches, and what an edit would change")
    q.add_argument("id", help="profile id (the saved profile)")
    q.add_argument("--against", metavar="FILE", help="an edited copy of the profile to compare with")
    q.add_argument("--limit", type=int, default=20, help="size of the top list (default 20)")
    q.add_argument("--include-closed", action="store_true", help="rank closed calls too")
    q.set_defaults(func=cmd_profile_preview)

    p = sub.add_parser("feedback", help="mark a call relevant or not relevant for a profile, or list marks")
    p.add_argument("profile", help="profile id")
    p.add_argument("call", nargs="?", help="SOURCE:EXTERNAL_ID (omit to list the profile's feedback)")
    p.add_argument("verdict", nargs="?", choices=["relevant", "not_relevant", "clear"])
    p.add_argument("--user", default="", help="who gave the verdict")
    p.set_defaults(func=cmd_feedback)

    p = sub.add_parser("eval", help="measure the matcher against two baselines on the labelled set")
    p.add_argument(
        "--data", default=str(Path(__file__).resolve().parent.parent / "tests" / "eval"), help="eval set folder"
    )
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--ablation", action="store_true", help="add the matcher's means one at a time")
    p.set_defaults(func=cmd_eval)
