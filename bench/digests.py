"""Digest benchmark: building and queueing the week's digests of 300 profiles (target < 10 s).

    python -m bench.digests [--profiles 300] [--calls 10000] [--database-url URL]

Setup (not timed against the target): ``--calls`` generated calls (``bench.generate``: themed Swedish and
English text, so the generated profiles match them) are upserted, ``--profiles`` generated profile files
are written, and the match run stores each profile's matches (``match_run.run_match``). Then, for every
profile:

- baseline ``build_s``: what the digest job reads and builds (``alerts.jobs.build_for_profile``: the
  store reads plus the pure ``alerts.digest.build_digest``), nothing written;
- baseline ``render_s``: rendering the built digests to text and HTML (``alerts.render.render_digest``);
- ``queue_all_s``: the digest job itself (``alerts.jobs.queue_due_digests``): build, render, one message
  per recipient, and the ledger, items and outbox rows, one write transaction per profile.

Writes bench/results/digests[-postgres].json.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import peak_rss_mb, timed, write_results
from bench.generate import calls, profile_toml
from match_run import run_match
from settings import load_settings
from store.calls import upsert_calls
from store.engine import make_engine, read_session, write_session
from store.migrate import upgrade

#: a Monday morning in Sweden, when the digest job runs
NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
SECRET_ENV = "BENCH_DIGESTS_WEB_SECRET"  # not FUNDWATCH_*: settings read those


def write_profiles(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        (folder / f"forvaltning-{index:04d}.toml").write_text(profile_toml(index), encoding="utf-8")


def bench_settings(folder: Path, url: str):
    """Settings for the run: generated profiles, outbox delivery, state under ``folder``."""
    config = folder / "config.toml"
    config.write_text(
        "\n".join(
            [
                "[database]",
                f'url = "{url}"',
                "[paths]",
                f'profiles_dir = "{folder / "profiles"}"',
                f'var_dir = "{folder / "var"}"',
                "[email]",
                'mode = "outbox"',
                f'outbox_dir = "{folder / "outbox"}"',
                "[web]",
                'base_url = "https://fundwatch.kommun.example"',
                f'secret_env = "{SECRET_ENV}"',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    os.environ.setdefault(SECRET_ENV, "bench-secret-" + "x" * 40)
    return load_settings(config, env={})


def store_calls(engine, count: int, batch: int = 1000) -> None:
    records = list(calls(count, seed=31))
    for start in range(0, count, batch):
        with write_session(engine) as session:
            upsert_calls(session, records[start : start + batch], now=NOW)


def run(folder: Path, profiles: int, calls_count: int, url: str | None = None) -> dict[str, object]:
    from alerts.jobs import build_for_profile, links_for, profiles_for, queue_due_digests, week_of
    from alerts.render import render_digest

    url = url or f"sqlite:///{folder / 'digests.db'}"
    engine = make_engine(url)
    upgrade(engine)
    write_profiles(folder / "profiles", profiles)
    settings = bench_settings(folder, url)
    figures: dict[str, object] = {"database": engine.dialect.name, "profiles": profiles, "calls": calls_count}
    with timed(figures, "setup_upsert_calls_s"):
        store_calls(engine, calls_count)
    match_steps: dict[str, float] = {}
    with timed(figures, "setup_match_run_s"):
        run_match(settings, engine, now=NOW, timings=match_steps)
    figures["setup_match_steps_s"] = match_steps

    week = week_of(NOW, None)
    links = links_for(settings)
    every = profiles_for(settings)
    built = []
    with timed(figures, "build_s"):
        with read_session(engine) as session:
            for profile in every:
                built.append(build_for_profile(session, profile, NOW, week, settings, links))
    with timed(figures, "render_s"):
        for digest in built:
            render_digest(digest, links.unsubscribe(digest.profile_id, "someone@kommun.example"))
    figures["entries_listed"] = sum(len(d.new) + len(d.closing) + len(d.changed) for d in built)

    start = time.perf_counter()
    report = queue_due_digests(settings, engine, NOW)
    figures["queue_all_s"] = round(time.perf_counter() - start, 3)
    outcomes = list(report.outcomes.values())
    figures["queued_profiles"] = sum(o.startswith("queued") for o in outcomes)
    figures["empty_profiles"] = outcomes.count("empty")
    figures["per_profile_ms"] = round(1000 * figures["queue_all_s"] / max(1, profiles), 1)
    figures["target_met"] = figures["queue_all_s"] < 10 if profiles >= 300 else None
    figures["peak_rss_mb"] = round(peak_rss_mb(), 1)
    engine.dispose()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, default=300)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--database-url", help="a scratch PostgreSQL database (default: a temporary SQLite file)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.database_url:
            from bench.search import scratch_postgres

            with scratch_postgres(args.database_url) as url:
                figures = run(Path(tmp), args.profiles, args.calls, url)
        else:
            figures = run(Path(tmp), args.profiles, args.calls)
    write_results("digests" + ("-postgres" if args.database_url else ""), figures)
    print(f"target: {args.profiles} profiles' digests queued in < 10 s: {figures['queue_all_s']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
