"""Test-only kinds: a tiny HTML listing format, with optional detail pages, and a kind with a bug.

Listing items look like ``<li class="call" data-id="A1" data-deadline="2027-03-15" href="/d/A1">Title</li>``;
a detail page holds ``<p class="text">...</p>``. Hand-written for the machinery tests; not a real site.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urljoin

from pydantic import BaseModel, ConfigDict

from errors import SourceError
from scrapers.addresses import SourceUrl
from scrapers.base import ParseResult, Request, Response, SourceKind
from store.records import CallRecord

ITEM = re.compile(r'<li class="call" data-id="([^"]+)"(?: data-deadline="([^"]*)")?(?: href="([^"]*)")?>([^<]*)</li>')
TEXT = re.compile(r'<p class="text">([^<]*)</p>')


class ListKind(SourceKind):
    name = "test-list"
    description = "Test-only HTML listing: <li class=call> items, optional detail pages."

    class Options(BaseModel):
        model_config = ConfigDict(extra="forbid")
        url: SourceUrl
        pages: list[SourceUrl] = []
        details: bool = False
        complete: bool = True
        strict: bool = False

    def start_requests(self) -> list[Request]:
        return [Request(self.opts.url)] + [Request(u) for u in self.opts.pages]

    def parse(self, request: Request, response: Response) -> ParseResult:
        text = response.body.decode("utf-8", "replace")
        if request.role == "detail":
            ctx = request.ctx()
            found = TEXT.search(text)
            record = self._record(ctx["id"], ctx["deadline"], request.url, ctx["title"])
            record.description = found.group(1) if found else ""
            return ParseResult(records=[record])
        items = ITEM.findall(text)
        if self.opts.strict and "<ul" not in text:
            raise SourceError("layout_changed", f"{response.url}: no <ul> listing in the page")
        result = ParseResult(complete_listing=self.opts.complete)
        for external_id, deadline, href, title in items:
            url = urljoin(response.url, href or f"/call/{external_id}")
            if self.opts.details and href:
                context = (("id", external_id), ("deadline", deadline), ("title", title))
                result.follow.append(Request(url, role="detail", context=context))
            elif not title.strip():
                result.warnings.append(f"item {external_id} has no title")
            else:
                result.records.append(self._record(external_id, deadline, url, title))
        return result

    def _record(self, external_id: str, deadline: str, url: str, title: str) -> CallRecord:
        deadlines = [datetime.fromisoformat(deadline).replace(tzinfo=UTC)] if deadline else []
        return CallRecord(source=self.source, external_id=external_id, title=title, url=url, deadlines=deadlines)


class BuggyKind(SourceKind):
    name = "test-buggy"
    description = "Test-only: its parser always crashes."

    def start_requests(self) -> list[Request]:
        return [Request(self.options["url"])]

    def parse(self, request: Request, response: Response) -> ParseResult:
        raise KeyError("items")


def page(*items: tuple[str, str, str], wrapper: str = "ul") -> str:
    """A listing page with (id, deadline, title) items."""
    lis = "".join(f'<li class="call" data-id="{i}" data-deadline="{d}">{t}</li>' for i, d, t in items)
    return f"<html><body><{wrapper}>{lis}</{wrapper}></body></html>"
