"""``html``: a listing page read with CSS selectors from config.toml, so KLK can add a site without code.

``item`` selects one element per call; inside it the ``[sources.fields]`` selectors ``title``, ``link``,
``id``, ``deadline``, ``opening``, ``programme``, ``summary`` and ``budget`` pick the fields (a selector may end in ``@attribute``, e.g.
``a@href``, ``time@datetime``). Every date inside the ``deadline`` element is a cut-off; ``date_formats``
(``strptime``) are tried before the shapes :mod:`scrapers.dates` knows. ``next_page`` follows paging.
With ``fetch_details = true`` each call's page is fetched (role ``detail``) and completes the record
using ``[sources.detail]`` selectors or the page's main text (see :mod:`scrapers.detail`).

A page that yields calls and has no further page is a complete listing: calls missing from it are marked
"no longer listed". A page that yields nothing never is (a redesign must not hide every call).
"""

from __future__ import annotations

import re
from datetime import datetime

from bs4 import BeautifulSoup, Tag
from pydantic import BaseModel, ConfigDict, Field

from scrapers.annotate import annotate
from scrapers.base import ParseResult, Request, Response, SourceKind
from scrapers.dates import zone_of
from scrapers.detail import DetailSelectors, dates_in, element_texts, parse_detail, select_all, select_text
from scrapers.options import (
    DateFormats,
    HttpUrl,
    KindOptions,
    Pattern,
    Selector,
    load_options,
    split_attr,
)
from scrapers.records import freeze, response_time, status_at
from scrapers.schedule import is_rolling_field
from scrapers.text import excerpt, soup_of
from scrapers.urls import safe_url, strip_tracking, url_key
from settings import SourceSettings
from store.records import CallRecord


class ItemSelectors(BaseModel):
    """Where each field sits inside one listing item (CSS selectors, optionally ending in ``@attribute``)."""

    model_config = ConfigDict(extra="forbid")

    title: Selector = Field("a", description="The title.")
    link: Selector = Field("a@href", description="The call's link (an element's `href`, or `@attr`).")
    id: Selector = Field("", description="A stable id (e.g. `@data-id`); default: a key made from the link.")
    deadline: Selector = Field("", description="The deadline(s); every date inside is a cut-off.")
    opening: Selector = Field("", description="The opening date.")
    programme: Selector = Field("", description="The programme name.")
    summary: Selector = Field("", description="A short summary.")
    budget: Selector = Field("", description="The budget as published.")


class Options(KindOptions):
    url: HttpUrl = Field(description="The listing page's address.")
    item: Selector = Field(description="CSS selector of one call in the listing (e.g. `table#calls tbody tr`).")
    fields: ItemSelectors = Field(
        default_factory=ItemSelectors, description="`[sources.fields]`: selectors inside an item."
    )
    date_formats: DateFormats = Field(default_factory=list, description="`strptime` formats tried first.")
    include: Pattern = Field("", description="Regular expression; keep only items whose title or programme matches.")
    exclude: Pattern = Field("", description="Regular expression; drop items whose title or programme matches.")
    next_page: Selector = Field("", description="Selector of the link to the next listing page.")
    max_pages: int = Field(10, ge=1, le=500, description="Follow at most this many listing pages.")
    fetch_details: bool = Field(False, description="Fetch each call's page to complete text and dates.")
    max_details: int = Field(200, ge=0, le=5000, description="At most this many detail pages per run.")
    detail: DetailSelectors = Field(
        default_factory=DetailSelectors, description="`[sources.detail]`: selectors on a call's page."
    )


def _href(found: list[Tag | str]) -> str | None:
    for value in found:
        if isinstance(value, str):
            return value
        href = value.get("href")
        if not href:
            inner = value.find("a", href=True)
            href = inner.get("href") if isinstance(inner, Tag) else None
        if href:
            return str(href)
    return None


def _base(soup: BeautifulSoup, url: str) -> str:
    base = soup.find("base", href=True)
    return (safe_url(str(base["href"]), url) if isinstance(base, Tag) else None) or url


