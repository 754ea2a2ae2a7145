"""D1: writes while people search. 1,000 upserts in 50-row transactions while 4 reader processes search.

    python -m bench.concurrency [--seconds 30] [--calls 10000] [--upserts 1000] [--batch 50] [--readers 4]

A SQLite file is filled with ``--calls`` generated calls. Then, as a baseline, the readers search alone for
a third of ``--seconds``; then they search for ``--seconds`` while a writer in this process upserts
``--upserts`` new calls in ``--batch``-row write transactions (``store.engine.write_session``, as a scrape
does), spread evenly over the window. Each reader is its own process with its own engine (as the web
workers are) and runs ``store.search.search_calls`` with the queries of ``bench.search`` in turn.

Reported: reader p50/p95 alone and during writes, searches done, any error a reader or the writer saw (a
"database is locked" would reach a user), and whether every upserted row is present. Target (RELIABILITY.md
D1): no error, reader p95 < 200 ms. Writes bench/results/concurrency.json. tests/test_sqlite_locking.py runs
a few seconds of the same and asserts that no error happened (never the timing).
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import tempfile
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from bench.bulk import fill
from bench.common import write_results
from bench.generate import calls
from bench.search import NOW, QUERIES, percentile
from store.calls import upsert_calls
from store.engine import make_engine, read_session, write_session
from store.migrate import upgrade
from store.models import Call
from store.search import search_calls

#: the writer's records: a source of their own, so "all present" is one count
SOURCE = "d1-writer"


def reader(url: str, start_at: float, stop_at: float) -> tuple[list[float], list[str]]:
    """Search from ``start_at`` until ``stop_at`` (wall clock); every search's milliseconds and any errors."""
    engine = make_engine(url)
    timings: list[float] = []
    errors: list[str] = []
    time.sleep(max(0.0, start_at - time.time()))
    turn = 0
    while time.time() < stop_at:
        query, options = QUERIES[turn % len(QUERIES)]
        turn += 1
        began = time.perf_counter()
        try:
            with read_session(engine) as session:
                _ = search_calls(session, query, now=NOW, **options).total
        except Exception as exc:  # noqa: BLE001 - any error a reader sees is the finding
            errors.append(f"{type(exc).__name__}: {exc}".splitlines()[0])
            continue
        timings.append((time.perf_counter() - began) * 1000)
    engine.dispose()
    return timings, errors


def writer(url: str, upserts: int, batch: int, window: float, errors: list[str]) -> int:
    """Upsert ``upserts`` new calls in ``batch``-row write transactions spread over ``window`` seconds."""
    engine = make_engine(url)
    records = [replace(r, source=SOURCE) for r in calls(upserts, seed=404)]
    transactions = max(1, (upserts + batch - 1) // batch)
    pause = window / transactions
    written = 0
    began = time.monotonic()
    for number, start in enumerate(range(0, upserts, batch)):
        time.sleep(max(0.0, began + number * pause - time.monotonic()))
        try:
            with write_session(engine) as session:
                written += upsert_calls(session, records[start : start + batch], now=datetime.now(UTC)).new
        except Exception as exc:  # noqa: BLE001
            errors.append(f"writer: {type(exc).__name__}: {exc}".splitlines()[0])
    engine.dispose()
    return written


def _ready(_number: int) -> None:
    time.sleep(0.3)  # long enough that each process of the pool takes one


def readers(url: str, count: int, seconds: float, during=None) -> tuple[list[float], list[str], float]:
    """``count`` reader processes for ``seconds``; ``during()`` runs in this process meanwhile."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(count) as pool:
        pool.map(_ready, range(count), chunksize=1)  # every process started and imported
        start_at = time.time() + 0.5
        pending = pool.starmap_async(reader, [(url, start_at, start_at + seconds)] * count)
        if during is not None:
            time.sleep(max(0.0, start_at - time.time()))
            during()
        results = pending.get(timeout=seconds + 120)
    timings = [t for ts, _ in results for t in ts]
    errors = [e for _, es in results for e in es]
    return timings, errors, seconds


def run(
    path: Path, seconds: float = 30.0, calls_count: int = 10_000, upserts: int = 1_000, batch: int = 50, count: int = 4
) -> dict[str, object]:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    fill(engine, calls_count)
    engine.dispose()

    alone, alone_errors, _ = readers(url, count, max(1.0, seconds / 3))
    writer_errors: list[str] = []
    written: list[int] = []
    thread_box: list[threading.Thread] = []

    def write() -> None:
        thread = threading.Thread(
            target=lambda: written.append(writer(url, upserts, batch, seconds * 0.9, writer_errors))
        )
        thread.start()
        thread_box.append(thread)

    during, during_errors, _ = readers(url, count, seconds, during=write)
    for thread in thread_box:
        thread.join()
    engine = make_engine(url)
    with read_session(engine) as session:
        present = session.scalar(select(func.count()).select_from(Call).where(Call.source == SOURCE))
    engine.dispose()
    errors = alone_errors + during_errors + writer_errors
    return {
        "database": "sqlite",
        "calls": calls_count,
        "readers": count,
        "seconds": seconds,
        "upserts": upserts,
        "batch": batch,
        "baseline_searches_alone": len(alone),
        "baseline_p50_ms_alone": round(statistics.median(alone), 1) if alone else None,
        "baseline_p95_ms_alone": round(percentile(alone, 0.95), 1) if alone else None,
        "searches_during_writes": len(during),
        "p50_ms_during_writes": round(statistics.median(during), 1) if during else None,
        "p95_ms_during_writes": round(percentile(during, 0.95), 1) if during else None,
        "rows_written": sum(written),
        "rows_present": present,
        "errors": errors[:20],
        "error_count": len(errors),
        "locked_errors": sum("locked" in e for e in errors),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--upserts", type=int, default=1_000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--name", default="concurrency", help="results file name (bench/results/NAME.json)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        figures = run(Path(tmp) / "d1.db", args.seconds, args.calls, args.upserts, args.batch, args.readers)
    write_results(args.name, figures)
    p95 = figures["p95_ms_during_writes"]
    met = figures["error_count"] == 0 and p95 is not None and p95 < 200
    print(f"target (D1): no errors and reader p95 < 200 ms during writes: {'met' if met else 'NOT met'}")
    return 0 if figures["error_count"] == 0 and figures["rows_present"] == args.upserts else 1


if __name__ == "__main__":
    raise SystemExit(main())
