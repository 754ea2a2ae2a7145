"""fundwatch's entry point: the ``fundwatch`` CLI and the APScheduler jobs.

This is the composition root: it reads settings, builds the engine, wires the rooms' plain
functions to the scheduled jobs and (through ``commands/``, one module per room) to subcommands,
configures logging and turns errors into exit codes. It holds no logic of its own. ``python scheduler.py ...`` works the same as ``fundwatch ...``.
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

from commands import MODULES
from commands.sources import replay_dir
from errors import FundwatchError
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

    def reminders(now: datetime) -> str:
        from alerts.reminder_jobs import send_due_reminders

        return str(send_due_reminders(settings, app.engine, now))

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
        from match_run import REMOVED, TAGGED, run_match

        report = run_match(settings, app.engine)
        report.pop(REMOVED, None)
        report.pop(TAGGED, None)
        added = sum(r.added for r in report.values())
        updated = sum(r.updated for r in report.values())
        return f"matched {len(report)} profiles: {added} new, {updated} updated matches"

    return {
        "scrape": scrape,
        "digest": digest,
        "overview": overview,
        "reminders": reminders,
        "reconcile": reconcile,
    }


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


def cmd_serve(app: App) -> int:
    from web.server import serve

    host = app.args.host or app.settings.web.host
    port = app.args.port if app.args.port is not None else app.settings.web.port
    workers = app.args.workers if app.args.workers is not None else app.settings.web.workers
    return serve(app.settings, app.engine, host, port, workers)


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

    for module in MODULES:
        module.register(sub)

    p = sub.add_parser("serve", help="run the web UI")
    p.add_argument("--host", help="address to listen on (default: [web] host)")
    p.add_argument("--port", type=int, help="port to listen on; 0 picks a free one (default: [web] port)")
    p.add_argument(
        "--workers",
        type=int,
        help="web server processes, each with its own socket on the port (default: [web] workers)",
    )
    p.set_defaults(func=cmd_serve)

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
