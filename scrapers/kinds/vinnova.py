"""``vinnova``: Vinnova's open and forthcoming application rounds, each joined to its call's text.

Vinnova's open data API (``https://data.vinnova.se/api``, CC0; shape in ``../shared/data/real/API-NOTES.md``)
keeps the dates on the *round* (ansökningsomgång: ``Oppningsdatum``, ``Stangningsdatum``, Swedish local
time) and the text and links on the *call* (utlysning). So the kind asks for the rounds changed within
``lookback_days``, keeps the public ones that are open, forthcoming or closed within ``keep_closed_days``,
and fetches their calls by diarienummer (``/utlysningar/{dnr},{dnr}``); each round becomes one record.
No real response has been captured yet: the parser tolerates missing fields and the ``"x"`` placeholder
Vinnova puts in empty English fields.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from pydantic import Field, field_validator

from errors import SourceError
from scrapers.annotate import annotate
from scrapers.base import ParseResult, Request, Response, SourceKind
from scrapers.dates import DateError, parse_date, zone_of
from scrapers.options import KindOptions, http_url, load_options
from scrapers.records import response_time, status_at
from scrapers.text import clean, excerpt, html_to_text
from scrapers.urls import safe_url
from settings import SourceSettings
from store.records import CallRecord

_PLACEHOLDERS = {"x", "-", ".", "n/a", "saknas"}


class Options(KindOptions):
    funder: str = Field("Vinnova", description="Funder shown for every round.")
    language: str = Field("sv", description="Language of the Swedish texts.")
    base_url: str = Field("https://data.vinnova.se/api", description="The open data API's base address.")
    lookback_days: int = Field(
        730, ge=1, le=4000, description="Ask for rounds changed within about this many days (from a month's start)."
    )
    since: date | None = Field(None, description="Ask for rounds changed since this date instead (`2024-01-01`).")
    keep_closed_days: int = Field(
        60, ge=0, le=3650, description="Also keep rounds closed this recently, so stored calls turn `closed`."
    )
    batch_size: int = Field(40, ge=1, le=200, description="Calls (utlysningar) asked for per request.")
    page_url: str = Field(
        "https://www.vinnova.se/sok/?q={dnr}",
        description="Public page of a round when its links give none; `{dnr}` is the call's diarienummer "
        "(unverified against the live site).",
    )

    @field_validator("base_url")
    @classmethod
    def _http(cls, value: str) -> str:
        return http_url(value).rstrip("/")

    @field_validator("page_url")
    @classmethod
    def _template(cls, value: str) -> str:
        http_url(value)
        if "{dnr}" not in value:
            raise ValueError("must contain {dnr}")
        try:
            value.format(dnr="2026-00001")
        except (KeyError, IndexError, ValueError):
            raise ValueError("may contain no other {...} than {dnr}") from None
        return value


def _text(value: Any) -> str:
    """A text field as plain text; HTML is flattened, placeholders ("x") count as empty."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    raw = str(value)
    text = html_to_text(raw) if "<" in raw and ">" in raw else "\n\n".join(clean(p) for p in raw.split("\n\n"))
    text = text.strip()
    return "" if text.casefold() in _PLACEHOLDERS else text


