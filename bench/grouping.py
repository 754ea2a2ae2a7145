"""Duplicate grouping and prose reading at scale: how long ``group_calls`` takes for the current calls of a
large database (generated, with a share of copies from a second source), and how fast page texts are read
(meaningful text, schedule, eligibility, regions) as page-watch does for each page.

Run: ``python -m bench.grouping [--calls N]`` (writes bench/results/grouping.json).
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import UTC, datetime

from bench.common import peak_rss_mb, timed, write_results
from bench.generate import calls
from scrapers.annotate import annotate
from scrapers.pagetext import meaningful_text
from scrapers.schedule import read_schedule
from store.duplicates import Item, group_calls

NOW = datetime(2026, 11, 2, tzinfo=UTC)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=10_000)
    args = parser.parse_args()
    records = list(calls(args.calls, seed=11))
    items = [
        Item(n, r.source, r.external_id, r.title, r.programme, r.funder, r.deadline_at, r.description)
        for n, r in enumerate(records)
    ]
    copies = [replace(i, id=i.id + len(items), source="copy-" + i.source) for i in items[::20]]
    figures: dict[str, object] = {"calls": len(items), "copies": len(copies)}
    with timed(figures, "group_seconds"):
        keys = group_calls(items + copies)
    figures["grouped_calls"] = len(keys)
    texts = [f"{r.description}\n\nSenast uppdaterad: 2026-03-01\n\n123 visningar" for r in records[:2000]]
    with timed(figures, "read_2000_pages_seconds"):
        for record, text in zip(records, texts, strict=False):
            body = meaningful_text(text)
            read_schedule(body, NOW)
            annotate(replace(record, description=body))
    figures["peak_rss_mb"] = round(peak_rss_mb(), 1)
    write_results("grouping", figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
