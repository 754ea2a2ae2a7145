"""Source commands: ``sources`` (health), ``sources check``, ``scrape`` and ``record``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scheduler import App


def replay_dir(app: App, flag: str | None = None) -> Path | str | None:
    """The recording to answer scrapes from: ``--replay``, else ``scrape.replay_dir``; None scrapes live."""
    if flag:
        return flag
    configured = app.settings.scrape.replay_dir
    return app.settings.path(configured) if configured else None


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


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to the ``fundwatch`` parser."""
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
