"""fundwatch's entry point: the ``fundwatch`` CLI and (later) the APScheduler jobs.

This is the composition root: it reads settings, builds the engine, wires the rooms' plain
functions to subcommands, configures logging and turns errors into exit codes. It holds no
logic of its own. ``python scheduler.py ...`` works the same as ``fundwatch ...``.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from commands_strategy import add_activity_parser
from errors import FundwatchError, InputFormatError
from settings import job_schedules

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


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (it may be replaced, e.g. under test capture)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure_logging(level: str, file: str = "") -> None:
    handlers: list[logging.Handler] = [_StderrHandler()]
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
    # httpx logs every request at INFO; fundwatch's scrapers log what matters (retries, failures, counts)
    logging.getLogger("httpx").setLevel(max(logging.WARNING, getattr(logging, level)))


# --- commands -------------------------------------------------------------------------------


def cmd_db_upgrade(app: App) -> int:
    from store.engine import safe_url

    app.engine  # noqa: B018  (building the engine applies every migration)
    print(f"database {safe_url(app.engine)} is up to date")
    return 0


def cmd_backup(app: App) -> int:
    from store.backup import backup

    print(f"backup written to {backup(app.engine, app.args.path)}")
    return 0


def cmd_restore(app: App) -> int:
    from store.backup import restore

    restore(app.engine, app.args.path)
    print(f"restored from {app.args.path}")
    return 0


def cmd_db_copy(app: App) -> int:
    from store.backup import copy_database
    from store.engine import make_engine, safe_url

    target = make_engine(app.args.to)
    try:
        counts = copy_database(app.engine, target)
    finally:
        target.dispose()
    total = sum(counts.values())
    print(f"copied {total} rows in {len(counts)} tables to {safe_url(app.args.to)}")
    for table, count in counts.items():
        print(f"  {table}: {count}")
    return 0


def cmd_import_calls(app: App) -> int:
    from store.calls import upsert_calls
    from store.engine import write_session
    from store.groups import refresh_groups
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
        if result.new or result.updated:
            refresh_groups(session)  # the same call at several sources: one group (store.groups)
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
    from datetime import UTC, datetime

    from scrapers.registry import discover
    from scrapers.report import health_table
    from scrapers.runner import health_policy
    from store.engine import read_session
    from store.health import source_health

    if getattr(app.args, "sources_command", None) == "check":
        return cmd_sources_check(app)
    if not app.settings.sources:
        print("no sources configured (add [[sources]] entries to config.toml)")
        return 0
    discover().build(app.settings)  # refuse an invalid configuration before showing anything
    entries = [(s.name, s.kind, s.enabled) for s in app.settings.sources]
    with read_session(app.engine) as session:
        rows = source_health(session, entries, datetime.now(UTC), health_policy(app.settings))
    for line in health_table(rows):
        print(line)
    return 0


def replay_dir(app: App, flag: str | None = None) -> Path | str | None:
    """The recording to answer scrapes from: ``--replay``, else ``scrape.replay_dir``; None scrapes live."""
    if flag:
        return flag
    configured = app.settings.scrape.replay_dir
    return app.settings.path(configured) if configured else None


# --- scheduled jobs ---------------------------------------------------------------------------


def job_functions(app: App) -> dict[str, Callable[[datetime], str]]:
    """The scheduled jobs: name -> function(now) returning a one-line summary. No logic here: wiring only."""
    settings = app.settings

    def digest(now: datetime) -> str:
        from alerts.jobs import send_due_digests

        return str(send_due_digests(settings, app.engine, now))

    def overview(now: datetime) -> str:
        from alerts.jobs import send_overview

        return str(send_overview(settings, app.engine, now))

    def reconcile(now: datetime) -> str:
        from alerts.catchup import reconcile
        from store.engine import write_session
        from store.jobs import prune_job_runs

        with write_session(app.engine) as session:
            prune_job_runs(session, now - timedelta(days=settings.schedule.job_history_days))
        return str(reconcile(settings, app.engine, now))

    def scrape(now: datetime, source: str | None = None) -> str:
        from scrapers.runner import run_scrape

        if source:
            names = [source]
        else:  # sources with a schedule of their own run in their own job
            own = {s.name for s in settings.sources if s.schedule}
            names = [s.name for s in settings.sources if s.enabled and s.name not in own] if own else None
            if names == []:
                return "no sources on the common schedule"
        replay = replay_dir(app)
        results = run_scrape(settings, app.engine, names=names, replay_dir=replay, recorded_only=replay is not None)
        failed = [r.source for r in results if r.failed]
        summary = (
            f"{len(results)} sources, {len(failed)} failed{': ' + ', '.join(failed) if failed else ''}; "
            f"{sum(r.new for r in results)} new, {sum(r.updated for r in results)} updated calls"
        )
        return summary + "; " + match_after_scrape(now)

    def match_after_scrape(now: datetime) -> str:
        report = run_match(app)
        report.pop("(removed profiles)", None)
        report.pop("(tagged calls)", None)
        added = sum(r.added for r in report.values())
        updated = sum(r.updated for r in report.values())
        return f"matched {len(report)} profiles: {added} new, {updated} updated matches"

    return {"scrape": scrape, "digest": digest, "overview": overview, "reconcile": reconcile}


class Worker:
    """Runs the scheduled jobs while holding the database's leader lock; stands by otherwise.

    Jobs never overlap themselves (max_instances=1), missed runs are coalesced into one and may start
    up to ``misfire_grace_seconds`` late; each job runs in its own pool thread, so a long scrape does
    not block the digest. Every run is recorded as a JobRun row and logged as one line.
    """

    def __init__(self, settings, engine, functions, schedules, clock: Callable[[], datetime] | None = None) -> None:
        self.settings, self.engine = settings, engine
        self.functions, self.schedules = functions, schedules
        self.clock = clock or (lambda: datetime.now(UTC))
        self.scheduler = None

    def run(self, stop: threading.Event) -> None:
        from store.locks import leader_lock

        poll = self.settings.schedule.standby_poll_seconds
        lock = leader_lock(self.engine, self.settings.path(self.settings.paths.var_dir))
        waiting_logged = False
        while not stop.is_set():
            if lock.try_acquire():
                break
            if not waiting_logged:
                log.info("another scheduler holds the lock; standing by")
                waiting_logged = True
            stop.wait(poll)
        if stop.is_set():
            lock.release()
            return
        log.info("acting as the scheduler for this database")
        try:
            self._start()
            while not stop.wait(poll):
                if not lock.still_held():
                    log.error("scheduler lock lost; stopping jobs")
                    break
        finally:
            if self.scheduler is not None:
                self.scheduler.shutdown(wait=True)
            lock.release()
            log.info("scheduler stopped")

    def _start(self) -> None:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        from settings import cron_trigger

        sched = self.settings.schedule
        self.scheduler = BackgroundScheduler(
            timezone=ZoneInfo(sched.timezone),
            executors={"default": ThreadPoolExecutor(max(4, len(self.schedules)))},
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": sched.misfire_grace_seconds},
        )
        for name, expression in self.schedules.items():
            base = name.split(".", 1)[0]
            if base not in self.functions:
                continue
            self.scheduler.add_job(
                self.execute, cron_trigger(expression, sched.timezone), args=[name], id=name, name=name
            )
        if "reconcile" in self.functions:
            # catch up at start: digests due during downtime are sent now (within the cut-off)
            self.scheduler.add_job(self.execute, args=["reconcile"], id="reconcile-at-start", name="reconcile")
        self.scheduler.start()

    def execute(self, name: str) -> None:
        """Run one job, recording it; nothing a job raises escapes to APScheduler."""
        from store.engine import write_session
        from store.jobs import finish_job_run, start_job_run

        base, _, source = name.partition(".")
        function = self.functions[base]
        started = self.clock()
        with write_session(self.engine) as session:
            run_id = start_job_run(session, name, started).id
        outcome, message = "ok", ""
        try:
            message = (function(started, source) if source else function(started)) or ""
        except FundwatchError as exc:
            outcome, message = "error", str(exc)
        except Exception as exc:  # a job's bug must not kill the scheduler; it is logged with its traceback
            log.exception("job %s failed", name)
            outcome, message = "error", f"{type(exc).__name__}: {exc}"
        seconds = (self.clock() - started).total_seconds()
        with write_session(self.engine) as session:
            finish_job_run(session, run_id, outcome, message, self.clock())
        level = logging.INFO if outcome == "ok" else logging.ERROR
        log.log(level, "job %s %s in %.1f s: %s", name, outcome, seconds, message.splitlines()[0] if message else "")


def cmd_worker(app: App) -> int:
    stop = threading.Event()
    _stop_on_signals(stop)
    Worker(app.settings, app.engine, job_functions(app), job_schedules(app.settings)).run(stop)
    return 0


def cmd_run(app: App) -> int:
    """The embedded default: the scheduler in a thread and the web UI in the foreground, one process."""
    from web.server import serve

    stop = threading.Event()
    # uvicorn hands a caught SIGTERM/SIGINT back to the previous handler when it has shut down: this one,
    # which stops the scheduler cleanly instead of killing the process
    _stop_on_signals(stop)
    worker = Worker(app.settings, app.engine, job_functions(app), job_schedules(app.settings))
    thread = threading.Thread(target=worker.run, args=(stop,), name="scheduler")
    thread.start()
    try:
        host = app.args.host or app.settings.web.host
        port = app.args.port if app.args.port is not None else app.settings.web.port
        return serve(app.settings, app.engine, host, port)  # returns on SIGTERM / Ctrl-C
    finally:
        stop.set()
        thread.join()


def cmd_status(app: App) -> int:
    from settings import cron_trigger
    from store.engine import read_session
    from store.health import latest_runs
    from store.jobs import last_job_runs

    now = datetime.now(UTC)
    zone = ZoneInfo(app.settings.schedule.timezone)
    with read_session(app.engine) as session:
        runs = last_job_runs(session)
        sources = latest_runs(session)
    print(f"{'job':<24} {'last run':<17} {'result':<8} {'next run':<17} message")
    for name, expression in job_schedules(app.settings).items():
        run = runs.get(name)
        nxt = cron_trigger(expression, app.settings.schedule.timezone).get_next_fire_time(None, now.astimezone(zone))
        last = f"{run.started_at.astimezone(zone):%Y-%m-%d %H:%M}" if run else "never"
        outcome = run.outcome if run else "-"
        message = (run.message.splitlines() or [""])[0][:80] if run else ""
        print(f"{name:<24} {last:<17} {outcome:<8} {nxt:%Y-%m-%d %H:%M} {message}")
    print()
    print(f"{'source':<28} last run")
    for source in app.settings.sources:
        run = sources.get(source.name)
        last = (
            f"{run.started_at.astimezone(zone):%Y-%m-%d %H:%M} {run.outcome} {run.reason}".strip()
            if run
            else "never run"
        )
        print(f"{source.name:<28} {last}")
    return 0


def _stop_on_signals(stop: threading.Event) -> None:
    def handler(signum, _frame) -> None:
        log.info("received %s: finishing the current unit of work and stopping", signal.Signals(signum).name)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)


def parse_now(text: str):
    """``--now``: an ISO 8601 datetime; without a zone it is Swedish local time."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 datetime: {text!r} (e.g. 2026-11-23T06:00)") from None
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo("Europe/Stockholm"))


