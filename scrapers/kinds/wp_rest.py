"""``wp-rest``: calls published as WordPress posts, read from the site's REST API (``/wp-json/wp/v2/<type>``).

Many Swedish funders run WordPress (Svenska ESF-rådet, Svenska institutet, ICLD, Forte). Its REST API
answers a JSON array of posts (``id``, ``date_gmt``, ``modified_gmt``, ``link``, ``title.rendered``,
``content.rendered``, ``excerpt.rendered``, custom fields e.g. under ``acf``), ``per_page`` (at most 100)
at a time; the ``X-WP-TotalPages`` header says how many pages there are. Posts are asked for newest
change first (``orderby=modified``). With ``since_days`` only posts modified since then are asked for
(``modified_after``, WordPress 5.7+), which makes the run incremental; such a listing is never complete.

Rendered HTML becomes plain text (entities such as ``&#8211;`` decoded). Dates come from configured
fields (``[sources.fields]``, dotted paths such as ``acf.sista_ansokningsdag``; ACF's ``20260315`` is
understood) or from the text (:mod:`scrapers.schedule`), which also gives the record kind.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape
from typing import Any, Literal
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field, field_validator

from errors import SourceError
from scrapers.annotate import annotate
from scrapers.base import ParseResult, Request, Response, SourceKind
from scrapers.dates import DateError, parse_date, zone_of
from scrapers.options import DateFormats, KindOptions, Pattern, http_url, load_options
from scrapers.prose_dates import DEADLINE_LABELS, OPENING_LABELS
from scrapers.records import response_time, status_at
from scrapers.schedule import Schedule, read_schedule
from scrapers.text import clean, excerpt, html_to_text
from scrapers.urls import safe_url, strip_tracking
from settings import SourceSettings
from store.records import CallRecord

BASE_FIELDS = ("id", "date_gmt", "modified_gmt", "link", "guid", "type", "title", "content", "excerpt")
ACF_DATE = "%Y%m%d"


class PostFields(BaseModel):
    """Where a post holds each field: dotted paths into its JSON (`acf.deadline`); empty = read the text."""

    model_config = ConfigDict(extra="forbid")

    deadline: str = Field("", description="The deadline (e.g. `acf.sista_ansokningsdag`).")
    opening: str = Field("", description="The opening date.")
    programme: str = Field("", description="The programme name.")
    budget: str = Field("", description="The budget as published.")
    applicants: str = Field("", description="Who may apply (a text or a list of texts).")

    @field_validator("deadline", "opening", "programme", "budget", "applicants")
    @classmethod
    def _path(cls, value: str) -> str:
        if value and not re.fullmatch(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*", value):
            raise ValueError(f"must be a dotted path such as 'acf.deadline', got {value!r}")
        return value


class Options(KindOptions):
    url: str = Field(description="The collection's address, e.g. `https://www.esf.se/wp-json/wp/v2/utlysning`.")
    per_page: int = Field(100, ge=1, le=100, description="Posts per page (WordPress allows at most 100).")
    max_pages: int = Field(20, ge=1, le=500, description="Follow at most this many pages.")
    params: dict[str, str] = Field(
        default_factory=dict, description='More query parameters, e.g. `{ search = "utlysning" }`, `categories`.'
    )
    since_days: int | None = Field(
        None, ge=1, le=4000, description="Ask only for posts modified within about this many days (`modified_after`)."
    )
    record_kind: Literal["auto", "call", "recurring", "scheme", "planned"] = Field(
        "auto", description="Record kind; `auto` reads it from the dates in the text (a post without dates: `call`)."
    )
    include: Pattern = Field("", description="Regular expression; keep only posts whose title or text matches.")
    exclude: Pattern = Field("", description="Regular expression; drop posts whose title or text matches.")
    fields: PostFields = Field(default_factory=PostFields, description="`[sources.fields]`: paths into a post.")
    date_formats: DateFormats = Field(default_factory=list, description="`strptime` formats tried first for fields.")
    deadline_labels: list[str] = Field(
        default_factory=lambda: list(DEADLINE_LABELS), description="Words a deadline follows in the text."
    )
    opening_labels: list[str] = Field(
        default_factory=lambda: list(OPENING_LABELS), description="Words an opening date follows in the text."
    )

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        http_url(value)
        if "?" in value or "#" in value:
            raise ValueError("must have no query string: put parameters in `params`")
        return value.rstrip("/")


def lookup(post: Any, path: str) -> Any:
    """The value at a dotted path (``acf.deadline``) in a post, or None."""
    value = post
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    if isinstance(value, dict) and "rendered" in value:
        value = value["rendered"]
    return value


def rendered(post: dict[str, Any], key: str) -> str:
    """A rendered HTML field (``title``, ``content``, ``excerpt``) as plain text; protected content is empty."""
    value = post.get(key)
    if isinstance(value, dict):
        if value.get("protected"):
            return ""
        value = value.get("rendered")
    return html_to_text(value) if isinstance(value, str) else ""


class WpRest(SourceKind):
    name = "wp-rest"
    description = "WordPress REST API (`/wp-json/wp/v2/<type>`): posts as calls, paged, newest change first."
    Options = Options

    def __init__(self, config: SourceSettings) -> None:
        super().__init__(config)
        self.opts = load_options(Options, config)
        self.zone = zone_of(self.opts.timezone)

    def since(self, today: date | None = None) -> date | None:
        """``modified_after`` for incremental runs: ``since_days`` back, from that month's first day (so the
        request stays the same for a month, as recordings and conditional requests need)."""
        if self.opts.since_days is None:
            return None
        start = (today or datetime.now(UTC).date()) - timedelta(days=self.opts.since_days)
        return start.replace(day=1)

    def page_request(self, page: int) -> Request:
        paths = [getattr(self.opts.fields, n) for n in PostFields.model_fields]
        wanted = list(dict.fromkeys([*BASE_FIELDS, *(p.split(".")[0] for p in paths if p)]))
        query: dict[str, str] = {
            "per_page": str(self.opts.per_page),
            "page": str(page),
            "orderby": "modified",
            "order": "desc",
            "_fields": ",".join(wanted),
        }
        since = self.since()
        if since is not None:
            query["modified_after"] = f"{since.isoformat()}T00:00:00"
        query.update(self.opts.params)
        return Request(url=f"{self.opts.url}?{urlencode(query)}", role="listing", context=(("page", page),))

    def start_requests(self) -> list[Request]:
        return [self.page_request(1)]

    def parse(self, request: Request, response: Response) -> ParseResult:
        try:
            data = json.loads(response.body)
        except ValueError as exc:
            raise SourceError("parse_error", f"{self.source}: the REST API did not answer JSON ({exc})") from None
        if isinstance(data, dict) and "code" in data:
            raise SourceError("parse_error", f"{self.source}: WordPress answered {data.get('code')}: "
                                             f"{clean(str(data.get('message') or ''))}")  # fmt: skip
        if not isinstance(data, list):
            raise SourceError("parse_error", f"{self.source}: expected a JSON array of posts from {request.url}")
        now = response_time(response)
        result = ParseResult()
        for number, post in enumerate(data, start=1):
            if not isinstance(post, dict):
                result.warnings.append(f"post {number}: not an object; skipped")
                continue
            try:
                record = self.record(post, now, result.warnings)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                result.warnings.append(f"post {post.get('id', number)}: {exc}; skipped")
                continue
            if record is not None and self._wanted(record):
                result.records.append(record)
        self._paging(request, response, len(data), result)
        return result

    def _paging(self, request: Request, response: Response, count: int, result: ParseResult) -> None:
        page = int(request.ctx().get("page", 1))
        header = response.headers.get("x-wp-totalpages", "").strip()
        total = int(header) if header.isdigit() else None
        more = page < total if total is not None else count >= self.opts.per_page
        if more and page >= self.opts.max_pages:
            result.warnings.append(f"stopped after max_pages={self.opts.max_pages}; listing incomplete")
        elif more:
            result.follow.append(self.page_request(page + 1))
        else:
            result.complete_listing = self.opts.since_days is None and (page > 1 or bool(result.records))

    def _wanted(self, record: CallRecord) -> bool:
        haystack = f"{record.title}\n{record.description}"
        if self.opts.include and not re.search(self.opts.include, haystack, re.IGNORECASE):
            return False
        return not (self.opts.exclude and re.search(self.opts.exclude, haystack, re.IGNORECASE))

    def _field_date(self, post: dict[str, Any], path: str, end_of_day: bool, warnings: list[str]) -> datetime | None:
        value = lookup(post, path) if path else None
        if value in (None, "", False):
            return None
        try:
            formats = [*self.opts.date_formats, ACF_DATE]
            return parse_date(str(value), self.zone, end_of_day=end_of_day, formats=formats)
        except DateError as exc:
            warnings.append(f"post {post.get('id')}: {path}: {exc}")
            return None

    def _when(
        self, schedule: Schedule, deadline: datetime | None, opening: datetime | None
    ) -> tuple[str, datetime | None, list[datetime]]:
        """Record kind, opening and deadlines from the post's date fields, else from its text."""
        kind = schedule.kind
        if deadline is not None or opening is not None:
            kind = "call"  # the post's own date fields say when
        elif kind == "scheme" and not schedule.rolling:
            kind = "call"  # a post about a call that gives no dates is still a call
        if self.opts.record_kind != "auto":
            kind = self.opts.record_kind
        if kind == "scheme":
            return kind, None, []
        return kind, opening or schedule.opens_at, [deadline] if deadline else list(schedule.deadlines)

    def record(self, post: dict[str, Any], now: datetime, warnings: list[str]) -> CallRecord | None:
        ident = clean(str(post.get("id") or ""))
        title = rendered(post, "title")
        link = safe_url(unescape(str(post.get("link") or ""))) or safe_url(unescape(str(lookup(post, "guid") or "")))
        if not ident or not title or not link:
            missing = "id" if not ident else "title" if not title else "http(s) link"
            warnings.append(f"post {ident or '?'} ({title or 'untitled'}): no {missing}; skipped")
            return None
        description = rendered(post, "content")
        summary = rendered(post, "excerpt") or excerpt(description)
        fields = self.opts.fields
        schedule = read_schedule(
            f"{title}\n\n{description}",
            now,
            self.zone,
            deadline_labels=self.opts.deadline_labels,
            opening_labels=self.opts.opening_labels,
        )
        deadline = self._field_date(post, fields.deadline, True, warnings)
        opening = self._field_date(post, fields.opening, False, warnings)
        kind, opens_at, deadlines = self._when(schedule, deadline, opening)
        status = {"scheme": "open", "planned": "forthcoming"}.get(kind) or status_at(opens_at, deadlines, now)
        applicants = lookup(post, fields.applicants) if fields.applicants else None
        if isinstance(applicants, str):
            applicants = [a for a in (clean(p) for p in re.split(r"[,;\n]", html_to_text(applicants))) if a]
        published = lookup(post, "date_gmt")
        extra: dict[str, Any] = {"wp_type": clean(str(post.get("type") or ""))}
        if isinstance(published, str) and published:
            extra["published"] = published + ("" if published.endswith("Z") else "Z")
        if schedule.window and kind == "recurring":
            extra["window"] = schedule.window
        record = CallRecord(
            source=self.source,
            external_id=ident,
            title=title[:500],
            url=strip_tracking(link),
            funder=self.opts.funder,
            programme=(clean(str(lookup(post, fields.programme) or "")) if fields.programme else "")[:300]
            or self.opts.programme,
            summary=excerpt(summary),
            description=description,
            language=self.opts.language[:8],
            status=status,
            kind=kind,
            opens_at=opens_at,
            deadlines=deadlines,
            budget=clean(str(lookup(post, fields.budget) or "")) if fields.budget else "",
            applicant_types=[clean(str(a)) for a in applicants if clean(str(a))]
            if isinstance(applicants, list)
            else [],
            extra={k: v for k, v in extra.items() if v},
        )
        return annotate(record)
