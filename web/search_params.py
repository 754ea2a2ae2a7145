"""The Sök page's query string: read into filters (the same for the page, the CSV and the JSON API)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from store.models import KINDS, STATUSES
from store.search import SORTS, SearchFilters
from web.formatting import TZ

PAGE_SIZES = (10, 25, 50, 100)
MAX_PAGE = 10_000


@dataclass
class SearchForm:
    q: str = ""
    funders: list[str] = field(default_factory=list)
    programmes: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    deadline_from: str = ""
    deadline_to: str = ""
    municipal: bool = False
    profile: str = ""
    #: Agenda 2030 goals (1–17)
    sdg: list[int] = field(default_factory=list)
    #: only calls aimed at children and young people
    child_youth: bool = False
    sort: str = "relevance"
    page: int = 1
    per_page: int = 25
    #: field name -> Swedish message for values that could not be used
    errors: dict[str, str] = field(default_factory=dict)

    def filters(self) -> SearchFilters:
        return SearchFilters(
            funders=self.funders,
            programmes=self.programmes,
            statuses=self.statuses,
            kinds=self.kinds,
            languages=self.languages,
            deadline_from=_day(self.deadline_from, start=True),
            deadline_to=_day(self.deadline_to, start=False),
            open_to_municipalities=self.municipal,
            profile_id=self.profile,
            sdg_goals=self.sdg,
            child_youth=self.child_youth,
        )

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def params(self, **changes) -> list[tuple[str, str]]:
        """The query string pairs of this search (with ``changes``), leaving out defaults."""
        values = {
            "q": self.q,
            "funder": self.funders,
            "programme": self.programmes,
            "status": self.statuses,
            "kind": self.kinds,
            "language": self.languages,
            "from": self.deadline_from,
            "to": self.deadline_to,
            "municipal": "1" if self.municipal else "",
            "profile": self.profile,
            "sdg": [str(goal) for goal in self.sdg],
            "barn": "1" if self.child_youth else "",
            "sort": "" if self.sort == "relevance" else self.sort,
            "page": "" if self.page == 1 else str(self.page),
            "per_page": "" if self.per_page == 25 else str(self.per_page),
        }
        values.update(changes)
        pairs: list[tuple[str, str]] = []
        for key, value in values.items():
            for item in value if isinstance(value, list) else [value]:
                if item not in ("", None):
                    pairs.append((key, str(item)))
        return pairs

    def url(self, path: str = "/", **changes) -> str:
        query = urlencode(self.params(**changes))
        return f"{path}?{query}" if query else path

    @property
    def active_filters(self) -> bool:
        return bool(
            self.funders
            or self.programmes
            or self.statuses
            or self.kinds
            or self.languages
            or self.deadline_from
            or self.deadline_to
            or self.municipal
            or self.profile
            or self.sdg
            or self.child_youth
        )


def _day(text: str, start: bool) -> datetime | None:
    if not text:
        return None
    day = date.fromisoformat(text)
    return datetime.combine(day, time.min if start else time(23, 59, 59), tzinfo=TZ)


def _int(value: str | None, default: int) -> int | None:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        return None


def parse_search(params: QueryParams) -> SearchForm:
    """Read the query string; unusable values are dropped and explained in ``errors`` (never an exception)."""
    form = SearchForm(
        q=params.get("q", "")[:500],
        funders=[v for v in params.getlist("funder") if v][:50],
        programmes=[v for v in params.getlist("programme") if v][:50],
        statuses=[v for v in params.getlist("status") if v in STATUSES],
        kinds=[v for v in params.getlist("kind") if v in KINDS],
        languages=[v for v in params.getlist("language") if v][:20],
        municipal=params.get("municipal", "") in ("1", "on", "true"),
        profile=params.get("profile", "")[:100],
        sdg=sorted({int(v) for v in params.getlist("sdg") if v.isascii() and v.isdigit() and 1 <= int(v) <= 17}),
        child_youth=params.get("barn", "") in ("1", "on", "true"),
    )
    for key, label in (("from", "deadline_from"), ("to", "deadline_to")):
        text = params.get(key, "").strip()
        if not text:
            continue
        try:
            date.fromisoformat(text)
            setattr(form, label, text)
        except ValueError:
            form.errors[key] = "Ange datumet som ÅÅÅÅ-MM-DD, till exempel 2026-12-31."
    if form.deadline_from and form.deadline_to and form.deadline_from > form.deadline_to:
        form.errors["to"] = "Slutdatumet ligger före startdatumet."
    sort = params.get("sort", "relevance")
    form.sort = sort if sort in SORTS else "relevance"
    page = _int(params.get("page"), 1)
    form.page = min(max(page or 1, 1), MAX_PAGE)
    per_page = _int(params.get("per_page"), 25)
    form.per_page = per_page if per_page in PAGE_SIZES else 25
    return form
