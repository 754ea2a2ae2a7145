"""Helpers shared by the benchmark scripts: timing, peak memory, and writing results."""

from __future__ import annotations

import json
import os
import platform
import resource
import time
from contextlib import contextmanager
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, object]:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def timed(figures: dict[str, float], key: str):
    start = time.perf_counter()
    yield
    figures[key] = round(time.perf_counter() - start, 3)


def write_results(name: str, figures: dict[str, object]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(
        json.dumps({"machine": machine(), **figures}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    for key, value in figures.items():
        print(f"{name}: {key} = {value}")
    print(f"{name}: written to {path}")
    return path
