"""Yearly indicators for the report: international activities, and applications and grants per Agenda 2030 goal.
Pure: rows in (objects with the attributes of ``store.models_strategy.Activity`` and
``store.models_followup.FollowUp``), figures out.

Counting rules:

- an activity counts in the year it was held;
- an application counts in the year it was submitted (``submitted_on``) when its status is ``inskickad``,
  ``beviljad``, ``avslag`` or ``avstar`` (withdrawn after it was submitted); a grant counts in the year it was
  decided (``decided_on``) when ``beviljad`` (the yearly report's own rules);
- amounts are in whole SEK; an amount in EUR is converted with the follow-up's own ``eur_rate`` and rounded half
  up (when it has no rate, the amount is left out and counted in ``missing_rate``);
- a call tagged with several goals counts under each of them, so the goals' sums overlap (the report says so).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from strategy.activities import KINDS, MODES

SUBMITTED = ("inskickad", "beviljad", "avslag", "avstar")


@dataclass(frozen=True)
class ActivityIndicators:
    year: int
    activities: int = 0
    participants: int = 0
    #: kind -> (activities, participants), every kind present (zeros included)
    by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: mode -> (activities, participants)
    by_mode: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: administration (profile id) -> (activities, participants), largest first
    by_profile: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: partner city or network -> activities, most first
    by_partner: dict[str, int] = field(default_factory=dict)

    @property
    def web_share(self) -> float | None:
        """Share of activities held as web meetings (0–1), None without activities."""
        return self.by_mode.get("web", (0, 0))[0] / self.activities if self.activities else None


def _day(value: Any) -> date | None:
    return value if isinstance(value, date) else None


def activity_indicators(activities: Iterable[Any], year: int) -> ActivityIndicators:
    """Counts of one year's activities: by kind, by travel or web, by administration and by partner."""
    rows = [a for a in activities if (d := _day(a.held_on)) is not None and d.year == year]
    by_kind = {kind: (0, 0) for kind in KINDS}
    by_mode = {mode: (0, 0) for mode in MODES}
    by_profile: dict[str, tuple[int, int]] = {}
    by_partner: dict[str, int] = {}
    for a in rows:
        people = int(a.participants or 0)
        for table, key in ((by_kind, a.kind), (by_mode, a.mode), (by_profile, a.profile_id)):
            count, total = table.get(key, (0, 0))
            table[key] = (count + 1, total + people)
        by_partner[a.partner] = by_partner.get(a.partner, 0) + 1
    return ActivityIndicators(
        year=year,
        activities=len(rows),
        participants=sum(int(a.participants or 0) for a in rows),
        by_kind=by_kind,
        by_mode=by_mode,
        by_profile=dict(sorted(by_profile.items(), key=lambda kv: (-kv[1][0], kv[0]))),
        by_partner=dict(sorted(by_partner.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


@dataclass
class GoalSums:
    goal: int
    applications: int = 0
    applied_sek: int = 0
    granted: int = 0
    granted_sek: int = 0


@dataclass(frozen=True)
class SdgSums:
    year: int
    #: one row per goal 1–17 (zeros included), in goal order
    goals: tuple[GoalSums, ...]
    #: applications and grants of the year whose calls have no goal
    untagged_applications: int = 0
    untagged_granted: int = 0
    #: EUR amounts left out because the follow-up has no exchange rate
    missing_rate: int = 0


def _sek(followup: Any, amount: int | None) -> int | None:
    if amount is None:
        return 0
    if (getattr(followup, "currency", "SEK") or "SEK") == "EUR":
        rate = getattr(followup, "eur_rate", None)
        if not rate or rate <= 0:
            return None
        return int((Decimal(int(amount)) * Decimal(str(rate))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return int(amount)


def sdg_sums(followups: Iterable[Any], goals_by_call: Mapping[int, Iterable[int]], year: int) -> SdgSums:
    """Applications and granted amounts per goal for one year (see the module's counting rules)."""
    sums = {n: GoalSums(n) for n in range(1, 18)}
    untagged_applications = untagged_granted = missing = 0
    for f in followups:
        goals = sorted(set(goals_by_call.get(f.call_id, ())))
        submitted = _day(f.submitted_on)
        decided = _day(f.decided_on)
        applied = f.status in SUBMITTED and submitted is not None and submitted.year == year
        granted = f.status == "beviljad" and decided is not None and decided.year == year
        applied_sek = _sek(f, f.amount_applied) if applied else 0
        granted_sek = _sek(f, f.amount_granted) if granted else 0
        missing += (applied_sek is None) + (granted_sek is None)
        if not goals:
            untagged_applications += applied
            untagged_granted += granted
        for n in goals:
            row = sums[n]
            if applied:
                row.applications += 1
                row.applied_sek += applied_sek or 0
            if granted:
                row.granted += 1
                row.granted_sek += granted_sek or 0
    return SdgSums(year, tuple(sums.values()), untagged_applications, untagged_granted, missing)
