"""KLK's weekly overview from plain data: each administration's top matches, calls that matched several
administrations (a chance for a joint application) and the sources in trouble. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from alerts.digest import DigestOptions, Entry, make_entry, select_new
from alerts.links import Links
from alerts.text import plural, short, swedish_date, week_number


@dataclass(frozen=True)
class OverviewSection:
    profile_id: str
    profile_name: str
    entries: tuple[Entry, ...]
    list_url: str


@dataclass(frozen=True)
class JointCall:
    """A call that matched several administrations: a chance for a joint application."""

    entry: Entry
    #: (administration name, score), best first
    profiles: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class SourceProblem:
    name: str
    state: str
    state_text: str
    last_ok: str
    last_error: str
    reason: str
    alerts: tuple[str, ...]


@dataclass(frozen=True)
class Overview:
    week: str
    subject: str
    sections: tuple[OverviewSection, ...]
    joint: tuple[JointCall, ...]
    sources: tuple[SourceProblem, ...]
    #: operator alerts of the week (failed or re-sent messages), in Swedish
    alerts: tuple[str, ...]
    generated_at: datetime
    base_url: str = ""


SOURCE_STATE_SV = {"unhealthy": "fel", "stale": "inaktuell"}


def build_overview(
    profiles: Sequence[Any],
    matches: Mapping[str, Sequence[tuple[Any, Any]]],
    feedback: Mapping[str, Mapping[int, str]],
    sources: Sequence[Any],
    alerts: Sequence[str],
    now: datetime,
    week: str,
    links: Links,
    options: DigestOptions,
    top: int = 5,
) -> Overview:
    """KLK's weekly overview: each administration's top matches, calls several matched, sources in trouble."""
    sections = []
    by_call: dict[int, tuple[Any, Any, list[tuple[str, float]]]] = {}
    for profile in profiles:
        chosen = select_new(profile, matches.get(profile.id, ()), feedback.get(profile.id, {}), now, options, 10_000)
        for match, call in chosen:
            slot = by_call.setdefault(call.id, (match, call, []))
            slot[2].append((short(profile.name, 80), float(match.score)))
        entries = tuple(make_entry(c, now, links, options, match=m) for m, c in chosen[:top])
        sections.append(OverviewSection(profile.id, short(profile.name, 80), entries, links.profile(profile.id)))
    joint = []
    for _match, call, names in by_call.values():
        if len(names) >= 2:
            names.sort(key=lambda ns: (-ns[1], ns[0]))
            joint.append(JointCall(make_entry(call, now, links, options), tuple(names)))
    joint.sort(key=lambda j: (-len(j.profiles), -j.profiles[0][1], j.entry.call_id))
    problems = tuple(
        SourceProblem(
            name=short(s.name, 100),
            state=s.state,
            state_text=SOURCE_STATE_SV[s.state],
            last_ok=swedish_date(s.last_ok_at) if getattr(s, "last_ok_at", None) else "aldrig",
            last_error=short(getattr(s, "last_error", ""), 500),
            reason=short(getattr(s, "reason", ""), 40),
            alerts=tuple(short(a, 200) for a in (getattr(s, "alerts", None) or ())),
        )
        for s in sources
        if s.state in SOURCE_STATE_SV
    )
    total = sum(len(s.entries) for s in sections)
    subject = f"Veckoöversikt för KLK – vecka {week_number(week)} ({plural(total, 'träff', 'träffar')}"
    subject += f", {plural(len(problems), 'källa', 'källor')} med problem)" if problems else ")"
    return Overview(
        week=week,
        subject=subject,
        sections=tuple(sections),
        joint=tuple(joint[:20]),
        sources=problems,
        alerts=tuple(short(a, 300) for a in alerts[:20]),
        generated_at=now,
        base_url=links.base,
    )
