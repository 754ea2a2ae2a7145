"""``page-watch``: one page about a standing scheme or a recurring call becomes one record, watched for change.

Funders describe many schemes in prose on one page each (Allmänna arvsfonden, Boverket's bidrag,
Naturvårdsverket's LONA and Klimatklivet, Länsstyrelsen's LOVA, ...). The page's main text (without
navigation, header, footer, cookie banners and asides; or what ``content`` selects) minus its noise
(:mod:`scrapers.pagetext`: "Senast uppdaterad ...", counters, "Dela sidan", ...) is the record's
description, so only a real change of the text is stored as a change. The dates are read from that text
(:mod:`scrapers.schedule`), which also gives the record kind (``call``, ``recurring``, ``scheme``,
``planned``) unless ``record_kind`` fixes it.

``url`` is the source's main page (a failure fails the run); ``urls`` are more pages watched the same way
(a failure is counted and the others go on). The record's id is a key made from the configured address,
so a redirect does not make a new record. A page with no text at all is an error (``layout_changed``),
never an empty description.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field

from errors import SourceError
from scrapers.annotate import annotate
from scrapers.base import ParseResult, Request, Response, SourceKind
from scrapers.dates import zone_of
from scrapers.detail import select_text
from scrapers.options import (
    HttpUrl,
    KindOptions,
    Pattern,
    Selector,
    load_options,
    split_attr,
)
from scrapers.pagetext import fingerprint, meaningful_text
from scrapers.prose_dates import DEADLINE_LABELS, OPENING_LABELS
from scrapers.records import response_time, status_at
from scrapers.schedule import read_schedule
from scrapers.text import clean, excerpt, main_text, soup_of
from scrapers.urls import strip_tracking, url_key
from settings import SourceSettings
from store.records import CallRecord

TITLE_SEPARATORS = re.compile(r"\s+[|–—-]\s+")


class Options(KindOptions):
    url: HttpUrl = Field(description="The page's address (the source's main page).")
    urls: list[HttpUrl] = Field(default_factory=list, description="More pages watched the same way, one record each.")
    record_kind: Literal["auto", "call", "recurring", "scheme", "planned"] = Field(
        "auto", description="Record kind; `auto` reads it from the text (dates with a year: `call`, ...)."
    )
    title: Selector = Field("h1", description="Selector of the title (default the page's `h1`, else its `<title>`).")
    content: Selector = Field("", description="Selector(s) of the text to watch (default: the page's main text).")
    remove: list[Selector] = Field(default_factory=list, description="Elements to drop first (banners, menus, news).")
    ignore: list[Pattern] = Field(
        default_factory=list, description="Regular expressions: paragraphs they match are noise, not a change."
    )
    deadline_labels: list[str] = Field(
        default_factory=lambda: list(DEADLINE_LABELS), description="Words a deadline follows in the text."
    )
    opening_labels: list[str] = Field(
        default_factory=lambda: list(OPENING_LABELS), description="Words an opening date follows in the text."
    )


class PageWatch(SourceKind):
    name = "page-watch"
    description = "One page about a scheme or recurring call; its meaningful text and dates are watched for change."
    Options = Options

    def __init__(self, config: SourceSettings) -> None:
        super().__init__(config)
        self.opts = load_options(Options, config)
        self.zone = zone_of(self.opts.timezone)

    def start_requests(self) -> list[Request]:
        first = [Request(url=self.opts.url, role="listing")]
        more = [Request(url=u, role="page") for u in dict.fromkeys(self.opts.urls) if u != self.opts.url]
        return first + more

    def parse(self, request: Request, response: Response) -> ParseResult:
        soup = soup_of(response.body, response.headers.get("content-type"), self.source, response.url)
        for selector in self.opts.remove:
            for element in soup.select(split_attr(selector)[0]):
                element.decompose()
        title = select_text(soup, self.opts.title) if self.opts.title else ""
        if not title and soup.title is not None:
            title = TITLE_SEPARATORS.split(clean(soup.title.get_text(" ")))[0]
        raw = select_text(soup, self.opts.content, block=True) if self.opts.content else main_text(soup)
        text = meaningful_text(raw, self.opts.ignore)
        paragraphs = text.split("\n\n")
        if title and paragraphs and clean(paragraphs[0]).casefold() == clean(title).casefold():
            text = "\n\n".join(paragraphs[1:])  # the heading repeats the title
        if not text.strip():
            where = f"selector {self.opts.content!r}" if self.opts.content else "the main text"
            raise SourceError("layout_changed", f"{self.source}: {response.url}: {where} holds no text")
        now = response_time(response)
        schedule = read_schedule(
            text,
            now,
            self.zone,
            deadline_labels=self.opts.deadline_labels,
            opening_labels=self.opts.opening_labels,
        )
        kind = schedule.kind if self.opts.record_kind == "auto" else self.opts.record_kind
        opens_at, deadlines = schedule.opens_at, list(schedule.deadlines)
        if kind == "scheme":
            opens_at, deadlines = None, []
            status = "open"
        elif kind == "planned":
            status = "forthcoming"
        else:
            status = status_at(opens_at, deadlines, now)
        extra: dict[str, object] = {"fingerprint": fingerprint(text)}
        if schedule.window and kind == "recurring":
            extra["window"] = schedule.window
        if schedule.rolling:
            extra["rolling"] = True
        record = CallRecord(
            source=self.source,
            external_id=url_key(request.url),
            title=(title or request.url)[:500],
            url=strip_tracking(request.url),
            funder=self.opts.funder,
            programme=self.opts.programme[:300],
            summary=excerpt(text),
            description=text,
            language=self.opts.language[:8],
            status=status,
            kind=kind,
            opens_at=opens_at,
            deadlines=deadlines,
            extra=extra,
        )
        return ParseResult(records=[annotate(record)])