def _now(app: App):
    from datetime import UTC, datetime

    return app.args.now or datetime.now(UTC)


def cmd_digest(app: App) -> int:
    from alerts.delivery import deliver_pending
    from alerts.jobs import preview_digest, queue_due_digests, queue_overview

    args, settings, now = app.args, app.settings, _now(app)
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
            changed = unsubscribe(session, args.profile, args.address, _now(app), via="cli")
    action = "resubscribed to" if args.undo else "unsubscribed from"
    print(f"{args.address} {action} {args.profile}" + ("" if changed else " (no change)"))
    return 0


def cmd_sources_check(app: App) -> int:
    from scrapers.dryrun import check_sources
    from scrapers.report import check_lines

    checks = check_sources(app.settings, app.args.source, replay_dir=replay_dir(app, app.args.replay))
    for line in check_lines(checks):
        print(line)
    return 0 if all(c.ok for c in checks) else 1


def cmd_scrape(app: App) -> int:
    import threading

    from scrapers.report import run_line
    from scrapers.runner import run_scrape

    lock = threading.Lock()

    def progress(event, result) -> None:
        with lock:
            if event == "start":
                print(f"  started {result.source}", file=sys.stderr, flush=True)
            else:
                state = result.outcome + (f" ({result.reason})" if result.reason else "")
                print(
                    f"  {'done' if not result.failed else 'FAILED'} {result.source}: {state}, "
                    f"{result.parsed} calls in {result.seconds:.1f} s",
                    file=sys.stderr,
                    flush=True,
                )

    args = app.args
    replay = replay_dir(app, args.replay)
    results = run_scrape(
        app.settings,
        app.engine,
        names=args.source,
        replay_dir=replay,
        progress=progress if sys.stderr.isatty() else None,
        force=args.force,
        refresh=args.refresh,
    )
    if not results:
        print("no sources to scrape" + (f" in the recording {replay}" if replay else ""))
    for result in results:
        print(run_line(result))
    failed = [r.source for r in results if r.failed]
    if failed:
        print(f"{len(failed)} of {len(results)} sources failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def cmd_record(app: App) -> int:
    from scrapers.dryrun import record_source
    from scrapers.recording import default_folder
    from scrapers.report import check_lines

    args = app.args
    folder = Path(args.out) if args.out else default_folder(app.settings.path(app.settings.paths.var_dir), args.name)
    check = record_source(app.settings, args.name, folder)
    for line in check_lines([check]):
        print(line)
    print(f"{check.saved} responses saved in {folder} (replay with: fundwatch scrape --replay {folder})")
    return 0 if not check.reason else 1


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
        print(ranking_table(results, by_id, threshold(profile, app.settings.digest.min_score)))
    return 0


def run_match(app: App) -> dict[str, Any]:
    """Score every stored call against every profile and store the matches; returns what changed."""
    from datetime import UTC, datetime

    from commands_strategy import tag_stored_calls
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
    report["(tagged calls)"] = tag_stored_calls(app.engine, calls, now)
    return report


def cmd_match(app: App) -> int:
    report = run_match(app)
    orphans = report.pop("(removed profiles)")
    tagged = report.pop("(tagged calls)")
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


def cmd_serve(app: App) -> int:
    from web.server import serve

    host = app.args.host or app.settings.web.host
    port = app.args.port if app.args.port is not None else app.settings.web.port
    workers = app.args.workers if app.args.workers is not None else app.settings.web.workers
    return serve(app.settings, app.engine, host, port, workers)


def _actor() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _read_password(args: argparse.Namespace) -> str:
    import getpass

    from errors import ConfigError

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            raise ConfigError("the two passwords differ")
    return password


def cmd_user_add(app: App) -> int:
    from matcher.profiles import ID_PATTERN
    from store.engine import write_session
    from web.accounts import create_user

    args = app.args
    folder = app.settings.path(app.settings.paths.profiles_dir)
    known = sorted(p.stem for p in folder.glob("*.toml") if ID_PATTERN.match(p.stem)) if folder.is_dir() else []
    password = _read_password(args)
    with write_session(app.engine) as session:
        user = create_user(
            session,
            args.username,
            args.role,
            password,
            profiles=args.profile or [],
            known_profiles=known,
            display_name=args.name or "",
            actor=_actor(),
        )
    bound = f" for {', '.join(user.profiles)}" if user.profiles else ""
    print(f"user {user.username} added ({user.role}{bound})")
    return 0


def cmd_user_passwd(app: App) -> int:
    from store.engine import write_session
    from web.accounts import change_password

    password = _read_password(app.args)
    with write_session(app.engine) as session:
        change_password(session, app.args.username, password, actor=_actor())
    print(f"password of {app.args.username} changed; their open sessions have ended")
    return 0


def cmd_user_remove(app: App) -> int:
    from store.engine import write_session
    from web.accounts import delete_user

    with write_session(app.engine) as session:
        delete_user(session, app.args.username, actor=_actor())
    print(f"user {app.args.username} removed")
    return 0


def cmd_user_list(app: App) -> int:
    from store.accounts import list_users
    from store.engine import read_session

    with read_session(app.engine) as session:
        users = list_users(session)
    if not users:
        print("no users (add one with: fundwatch user add NAME --role klk)")
        return 0
    print(f"{'user':<24} {'role':<6} {'profiles':<40} name")
    for user in users:
        profiles = ", ".join(user.profiles) if user.role == "staff" else "(all)"
        print(f"{user.username:<24} {user.role:<6} {profiles:<40} {user.display_name}")
    return 0


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
    p = db_sub.add_parser("copy", help="copy everything into another, empty database (e.g. SQLite to PostgreSQL)")
    p.add_argument("--to", required=True, metavar="URL", help="target database URL")
    p.set_defaults(func=cmd_db_copy)

    p = sub.add_parser("backup", help="write a consistent backup (safe while the service runs)")
    p.add_argument("path", help="backup file to create (SQLite file, or pg_dump custom format)")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="replace the database's content with a backup")
    p.add_argument("path", help="backup file written by `fundwatch backup`")
    p.set_defaults(func=cmd_restore)

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

    p = sub.add_parser("sources", help="show each source's state, last success, last error and counts")
    p.set_defaults(func=cmd_sources)
    sources_sub = p.add_subparsers(dest="sources_command", metavar="ACTION")
    check = sources_sub.add_parser("check", help="fetch each source once and report status, items, missing fields")
    check.add_argument("--source", action="append", help="only this source (repeatable)")
    check.add_argument("--replay", metavar="DIR", help="answer from a recording instead of the network")
    check.set_defaults(func=cmd_sources)

    p = sub.add_parser("scrape", help="fetch calls from the configured sources")
    p.add_argument("--source", action="append", help="only this source (repeatable; runs it even if disabled)")
    p.add_argument("--replay", metavar="DIR", help="answer every request from a recording folder (no network)")
    p.add_argument("--force", action="store_true", help="also run sources waiting in failure backoff")
    p.add_argument("--refresh", action="store_true", help="ignore remembered ETag/Last-Modified (parse everything)")
    p.set_defaults(func=cmd_scrape)

    p = sub.add_parser("record", help="save a source's live responses to a folder for replay")
    p.add_argument("name", metavar="SOURCE", help="the configured source to record")
    p.add_argument("--out", metavar="DIR", help="folder to write (default: var/recordings/SOURCE/TIMESTAMP)")
    p.set_defaults(func=cmd_record)

    p = sub.add_parser("rank", help="rank stored calls for one profile")
    p.add_argument("--profile", required=True, help="profile id or path to a profile file")
    p.add_argument("--limit", type=int, default=20, help="how many calls to show (0 = all; default 20)")
    p.add_argument("--include-closed", action="store_true", help="rank closed calls too")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_rank)

    p = sub.add_parser("match", help="score all calls against all profiles and store the matches")
    p.set_defaults(func=cmd_match)

    add_activity_parser(sub)

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

    p = sub.add_parser("serve", help="run the web UI")
    p.add_argument("--host", help="address to listen on (default: [web] host)")
    p.add_argument("--port", type=int, help="port to listen on; 0 picks a free one (default: [web] port)")
    p.add_argument("--workers", type=int, help="worker processes sharing the port (default: [web] workers)")
    p.set_defaults(func=cmd_serve)

    user = sub.add_parser("user", help="manage the web UI's users")
    user_sub = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    p = user_sub.add_parser("add", help="add a user (asks for the password)")
    p.add_argument("username", help="login name: lower-case letters, digits, '.', '_', '@', '-'")
    p.add_argument("--role", required=True, choices=["klk", "staff"], help="klk: everything; staff: own profiles")
    p.add_argument("--profile", action="append", help="profile id a staff user acts for (repeatable)")
    p.add_argument("--name", help="display name")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(func=cmd_user_add)
    p = user_sub.add_parser("passwd", help="set a user's password (ends their sessions)")
    p.add_argument("username")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(func=cmd_user_passwd)
    p = user_sub.add_parser("remove", help="remove a user")
    p.add_argument("username")
    p.set_defaults(func=cmd_user_remove)
    p = user_sub.add_parser("list", help="list users and their roles")
    p.set_defaults(func=cmd_user_list)

    p = sub.add_parser("run", help="run the scheduler and the web UI in one process (the embedded default)")
    p.add_argument("--host", help="address the web UI listens on (default: web.host)")
    p.add_argument("--port", type=int, help="port the web UI listens on (default: web.port; 0 picks a free one)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("worker", help="run the scheduler alone (one acts per database; others stand by)")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("status", help="show each job's last run, result and next run, and source state")
    p.set_defaults(func=cmd_status)
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