def _is_public(obj: dict[str, Any]) -> bool:
    value = obj.get("Publik", 1)
    return str(value).strip().lower() not in ("0", "false", "")


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _links(*objs: dict[str, Any]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for obj in objs:
        for link in _list(obj.get("LankLista")):
            if isinstance(link, dict):
                url = safe_url(str(link.get("URL") or link.get("Url") or ""))
                if url and url not in seen:
                    seen.add(url)
                    out.append({"title": clean(link.get("Beskrivning") or "") or url, "url": url})
        for doc in _list(obj.get("DokumentLista")):
            if isinstance(doc, dict):
                url = safe_url(str(doc.get("fileURL") or ""))
                if url and url not in seen:
                    seen.add(url)
                    out.append({"title": clean(doc.get("Titel") or doc.get("FileName") or "") or url, "url": url})
    return out


def _is_call_page(url: str) -> bool:
    """Vinnova's own page of a call (``https://www.vinnova.se/e/<call>/...``)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return (host == "vinnova.se" or host.endswith(".vinnova.se")) and parts.path.startswith("/e/")


class Vinnova(SourceKind):
    name = "vinnova"
    description = "Vinnova open data API: open and forthcoming application rounds joined to their calls."
    Options = Options

    def __init__(self, config: SourceSettings) -> None:
        super().__init__(config)
        self.opts = load_options(Options, config)
        self.zone = zone_of(self.opts.timezone)

    def since(self, today: date | None = None) -> date:
        """The date rounds are asked for from: ``since``, or ``lookback_days`` back rounded down to the first of
        that month, so the URL (and with it conditional requests and recordings) stays the same for a month."""
        if self.opts.since:
            return self.opts.since
        start = (today or datetime.now(UTC).date()) - timedelta(days=self.opts.lookback_days)
        return start.replace(day=1)

    def start_requests(self) -> list[Request]:
        since = self.since(self.today).isoformat()
        return [Request(url=f"{self.opts.base_url}/ansokningsomgangar/{since}", role="listing")]

    def parse(self, request: Request, response: Response) -> ParseResult:
        try:
            data = json.loads(response.body)
        except ValueError as exc:
            raise SourceError("parse_error", f"{self.source}: the API did not answer JSON ({exc})") from None
        if isinstance(data, dict):  # tolerate an envelope around the array
            data = next((v for v in data.values() if isinstance(v, list)), None)
        if not isinstance(data, list):
            raise SourceError("parse_error", f"{self.source}: expected a JSON array from {request.url}")
        items = [d for d in data if isinstance(d, dict)]
        if request.role == "calls":
            return self._join(request, items, response)
        return self._rounds(items, response)

    def _when(self, value: Any, end_of_day: bool, name: str, warnings: list[str]) -> datetime | None:
        if not value:
            return None
        try:
            return parse_date(str(value), self.zone, end_of_day=end_of_day)
        except DateError as exc:
            warnings.append(f"{name}: {exc}")
            return None

    def _rounds(self, rounds: list[dict[str, Any]], response: Response) -> ParseResult:
        now = response_time(response)
        result = ParseResult()
        keep_after = now - timedelta(days=self.opts.keep_closed_days)
        by_call: dict[str, list[dict[str, Any]]] = {}
        for number, rnd in enumerate(rounds, start=1):
            dnr = clean(str(rnd.get("Diarienummer") or ""))
            if not dnr:
                result.warnings.append(f"round {number}: no Diarienummer; skipped")
                continue
            if not _is_public(rnd):
                continue
            closes = self._when(rnd.get("Stangningsdatum"), True, dnr, result.warnings)
            planned = bool(rnd.get("AnnonseringslägeÅr"))
            if closes is None and not planned and not rnd.get("Oppningsdatum"):
                continue  # neither dates nor an announced period: nothing to track
            if closes is not None and closes < keep_after:
                continue
            call_dnr = clean(str(rnd.get("DiarienummerUtlysning") or ""))
            if call_dnr:
                by_call.setdefault(call_dnr, []).append(rnd)
            else:
                self._add(result, rnd, {}, now)
        call_dnrs = sorted(by_call)
        for start in range(0, len(call_dnrs), self.opts.batch_size):
            batch = call_dnrs[start : start + self.opts.batch_size]
            batch_rounds = [rnd for dnr in batch for rnd in by_call[dnr]]
            result.follow.append(
                Request(
                    url=f"{self.opts.base_url}/utlysningar/{quote(','.join(batch), safe=',-')}",
                    role="calls",
                    context=(("rounds", json.dumps(batch_rounds, ensure_ascii=False, sort_keys=True)),),
                )
            )
        return result

    def _join(self, request: Request, calls: list[dict[str, Any]], response: Response) -> ParseResult:
        now = response_time(response)
        result = ParseResult()
        by_dnr = {clean(str(c.get("Diarienummer") or "")): c for c in calls}
        for rnd in json.loads(request.ctx().get("rounds") or "[]"):
            call_dnr = clean(str(rnd.get("DiarienummerUtlysning") or ""))
            call = by_dnr.get(call_dnr)
            if call is None:
                result.warnings.append(f"{rnd.get('Diarienummer')}: call {call_dnr} not in the answer; round text only")
                call = {}
            elif not _is_public(call):
                continue
            self._add(result, rnd, call, now)
        return result

    def _add(self, result: ParseResult, rnd: dict[str, Any], call: dict[str, Any], now: datetime) -> None:
        try:
            result.records.append(annotate(self.record(rnd, call, now, result.warnings)))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            result.warnings.append(f"{rnd.get('Diarienummer')}: {exc}; skipped")

    def record(self, rnd: dict[str, Any], call: dict[str, Any], now: datetime, warnings: list[str]) -> CallRecord:
        dnr = clean(str(rnd.get("Diarienummer")))
        call_dnr = clean(str(rnd.get("DiarienummerUtlysning") or call.get("Diarienummer") or ""))
        opens_at = self._when(rnd.get("Oppningsdatum"), False, dnr, warnings)
        closes = self._when(rnd.get("Stangningsdatum"), True, dnr, warnings)
        deadlines = [closes] if closes else []
        language = self.opts.language or "sv"
        title = _text(rnd.get("Titel")) or _text(call.get("Titel"))
        texts = [_text(call.get("Beskrivning")), _text(rnd.get("Beskrivning"))]
        if not title and not any(texts):  # English only
            language = "en"
            title = _text(rnd.get("TitelEngelska")) or _text(call.get("TitelEngelska"))
            texts = [_text(call.get("BeskrivningEngelska")), _text(rnd.get("BeskrivningEngelska"))]
        description = "\n\n".join(dict.fromkeys(t for t in texts if t))
        planned_year = clean(str(rnd.get("AnnonseringslägeÅr") or ""))
        kind = "planned" if planned_year and not (opens_at or closes) else "call"
        status = "forthcoming" if kind == "planned" else status_at(opens_at, deadlines, now)
        links = _links(rnd, call)
        own = next((link["url"] for link in links if _is_call_page(link["url"])), None)
        extra: dict[str, Any] = {
            "call_dnr": call_dnr,
            "call_title": _text(call.get("Titel")),
            "programme_dnr": clean(str(call.get("DiarienummerProgram") or "")),
            "title_en": _text(rnd.get("TitelEngelska")) or _text(call.get("TitelEngelska")),
            "decision_expected": clean(str(rnd.get("UppskattatBeslutsdatum") or "")),
            "earliest_project_start": clean(str(rnd.get("TidigastProjektstart") or "")),
            "latest_project_start": clean(str(rnd.get("SenastProjektstart") or "")),
            "latest_project_end": clean(str(rnd.get("SenastProjektslut") or "")),
            "planned": clean(f"{planned_year} {rnd.get('AnnonseringslägePeriod') or ''}") if planned_year else "",
            "links": links,
        }
        return CallRecord(
            source=self.source,
            external_id=dnr,
            title=title or dnr,
            url=own or self.opts.page_url.format(dnr=quote(call_dnr or dnr)),
            funder=self.opts.funder,
            programme=self.opts.programme,
            summary=excerpt(description),
            description=description,
            language=language[:8],
            status=status,
            kind=kind,
            opens_at=opens_at,
            deadlines=deadlines,
            extra={k: v for k, v in extra.items() if v not in ("", [], None)},
        )
