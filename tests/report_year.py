"""A realistic follow-up year for the yearly report's tests (hand-written, not captured).

Three administrations (the web tests' profiles ``miljo``, ``skola``, ``kultur``), ten calls from EU, Swedish,
Nordic and private funders, follow-ups in SEK and EUR (with and without a rate) that are granted, rejected,
withdrawn, still open or only marked interesting, with events on both sides of the 2025/2026 and 2026/2027
boundaries, international and Swedish partners, and weekly digests (one created at 00:30 Swedish time on
1 January 2026, i.e. on 31 December in UTC). Rows are inserted directly: the follow-up's own store functions
are another branch's work.

The expected figures are worked out by hand in tests/test_report_figures.py; the comments here say what each
row is meant to exercise.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from store.calls import upsert_calls
from store.digest_tables import OVERVIEW_ID, Digest, DigestItem
from store.engine import read_session, write_session
from store.models import Call
from store.models_followup import FollowUp
from store.records import CallRecord

NAMES = {
    "miljo": "Miljöförvaltningen",
    "skola": "Barn- och ungdomsförvaltningen",
    "kultur": "Kultur- och fritidsförvaltningen",
}

#: key -> (source, funder, programme, title); the comment is how reporting.funding classifies it
CALLS = {
    "interreg": (
        "interreg-south-baltic",
        "Interreg South Baltic",
        "Interreg South Baltic",
        "Small projects for the coast",
    ),  # EU
    "horizon": ("eu-ftp", "European Commission", "Horizon Europe", "Nature-based coastal adaptation"),  # EU
    "lova": ("lansstyrelsen-kalmar", "Länsstyrelsen Kalmar län", "LOVA", "Lokala vattenvårdsprojekt 2026"),  # national
    "vinnova": ("vinnova", "Vinnova", "Hållbar samhällsbyggnad", "Hållbara städer"),  # national
    "erasmus": ("uhr", "Universitets- och högskolerådet", "Erasmus+", "Skolpartnerskap"),  # EU
    "arvs": ("arvsfonden", "Allmänna arvsfonden", "Projektstöd", "Unga leder"),  # national
    "nordplus": ("norden", "Nordiska ministerrådet", "Nordplus", "Nordplus Junior 2026"),  # other (Nordic)
    "stiftelse": ("postkod", "Postkodstiftelsen", "", "Kultur för alla"),  # other (a foundation)
    # the Regional Development Fund, published by a Swedish agency: EU by its title
    "regional": ("tillvaxtverket", "Tillväxtverket", "", "Regionalfondsprogrammet för Småland och öarna: klimat"),
    "creative": ("euroaccess", "European Union", "Creative Europe", "Cooperation projects"),  # EU
}


def _at(day: date, hour: int = 8, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def D(text: str) -> date:
    return date.fromisoformat(text)


def _followup(profile_id: str, call_id: int, status: str, created: datetime, updated: datetime, **values) -> FollowUp:
    return FollowUp(
        profile_id=profile_id,
        call_id=call_id,
        status=status,
        created_at=created,
        updated_at=updated,
        updated_by="test",
        contact_name="Kontaktperson",
        contact_email="kontakt@kalmar.example",
        **values,
    )


def fill_report_year(engine) -> dict[str, int]:
    """Store the calls, digests and follow-ups; returns call key -> call id (follow-up ids: ``followup_ids``)."""
    records = [
        CallRecord(source, f"rep-{key}", title, f"https://funder.example/{key}", funder=funder, programme=programme)
        for key, (source, funder, programme, title) in CALLS.items()
    ]
    with write_session(engine) as db:
        upsert_calls(db, records, now=datetime(2025, 9, 1, tzinfo=UTC))
    with read_session(engine) as db:
        by_ext = {c.external_id: c.id for c in db.exec(select(Call))}
    ids = {key: by_ext[f"rep-{key}"] for key in CALLS}
    c = ids
    rows = [
        # M1: EUR at 11.20; interest 2025, submitted and granted 2026; two international partners and a Swedish one
        _followup(
            "miljo",
            c["interreg"],
            "beviljad",
            _at(D("2025-11-10")),
            _at(D("2026-05-15")),
            currency="EUR",
            eur_rate=11.20,
            amount_applied=200_000,
            amount_granted=180_000,
            cofinancing=40_000,
            interested_on=D("2025-11-10"),
            applying_on=D("2025-12-01"),
            submitted_on=D("2026-01-20"),
            decided_on=D("2026-05-15"),
            partners=[
                {"name": "Gdańsk kommun", "country": "PL"},
                {"name": "Klaipėdos savivaldybė", "country": "LT"},
                {"name": "Kalmar läns museum", "country": "SE"},
            ],
        ),
        # M2: SEK, rejected 2026 (its co-financing is not committed)
        _followup(
            "miljo",
            c["lova"],
            "avslag",
            _at(D("2026-02-01")),
            _at(D("2026-06-10")),
            amount_applied=500_000,
            cofinancing=250_000,
            interested_on=D("2026-02-01"),
            submitted_on=D("2026-03-01"),
            decided_on=D("2026-06-10"),
        ),
        # M3: EUR at 11.3, submitted on the last day of 2026, undecided; 350 005 × 11.3 = 3 955 056.5 → 3 955 057;
        # Gdańsk again (other spelling of case): the same partner
        _followup(
            "miljo",
            c["horizon"],
            "inskickad",
            _at(D("2026-09-01")),
            _at(D("2026-12-31")),
            currency="EUR",
            eur_rate=11.3,
            amount_applied=350_005,
            interested_on=D("2026-09-01"),
            submitted_on=D("2026-12-31"),
            partners=[{"name": "Aarhus Kommune", "country": "DK"}, {"name": "GDAŃSK KOMMUN", "country": "pl"}],
        ),
        # M4: submitted 2025, granted 2026 (the Regional Development Fund: EU)
        _followup(
            "miljo",
            c["regional"],
            "beviljad",
            _at(D("2024-10-01")),
            _at(D("2026-01-15")),
            amount_applied=800_000,
            amount_granted=600_000,
            cofinancing=300_000,
            interested_on=D("2024-10-01"),
            submitted_on=D("2025-02-01"),
            decided_on=D("2026-01-15"),
        ),
        # M5: withdrawn before submitting, no decision date: counts as withdrawn on its last change (2026-05-02)
        _followup(
            "miljo",
            c["vinnova"],
            "avstar",
            _at(D("2026-04-01")),
            _at(D("2026-05-02")),
            amount_applied=100_000,
            interested_on=D("2026-04-01"),
            applying_on=D("2026-04-10"),
        ),
        # M6: interest in 2027 only
        _followup(
            "miljo",
            c["nordplus"],
            "intresserad",
            _at(D("2027-01-03")),
            _at(D("2027-01-03")),
            interested_on=D("2027-01-03"),
        ),
        # M7: no step dates; created 2026-12-31 23:30 UTC = 1 January 2027 in Sweden: interest in 2027
        _followup(
            "miljo",
            c["creative"],
            "intresserad",
            _at(D("2026-12-31"), 23, 30),
            _at(D("2026-12-31"), 23, 30),
        ),
        # S1: EUR at 11.0, granted in full; partners in EE and FI, one in SE and one without a country
        _followup(
            "skola",
            c["erasmus"],
            "beviljad",
            _at(D("2026-01-10")),
            _at(D("2026-07-01")),
            currency="EUR",
            eur_rate=11.0,
            amount_applied=60_000,
            amount_granted=60_000,
            cofinancing=0,
            interested_on=D("2026-01-10"),
            submitted_on=D("2026-02-15"),
            decided_on=D("2026-07-01"),
            partners=[
                {"name": "Tartu kool", "country": "EE"},
                {"name": "Turun koulu", "country": "FI"},
                {"name": "Kalmar folkhögskola", "country": "SE"},
                {"name": "Okänd partner", "country": ""},
            ],
        ),
        # S2: submitted 2025, rejected 2026
        _followup(
            "skola",
            c["arvs"],
            "avslag",
            _at(D("2025-10-01")),
            _at(D("2026-03-05")),
            amount_applied=1_500_000,
            interested_on=D("2025-10-01"),
            submitted_on=D("2025-11-20"),
            decided_on=D("2026-03-05"),
        ),
        # S3: only marked interesting
        _followup(
            "skola",
            c["creative"],
            "intresserad",
            _at(D("2026-10-10")),
            _at(D("2026-10-10")),
            interested_on=D("2026-10-10"),
        ),
        # S4: the same Horizon call as M3, still being written
        _followup(
            "skola",
            c["horizon"],
            "ansoker",
            _at(D("2026-11-01")),
            _at(D("2026-11-15")),
            interested_on=D("2026-11-01"),
            applying_on=D("2026-11-15"),
        ),
        # S5: EUR without a rate: counted as submitted and granted, its amounts left out (with a warning)
        _followup(
            "skola",
            c["nordplus"],
            "beviljad",
            _at(D("2026-02-01")),
            _at(D("2026-09-01")),
            currency="EUR",
            amount_applied=10_000,
            amount_granted=10_000,
            interested_on=D("2026-02-01"),
            submitted_on=D("2026-03-01"),
            decided_on=D("2026-09-01"),
        ),
        # K1: a foundation, submitted, undecided; a Swedish partner only
        _followup(
            "kultur",
            c["stiftelse"],
            "inskickad",
            _at(D("2026-05-01")),
            _at(D("2026-06-01")),
            amount_applied=300_000,
            cofinancing=50_000,
            interested_on=D("2026-05-01"),
            submitted_on=D("2026-06-01"),
            partners=[{"name": "Kalmar konstmuseum", "country": "SE"}],
        ),
    ]
    digests = [
        # (profile, week, created at (UTC), [(call key, section)])
        ("miljo", "2025-W50", datetime(2025, 12, 8, 6, tzinfo=UTC), [("interreg", "new"), ("lova", "new")]),
        # 00:30 on 1 January 2026 in Sweden
        ("miljo", "2026-W01", datetime(2025, 12, 31, 23, 30, tzinfo=UTC), [("arvs", "new")]),
        (
            "miljo",
            "2026-W02",
            datetime(2026, 1, 5, 6, tzinfo=UTC),
            [("interreg", "closing"), ("horizon", "new"), ("regional", "changed")],
        ),
        (
            "miljo",
            "2026-W40",
            datetime(2026, 9, 28, 5, tzinfo=UTC),
            [("vinnova", "new"), ("horizon", "closing"), ("nordplus", "duplicate")],
        ),
        ("miljo", "2027-W01", datetime(2027, 1, 4, 6, tzinfo=UTC), [("nordplus", "new")]),
        (
            "skola",
            "2026-W03",
            datetime(2026, 1, 12, 6, tzinfo=UTC),
            [("erasmus", "new"), ("horizon", "new"), ("creative", "new")],
        ),
        ("skola", "2026-W20", datetime(2026, 5, 11, 5, tzinfo=UTC), [("erasmus", "closing"), ("lova", "new")]),
        (OVERVIEW_ID, "2026-W03", datetime(2026, 1, 12, 6, 15, tzinfo=UTC), [("stiftelse", "overview")]),
    ]
    with write_session(engine) as db:
        for row in rows:
            db.add(row)
        for profile_id, week, created, items in digests:
            digest = Digest(profile_id=profile_id, week=week, created_at=created, outcome="mail", subject="Veckobrev")
            db.add(digest)
            db.flush()
            for position, (key, section) in enumerate(items):
                db.add(DigestItem(digest_id=digest.id, call_id=c[key], section=section, position=position))
    return ids


def followup_ids(engine) -> dict[tuple[str, str], int]:
    """(profile id, call key) -> follow-up id."""
    with read_session(engine) as db:
        calls = {c.id: c.external_id.removeprefix("rep-") for c in db.exec(select(Call))}
        return {(f.profile_id, calls[f.call_id]): f.id for f in db.exec(select(FollowUp))}
