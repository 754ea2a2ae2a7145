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
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--include-closed", action="store_true")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=not_available("rank", "matcher"))

    p = sub.add_parser("match", help="score all calls against all profiles and store the matches")
    p.set_defaults(func=not_available("match", "matcher"))

    p = sub.add_parser("digest", help="build and send the weekly digests that are due")
    p.set_defaults(func=not_available("digest", "digest"))

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
