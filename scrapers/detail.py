"""Reading a call's own page (a "detail" page), shared by the ``html`` and ``rss`` kinds.

Configured CSS selectors say where the deadline, opening date, description, ... are; without them the
page's main text, without its furniture (:mod:`scrapers.pagetext`: update dates, counters, share links), is
the description and dates are found after the usual wording ("Sista ansökningsdag",
"Stängd", "Öppnar", "Deadline", ...). A selector may end in ``@attribute`` to read an attribute
(``time@datetime``). Each found field completes the listing's record; what the listing already had is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo

from bs4 import BeautifulSoup, Tag
from pydantic import BaseModel, ConfigDict, Field

from scrapers.annotate import annotate
from scrapers.base import ParseResult, Request, Response
from scrapers.dates import DateError, find_dates, parse_formatted
from scrapers.options import Selector, split_attr
from scrapers.pagetext import meaningful_text
from scrapers.prose_dates import DEADLINE_LABELS, OPENING_LABELS, find_labelled
from scrapers.records import fill, response_time, status_at, thaw
from scrapers.schedule import is_rolling
from scrapers.text import clean, excerpt, html_to_text, main_text, soup_of


class DetailSelectors(BaseModel):
    """Where a detail page holds each field (CSS selectors; empty = find it in the main text)."""

    model_config = ConfigDict(extra="forbid")

    title: Selector = Field("", description="The call's title.")
    deadline: Selector = Field("", description="Element(s) holding the deadline(s); every date inside is a cut-off.")
    opening: Selector = Field("", description="Element holding the opening date.")
    summary: Selector = Field("", description="A short summary.")
    description: Selector = Field("", description="Element(s) whose text is the description (default: main text).")
    programme: Selector = Field("", description="The programme name.")
    budget: Selector = Field("", description="The budget as published.")
    remove: list[Selector] = Field(default_factory=list, description="Elements to drop first (banners, menus).")
    deadline_labels: list[str] = Field(
        default_factory=lambda: list(DEADLINE_LABELS), description="Words a deadline follows in the text."
    )
    opening_labels: list[str] = Field(
        default_factory=lambda: list(OPENING_LABELS), description="Words an opening date follows in the text."
    )


@dataclass
class DetailFields:
    title: str = ""
    summary: str = ""
    description: str = ""
    programme: str = ""
    budget: str = ""
    opens_at: datetime | None = None
    deadlines: list[datetime] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def select_all(root: Tag, selector: str) -> list[Tag | str]:
    """Elements matching ``selector``, or their attribute values when it ends in ``@attr``; an empty CSS part or
    ``:scope`` means ``root`` itself (an item that is a link: ``title = ":scope"``, ``link = "@href"``)."""
    css, attr = split_attr(selector)
    matches = root.select(css) if css and css != ":scope" else [root]
    if attr is None:
        return list(matches)
    out: list[Tag | str] = []
    for el in matches:
        value = el.get(attr)
        if isinstance(value, list):
            value = " ".join(value)
        if value:
            out.append(str(value))
    return out


def select_text(root: Tag, selector: str, *, block: bool = False) -> str:
    """Text of the first match (``block``: every match as paragraphs); "" when nothing matches."""
    if not selector:
        return ""
    found = select_all(root, selector)
    if not found:
        return ""
    if not block:
        first = found[0]
        return clean(first if isinstance(first, str) else first.get_text(" "))
    parts = [clean(f) if isinstance(f, str) else html_to_text(f) for f in found]
    return "\n\n".join(p for p in parts if p)


def dates_in(
    texts: list[str], zone: tzinfo, formats: list[str], *, end_of_day: bool, year: int | None = None
) -> list[datetime]:
    """Every date in the given texts: a configured format on the whole text first, then the known shapes."""
    out: list[datetime] = []
    for text in texts:
        try:
            value = parse_formatted(text, formats, zone, end_of_day) if formats else None
        except DateError:
            value = None
        if value is not None:
            out.append(value)
        else:
            out.extend(f.value for f in find_dates(text, zone, end_of_day=end_of_day, year=year))
    return out


def element_texts(root: Tag, selector: str) -> list[str]:
    """Text of every match (attribute values for ``@attr``); none for an empty selector."""
    if not selector:
        return []
    return [clean(f) if isinstance(f, str) else clean(f.get_text(" ")) for f in select_all(root, selector)]


def extract_detail(
    soup: BeautifulSoup, selectors: DetailSelectors, zone: tzinfo, formats: list[str], year: int | None = None
) -> DetailFields:
    """The fields a detail page gives, by the configured selectors or from its main text."""
    for sel in selectors.remove:
        for el in soup.select(split_attr(sel)[0]):
            el.decompose()
    out = DetailFields()
    out.title = select_text(soup, selectors.title)
    out.programme = select_text(soup, selectors.programme)
    out.budget = select_text(soup, selectors.budget)
    if selectors.description:
        out.description = select_text(soup, selectors.description, block=True)
        if not out.description:
            out.warnings.append(f"detail description selector {selectors.description!r} matched nothing")
    else:  # the main text without page furniture ("Senast uppdaterad ...", counters, share links)
        out.description = meaningful_text(main_text(soup))
    out.summary = select_text(soup, selectors.summary) or excerpt(out.description)
    if selectors.deadline:
        out.deadlines = dates_in(element_texts(soup, selectors.deadline), zone, formats, end_of_day=True, year=year)
    else:
        found = find_labelled(out.description, selectors.deadline_labels, zone, end_of_day=True, year=year)
        out.deadlines = [found] if found else []
    if selectors.opening:
        opens = dates_in(element_texts(soup, selectors.opening), zone, formats, end_of_day=False, year=year)
        out.opens_at = opens[0] if opens else None
    else:
        out.opens_at = find_labelled(out.description, selectors.opening_labels, zone, end_of_day=False, year=year)
    return out


def parse_detail(
    source: str,
    request: Request,
    response: Response,
    selectors: DetailSelectors,
    zone: tzinfo,
    formats: list[str],
) -> ParseResult:
    """Complete the listing record a detail request carries (``context["record"]``) from the page."""
    record = thaw(request.ctx()["record"])
    now = response_time(response)
    kind_of_page = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind_of_page and not any(word in kind_of_page for word in ("html", "xml", "text")):
        warning = f"{source}: {response.url}: the call's page is {kind_of_page}, not HTML; listing text kept"
        return ParseResult(records=[record], warnings=[warning])
    soup = soup_of(response.body, response.headers.get("content-type"), source, response.url)
    found = extract_detail(soup, selectors, zone, formats, year=now.year)
    result = ParseResult(warnings=list(found.warnings))
    if not (found.description or found.deadlines or found.opens_at):
        result.warnings.append(f"{source}: {response.url}: the detail page gave no text or dates")
    merged = fill(
        record,
        title=found.title,
        summary=found.summary,
        programme=found.programme[:300],
        budget=found.budget,
        opens_at=found.opens_at,
        deadlines=found.deadlines,
    )
    title = clean(merged.title).casefold()
    paragraphs = found.description.split("\n\n")
    if paragraphs and clean(paragraphs[0]).casefold() == title:
        found.description = "\n\n".join(paragraphs[1:])  # the page's heading repeats the title
        found.summary = select_text(soup, selectors.summary) or excerpt(found.description)
    if len(found.description) > len(merged.description):
        merged = replace(merged, description=found.description)
        if not record.summary or record.summary == excerpt(record.description):
            merged = replace(merged, summary=found.summary)
    if merged.kind == "call" and not merged.deadlines and is_rolling(merged.description):
        merged = replace(merged, kind="scheme", status="open")  # "Ansökan görs löpande": always open
    elif merged.kind == "call":
        merged = replace(merged, status=status_at(merged.opens_at, merged.deadlines, now))
    result.records.append(annotate(merged))
    return result
