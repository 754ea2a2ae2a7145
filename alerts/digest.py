"""Building a weekly digest from plain data. Pure: no database, no network, no clock (``now`` is given).

Inputs are objects with the attributes of ``store.models.Call``, ``Match`` and ``CallChange`` (the
stored rows, or any stand-ins), a profile from ``matcher.profiles`` and the feedback of that profile.
Every piece of scraped text is cleaned (no control characters), cut to length and kept as plain text;
escaping is the templates' job, and links are only made from http(s) URLs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Any

from alerts.links import Links
from alerts.text import (
    STATUS_SV,
    clean,
    days_left,
    days_left_text,
    plural,
    safe_http_url,
    short,
    swedish_date,
    week_number,
)

#: call fields whose change is reported under "Ändrat", with their Swedish labels
CHANGE_LABELS = {
    "deadline_at": "Deadline",
    "deadlines": "Deadlines",
    "opens_at": "Öppnar",
    "status": "Status",
    "title": "Titel",
    "summary": "Sammanfattning",
    "description": "Beskrivning",
    "budget": "Budget",
    "applicant_types": "Vem kan söka",
}
_LONG_TEXT = {"summary", "description"}


@dataclass(frozen=True)
class DigestOptions:
    """The ``[digest]`` settings a build needs."""

    min_score: float = 0.3
    closing_days: int = 14
    title_chars: int = 200
    summary_chars: int = 300
    send_empty: bool = False


@dataclass(frozen=True)
class Entry:
    """One call as a digest shows it; every text is clean plain text, every link safe."""

    call_id: int
    title: str
    #: the call's own page at the funder (http/https only), or None: then the title is not a link
    url: str | None
    #: the call's page in the fundwatch web UI
    web_url: str
    funder: str = ""
    programme: str = ""
    status: str = ""
    #: every cut-off in Swedish ("15 december 2026"), ascending
    deadlines: tuple[str, ...] = ()
    next_deadline: str = ""
    days_left: int | None = None
    days_left_text: str = ""
    budget: str = ""
    applicants: str = ""
    summary: str = ""
    score: float | None = None
    priority: str = ""
    reasons: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    #: what changed since the last digest, in Swedish ("Deadline: 1 december 2026 → 15 december 2026")
    changes: tuple[str, ...] = ()
    relevant_url: str = ""
    not_relevant_url: str = ""
    #: the record kind in Swedish when it is not a plain call ("Löpande stöd ...", "Återkommande ...")
    kind: str = ""
    #: the same call at other sources: (where, link), e.g. ("EuroAccess", "https://...")
    also: tuple[tuple[str, str], ...] = ()
    #: strategy fit in Swedish, e.g. ("Partner: Gdańsk, Wismar kan delta (Interreg Södra Östersjön)",
    #: "Agenda 2030: mål 6, 14")
    strategy: tuple[str, ...] = ()
    #: the administration's follow-up status in Swedish ("Ansöker"), or "" when it follows nothing up yet
    followup_status: str = ""


#: record kinds other than a plain call, as a digest names them
KIND_SV = {
    "recurring": "Återkommande utlysning (samma period varje år)",
    "scheme": "Löpande stöd – kan sökas när som helst",
    "planned": "Planerad utlysning – inte öppen ännu",
}


@dataclass(frozen=True)
class Digest:
    profile_id: str
    profile_name: str
    week: str
    subject: str
    new: tuple[Entry, ...]
    closing: tuple[Entry, ...]
    changed: tuple[Entry, ...]
    calendar_url: str
    list_url: str
    generated_at: datetime
    send_empty: bool = False
    profile_version: str = ""
    #: calls not shown because the same call from another source is shown now or was in an earlier digest
    absorbed: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        """Nothing new and nothing closing (changes alone do not make a mail)."""
        return not self.new and not self.closing

    @property
    def should_send(self) -> bool:
        return not self.empty or self.send_empty


# --- pieces -------------------------------------------------------------------------------------


def _parse(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else None
    return None


def cutoffs(call: Any) -> list[datetime]:
    """Every cut-off of a call, ascending (``deadlines``, else ``deadline_at``)."""
    found = [d for d in (_parse(v) for v in (getattr(call, "deadlines", None) or [])) if d is not None]
    if not found and getattr(call, "deadline_at", None) is not None:
        found = [call.deadline_at]
    return sorted(set(found))


def next_cutoff(call: Any, now: datetime) -> datetime | None:
    return next((d for d in cutoffs(call) if d >= now), None)


def is_current(call: Any, now: datetime) -> bool:
    """Still worth telling people about: listed, not closed, and not past its final deadline."""
    return _current(call, cutoffs(call), now)


def _current(call: Any, all_cutoffs: Sequence[datetime], now: datetime) -> bool:
    if getattr(call, "status", "open") == "closed" or not getattr(call, "listed", True):
        return False
    return not all_cutoffs or all_cutoffs[-1] >= now


def _explanation(match: Any) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    raw = getattr(match, "explanation", None) if match is not None else None
    if not isinstance(raw, Mapping):
        return "", (), ()
    priority = short(raw.get("priority", ""), 120)
    reasons = raw.get("reasons") or []
    reasons = tuple(short(r, 200) for r in reasons[:3] if isinstance(r, str) and clean(r))
    terms_raw = [t for t in (raw.get("terms") or []) if isinstance(t, Mapping) and clean(t.get("term"))]
    terms_raw.sort(key=lambda t: -float(t.get("weight") or 0) if isinstance(t.get("weight"), int | float) else 0)
    terms: list[str] = []
    for item in terms_raw:
        term = short(item.get("term"), 40)
        if term not in terms:
            terms.append(term)
    return priority, reasons, tuple(terms[:8])


def _change_note(change: Any) -> str | None:
    name = getattr(change, "field", "")
    label = CHANGE_LABELS.get(name)
    if label is None:
        return None
    if name in _LONG_TEXT:
        return f"{label} har ändrats"
    old, new = getattr(change, "old_value", None), getattr(change, "new_value", None)
    if name in ("deadline_at", "opens_at"):
        old_d, new_d = _parse(old), _parse(new)
        old = swedish_date(old_d) if old_d else "saknades"
        new = swedish_date(new_d) if new_d else "borttagen"
    elif name == "status":
        old, new = STATUS_SV.get(old or "", clean(old)), STATUS_SV.get(new or "", clean(new))
    elif name == "deadlines":
        return f"{label} har ändrats"
    else:
        old, new = short(old, 80) or "–", short(new, 80) or "–"
    return f"{label}: {old} → {new}"


def change_notes(changes: Sequence[Any]) -> tuple[str, ...]:
    fields = {getattr(c, "field", "") for c in changes}
    notes: list[str] = []
    for change in changes:
        if change.field == "deadlines" and "deadline_at" in fields:
            continue  # the final deadline's note says it
        note = _change_note(change)
        if note and note not in notes:
            notes.append(note)
    return tuple(notes)


def _group(call: Any) -> str | None:
    return getattr(call, "group_key", None) or None


def other_links(call: Any, groups: Mapping[str, Sequence[Any]] | None) -> tuple[tuple[str, str], ...]:
    """(where, link) of the same call at the other sources of its group; only http(s) links, each once."""
    key = _group(call)
    if not key or not groups:
        return ()
    own = safe_http_url(getattr(call, "url", None))
    out: list[tuple[str, str]] = []
    for other in groups.get(key, ()):
        url = safe_http_url(getattr(other, "url", None))
        if other.id == call.id or not url or url == own or url in (u for _, u in out):
            continue
        where = short(getattr(other, "funder", "") or getattr(other, "source", ""), 80) or "annan källa"
        out.append((where, url))
    return tuple(out[:5])


def make_entry(
    call: Any,
    now: datetime,
    links: Links,
    options: DigestOptions,
    *,
    match: Any = None,
    profile_id: str | None = None,
    changes: Sequence[Any] = (),
    groups: Mapping[str, Sequence[Any]] | None = None,
    strategy: Mapping[int, Sequence[str]] | None = None,
    followup_status: str = "",
) -> Entry:
    """One call as a digest shows it; feedback links only when ``profile_id`` is given; ``groups`` (group key ->
    calls) gives the links of the same call at other sources; ``strategy`` (call id -> lines) its strategy fit;
    ``followup_status``: the profile's follow-up."""
    all_cutoffs = cutoffs(call)
    upcoming = next_cutoff(call, now)
    days = days_left(upcoming, now) if upcoming else None
    priority, reasons, terms = _explanation(match)
    summary = getattr(call, "summary", "") or getattr(call, "description", "")
    applicants = [short(a, 60) for a in (getattr(call, "applicant_types", None) or [])[:12] if clean(a)]
    return Entry(
        call_id=call.id,
        title=short(call.title, options.title_chars) or "(utan titel)",
        url=safe_http_url(getattr(call, "url", None)),
        web_url=links.call(call.id),
        funder=short(getattr(call, "funder", ""), 150),
        programme=short(getattr(call, "programme", ""), 150),
        status=STATUS_SV.get(getattr(call, "status", ""), ""),
        deadlines=tuple(swedish_date(d) for d in all_cutoffs),
        next_deadline=swedish_date(upcoming) if upcoming else "",
        days_left=days,
        days_left_text=days_left_text(days) if days is not None else "",
        budget=short(getattr(call, "budget", ""), 200),
        applicants=truncate_join(applicants, 300),
        summary=short(summary, options.summary_chars),
        score=float(match.score) if match is not None else None,
        priority=priority,
        reasons=reasons,
        terms=terms,
        changes=change_notes(changes),
        relevant_url=links.feedback(profile_id, call.id, "relevant") if profile_id else "",
        not_relevant_url=links.feedback(profile_id, call.id, "not_relevant") if profile_id else "",
        kind=KIND_SV.get(getattr(call, "kind", "call") or "call", ""),
        also=other_links(call, groups),
        strategy=tuple(short(line, 200) for line in (strategy or {}).get(call.id, ())[:4] if clean(line)),
        followup_status=clean(followup_status),
    )


