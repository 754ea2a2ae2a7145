"""Plain inputs for the pure digest tests: stored-row objects built in memory (no database)."""

from __future__ import annotations

from datetime import timedelta

from alerts.digest import DigestOptions
from alerts.links import Links
from matcher.profiles import load_profile
from store.health import SourceHealth
from store.interchange import parse_jsonl
from store.models import Call, CallChange, Match
from tests.digest_support import FIXTURES, MATCHES, NOW, SECRET

BASE = "https://fundwatch.kalmar.example"


def links() -> Links:
    return Links(BASE, SECRET)


def calls() -> dict[str, Call]:
    """The fixture calls as stored rows, ids 1.. in file order."""
    with open(FIXTURES / "calls.jsonl", "rb") as stream:
        report = parse_jsonl(stream)
    out = {}
    for number, (_, record) in enumerate(report.records, start=1):
        out[record.external_id] = Call(
            id=number,
            source=record.source,
            external_id=record.external_id,
            first_seen_at=NOW - timedelta(days=2),
            last_seen_at=NOW,
            updated_at=NOW,
            content_hash="x",
            listed=True,
            **record.stored_values(),
        )
    return out


def match(profile_id: str, call: Call, score: float, priority="", terms=(), reasons=()) -> Match:
    return Match(
        profile_id=profile_id,
        call_id=call.id,
        score=score,
        explanation={
            "priority": priority,
            "reasons": list(reasons),
            "terms": [{"term": t, "call_term": t, "weight": 1.0 - i / 10} for i, t in enumerate(terms)],
        },
        matched_at=NOW,
    )


def matches(profile_id: str, by_id: dict[str, Call]) -> list[tuple[Match, Call]]:
    rows = []
    for external_id, score, priority, terms, reasons in MATCHES[profile_id]:
        call = by_id[external_id]
        rows.append((match(profile_id, call, score, priority, terms, reasons), call))
    return rows


def profile(profile_id: str):
    return load_profile(FIXTURES / "profiles" / f"{profile_id}.toml")


def change(call: Call, field: str, old, new) -> CallChange:
    return CallChange(call_id=call.id, field=field, old_value=old, new_value=new, changed_at=NOW - timedelta(days=1))


def sources() -> list[SourceHealth]:
    return [
        SourceHealth(name="eu-ftp", kind="eu-ftp", state="ok", last_ok_at=NOW - timedelta(hours=3)),
        SourceHealth(
            name="vinnova",
            kind="vinnova",
            state="unhealthy",
            last_ok_at=NOW - timedelta(days=3),
            last_error="HTTP 503 Service Unavailable efter 4 försök",
            reason="http_error",
            consecutive_failures=6,
            alerts=("Inga lyckade hämtningar på 3 dagar",),
        ),
        SourceHealth(
            name="euroaccess",
            kind="euroaccess",
            state="stale",
            last_ok_at=NOW - timedelta(days=9),
            last_error="",
            reason="",
        ),
        SourceHealth(name="formas", kind="formas", state="disabled"),
    ]


OPTIONS = DigestOptions(min_score=0.3, closing_days=14, title_chars=200, summary_chars=300, send_empty=False)