def _says_rolling(item: Tag, selector: str, shown: list[str]) -> bool:
    """The deadline field says "Löpande" / "Rolling" instead of a date. With ``time@datetime``-style selectors
    the text is read from the element (or, when it has no such child, from the enclosing one: ``.deadline``)."""
    said = shown
    if not said and selector:
        css = split_attr(selector)[0]
        for candidate in dict.fromkeys([css, css.rsplit(None, 1)[0] if " " in css else css]):
            said = element_texts(item, candidate) if candidate else []
            if said:
                break
    return bool(said) and all(is_rolling_field(text) for text in said)


class Html(SourceKind):
    name = "html"
    description = "A listing page read with CSS selectors from config.toml, optionally with each call's page."
    Options = Options

    def __init__(self, config: SourceSettings) -> None:
        super().__init__(config)
        self.opts = load_options(Options, config)
        self.zone = zone_of(self.opts.timezone)

    def start_requests(self) -> list[Request]:
        return [Request(url=self.opts.url, role="listing", context=(("page", 1),))]

    def parse(self, request: Request, response: Response) -> ParseResult:
        if request.role == "detail":
            return parse_detail(
                self.source, request, response, self.opts.detail, self.zone, list(self.opts.date_formats)
            )
        soup = soup_of(response.body, response.headers.get("content-type"), self.source, response.url)
        base = _base(soup, response.url)
        now = response_time(response)
        result = ParseResult()
        items = soup.select(self.opts.item)
        if not items:
            result.warnings.append(f"item selector {self.opts.item!r} matched nothing on {response.url}")
        for number, item in enumerate(items, start=1):
            record = self.record(item, number, base, now, result.warnings)
            if record is None or not self._wanted(record):
                continue
            if self.opts.fetch_details and len(result.follow) < self.opts.max_details:
                result.follow.append(Request(url=record.url, role="detail", context=(("record", freeze(record)),)))
            else:
                if self.opts.fetch_details:
                    result.warnings.append(f"{record.url}: over max_details={self.opts.max_details}; page not read")
                result.records.append(annotate(record))
        page = int(request.ctx().get("page", 1))
        following = safe_url(_href(select_all(soup, self.opts.next_page)), base) if self.opts.next_page else None
        if following and following != response.url and page < self.opts.max_pages:
            result.follow.append(Request(url=following, role="listing", context=(("page", page + 1),)))
        elif following and page >= self.opts.max_pages:
            result.warnings.append(f"stopped after max_pages={self.opts.max_pages}; listing incomplete")
        else:
            result.complete_listing = bool(result.records or result.follow)
        return result

    def _wanted(self, record: CallRecord) -> bool:
        haystack = f"{record.title}\n{record.programme}"
        if self.opts.include and not re.search(self.opts.include, haystack, re.IGNORECASE):
            return False
        return not (self.opts.exclude and re.search(self.opts.exclude, haystack, re.IGNORECASE))

    def record(self, item: Tag, number: int, base: str, now: datetime, warnings: list[str]) -> CallRecord | None:
        opts = self.opts.fields
        title = select_text(item, opts.title)
        link = safe_url(_href(select_all(item, opts.link)), base) if opts.link else None
        if not title or not link:
            what = "title" if not title else "http(s) link"
            warnings.append(f"item {number} ({title or 'untitled'}): no {what}; skipped")
            return None
        formats = list(self.opts.date_formats)
        shown = element_texts(item, opts.deadline)
        deadlines = dates_in(shown, self.zone, formats, end_of_day=True, year=now.year)
        opening = dates_in(element_texts(item, opts.opening), self.zone, formats, end_of_day=False, year=now.year)
        if not deadlines and any(re.search(r"\d", text) for text in shown):  # "Löpande" is not a format problem
            warnings.append(f"item {number} ({title}): no date in deadline {shown[0]!r}")
        rolling = not deadlines and _says_rolling(item, opts.deadline, shown)
        external_id = select_text(item, opts.id) if opts.id else ""
        summary = select_text(item, opts.summary)
        return CallRecord(
            source=self.source,
            external_id=(external_id or url_key(link))[:500],
            title=title,
            url=strip_tracking(link),
            funder=self.opts.funder,
            programme=(select_text(item, opts.programme) or self.opts.programme)[:300],
            summary=excerpt(summary),
            description=summary,
            language=self.opts.language[:8],
            status="open" if rolling else status_at(opening[0] if opening else None, deadlines, now),
            kind="scheme" if rolling else "call",
            opens_at=opening[0] if opening else None,
            deadlines=deadlines,
            budget=select_text(item, opts.budget),
        )