def truncate_join(parts: Sequence[str], limit: int) -> str:
    return short(", ".join(parts), limit)


def threshold(profile: Any, options: DigestOptions) -> float:
    value = getattr(profile, "min_score", None)
    return options.min_score if value is None else float(value)


def select_new(
    profile: Any,
    candidates: Sequence[tuple[Any, Any]],
    feedback: Mapping[int, str],
    now: datetime,
    options: DigestOptions,
    limit: int | None = None,
) -> list[tuple[Any, Any]]:
    """Matches worth sending: above the threshold, not marked not relevant, still current; best first."""
    floor = threshold(profile, options)
    far = now + timedelta(days=36500)
    keyed = []  # (sort key, match, call): each call's cut-offs are worked out once
    for m, c in candidates:
        if not (m.score >= floor and feedback.get(c.id) != "not_relevant"):
            continue
        all_cutoffs = cutoffs(c)
        if _current(c, all_cutoffs, now):
            upcoming = next((d for d in all_cutoffs if d >= now), None)
            keyed.append(((-m.score, upcoming or far, c.id), m, c))
    keyed.sort(key=itemgetter(0))
    chosen = one_per_group([(m, c) for _, m, c in keyed])
    return chosen[: limit if limit is not None else getattr(profile, "max_matches", 10)]


