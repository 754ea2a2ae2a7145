"""`python -m bench` (`make bench`): every benchmark, one after the other."""

from __future__ import annotations

import os
import subprocess
import sys

BENCHMARKS = ["bench.search", "bench.pages"]

if __name__ == "__main__":
    postgres = os.environ.get("FUNDWATCH_TEST_POSTGRES_URL", "")
    for module in BENCHMARKS:
        print(f"== {module}", flush=True)
        subprocess.run([sys.executable, "-m", module], check=True)
        if module == "bench.pages" and postgres:
            subprocess.run([sys.executable, "-m", module, "--postgres", postgres], check=True)
