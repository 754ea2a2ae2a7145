"""National scale on PostgreSQL: 300,000 calls and 3,000 profiles (many municipalities on one server).

    python -m bench.national [--calls 300000] [--profiles 3000] [--upsert-sample 5000] [--database-url URL]
    python -m bench national ...            # the same, through the benchmark runner (opt-in: never in `make bench`)

In a scratch database on the server named by ``--database-url`` (default FUNDWATCH_BENCH_POSTGRES_URL or
FUNDWATCH_TEST_POSTGRES_URL; dropped afterwards unless ``--keep NAME``), measures where the time goes:

1. ingest: the first ``--upsert-sample`` calls through the application's path (``store.calls.upsert_calls``
   in 1,000-call write transactions, change detection and search index included), the rest with a bare
   bulk INSERT of the same kind of rows (the baseline: what the database itself costs). The application's
   per-call cost times ``--calls`` estimates a full ingest through it;
2. match: the match run every scrape ends with (``match_run.run_match``: read calls, index, rank every
   profile, store up to ``matcher.store_limit`` matches per profile), from scratch, then again with nothing
   changed (what each later scrape costs: the run sees its inputs' fingerprint unchanged and skips ranking),
   then after one call's title changed (everything ranked again, little written), with peak memory;
3. search: p50/p95 of ``bench.search``'s queries over all calls, beside the same searches on a plain
   SQL ``count(*)`` of the call table (the floor of any request).

The calls are ``bench.generate``'s (themed Swedish and English text), the profiles its generated profile
files, so profiles find matches as KLK's do. Writes bench/results/national.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, text

from bench.common import peak_rss_mb, timed, write_results
from bench.digests import NOW, bench_settings, write_profiles
from bench.generate import calls
from bench.search import percentile, scratch_postgres
from bench.search import run as run_searches
from match_run import run_match
from store.calls import upsert_calls
from store.engine import make_engine, read_session, write_session
from store.migrate import upgrade
from store.models import Call, Match
from store.records import content_hash

BATCH = 1000
BULK_BATCH = 5000


def bulk_rows(records) -> list[dict]:
    rows = []
    for r in records:
        values = r.stored_values()
        rows.append(
            dict(
                source=r.source,
                external_id=r.external_id,
                first_seen_at=NOW,
                last_seen_at=NOW,
                updated_at=NOW,
                content_hash=content_hash(values),
                listed=True,
                **values,
            )
        )
    return rows


def ingest(engine, count: int, sample: int, figures: dict) -> None:
    records = calls(count, seed=300)
    sample = min(sample, count)
    upsert_seconds = bulk_seconds = 0.0
    done = 0
    while done < count:
        size = min(BATCH, sample - done) if done < sample else min(BULK_BATCH, count - done)
        chunk = [next(records) for _ in range(size)]
        start = time.perf_counter()
        if done < sample:
            with write_session(engine) as session:
                upsert_calls(session, chunk, now=NOW)
            upsert_seconds += time.perf_counter() - start
        else:
            rows = bulk_rows(chunk)
            start = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(insert(Call), rows)
            bulk_seconds += time.perf_counter() - start
        done += len(chunk)
    bulk_count = count - sample
    figures["ingest_upsert_calls"] = sample
    figures["ingest_upsert_s"] = round(upsert_seconds, 1)
    figures["ingest_upsert_per_call_ms"] = round(1000 * upsert_seconds / max(1, sample), 2)
    figures["ingest_bulk_insert_calls"] = bulk_count
    figures["ingest_bulk_insert_s"] = round(bulk_seconds, 1)
    figures["ingest_bulk_insert_per_call_ms"] = (
        round(1000 * bulk_seconds / max(1, bulk_count), 2) if bulk_count else None
    )
    figures["ingest_all_through_upsert_estimate_s"] = round(count * upsert_seconds / max(1, sample), 0)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        start = time.perf_counter()
        conn.execute(text("VACUUM ANALYZE call"))  # what autovacuum does after a bulk load
        figures["ingest_vacuum_analyze_s"] = round(time.perf_counter() - start, 1)


def searches(engine, rounds: int, figures: dict) -> None:
    timings = run_searches(engine, rounds)
    everything = [t for values in timings.values() for t in values]
    figures["search_count"] = len(everything)
    figures["search_p50_ms"] = round(statistics.median(everything), 1)
    figures["search_p95_ms"] = round(percentile(everything, 0.95), 1)
    slowest = max(timings.items(), key=lambda item: percentile(item[1], 0.95))
    figures["search_slowest_query"] = slowest[0]
    figures["search_slowest_p95_ms"] = round(percentile(slowest[1], 0.95), 1)
    floor = []
    with read_session(engine) as session:
        for _ in range(max(5, rounds)):
            start = time.perf_counter()
            session.execute(text("SELECT count(*) FROM call")).scalar_one()
            floor.append((time.perf_counter() - start) * 1000)
    figures["baseline_count_all_p50_ms"] = round(statistics.median(floor), 1)


def progress(step: str, figures: dict) -> None:
    """Print the figures so far (a full-scale run takes most of an hour: one stopped early still leaves them)."""
    print(f"after {step}: {json.dumps(figures, default=str)}", flush=True)


def run(url: str, folder: Path, calls_count: int, profiles: int, sample: int, rounds: int) -> dict[str, object]:
    engine = make_engine(url)
    upgrade(engine)
    write_profiles(folder / "profiles", profiles)
    settings = bench_settings(folder, url)
    figures: dict[str, object] = {"database": "postgresql", "calls": calls_count, "profiles": profiles}
    with read_session(engine) as session:
        figures["server"] = session.execute(text("SHOW server_version")).scalar_one()
    with timed(figures, "ingest_s"):
        ingest(engine, calls_count, sample, figures)
    progress("ingest", figures)

    steps: dict[str, float] = {}
    with timed(figures, "match_from_scratch_s"):
        run_match(settings, engine, now=NOW, timings=steps)
    figures["match_from_scratch_steps_s"] = steps
    progress("the match run from scratch", figures)
    with read_session(engine) as session:
        figures["matches_stored"] = session.execute(text(f"SELECT count(*) FROM {Match.__tablename__}")).scalar_one()
    steps = {}
    with timed(figures, "match_unchanged_rerun_s"):
        run_match(settings, engine, now=NOW, timings=steps)
    figures["match_unchanged_rerun_steps_s"] = steps
    progress("the match run with nothing changed", figures)
    # one call's text changes (what a scrape that found anything at all leaves): everything is ranked again
    with write_session(engine) as session:
        first_open = session.execute(text("SELECT min(id) FROM call WHERE status = 'open'")).scalar_one()
        session.execute(text("UPDATE call SET title = title || ' (ändrad)' WHERE id = :id"), {"id": first_open})
    steps = {}
    with timed(figures, "match_one_call_changed_s"):
        report = run_match(settings, engine, now=NOW, timings=steps)
    figures["match_one_call_changed_steps_s"] = steps
    figures["match_one_call_changed_profiles_changed"] = sum(
        1 for result in report.values() if getattr(result, "changed", False)
    )
    figures["peak_rss_mb"] = round(peak_rss_mb(), 1)
    progress("the match run after one call changed", figures)

    with timed(figures, "search_s"):
        searches(engine, rounds, figures)
    engine.dispose()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=300_000)
    parser.add_argument("--profiles", type=int, default=3_000)
    parser.add_argument("--upsert-sample", type=int, default=5_000, help="calls ingested through upsert_calls")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the search queries")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("FUNDWATCH_BENCH_POSTGRES_URL") or os.environ.get("FUNDWATCH_TEST_POSTGRES_URL"),
    )
    parser.add_argument("--name", default="national", help="results file name (bench/results/NAME.json)")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("give --database-url or set FUNDWATCH_BENCH_POSTGRES_URL (a PostgreSQL server)")
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, scratch_postgres(args.database_url) as url:
        figures = run(url, Path(tmp), args.calls, args.profiles, args.upsert_sample, args.rounds)
    figures["total_s"] = round(time.perf_counter() - start, 1)
    write_results(args.name, figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