def one_per_group(pairs: Sequence[tuple[Any, Any]], taken: set[str] | None = None) -> list[tuple[Any, Any]]:
    """(match, call) pairs, best first, keeping the first of each duplicate group (and none of ``taken``)."""
    seen = set(taken or ())
    out = []
    for match, call in pairs:
        key = _group(call)
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        out.append((match, call))
    return out


# --- the digest ---------------------------------------------------------------------------------


def subject_for(name: str, week: str, new: int, closing: int) -> str:
    number = week_number(week)
    name = short(name, 80)
    if new:
        return f"Nya utlysningar för {name} – vecka {number} ({plural(new, 'träff', 'träffar')})"
    if closing:
        return f"Utlysningar för {name} – vecka {number} ({closing} med deadline snart)"
    return f"Utlysningar för {name} – vecka {number} (inga nya träffar)"


@dataclass(frozen=True)
class Selection:
    """Which calls a digest lists, before any entry is made (``select_digest``): what its entries and its
    ledger rows are made from."""

    #: (match, call) listed as new, best first
    new: tuple[tuple[Any, Any], ...]
    #: earlier calls whose next deadline is within ``closing_days``, soonest first
    closing: tuple[Any, ...]
    #: the other earlier calls that changed since the last mailed digest, in ``earlier``'s order
    changed: tuple[Any, ...]
    #: calls not shown because the same call from another source is shown now or was in an earlier digest
    absorbed: tuple[int, ...]

    @property
    def calls(self) -> list[Any]:
        """Every call that gets an entry (what strategy lines are needed for)."""
        return [c for _, c in self.new] + list(self.closing) + list(self.changed)


