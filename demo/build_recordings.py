"""Build ``demo/recordings/`` from the hand-written content in ``demo/content/``.

For each of the five configured demo sources, the content is rendered in the source's real response
format (``demo/render.py``) and served by a small httpx transport that answers by URL. The real source
kind, with the real ``config.toml`` entry, is then walked through the real ``Fetcher`` exactly as
``fundwatch record`` walks a live site, and a ``Recorder`` writes what it fetched: so the recording holds
the very requests (URLs, multipart POST bodies, detail pages) that ``fundwatch scrape --replay`` makes.
Every build gives the same bytes (fixed recording time, derived ids).

    .venv/bin/python demo/build_recordings.py            # rewrite demo/recordings/
    .venv/bin/python demo/build_recordings.py --out DIR  # write elsewhere (the tests compare)
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from demo import render  # noqa: E402
from scrapers.base import SourceKind  # noqa: E402
from scrapers.crawl import crawl  # noqa: E402
from scrapers.http import Fetcher  # noqa: E402
from scrapers.recording import INDEX, Recorder  # noqa: E402
from scrapers.registry import discover  # noqa: E402
from settings import Settings, load_settings  # noqa: E402

CONTENT = ROOT / "demo" / "content"
RECORDINGS = ROOT / "demo" / "recordings"
#: when the demo pretends to have fetched everything (the Date header; statuses are computed at it)
RECORDED_AT = datetime(2026, 11, 27, 5, 30, tzinfo=UTC)
SOURCES = ("eu-ftp", "vinnova", "tillvaxtverket", "interreg-bsr", "euroaccess")

#: answer(method, url) -> (content type, body), or None for "no such page"
Answer = Callable[[str, str], tuple[str, bytes] | None]

JSON, XML, HTML = "application/json", "application/rss+xml; charset=UTF-8", "text/html; charset=utf-8"


def content(source: str) -> dict:
    return tomllib.loads((CONTENT / f"{source}.toml").read_text(encoding="utf-8"))


def eu_ftp_site(kind: SourceKind, data: dict) -> Answer:
    page = render.eu_page(data["topics"], kind.opts.page_size)
    first = kind.page_request(1, 0).url

    def answer(method: str, url: str) -> tuple[str, bytes] | None:
        return (JSON, page) if (method, url) == ("POST", first) else None

    return answer


def vinnova_site(kind: SourceKind, data: dict) -> Answer:
    base = kind.opts.base_url

    def answer(method: str, url: str) -> tuple[str, bytes] | None:
        if url == f"{base}/ansokningsomgangar/{kind.since(kind.today).isoformat()}":
            return JSON, render.vinnova_rounds(data["calls"])
        if url.startswith(f"{base}/utlysningar/"):
            return JSON, render.vinnova_calls(data["calls"], unquote(url.rsplit("/", 1)[1]).split(","))
        return None

    return answer


def feed_site(kind: SourceKind, data: dict, page: Callable[[dict, dict], bytes]) -> Answer:
    pages = {item["link"].split("?")[0]: page(data["site"], item) for item in data["items"]}
    feed = render.rss_feed(data["feed"], data["items"])

    def answer(method: str, url: str) -> tuple[str, bytes] | None:
        if url == kind.opts.url:
            return XML, feed
        return (HTML, pages[url]) if url in pages else None

    return answer


def euroaccess_site(kind: SourceKind, data: dict) -> Answer:
    pages = {render.euroaccess_url(call): render.euroaccess_call(call) for call in data["calls"]}
    listing = render.euroaccess_list(data["calls"])

    def answer(method: str, url: str) -> tuple[str, bytes] | None:
        if url == kind.opts.url:
            return HTML, listing
        return (HTML, pages[url]) if url in pages else None

    return answer


def site_for(kind: SourceKind) -> Answer:
    data = content(kind.source)
    if kind.source == "eu-ftp":
        return eu_ftp_site(kind, data)
    if kind.source == "vinnova":
        return vinnova_site(kind, data)
    if kind.source == "tillvaxtverket":
        return feed_site(kind, data, render.agency_page)
    if kind.source == "interreg-bsr":
        return feed_site(kind, data, render.wordpress_page)
    return euroaccess_site(kind, data)


class SiteTransport(httpx.BaseTransport):
    """Serves one demo site; robots.txt is absent (404, as replay answers it too); anything else is noted."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.unexpected: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        found = self.answer(request.method, url) if urlsplit(url).path != "/robots.txt" else None
        if found is None and urlsplit(url).path != "/robots.txt":
            self.unexpected.append(f"{request.method} {url}")
        status, (kind_of, body) = (200, found) if found else (404, ("text/plain", b"not found"))
        headers = {"date": render.http_date(RECORDED_AT), "content-type": kind_of, "content-length": str(len(body))}
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body), request=request)


class PagesOnly:
    """Hands every response but robots.txt to the recorder (replay answers a missing robots.txt with 404)."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def save(self, request: httpx.Request, status: int, headers: httpx.Headers, body: bytes) -> None:
        if urlsplit(str(request.url)).path != "/robots.txt":
            self.recorder.save(request, status, headers, body)


def build_source(settings: Settings, kind: SourceKind, folder: Path) -> tuple[int, int, list[str]]:
    """Walk ``kind`` against its demo site, recording into ``folder``: (calls, responses, warnings)."""
    shutil.rmtree(folder, ignore_errors=True)
    kind.today = RECORDED_AT.date()
    recorder = Recorder(folder, kind.source)
    transport = SiteTransport(site_for(kind))
    calls: set[str] = set()
    warnings: list[str] = []
    with Fetcher(settings.http, transport=transport, recorder=PagesOnly(recorder)) as fetcher:
        for step in crawl(kind, fetcher, None, settings.scrape.max_requests):
            if step.error is not None:
                raise SystemExit(f"{kind.source}: {step.request.url}: {step.error.reason}: {step.error}")
            if step.result is not None:
                warnings += step.result.warnings
                calls.update(r.external_id for r in step.result.records)
    if transport.unexpected:
        raise SystemExit(f"{kind.source}: no demo content for: {', '.join(transport.unexpected)}")
    index_path = folder / INDEX
    index = json.loads(index_path.read_text(encoding="utf-8"))
    index["recorded_at"] = RECORDED_AT.isoformat(timespec="seconds")
    index_path.write_text(json.dumps(index, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return len(calls), recorder.count, warnings


def build(out: Path = RECORDINGS) -> dict[str, tuple[int, int, list[str]]]:
    """Rebuild every demo source's recording under ``out``; per source (calls, responses, warnings)."""
    settings = load_settings(ROOT / "config.toml", env={})
    settings.http.min_delay = 0
    kinds = discover().build(settings, list(SOURCES))
    return {kind.source: build_source(settings, kind, out / kind.source) for kind in kinds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=RECORDINGS, help="folder to write (default: demo/recordings)")
    args = parser.parse_args(argv)
    total = 0
    for source, (calls, responses, warnings) in build(args.out).items():
        total += calls
        print(f"{source}: {calls} calls from {responses} responses")
        for warning in warnings:
            print(f"  warning: {warning}")
    print(f"{total} calls in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
