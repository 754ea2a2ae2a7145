"""The raw facts of the yearly report: one year's follow-ups with their calls, and the calls matched per profile.

Queries take a session and return plain frozen dataclasses (no ORM objects), which the pure ``reporting``
package turns into figures. Which year an event counts in is decided there; these queries only gather every
follow-up that has anything in the year, and the calls first listed in each profile's digests that year.

"Matched" here means: a call listed for the first time in one of that profile's weekly digests (sections
``new``, ``closing`` or ``changed``; never ``duplicate`` or KLK's overview) in a digest created during the
year, in Swedish time. The digest ledger is the record of what fundwatch actually brought to an
administration; match rows are overwritten by every matching run, so they cannot say when.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from store.digest_tables import OVERVIEW_ID, Digest, DigestItem
from store.models import Call
from store.models_followup import FollowUp
from store.strategy import activity_years, goals_by_call, list_activities

#: digest sections in which a call was shown to the administration
SHOWN_SECTIONS = ("new", "closing", "changed")
TIMEZONE = "Europe/Stockholm"


@dataclass(frozen=True)
class Partner:
    name: str
    #: ISO 3166-1 alpha-2, upper case; "" when not given
    country: str


@dataclass(frozen=True)
class FollowUpFact:
    """One follow-up row with what the report needs of its call."""

    id: int
    profile_id: str
    call_id: int
    status: str
    currency: str
    eur_rate: float | None
    amount_applied: int | None
    amount_granted: int | None
    cofinancing: int | None
    interested_on: date | None
    applying_on: date | None
    submitted_on: date | None
    decided_on: date | None
    #: the row's creation and last change, as dates in Swedish time
    created_on: date | None
    updated_on: date | None
    partners: tuple[Partner, ...]
    contact_name: str
    call_title: str
    call_url: str
    funder: str
    programme: str
    source: str


@dataclass(frozen=True)
class ActivityFact:
    """One international meeting, training or study visit of the year (the strategy's activity register)."""

    held_on: date
    profile_id: str
    kind: str
    partner: str
    participants: int
    mode: str


@dataclass(frozen=True)
class YearFacts:
    """Everything the yearly report is computed from.

    ``matched``: profile id -> ids of the calls first listed in that profile's digests during the year.
    ``goals_by_call``: the Agenda 2030 goals of the follow-ups' calls; ``activities``: the year's international
    activities (both from the strategy alignment, for the sections "Agenda 2030" and "Internationellt arbete").
    """

    year: int
    followups: tuple[FollowUpFact, ...]
    matched: dict[str, frozenset[int]]
    goals_by_call: dict[int, frozenset[int]] = field(default_factory=dict)
    activities: tuple[ActivityFact, ...] = ()


def year_bounds(year: int, timezone: str = TIMEZONE) -> tuple[datetime, datetime]:
    """[start, end) of a calendar year in local time, as UTC datetimes."""
    zone = ZoneInfo(timezone)
    start = datetime(year, 1, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=zone).astimezone(UTC)
    return start, end


def _local_date(value: datetime | None, zone: ZoneInfo) -> date | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone).date()


def _partners(value: Any) -> tuple[Partner, ...]:
    out = []
    for item in value or []:
        if not isinstance(item, dict):
            continue
        name = str(item.get("name") or "").strip()
        country = str(item.get("country") or "").strip().upper()
        if name or country:
            out.append(Partner(name, country))
    return tuple(out)


