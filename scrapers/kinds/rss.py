"""``rss``: any RSS or Atom feed; each item is a call.

The bytes are decoded here (:mod:`scrapers.text`), checked for entity tricks and outside definitions
(:mod:`scrapers.xmlguard`) and only then handed to feedparser, as bytes, never as a URL or a path.
Items keep only http(s) links (feedparser lets ``javascript:`` through). Deadlines and opening dates are
read from the item's text after the usual wording ("Sista ansökningsdag", "Deadline", ...). With
``fetch_details = true`` each item's page is fetched too (role ``detail``) and completes the item:
description, deadline, opening date, using ``[sources.detail]`` selectors or the page's main text.

A feed shows only recent items, so it is never treated as a complete listing.
"""

from __future__ import annotations

import io
import logging
import re
from datetime import datetime
from typing import Any

import feedparser
from pydantic import Field

from errors import SourceError
from scrapers.annotate import annotate
from scrapers.base import ParseResult, Request, Response, SourceKind
from scrapers.dates import DateError, parse_date, zone_of
from scrapers.detail import DetailSelectors, parse_detail
from scrapers.options import DateFormats, HttpUrl, KindOptions, Pattern, load_options
from scrapers.prose_dates import find_labelled
from scrapers.records import freeze, response_time, status_at
from scrapers.schedule import is_rolling
from scrapers.text import clean, decode, excerpt, html_to_text
from scrapers.urls import safe_url, strip_tracking, url_key
from scrapers.xmlguard import check_xml
from settings import SourceSettings
from store.records import CallRecord

logger = logging.getLogger(__name__)
_XML_DECL_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""", re.IGNORECASE)


class Options(KindOptions):
    url: HttpUrl = Field(description="The feed's address.")
    include: Pattern = Field("", description="Regular expression; keep only items whose title or text matches.")
    exclude: Pattern = Field("", description="Regular expression; drop items whose title or text matches.")
    fetch_details: bool = Field(False, description="Fetch each item's page to complete text and dates.")
    max_details: int = Field(200, ge=0, le=5000, description="At most this many detail pages per run.")
    date_formats: DateFormats = Field(default_factory=list, description="Extra `strptime` formats for dates.")
    detail: DetailSelectors = Field(default_factory=DetailSelectors, description="Detail-page selectors.")


def feed_bytes(body: bytes, content_type: str | None, url: str = "") -> bytes:
    """The feed as UTF-8 bytes that are safe to parse; raises SourceError(``unsafe_xml``) otherwise."""
    decoded = decode(body, content_type, is_html=False)
    if decoded.warning:
        logger.warning("%s: %s", url or "feed", decoded.warning)
    text = decoded.text
    check_xml(text)
    text = _XML_DECL_ENCODING.sub(r"\1\2utf-8\2", text, count=1)
    return text.encode("utf-8")


def parse_feed(body: bytes, content_type: str | None, url: str) -> Any:
    """feedparser's result for the bytes (never a URL: feedparser would fetch it without limits)."""
    data = feed_bytes(body, content_type, url)
    headers = {"content-type": "application/xml; charset=utf-8", "content-location": url}
    return feedparser.parse(io.BytesIO(data), response_headers=headers)


class Rss(SourceKind):
    name = "rss"
    description = "Any RSS or Atom feed; items become calls, optionally completed from their pages."
    Options = Options

    def __init__(self, config: SourceSettings) -> None:
        super().__init__(config)
        self.opts = load_options(Options, config)
        self.zone = zone_of(self.opts.timezone)

    def start_requests(self) -> list[Request]:
        return [Request(url=self.opts.url, role="listing")]

    def parse(self, request: Request, response: Response) -> ParseResult:
        if request.role == "detail":
            return parse_detail(
                self.source, request, response, self.opts.detail, self.zone, list(self.opts.date_formats)
            )
        feed = parse_feed(response.body, response.headers.get("content-type"), response.url)
        if not feed.entries and (feed.bozo or not feed.get("version")):
            reason = feed.get("bozo_exception") or "no RSS or Atom document"
            raise SourceError("parse_error", f"{self.source}: not a readable feed ({reason})")
        now = response_time(response)
        result = ParseResult()
        language = self.opts.language or clean(feed.feed.get("language") or "")[:2].lower()
        for number, entry in enumerate(feed.entries, start=1):
            record = self.record(entry, number, response.url, language, now, result.warnings)
            if record is None:
                continue
            if not self._wanted(record):
                continue
            if self.opts.fetch_details and len(result.follow) < self.opts.max_details:
                result.follow.append(Request(url=record.url, role="detail", context=(("record", freeze(record)),)))
            else:
                if self.opts.fetch_details:
                    result.warnings.append(f"{record.url}: over max_details={self.opts.max_details}; page not read")
                result.records.append(annotate(record))
        return result

    def _wanted(self, record: CallRecord) -> bool:
        haystack = f"{record.title}\n{record.summary}\n{record.description}"
        if self.opts.include and not re.search(self.opts.include, haystack, re.IGNORECASE):
            return False
        return not (self.opts.exclude and re.search(self.opts.exclude, haystack, re.IGNORECASE))

    def _date(self, value: Any) -> datetime | None:
        try:
            return parse_date(str(value), self.zone, formats=self.opts.date_formats) if value else None
        except DateError:
            return None

    def record(
        self, entry: Any, number: int, base: str, language: str, now: datetime, warnings: list[str]
    ) -> CallRecord | None:
        title = clean(entry.get("title"))
        link = safe_url(entry.get("link"), base)
        if link is None:
            alternates = [
                lk.get("href") for lk in entry.get("links") or [] if lk.get("rel", "alternate") == "alternate"
            ]
            link = next((u for u in (safe_url(a, base) for a in alternates) if u), None)
        if not title or not link:
            what = "title" if not title else "http(s) link"
            warnings.append(f"item {number} ({title or entry.get('id') or 'untitled'}): no {what}; skipped")
            return None
        summary_html = entry.get("summary") or ""
        contents = [c.get("value") or "" for c in entry.get("content") or []]
        summary = html_to_text(summary_html)
        description = max([html_to_text(c) for c in contents] + [summary], key=len)
        text = f"{title}\n{summary}\n{description}"
        year = now.year
        deadline = find_labelled(
            text, self.opts.detail.deadline_labels, self.zone, end_of_day=True, year=year, max_gap=40
        )
        opens_at = find_labelled(
            text, self.opts.detail.opening_labels, self.zone, end_of_day=False, year=year, max_gap=40
        )
        guid = clean(entry.get("id") or "")
        if guid and safe_url(guid):
            external_id = url_key(guid)
        else:
            external_id = guid[:500] or url_key(link)
        published = self._date(entry.get("published") or entry.get("updated"))
        extra: dict[str, Any] = {
            "published": published.isoformat() if published else "",
            "categories": [clean(t.get("term")) for t in entry.get("tags") or [] if clean(t.get("term"))],
        }
        deadlines = [deadline] if deadline else []
        rolling = not deadlines and is_rolling(text)  # "Ansökan görs löpande": a standing scheme
        return CallRecord(
            source=self.source,
            external_id=external_id,
            title=title,
            url=strip_tracking(link),
            funder=self.opts.funder,
            programme=self.opts.programme,
            summary=excerpt(summary or description),
            description=description,
            language=language[:8],
            status="open" if rolling else status_at(opens_at, deadlines, now),
            kind="scheme" if rolling else "call",
            opens_at=opens_at,
            deadlines=deadlines,
            extra={k: v for k, v in extra.items() if v},
        )
