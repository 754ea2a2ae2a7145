"""Run every benchmark in turn: ``python -m bench`` (what ``make bench`` runs).

Each prints its figures and writes bench/results/<name>.json where it says so. Set
FUNDWATCH_BENCH_POSTGRES_URL to also measure on a PostgreSQL server.
"""

from __future__ import annotations

import os
import subprocess
import sys

BENCHES = ["bench.ingest", "bench.matcher_bench", "bench.grouping", "bench.search", "bench.pages"]
#: benchmarks that also run on PostgreSQL, with the flag that names the server
ON_POSTGRES = {"bench.ingest": "--database-url", "bench.pages": "--postgres"}


def main() -> int:
    failed = 0
    pg = os.environ.get("FUNDWATCH_BENCH_POSTGRES_URL") or os.environ.get("FUNDWATCH_TEST_POSTGRES_URL")
    for module in BENCHES:
        print(f"== {module}", flush=True)
        failed += subprocess.call([sys.executable, "-m", module]) != 0
        if pg and module in ON_POSTGRES:
            failed += subprocess.call([sys.executable, "-m", module, ON_POSTGRES[module], pg]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
