"""Run every benchmark in turn: ``python -m bench`` (what ``make bench`` runs).

Each prints its figures and writes bench/results/<name>.json where it says so. Set
FUNDWATCH_BENCH_POSTGRES_URL (or FUNDWATCH_TEST_POSTGRES_URL) to also measure on a PostgreSQL server
(each benchmark works in a scratch database there).

``python -m bench national [options]`` runs only the national-scale benchmark (``bench/national.py``:
300,000 calls and 3,000 profiles on PostgreSQL by default; it takes long, so it is never part of the
default run).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

BENCHES = [
    "bench.ingest",
    "bench.matcher_bench",
    "bench.grouping",
    "bench.search",
    "bench.pages",
    "bench.concurrency",
    "bench.digests",
]
#: benchmarks that also run on PostgreSQL, with the flag that names the server
ON_POSTGRES = {"bench.ingest": "--database-url", "bench.pages": "--postgres", "bench.digests": "--database-url"}


def postgres_url() -> str:
    return os.environ.get("FUNDWATCH_BENCH_POSTGRES_URL") or os.environ.get("FUNDWATCH_TEST_POSTGRES_URL") or ""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["national"]:
        return subprocess.call([sys.executable, "-m", "bench.national", *argv[1:]])
    if argv:
        print("usage: python -m bench [national [options]]", file=sys.stderr)
        return 2
    failed = 0
    pg = postgres_url()
    began = time.monotonic()
    for module in BENCHES:
        print(f"== {module}", flush=True)
        start = time.monotonic()
        failed += subprocess.call([sys.executable, "-m", module]) != 0
        if pg and module in ON_POSTGRES:
            failed += subprocess.call([sys.executable, "-m", module, ON_POSTGRES[module], pg]) != 0
        print(f"== {module}: {time.monotonic() - start:.0f} s", flush=True)
    print(f"== all benchmarks: {time.monotonic() - began:.0f} s{', some FAILED' if failed else ''}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
