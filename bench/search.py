"""Search benchmark: 100,000 generated calls; p50/p95 of a fixed set of searches on SQLite and PostgreSQL.

    python -m bench.search [--calls 100000] [--postgres URL]

PostgreSQL is benchmarked when --postgres or FUNDWATCH_TEST_POSTGRES_URL names a server (a scratch database is
created there and dropped afterwards). Target: p95 < 100 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bench.bulk import fill
from store.engine import make_engine, read_session
from store.migrate import upgrade
from store.models import Call
from store.search import SearchFilters, search_calls

NOW = datetime(2026, 11, 1, tzinfo=UTC)
QUERIES: list[tuple[str, dict]] = [
    ("vatten", {}),
    ("klimatanpassning", {}),
    ("digitalisering skola", {}),
    ('"social hållbarhet"', {}),
    ("energi -vind", {}),
    ("innovation", {"filters": SearchFilters(statuses=["open"])}),
    ("östersjön fiske", {}),
    ("malardalen", {}),
    ("water climate", {"filters": SearchFilters(languages=["en"])}),
    ("kommun", {"sort": "deadline"}),
    ("projekt", {}),  # a very common word
    ("stöd", {"filters": SearchFilters(open_to_municipalities=True)}),
    ("", {"filters": SearchFilters(statuses=["open"]), "sort": "deadline"}),
    ("", {"sort": "first_seen"}),
    ("", {"filters": SearchFilters(funders=["Vinnova"], deadline_from=NOW, deadline_to=NOW + timedelta(days=90))}),
    ("bredband landsbygd", {"offset": 100}),
    ("zzzz", {}),
    ("' OR 1=1 --", {}),
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run(engine, rounds: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {}
    with read_session(engine) as db:
        for query, options in QUERIES:  # warm caches once
            search_calls(db, query, now=NOW, **options)
    for _ in range(rounds):
        for query, options in QUERIES:
            with read_session(engine) as db:
                start = time.perf_counter()
                result = search_calls(db, query, now=NOW, **options)
                timings.setdefault(query or f"(no text, {options.get('sort', 'relevance')})", []).append(
                    (time.perf_counter() - start) * 1000
                )
                _ = result.total
    return timings


def report(name: str, timings: dict[str, list[float]], count: int) -> None:
    everything = [t for values in timings.values() for t in values]
    print(f"\n{name}: {count:,} calls, {len(everything)} searches")
    print(f"  {'query':<34} {'p50 ms':>8} {'p95 ms':>8}")
    for query, values in timings.items():
        print(f"  {query[:34]:<34} {statistics.median(values):8.1f} {percentile(values, 0.95):8.1f}")
    p95 = percentile(everything, 0.95)
    print(
        f"  {'ALL':<34} {statistics.median(everything):8.1f} {p95:8.1f}   target p95 < 100 ms: {'met' if p95 < 100 else 'NOT met'}"
    )


@contextmanager
def scratch_postgres(base: str, keep: str = ""):
    """A database on the server at ``base``: a new one dropped afterwards, or the named ``keep`` one, kept
    (generating 100,000 calls on PostgreSQL takes minutes; keep it to benchmark again)."""
    from sqlalchemy import create_engine

    name = keep or f"fundwatch_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(url: str, count: int):
    engine = make_engine(url)
    upgrade(engine)
    with read_session(engine) as db:
        have = db.scalar(select(func.count()).select_from(Call))
    if have < count:
        start = time.perf_counter()
        fill(engine, count - have)
        print(f"generated {count - have:,} calls in {time.perf_counter() - start:.0f} s ({engine.dialect.name})")
    if engine.dialect.name == "postgresql":
        # what autovacuum does on a live database after a bulk load (statistics and the visibility map)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE call"))
    return engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--sqlite", default="", help="SQLite file to use (kept); default a temporary one")
    parser.add_argument("--postgres", default=os.environ.get("FUNDWATCH_TEST_POSTGRES_URL", ""))
    parser.add_argument("--keep", default="", help="PostgreSQL: use (and keep) the database of this name")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.sqlite) if args.sqlite else Path(tmp) / "bench.db"
        engine = prepare(f"sqlite:///{path}", args.calls)
        report("SQLite (FTS5)", run(engine, args.rounds), args.calls)
        engine.dispose()
    if args.postgres:
        with scratch_postgres(args.postgres, args.keep) as url:
            engine = prepare(url, args.calls)
            report("PostgreSQL (tsvector + GIN)", run(engine, args.rounds), args.calls)
            engine.dispose()
    else:
        print("\nPostgreSQL skipped: give --postgres URL or set FUNDWATCH_TEST_POSTGRES_URL")


if __name__ == "__main__":
    main()