def followups_for_year(
    session: Session, year: int, profile_id: str | None = None, timezone: str = TIMEZONE
) -> list[FollowUpFact]:
    """Every follow-up with a step date in ``year`` (interest, application, submission, decision), or created in
    it, with its call's title, funder, programme and source; ordered by profile and id."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    start, end = year_bounds(year, timezone)
    in_year = [
        col(FollowUp.interested_on).between(first, last),
        col(FollowUp.applying_on).between(first, last),
        col(FollowUp.submitted_on).between(first, last),
        col(FollowUp.decided_on).between(first, last),
        (col(FollowUp.created_at) >= start) & (col(FollowUp.created_at) < end),
        (col(FollowUp.updated_at) >= start) & (col(FollowUp.updated_at) < end),
    ]
    query = select(FollowUp, Call).join(Call, col(Call.id) == col(FollowUp.call_id)).where(or_(*in_year))
    if profile_id is not None:
        query = query.where(FollowUp.profile_id == profile_id)
    query = query.order_by(col(FollowUp.profile_id), col(FollowUp.id))
    zone = ZoneInfo(timezone)
    return [_fact(row, call, zone) for row, call in session.exec(query)]


def _fact(row: FollowUp, call: Call, zone: ZoneInfo) -> FollowUpFact:
    return FollowUpFact(
        id=row.id or 0,
        profile_id=row.profile_id,
        call_id=row.call_id,
        status=row.status,
        currency=(row.currency or "SEK").upper(),
        eur_rate=row.eur_rate,
        amount_applied=row.amount_applied,
        amount_granted=row.amount_granted,
        cofinancing=row.cofinancing,
        interested_on=row.interested_on,
        applying_on=row.applying_on,
        submitted_on=row.submitted_on,
        decided_on=row.decided_on,
        created_on=_local_date(row.created_at, zone),
        updated_on=_local_date(row.updated_at, zone),
        partners=_partners(row.partners),
        contact_name=row.contact_name or "",
        call_title=call.title,
        call_url=call.url,
        funder=call.funder or "",
        programme=call.programme or "",
        source=call.source,
    )


def matched_calls_for_year(
    session: Session, year: int, profile_id: str | None = None, timezone: str = TIMEZONE
) -> dict[str, frozenset[int]]:
    """profile id -> the calls first listed in that profile's digests during ``year`` (see the module's text)."""
    start, end = year_bounds(year, timezone)
    first_listed = func.min(Digest.created_at)
    query = (
        select(Digest.profile_id, DigestItem.call_id, first_listed)
        .join(Digest, col(Digest.id) == col(DigestItem.digest_id))
        .where(col(DigestItem.section).in_(SHOWN_SECTIONS), Digest.profile_id != OVERVIEW_ID)
        .group_by(col(Digest.profile_id), col(DigestItem.call_id))
        .having((first_listed >= start) & (first_listed < end))
    )
    if profile_id is not None:
        query = query.where(Digest.profile_id == profile_id)
    out: dict[str, set[int]] = {}
    for pid, call_id, _ in session.exec(query):
        out.setdefault(pid, set()).add(call_id)
    return {pid: frozenset(ids) for pid, ids in sorted(out.items())}


def year_facts(session: Session, year: int, profile_id: str | None = None, timezone: str = TIMEZONE) -> YearFacts:
    """The facts of one year's report, for every profile or one."""
    followups = tuple(followups_for_year(session, year, profile_id, timezone))
    goals = goals_by_call(session, [f.call_id for f in followups])
    return YearFacts(
        year=year,
        followups=followups,
        matched=matched_calls_for_year(session, year, profile_id, timezone),
        goals_by_call={call_id: frozenset(found) for call_id, found in goals.items()},
        activities=activities_for_year(session, year, profile_id),
    )


def activities_for_year(session: Session, year: int, profile_id: str | None = None) -> tuple[ActivityFact, ...]:
    """The year's international activities (of one profile, when given), oldest first."""
    rows = list_activities(session, year, [profile_id] if profile_id is not None else None)
    return tuple(
        ActivityFact(a.held_on, a.profile_id, a.kind, a.partner, a.participants, a.mode)
        for a in reversed(rows)
        if a.held_on is not None
    )


def report_years(session: Session, timezone: str = TIMEZONE) -> list[int]:
    """The years that have follow-up steps, digests or international activities, newest first (for choosing a
    report's year)."""
    years: set[int] = set()
    zone = ZoneInfo(timezone)
    columns: Iterable[Any] = (
        FollowUp.interested_on,
        FollowUp.applying_on,
        FollowUp.submitted_on,
        FollowUp.decided_on,
    )
    for column in columns:
        low, high = session.exec(select(func.min(column), func.max(column))).one()
        if low is not None:
            years.update(range(low.year, high.year + 1))
    low, high = session.exec(select(func.min(Digest.created_at), func.max(Digest.created_at))).one()
    if low is not None:
        years.update(range(_local_date(low, zone).year, _local_date(high, zone).year + 1))
    years.update(activity_years(session))
    return sorted(years, reverse=True)
