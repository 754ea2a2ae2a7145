"""Database commands: ``db upgrade``, ``db copy``, ``backup``, ``restore``, ``import-calls``, ``export-calls``."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from errors import InputFormatError

if TYPE_CHECKING:
    from scheduler import App


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


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to the ``fundwatch`` parser."""
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
