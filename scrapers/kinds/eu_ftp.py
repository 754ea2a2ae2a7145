"""``eu-ftp``: open and forthcoming topics from the EU Funding & Tenders Portal's search API (SEDIA).

Facts from real responses (``../shared/data/real/API-NOTES.md``): the query goes in multipart *file* parts
(``query``, ``languages``, ``sort``; filename ``blob``, type ``application/json``), paging by ``pageNumber``
and sorting on ``identifier`` keeps pages stable. Every ``metadata`` value is a list; ``actions`` and
``budgetOverview`` are JSON texts inside them. Rows repeat and legacy rows keep a frozen status, so rows
are merged by ``identifier`` and the status comes from the dates.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, time
from typing import Any
from urllib.parse import quote

from pydantic import Field, field_validator

from errors import SourceError
from scrapers.annotate import annotate
from scrapers.base import ParseResult, Request, Response, SourceKind
from scrapers.dates import DateError, parse_date, zone_of
from scrapers.eu_budget import topic_budget
from scrapers.jsontext import loads_lenient
from scrapers.options import HttpUrl, KindOptions, load_options
from scrapers.records import response_time, status_at
from scrapers.text import clean, excerpt, html_to_text
from scrapers.urls import safe_url
from settings import SourceSettings
from store.records import CallRecord

SEARCH_URL = "https://api.tech.ec.europa.eu/search-api/prod/rest/search"
PORTAL = "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities"
TOPIC_URL = PORTAL + "/topic-details/{}"
CASCADE_URL = PORTAL + "/competitive-calls-cs/{}"
FORTHCOMING, OPEN, CLOSED = "31094501", "31094502", "31094503"
STATUS_CODES = {FORTHCOMING: "forthcoming", OPEN: "open", CLOSED: "closed"}
#: frameworkProgramme codes seen in real responses
FRAMEWORKS = {"43108390": "Horizon Europe"}
#: programme by the identifier's first part, for codes not (yet) in FRAMEWORKS
PREFIXES = {
    "HORIZON": "Horizon Europe",
    "DIGITAL": "Digital Europe",
    "LIFE": "LIFE",
    "ERASMUS": "Erasmus+",
    "CERV": "Citizens, Equality, Rights and Values",
    "CREA": "Creative Europe",
    "CEF": "Connecting Europe Facility",
    "EU4H": "EU4Health",
    "SMP": "Single Market Programme",
    "EMFAF": "European Maritime, Fisheries and Aquaculture Fund",
    "AMIF": "Asylum, Migration and Integration Fund",
    "ISF": "Internal Security Fund",
    "JUST": "Justice Programme",
    "ESF": "European Social Fund+",
    "SOCPL": "European Social Fund+ (social prerogatives)",
    "UCPM": "Union Civil Protection Mechanism",
    "I3": "Interregional Innovation Investments",
    "EUAF": "Union Anti-Fraud Programme",
    "EDF": "European Defence Fund",
    "RFCS": "Research Fund for Coal and Steel",
    "INNOVFUND": "Innovation Fund",
}


class Options(KindOptions):
    funder: str = Field("European Commission", description="Funder shown for every topic.")
    language: str = Field("en", description="Language asked of the API (`languages` part).")
    timezone: str = Field("Europe/Brussels", description="Zone of the portal's dates.")
    url: HttpUrl = Field(SEARCH_URL, description="Search API endpoint (without query string).")
    page_size: int = Field(100, ge=1, le=100, description="Rows per page (the API allows up to 100).")
    max_pages: int = Field(50, ge=1, le=1000, description="Stop after this many pages (a guard, not a filter).")
    types: list[str] = Field(["1", "8"], description="Result types: `1` topic, `8` cascade-funding call.")
    statuses: list[str] = Field(
        [FORTHCOMING, OPEN], description="Status codes asked for: `31094501` forthcoming, `31094502` open."
    )
    programmes: list[str] = Field(
        default_factory=list, description="frameworkProgramme codes to keep (`43108390` Horizon Europe); empty = all."
    )
    deadline_time: str = Field(
        "17:00", description="Time of a deadline the API gives as a bare date (portal deadlines are 17:00 Brussels)."
    )

    @field_validator("deadline_time")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", value):
            raise ValueError(f"must be HH:MM, got {value!r}")
        return value


def _first(meta: dict[str, Any], key: str) -> Any:
    value = meta.get(key)
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _texts(meta: dict[str, Any], key: str) -> list[str]:
    """A list-valued field as texts; a one-element list holding a JSON array is unpacked (``keywords``)."""
    value = meta.get(key)
    items = value if isinstance(value, list) else ([value] if value is not None else [])
    if len(items) == 1 and isinstance(items[0], str) and items[0].lstrip().startswith("["):
        parsed, _ = loads_lenient(items[0])
        if isinstance(parsed, list):
            items = parsed
    out: list[str] = []
    for item in items:
        text = clean(str(item)) if item is not None else ""
        if text and text not in out:
            out.append(text)
    return out


def _is_legacy(row: dict[str, Any]) -> bool:
    return str(row.get("url") or "").endswith(".json")


class EuFtp(SourceKind):
    name = "eu-ftp"
    description = "EU Funding & Tenders Portal: open and forthcoming topics from the SEDIA search API."
    Options = Options

    def __init__(self, config: SourceSettings) -> None:
        super().__init__(config)
        self.opts = load_options(Options, config)
        self.zone = zone_of(self.opts.timezone)
        hour, minute = (int(p) for p in self.opts.deadline_time.split(":"))
        self.deadline_clock = time(hour, minute)

    # -- requests -----------------------------------------------------------------------------------
    def query(self) -> dict[str, Any]:
        must: list[dict[str, Any]] = [
            {"terms": {"type": list(self.opts.types)}},
            {"terms": {"status": list(self.opts.statuses)}},
        ]
        if self.opts.programmes:
            must.append({"terms": {"frameworkProgramme": list(self.opts.programmes)}})
        return {"bool": {"must": must}}

    def page_request(self, page: int, seen: int) -> Request:
        def part(value: Any) -> tuple[str, bytes, str]:
            return ("blob", json.dumps(value).encode("utf-8"), "application/json")

        url = f"{self.opts.url}?apiKey=SEDIA&text=***&pageSize={self.opts.page_size}&pageNumber={page}"
        return Request(
            url=url,
            method="POST",
            files=(
                ("query", part(self.query())),
                ("languages", part([self.opts.language or "en"])),
                ("sort", part({"field": "identifier", "order": "ASC"})),
            ),
            role="listing",
            context=(("page", page), ("seen", seen)),
        )

    def start_requests(self) -> list[Request]:
        return [self.page_request(1, 0)]

    # -- parsing ------------------------------------------------------------------------------------
    def parse(self, request: Request, response: Response) -> ParseResult:
        try:
            data = json.loads(response.body)
        except ValueError as exc:
            raise SourceError("parse_error", f"{self.source}: the search API did not answer JSON ({exc})") from None
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            raise SourceError("parse_error", f"{self.source}: no 'results' list in the search API's answer")
        rows = [r for r in data["results"] if isinstance(r, dict)]
        now = response_time(response)
        result = ParseResult()
        chosen: dict[str, dict[str, Any]] = {}
        for number, row in enumerate(rows, start=1):
            meta = row.get("metadata")
            ident = _first(meta, "identifier") if isinstance(meta, dict) else None
            ident = clean(str(ident or row.get("reference") or ""))
            if not ident:
                result.warnings.append(f"row {number}: no identifier; skipped")
                continue
            # identical rows repeat; a current row beats a legacy copy of the same topic
            if ident not in chosen or (_is_legacy(chosen[ident]) and not _is_legacy(row)):
                chosen[ident] = row
        for ident, row in chosen.items():
            try:
                record = annotate(self.record(ident, row, now, result.warnings))
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                result.warnings.append(f"{ident}: {exc}; skipped")
                continue
            if self.opts.programmes and record.extra.get("framework_programme") not in self.opts.programmes:
                continue
            result.records.append(record)
        self._paging(request, data, len(rows), result)
        return result

    def _paging(self, request: Request, data: dict[str, Any], rows: int, result: ParseResult) -> None:
        ctx = request.ctx()
        page, seen = int(ctx.get("page", 1)), int(ctx.get("seen", 0)) + rows
        total = data.get("totalResults")
        if not isinstance(total, int):
            result.warnings.append("no totalResults in the answer; paging stopped")
            return
        if seen >= total:
            result.complete_listing = total > 0  # an empty answer is reported by health checks, not trusted
        elif rows == 0:
            result.warnings.append(f"page {page} was empty after {seen} of {total} rows; listing incomplete")
        elif page >= self.opts.max_pages:
            result.warnings.append(f"stopped after max_pages={self.opts.max_pages} ({seen} of {total} rows)")
        else:
            result.follow.append(self.page_request(page + 1, seen))

    def _when(self, value: Any, deadline: bool) -> datetime | None:
        """A portal date; midnight (``T00:00:00.000+0000``, older rows ``+0200``) is a bare date, whose
        deadline time is ``deadline_time`` in the portal's zone."""
        if not isinstance(value, str) or not value.strip():
            return None
        text = value.strip()
        bare = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:T00:00:00(?:\.0+)?(?:Z|[+-]\d{2}:?\d{2})?)?", text)
        try:
            if bare:
                day = parse_date(bare.group(1), self.zone)
                if day is None:
                    return None
                clock = self.deadline_clock if deadline else time(0, 0)
                return datetime.combine(day.date(), clock, self.zone)
            return parse_date(text, self.zone)
        except DateError:
            return None

    def record(self, ident: str, row: dict[str, Any], now: datetime, warnings: list[str]) -> CallRecord:
        meta = row.get("metadata")
        if not isinstance(meta, dict):
            raise ValueError("no metadata")
        actions, _ = loads_lenient(_first(meta, "actions"))
        action = actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}
        deadlines = [d for d in (self._when(v, True) for v in meta.get("deadlineDate") or []) if d]
        if not deadlines:
            deadlines = [d for d in (self._when(v, True) for v in action.get("deadlineDates") or []) if d]
        opens_at = self._when(_first(meta, "startDate"), False) or self._when(action.get("plannedOpeningDate"), False)
        claimed = str((action.get("status") or {}).get("abbreviation") or "").lower() or STATUS_CODES.get(
            str(_first(meta, "status") or ""), ""
        )
        status = "closed" if claimed == "closed" else status_at(opens_at, deadlines, now)
        if not (opens_at or deadlines) and claimed in ("open", "forthcoming"):
            status = claimed
        description = html_to_text(_first(meta, "descriptionByte") or "")
        kind_code = str(_first(meta, "type") or "")
        framework = str(_first(meta, "frameworkProgramme") or "")
        call_title = clean(_first(meta, "callTitle") or "")
        budget_text, budget, cut = topic_budget(_first(meta, "budgetOverview"), ident)
        if cut:
            warnings.append(f"{ident}: budgetOverview is cut short; only its complete entries were read")
        extra: dict[str, Any] = {
            "type": "cascade" if kind_code == "8" else "topic",
            "call_identifier": clean(_first(meta, "callIdentifier") or ""),
            "call_title": call_title,
            "framework_programme": framework,
            "programme_period": clean(_first(meta, "programmePeriod") or ""),
            "types_of_action": _texts(meta, "typesOfAction"),
            "deadline_model": clean(_first(meta, "deadlineModel") or ""),
            "portal_status": claimed,
            "keywords": _texts(meta, "keywords"),
            "tags": _texts(meta, "tags"),
            "cross_cutting_priorities": _texts(meta, "crossCuttingPriorities"),
        }
        if budget:
            extra["budget"] = budget
        return CallRecord(
            source=self.source,
            external_id=ident,
            title=clean(_first(meta, "title") or row.get("summary") or ident),
            url=self._public_url(ident, kind_code, meta, row),
            funder=self.opts.funder,
            programme=self._programme(ident, framework, call_title)[:300],
            summary=excerpt(description),
            description=description,
            language=clean(_first(meta, "language") or self.opts.language or "en")[:8],
            status=status,
            opens_at=opens_at,
            deadlines=deadlines,
            budget=budget_text,
            extra={k: v for k, v in extra.items() if v not in ("", [], None)},
        )

    def _programme(self, ident: str, framework: str, call_title: str) -> str:
        if framework in FRAMEWORKS:
            return FRAMEWORKS[framework]
        prefix = ident.split("-", 1)[0].upper()
        return PREFIXES.get(prefix) or self.opts.programme or call_title

    @staticmethod
    def _public_url(ident: str, kind_code: str, meta: dict[str, Any], row: dict[str, Any]) -> str:
        if kind_code == "8":
            call_id = clean(str(_first(meta, "callccm2Id") or ""))
            if call_id:
                return CASCADE_URL.format(call_id)
            listed = safe_url(str(row.get("url") or ""))
            if listed:
                return listed
        return TOPIC_URL.format(quote(ident, safe="-_."))
