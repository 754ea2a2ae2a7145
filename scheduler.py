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
    # httpx logs every request at INFO; fundwatch's scrapers log what matters (retries, failures, counts)
    logging.getLogger("httpx").setLevel(max(logging.WARNING, getattr(logging, level)))


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


def cmd_sources_check(app: App) -> int:
    from scrapers.dryrun import check_sources
    from scrapers.report import check_lines

    checks = check_sources(app.settings, app.args.source, replay_dir=app.args.replay)
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
    results = run_scrape(
        app.settings,
        app.engine,
        names=args.source,
        replay_dir=args.replay,
        progress=progress if sys.stderr.isatty() else None,
        force=args.force,
        refresh=args.refresh,
    )
    if not results:
        print("no sources to scrape" + (f" in the recording {args.replay}" if args.replay else ""))
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
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--include-closed", action="store_true")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=not_available("rank", "matcher"))

    p = sub.add_parser("match", help="score all calls against all profiles and store the matches")
    p.set_defaults(func=not_available("match", "matcher"))

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
