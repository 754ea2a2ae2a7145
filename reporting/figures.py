"""The yearly report's figures, computed from the year's facts. Pure: no database, no clock (``now`` is given).

Input: an object with the attributes of ``store.report.YearFacts`` (``year``, ``followups``: objects with the
attributes of ``store.report.FollowUpFact``, ``matched``: profile id -> call ids) and profile id -> name.

**Which year an event counts in** (each by the date of its own step, so one application can count as
submitted in one year and decided in the next):

- *marked interesting*: the interest date, ``interested_on``; when it is missing, the earliest later step
  date; when all are missing, the day the follow-up was created;
- *submitted*: ``submitted_on``, for a follow-up whose status is ``inskickad``, ``beviljad``, ``avslag`` or
  ``avstar`` (one withdrawn after it was submitted was still submitted);
- *granted* / *rejected*: ``decided_on`` of a follow-up whose status is ``beviljad`` / ``avslag``;
- *withdrawn*: ``decided_on`` of a follow-up whose status is ``avstar`` (else the day it was last changed).

**Amounts** are in whole SEK: a record in EUR is converted with its own ``eur_rate`` (SEK per EUR) and rounded
to the krona (half up), record by record; the rates used are listed. A EUR record without a rate is left out
of the sums, with a warning. *Applied for* sums ``amount_applied`` of the applications submitted in the year;
*granted* sums ``amount_granted`` of those granted in the year; *co-financing committed* sums ``cofinancing``
of those granted in the year (the municipality's own money bound by a granted project).

**Success rate** = granted / (granted + rejected), both counted by decision date in the year; withdrawn
applications and those still waiting are not in it. None when nothing was decided.

**International partners**: the partners of the applications submitted in the year whose country is given
and is not SE, counted once per (name, country) within an administration and once within the municipality.

**Calls matched**: see ``store.report`` (calls first listed in the administration's digests that year). The
municipality's figure counts a call matched by several administrations once, so it can be less than the sum.

**EU / national / other**: each application by its call, with ``reporting.funding.classify_funding``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from reporting.formatting import STATUS_LABELS, STOCKHOLM, country_name
from reporting.funding import CATEGORIES, LABELS, classify_funding

SUBMITTED_STATES = ("inskickad", "beviljad", "avslag", "avstar")
HOME_COUNTRY = "SE"


@dataclass(frozen=True)
class CategoryFigures:
    """Applications and money of one kind of funding (EU, national, other)."""

    submitted: int = 0
    applied_sek: int = 0
    granted: int = 0
    granted_sek: int = 0


@dataclass(frozen=True)
class Figures:
    """The figures of one administration, or of the whole municipality (``key`` "")."""

    key: str
    name: str
    matched: int = 0
    interested: int = 0
    submitted: int = 0
    granted: int = 0
    rejected: int = 0
    withdrawn: int = 0
    applied_sek: int = 0
    granted_sek: int = 0
    cofinancing_sek: int = 0
    #: international partners (distinct name and country) and their countries (ISO codes, sorted)
    partners: int = 0
    partner_countries: tuple[str, ...] = ()
    #: applications submitted in the year that have at least one international partner
    with_partners: int = 0
    by_category: Mapping[str, CategoryFigures] = field(default_factory=dict)

    @property
    def decided(self) -> int:
        return self.granted + self.rejected

    @property
    def success_rate(self) -> float | None:
        """granted / (granted + rejected); None when nothing was decided."""
        return self.granted / self.decided if self.decided else None

    def category(self, key: str) -> CategoryFigures:
        return self.by_category.get(key, CategoryFigures())


@dataclass(frozen=True)
class RateUse:
    """A EUR record whose amounts count in the year, and the rate it was converted with."""

    followup_id: int
    administration: str
    call_title: str
    rate: float


@dataclass(frozen=True)
class RecordLine:
    """One follow-up as the report lists it, with what it counts as in the year."""

    followup_id: int
    profile_id: str
    administration: str
    call_title: str
    call_url: str
    funder: str
    programme: str
    source: str
    category: str
    status: str
    interested_on: date | None
    applying_on: date | None
    submitted_on: date | None
    decided_on: date | None
    currency: str
    eur_rate: float | None
    amount_applied: int | None
    amount_granted: int | None
    cofinancing: int | None
    applied_sek: int | None
    granted_sek: int | None
    cofinancing_sek: int | None
    partners: tuple[tuple[str, str], ...]
    #: the steps of this record that fall in the report's year (Swedish words; "ansöker" is listed, not counted)
    counted_as: tuple[str, ...]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def category_label(self) -> str:
        return LABELS[self.category]

    @property
    def partners_text(self) -> str:
        return "; ".join(f"{name} ({country_name(code)})" if code else name for name, code in self.partners)


@dataclass(frozen=True)
class YearReport:
    year: int
    generated_at: datetime
    #: the one administration the report is limited to, or None for the whole municipality
    profile_id: str | None
    rows: tuple[Figures, ...]
    #: the whole municipality (or, for one administration, the same as its row)
    total: Figures
    records: tuple[RecordLine, ...]
    rates: tuple[RateUse, ...]
    warnings: tuple[str, ...]
    #: the facts the figures came from, for sections that need more than the figures
    facts: Any = None

    @property
    def scope(self) -> str:
        return self.rows[0].name if self.profile_id is not None and self.rows else "Hela kommunen"

    @property
    def in_progress(self) -> bool:
        """True while the year is not over (the figures run to the day the report was made)."""
        return self.generated_at.astimezone(STOCKHOLM).year <= self.year


def to_sek(amount: int | None, currency: str, rate: float | None) -> int | None:
    """An amount in whole SEK (EUR × rate, rounded half up); None when there is no amount or no usable rate."""
    if amount is None:
        return None
    if currency == "SEK":
        return int(amount)
    if currency == "EUR" and rate is not None and rate > 0:
        return int((Decimal(int(amount)) * Decimal(str(rate))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return None


def interest_date(f) -> date | None:
    if f.interested_on is not None:
        return f.interested_on
    later = [d for d in (f.applying_on, f.submitted_on, f.decided_on) if d is not None]
    return min(later) if later else f.created_on


def _in(day: date | None, year: int) -> bool:
    return day is not None and day.year == year


@dataclass(frozen=True)
class _Events:
    interested: bool
    submitted: bool
    granted: bool
    rejected: bool
    withdrawn: bool


def events_in_year(f, year: int) -> _Events:
    """Which of a follow-up's events count in ``year`` (the rules in the module's text)."""
    return _Events(
        interested=_in(interest_date(f), year),
        submitted=f.status in SUBMITTED_STATES and _in(f.submitted_on, year),
        granted=f.status == "beviljad" and _in(f.decided_on, year),
        rejected=f.status == "avslag" and _in(f.decided_on, year),
        withdrawn=f.status == "avstar" and _in(f.decided_on or f.updated_on, year),
    )


def _international(partners: Iterable[Any]) -> set[tuple[str, str]]:
    return {(p.name.casefold().strip(), p.country) for p in partners if p.country and p.country != HOME_COUNTRY}


class _Tally:
    """Running sums of one administration (or the municipality)."""

    def __init__(self) -> None:
        self.counts = dict.fromkeys(("interested", "submitted", "granted", "rejected", "withdrawn"), 0)
        self.money = dict.fromkeys(("applied", "granted", "cofinancing"), 0)
        self.partners: set[tuple[str, str]] = set()
        self.with_partners = 0
        self.categories = {
            key: dict.fromkeys(("submitted", "applied", "granted", "granted_sek"), 0) for key in CATEGORIES
        }

    def add(
        self, events: _Events, category: str, applied: int | None, granted: int | None, cofin: int | None, partners
    ) -> None:
        for name in self.counts:
            self.counts[name] += int(getattr(events, name))
        cat = self.categories[category]
        if events.submitted:
            self.money["applied"] += applied or 0
            cat["submitted"] += 1
            cat["applied"] += applied or 0
            found = _international(partners)
            self.partners |= found
            self.with_partners += int(bool(found))
        if events.granted:
            self.money["granted"] += granted or 0
            self.money["cofinancing"] += cofin or 0
            cat["granted"] += 1
            cat["granted_sek"] += granted or 0

    def figures(self, key: str, name: str, matched: int) -> Figures:
        return Figures(
            key=key,
            name=name,
            matched=matched,
            applied_sek=self.money["applied"],
            granted_sek=self.money["granted"],
            cofinancing_sek=self.money["cofinancing"],
            partners=len(self.partners),
            partner_countries=tuple(sorted({country for _, country in self.partners})),
            with_partners=self.with_partners,
            by_category={
                key: CategoryFigures(c["submitted"], c["applied"], c["granted"], c["granted_sek"])
                for key, c in self.categories.items()
            },
            **self.counts,
        )


def _warnings_for(f, name: str, events: _Events) -> list[str]:
    label = f"Uppföljning {f.id} ({name}: {f.call_title})"
    out = []
    needs_money = events.submitted or events.granted
    if needs_money and f.currency == "EUR" and not (f.eur_rate and f.eur_rate > 0):
        out.append(f"{label}: belopp i EUR utan växelkurs räknas inte in i summorna.")
    elif needs_money and f.currency not in ("SEK", "EUR"):
        out.append(f"{label}: okänd valuta {f.currency!r}; beloppen räknas inte in i summorna.")
    else:
        if events.submitted and f.amount_applied is None:
            out.append(f"{label}: inskickad utan sökt belopp.")
        if events.granted and f.amount_granted is None:
            out.append(f"{label}: beviljad utan beviljat belopp.")
    if f.status in ("beviljad", "avslag") and f.decided_on is None:
        out.append(f"{label}: {STATUS_LABELS[f.status].lower()} utan beslutsdatum räknas inte som beslut något år.")
    if f.status in SUBMITTED_STATES and f.status != "avstar" and f.submitted_on is None:
        out.append(f"{label}: saknar datum för inskickad ansökan och räknas inte som inskickad något år.")
    if events.submitted and any(not p.country for p in f.partners):
        out.append(f"{label}: partner utan land räknas inte som internationell partner.")
    return out


def compute_report(
    facts, names: Mapping[str, str], generated_at: datetime, profile_id: str | None = None
) -> YearReport:
    """The figures per administration and for the whole municipality (or for the one ``profile_id``).

    ``names``: profile id -> administration name; every profile in it gets a row (zeros included), and so does
    any profile id found only in the facts (a removed profile, shown by its id).
    """
    year = facts.year
    ids = set(names) | {f.profile_id for f in facts.followups} | set(facts.matched)
    if profile_id is not None:
        ids = {profile_id}
    name_of = {pid: names.get(pid, pid) for pid in ids}
    tallies = {pid: _Tally() for pid in ids}
    total = _Tally()
    records: list[RecordLine] = []
    rates: list[RateUse] = []
    warnings: list[str] = []
    for f in facts.followups:
        if f.profile_id not in ids:
            continue
        name = name_of[f.profile_id]
        events = events_in_year(f, year)
        category = classify_funding(f.funder, f.programme, f.source, f.call_title)
        sums = {
            "applied": to_sek(f.amount_applied, f.currency, f.eur_rate),
            "granted": to_sek(f.amount_granted, f.currency, f.eur_rate),
            "cofinancing": to_sek(f.cofinancing, f.currency, f.eur_rate),
        }
        for tally in (tallies[f.profile_id], total):
            tally.add(events, category, sums["applied"], sums["granted"], sums["cofinancing"], f.partners)
        warnings.extend(_warnings_for(f, name, events))
        if f.currency == "EUR" and f.eur_rate and (events.submitted or events.granted):
            rates.append(RateUse(f.id, name, f.call_title, f.eur_rate))
        counted = [
            word
            for word, flag in (
                ("intresse", events.interested),
                ("ansöker", _in(f.applying_on, year)),
                ("inskickad", events.submitted),
                ("beviljad", events.granted),
                ("avslag", events.rejected),
                ("avstådd", events.withdrawn),
            )
            if flag
        ]
        if not counted:  # only edited during the year: nothing of it counts, so it is not listed
            continue
        records.append(
            RecordLine(
                followup_id=f.id,
                profile_id=f.profile_id,
                administration=name,
                call_title=f.call_title,
                call_url=f.call_url,
                funder=f.funder,
                programme=f.programme,
                source=f.source,
                category=category,
                status=f.status,
                interested_on=f.interested_on,
                applying_on=f.applying_on,
                submitted_on=f.submitted_on,
                decided_on=f.decided_on,
                currency=f.currency,
                eur_rate=f.eur_rate,
                amount_applied=f.amount_applied,
                amount_granted=f.amount_granted,
                cofinancing=f.cofinancing,
                applied_sek=sums["applied"],
                granted_sek=sums["granted"],
                cofinancing_sek=sums["cofinancing"],
                partners=tuple((p.name, p.country) for p in f.partners),
                counted_as=tuple(counted),
            )
        )
    matched_all: set[int] = set()
    rows = []
    for pid in sorted(ids, key=lambda p: (name_of[p].casefold(), p)):
        calls = facts.matched.get(pid, frozenset())
        matched_all |= calls
        rows.append(tallies[pid].figures(pid, name_of[pid], len(calls)))
    whole = total.figures("", "Hela kommunen", len(matched_all))
    if profile_id is not None:
        whole = rows[0]
    records.sort(key=lambda r: (r.administration.casefold(), r.call_title.casefold(), r.followup_id))
    rates.sort(key=lambda r: (r.administration.casefold(), r.followup_id))
    return YearReport(
        year=year,
        generated_at=generated_at,
        profile_id=profile_id,
        rows=tuple(rows),
        total=whole,
        records=tuple(records),
        rates=tuple(rates),
        warnings=tuple(warnings),
        facts=facts,
    )