def select_digest(
    profile: Any,
    candidates: Sequence[tuple[Any, Any]],
    earlier: Sequence[Any],
    changes: Mapping[int, Sequence[Any]],
    feedback: Mapping[int, str],
    now: datetime,
    options: DigestOptions,
    groups: Mapping[str, Sequence[Any]] | None = None,
) -> Selection:
    """The calls one profile's digest lists (see :func:`build_digest` for the arguments and the rules)."""
    earlier_groups = {k for k in (_group(c) for c in earlier) if k}
    rejected = {
        k for k, members in (groups or {}).items() if any(feedback.get(m.id) == "not_relevant" for m in members)
    }
    hidden = earlier_groups | rejected
    fresh = [(m, c) for m, c in candidates if _group(c) not in hidden]
    new_pairs = select_new(profile, fresh, feedback, now, options)
    new_ids = {c.id for _, c in new_pairs}
    shown_groups = earlier_groups | rejected | {k for k in (_group(c) for _, c in new_pairs) if k}
    absorbed = tuple(
        sorted(
            {
                c.id
                for _, c in candidates
                if c.id not in new_ids and _group(c) in shown_groups and feedback.get(c.id) != "not_relevant"
            }
        )
    )

    horizon = now + timedelta(days=options.closing_days)
    keep = [c for _, c in one_per_group([(None, c) for c in earlier])]
    keep = [c for c in keep if c.id not in new_ids and feedback.get(c.id) != "not_relevant"]
    closing_calls = []
    for call in keep:
        upcoming = next_cutoff(call, now)
        if upcoming is not None and upcoming <= horizon and getattr(call, "status", "open") != "closed":
            closing_calls.append((upcoming, call))
    closing_calls.sort(key=lambda uc: (uc[0], uc[1].id))
    closing_ids = {c.id for _, c in closing_calls}
    # an earlier call is listed under "Ändrat" when a change of it has a note (what its entry would show)
    changed = tuple(c for c in keep if c.id not in closing_ids and change_notes(changes.get(c.id, ())))
    return Selection(
        new=tuple(new_pairs), closing=tuple(c for _, c in closing_calls), changed=changed, absorbed=absorbed
    )


def build_digest(
    profile: Any,
    candidates: Sequence[tuple[Any, Any]],
    earlier: Sequence[Any],
    changes: Mapping[int, Sequence[Any]],
    feedback: Mapping[int, str],
    now: datetime,
    week: str,
    links: Links,
    options: DigestOptions,
    groups: Mapping[str, Sequence[Any]] | None = None,
    strategy: Mapping[int, Sequence[str]] | None = None,
    followups: Mapping[int, str] | None = None,
) -> Digest:
    """One profile's digest for ``week``.

    ``candidates``: (match, call) pairs never listed as new in this profile's digests; ``earlier``: calls
    listed in earlier digests; ``changes``: call id → changes since the last mailed digest; ``feedback``:
    call id → verdict. Calls marked not relevant never appear. ``groups`` (group key → calls): the same call
    found at several sources is shown once, with the other sources' links, and never again once shown (nor
    when one of its copies was marked not relevant). ``strategy`` (call id → lines) adds each call's partner
    hints and Agenda 2030 goals. ``followups``: call id → the profile's follow-up status in Swedish, shown beside
    each call's follow-up link.
    """
    selection = select_digest(profile, candidates, earlier, changes, feedback, now, options, groups)
    return digest_from_selection(
        profile, selection, changes, now, week, links, options, groups, strategy=strategy, followups=followups
    )


def digest_from_selection(
    profile: Any,
    selection: Selection,
    changes: Mapping[int, Sequence[Any]],
    now: datetime,
    week: str,
    links: Links,
    options: DigestOptions,
    groups: Mapping[str, Sequence[Any]] | None = None,
    strategy: Mapping[int, Sequence[str]] | None = None,
    followups: Mapping[int, str] | None = None,
) -> Digest:
    """The digest of the calls :func:`select_digest` chose: their entries, the subject and the links
    (``strategy`` needs only the lines of ``selection.calls``)."""
    status_of = dict(followups or {})

    def entry(call: Any, match: Any = None, with_changes: bool = False) -> Entry:
        return make_entry(
            call,
            now,
            links,
            options,
            match=match,
            profile_id=profile.id,
            changes=changes.get(call.id, ()) if with_changes else (),
            groups=groups,
            strategy=strategy,
            followup_status=status_of.get(call.id, ""),
        )

    new = tuple(entry(c, match=m) for m, c in selection.new)
    closing = tuple(entry(c, with_changes=True) for c in selection.closing)
    changed = tuple(entry(c, with_changes=True) for c in selection.changed)
    return Digest(
        profile_id=profile.id,
        profile_name=short(profile.name, 80),
        week=week,
        subject=subject_for(profile.name, week, len(new), len(closing)),
        new=new,
        closing=closing,
        changed=changed,
        calendar_url=links.calendar(profile.id),
        list_url=links.profile(profile.id),
        generated_at=now,
        send_empty=options.send_empty,
        profile_version=getattr(profile, "version", ""),
        absorbed=selection.absorbed,
    )


__all__ = [
    "KIND_SV",
    "Digest",
    "DigestOptions",
    "Entry",
    "Selection",
    "build_digest",
    "cutoffs",
    "digest_from_selection",
    "one_per_group",
    "select_digest",
]
