"""fundwatch's entry point: the ``fundwatch`` CLI and (later) the APScheduler jobs.

This is the composition root: it reads settings, builds the engine, wires the rooms' plain
functions to subcommands, configures logging and turns errors into exit codes. It holds no
logic of its own. ``python scheduler.py ...`` works the same as ``fundwatch ...``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from errors import FundwatchError, InputFormatError, NotAvailableError

log = logging.getLogger("fundwatch")


class App:
    """Settings plus a lazily built, migrated engine: what every command needs."""

    def __init__(self, args: argparse.Namespace) -> None:
        from settings import load_settings

        overrides: dict[str, Any] = {}
        if getattr(args, "database_url", None):
            overrides["database.url"] = args.database_url
        if getattr(args, "log_level", None):
            overrides["logging.level"] = args.log_level
        self.args = args
        self.settings = load_settings(args.config, overrides=overrides)
        self._engine = None

    @property
    def engine(self):
        if self._engine is None:
            from store.engine import make_engine
            from store.migrate import upgrade

            url = self.settings.database.url
            if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
                # a relative SQLite path is relative to the config file's folder
                url = "sqlite:///" + str(self.settings.path(url[len("sqlite:///") :]))
            self._engine = make_engine(url, busy_timeout_ms=self.settings.database.busy_timeout_ms)
            upgrade(self._engine)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def configure_logging(level: str, file: str = "") -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if file:
        Path(file).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(file, encoding="utf-8"))
    logging.basicConfig(
        level=getattr(logging, level),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )
    # Alembic narrates every plugin and migration at INFO; its outcome is reported by our own lines
    logging.getLogger("alembic").setLevel(max(logging.WARNING, getattr(logging, level)))


# --- commands -------------------------------------------------------------------------------


def cmd_db_upgrade(app: App) -> int:
    from store.engine import safe_url

    app.engine  # noqa: B018  (building the engine applies every migration)
    print(f"database {safe_url(app.engine)} is up to date")
    return 0


def cmd_import_calls(app: App) -> int:
    from store.calls import upsert_calls
    from store.engine import write_session
    from store.interchange import parse_jsonl

    args = app.args
    if args.file == "-":
        report = parse_jsonl(sys.stdin.buffer)
    else:
        try:
            with open(args.file, "rb") as stream:
                report = parse_jsonl(stream)
        except OSError as exc:
            raise InputFormatError(f"{args.file}: cannot read: {exc.strerror}") from None
    name = "stdin" if args.file == "-" else args.file
    if report.problems and not args.skip_invalid:
        shown = "\n  ".join(report.problems[:20])
        more = f"\n  ... and {len(report.problems) - 20} more" if len(report.problems) > 20 else ""
        raise InputFormatError(
            f"{name}: {len(report.problems)} malformed line(s); nothing imported "
            f"(use --skip-invalid to import the rest):\n  {shown}{more}",
            report.problems,
        )
    with write_session(app.engine) as session:
        result = upsert_calls(session, (record for _, record in report.records))
    for problem in report.problems:
        print(f"skipped {problem}", file=sys.stderr)
    for key, count in sorted(report.ignored_keys.items()):
        print(f"ignored unknown field {key!r} on {count} line(s)", file=sys.stderr)
    print(
        f"{name}: {len(report.records)} calls read: {result.new} new, {result.updated} updated "
        f"({len(result.changes)} field changes), {result.unchanged} unchanged"
        + (f", {len(report.problems)} skipped" if report.problems else "")
    )
    return 0


def cmd_export_calls(app: App) -> int:
    from store.calls import list_calls
    from store.engine import read_session
    from store.interchange import export_csv, export_jsonl

    args = app.args
    with read_session(app.engine) as session:
        calls = list_calls(session, statuses=args.status, sources=args.source)
    lines = export_csv(calls) if args.format == "csv" else export_jsonl(calls)
    out = open(args.output, "w", encoding="utf-8", newline="") if args.output != "-" else sys.stdout
    try:
        for line in lines:
            out.write(line)
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def cmd_sources(app: App) -> int:
    from store.engine import read_session
    from store.health import latest_runs

    with read_session(app.engine) as session:
        runs = latest_runs(session)
    if not app.settings.sources:
        print("no sources configured (add [[sources]] entries to config.toml)")
        return 0
    print(f"{'name':<28} {'kind':<12} {'enabled':<8} last run")
    for source in app.settings.sources:
        run = runs.get(source.name)
        last = f"{run.started_at:%Y-%m-%d %H:%M} {run.outcome} {run.reason}".strip() if run else "never run"
        print(f"{source.name:<28} {source.kind:<12} {'yes' if source.enabled else 'no':<8} {last}")
    return 0


OPEN_STATUSES = ("open", "forthcoming")


def _profiles_dir(app: App) -> Path:
    return app.settings.path(app.settings.paths.profiles_dir)


def _stored_calls(app: App) -> list[Any]:
    from store.calls import list_calls
    from store.engine import read_session

    with read_session(app.engine) as session:
        return list_calls(session)


def _call_index(calls: list[Any]):
    from matcher import CallIndex, CallText

    # the vocabulary and IDF come from every stored call, closed ones too: a bigger, steadier corpus
    return CallIndex.build([CallText.from_record(c) for c in calls])


def cmd_rank(app: App) -> int:
    from matcher import rank, resolve_profile, threshold
    from matcher.output import ranking_json, ranking_table
    from store.engine import read_session
    from store.matches import feedback_for_profile

    args = app.args
    if args.limit < 0:
        raise InputFormatError("--limit must be 0 (all) or more")
    profile = resolve_profile(args.profile, _profiles_dir(app))
    calls = _stored_calls(app)
    with read_session(app.engine) as session:
        feedback = feedback_for_profile(session, profile.id)
    statuses = None if args.include_closed else OPEN_STATUSES
    results = rank(profile, _call_index(calls), feedback, limit=args.limit or None, statuses=statuses)
    by_id = {c.id: c for c in calls}
    if args.format == "json":
        print(ranking_json(results, by_id))
    else:
        print(f"{profile.name} ({profile.id}): {len(results)} calls, best first")
        print(ranking_table(results, by_id, threshold(profile, app.settings.matcher.min_score)))
    return 0


def run_match(app: App) -> dict[str, Any]:
    """Score every stored call against every profile and store the matches; returns what changed."""
    from datetime import UTC, datetime

    from matcher import load_profiles, rank_all
    from store.engine import read_session, write_session
    from store.matches import MatchRow, all_feedback, remove_matches_of_unknown_profiles, replace_matches

    profiles = load_profiles(_profiles_dir(app))
    calls = _stored_calls(app)
    with read_session(app.engine) as session:
        feedback = all_feedback(session)
    settings = app.settings.matcher
    results = rank_all(
        list(profiles.values()),
        _call_index(calls),
        feedback,
        statuses=OPEN_STATUSES,
        limit=settings.store_limit,
        min_score=settings.store_min_score,
    )
    scope = {c.id for c in calls if c.status in OPEN_STATUSES}
    now = datetime.now(UTC)
    report: dict[str, Any] = {}
    with write_session(app.engine) as session:
        for profile_id, scored in results.items():
            rows = [MatchRow(s.call_id, s.score, s.explanation()) for s in scored]
            report[profile_id] = replace_matches(session, profile_id, profiles[profile_id].version, rows, scope, now)
        report["(removed profiles)"] = remove_matches_of_unknown_profiles(session, set(profiles))
    return report


def cmd_match(app: App) -> int:
    report = run_match(app)
    orphans = report.pop("(removed profiles)")
    for profile_id, result in report.items():
        print(
            f"{profile_id}: {result.added} new, {result.updated} updated, {result.removed} removed, "
            f"{result.unchanged} unchanged"
        )
    if orphans:
        print(f"removed {orphans} matches of profiles that no longer exist")
    return 0


def cmd_profile_check(app: App) -> int:
    from matcher import load_profiles, profile_notes, resolve_profile

    folder = _profiles_dir(app)
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
    from matcher import feedback_effect, load_profile, preview, rank, resolve_profile
    from matcher.output import preview_table, ranking_table
    from store.engine import read_session
    from store.matches import feedback_for_profile

    args = app.args
    saved = resolve_profile(args.id, _profiles_dir(app))
    calls = _stored_calls(app)
    with read_session(app.engine) as session:
        feedback = feedback_for_profile(session, saved.id)
    index = _call_index(calls)
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
    from matcher import resolve_profile
    from store.calls import get_call
    from store.engine import read_session, write_session
    from store.matches import clear_feedback, feedback_for_profile, set_feedback

    args = app.args
    profile = resolve_profile(args.profile, _profiles_dir(app))
    if args.call is None:
        with read_session(app.engine) as session:
            marks = feedback_for_profile(session, profile.id)
            calls = {c.id: c for c in _stored_calls(app) if c.id in marks}
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


def not_available(feature: str, issue: str) -> Callable[[App], int]:
    def command(app: App) -> int:
        raise NotAvailableError(f"'{feature}' is not available yet (planned in the {issue} work)")

    return command


# --- argument parsing ------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fundwatch", description="Find external funding calls for Kalmar kommun's administrations."
    )
    parser.add_argument("--config", default="config.toml", help="settings file (default: ./config.toml)")
    parser.add_argument("--database-url", help="database URL (overrides [database] url)")
    parser.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="log level")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("upgrade", help="apply schema migrations").set_defaults(func=cmd_db_upgrade)

    p = sub.add_parser("import-calls", help="upsert calls from a JSON Lines file")
    p.add_argument("file", help="JSON Lines file, or - for standard input")
    p.add_argument("--skip-invalid", action="store_true", help="import the valid lines and report the rest")
    p.set_defaults(func=cmd_import_calls)

    p = sub.add_parser("export-calls", help="write stored calls as JSON Lines or CSV")
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    p.add_argument("--status", action="append", choices=["forthcoming", "open", "closed"], help="repeatable")
    p.add_argument("--source", action="append", help="only this source (repeatable)")
    p.add_argument("-o", "--output", default="-", help="output file (default: standard output)")
    p.set_defaults(func=cmd_export_calls)

    p = sub.add_parser("sources", help="list configured sources and their state")
    p.set_defaults(func=cmd_sources)

    p = sub.add_parser("scrape", help="fetch calls from the configured sources")
    p.add_argument("--source", action="append", help="only this source (repeatable)")
    p.set_defaults(func=not_available("scrape", "scrapers"))

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
    p.add_argument("--data", default=str(Path(__file__).resolve().parent / "tests" / "eval"), help="eval set folder")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--ablation", action="store_true", help="add the matcher's means one at a time")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("digest", help="build and send the weekly digests that are due")
    p.set_defaults(func=not_available("digest", "digest"))

    p = sub.add_parser("serve", help="run the web UI")
    p.set_defaults(func=not_available("serve", "web UI"))

    p = sub.add_parser("run", help="run the scheduler and the web UI")
    p.set_defaults(func=not_available("run", "scheduler"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = args.debug
    app = None
    try:
        app = App(args)
        log_file = app.settings.logging.file
        configure_logging(app.settings.logging.level, str(app.settings.path(log_file)) if log_file else "")
        return args.func(app)
    except FundwatchError as exc:
        if debug:
            raise
        print(f"fundwatch: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("fundwatch: interrupted", file=sys.stderr)
        return 130
    finally:
        if app is not None:
            app.close()


if __name__ == "__main__":
    sys.exit(main())
