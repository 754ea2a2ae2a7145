"""RELIABILITY I1: each hostile feed is handled in <= 2 s and <= 100 MB. Prints the figures per attack, plus
the time to parse the real EuroAccess listing (142 calls) when ../shared is present.

Run: ``python -m bench.feed_attacks`` (writes bench/results/feed_attacks.json).
"""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path

from errors import SourceError
from scrapers.base import Response
from scrapers.kinds.html import Html
from scrapers.kinds.rss import Rss
from settings import SourceSettings, load_settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "rss"
ATTACKS = ["billion_laughs", "quadratic_blowup", "xxe_file", "external_dtd", "parameter_entity"]


def big_quadratic() -> bytes:
    """A 2 MB feed repeating one 100 KB entity: about 2 GB if expanded."""
    value = "A" * 100_000
    refs = "&a;" * 20_000
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "{value}">]><rss version="2.0"><channel><title>t</title>'
        f"<item><title>x</title><link>https://example.org/</link><description>{refs}</description></item>"
        "</channel></rss>"
    ).encode()


def measure(label: str, parse) -> dict:
    """Time and peak traced memory of ``parse()``, which returns how many calls it found."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        outcome = f"{parse()} calls"
    except SourceError as exc:
        outcome = f"refused: {exc}"
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    print(f"{label:28} {seconds * 1000:8.1f} ms  peak {peak:7.1f} MB  {outcome[:90]}")
    return {"case": label, "seconds": round(seconds, 4), "peak_mb": round(peak, 2), "outcome": outcome}


def main() -> None:
    kind = Rss(SourceSettings(name="bench", kind="rss", url="https://example.org/feed"))
    request = kind.start_requests()[0]

    def feed(body: bytes):
        return lambda: len(kind.parse(request, Response(url=request.url, status=200, headers={}, body=body)).records)

    rows = [measure(name, feed((FIXTURES / f"{name}.xml").read_bytes())) for name in ATTACKS]
    rows.append(measure("quadratic_blowup_2MB", feed(big_quadratic())))
    listing = ROOT.parent / "shared" / "data" / "real" / "euroaccess" / "calls-list_saved-2025-10.html"
    if listing.exists():
        config = next(s for s in load_settings(ROOT / "config.toml", env={}).sources if s.name == "euroaccess")
        html = Html(config)
        first = html.start_requests()[0]
        body = listing.read_bytes()
        rows.append(
            measure("euroaccess_listing", lambda: len(html.parse(first, Response(first.url, 200, {}, body)).follow))
        )
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "feed_attacks.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
