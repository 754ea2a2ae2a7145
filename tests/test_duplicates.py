"""Duplicate grouping: the same call from two sources is one group; near-misses are not (pure and in the store)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from store.calls import upsert_calls
from store.duplicates import Item, group_calls, same_call, topic_ids
from store.engine import read_session, write_session
from store.groups import duplicates_of, group_members, refresh_groups
from store.models import Call
from store.records import CallRecord

BXL = ZoneInfo("Europe/Brussels")
CET_16 = datetime(2025, 11, 12, 16, 0, tzinfo=BXL)
NOW = datetime(2025, 10, 1, tzinfo=UTC)


def item(ident: int, source: str, title: str, deadline=CET_16, programme="", funder="", ext=None, text="") -> Item:
    return Item(ident, source, ext or f"{source}-{ident}", title, programme, funder, deadline, text)


# EuroAccess's real titles (calls-list_saved-2025-10.html) and the programme's own wording of the same calls
EA_SMALL = item(
    1,
    "euroaccess",
    "Interreg South Baltic - 3rd Small-scale call for proposals",
    programme="Interreg South Baltic",
    funder="European Union",
)
EA_FIFTH = item(
    2,
    "euroaccess",
    "Interreg South Baltic - 5th call for proposals",
    programme="Interreg South Baltic",
    funder="European Union",
)
SB_SMALL = item(
    3,
    "interreg-south-baltic",
    "3rd call for Small-scale projects",
    deadline=datetime(2025, 11, 12, 15, 0, tzinfo=UTC),
    funder="Interreg South Baltic",
)
SB_FIFTH = item(4, "interreg-south-baltic", "Fifth Call for Proposals – regular projects",
                deadline=datetime(2025, 11, 12, 23, 59, 59, tzinfo=BXL), funder="Interreg South Baltic")  # fmt: skip


def test_the_same_interreg_call_from_euroaccess_and_the_programme_site_is_one_group():
    assert same_call(EA_SMALL, SB_SMALL)
    assert same_call(EA_FIFTH, SB_FIFTH)
    keys = group_calls([EA_SMALL, EA_FIFTH, SB_SMALL, SB_FIFTH])
    assert keys[1] == keys[3] and keys[2] == keys[4] and keys[1] != keys[2]


def test_calls_with_other_numbers_are_never_the_same_call():
    assert not same_call(EA_SMALL, SB_FIFTH)
    saxony = [
        item(10, "euroaccess", "Interreg Poland-Saxony: Call for project applications under specific objective 2.1"),
        item(11, "sn-pl", "Call for project applications – specific objective 2.2"),
    ]
    assert not same_call(*saxony)


def test_calls_of_one_source_are_never_grouped_even_when_alike():
    twins = [item(20, "euroaccess", "Project Platforms 2025"), item(21, "euroaccess", "Project Platforms 2025")]
    assert group_calls(twins) == {}


def test_deadlines_more_than_a_day_apart_or_other_programmes_are_not_the_same_call():
    later = item(30, "interreg-south-baltic", SB_SMALL.title, deadline=CET_16 + timedelta(days=7))
    assert not same_call(EA_SMALL, later)
    other = item(31, "interreg-central-baltic", "3rd small-scale call", funder="Interreg Central Baltic")
    assert not same_call(EA_SMALL, other)


def test_an_eu_topic_announced_by_a_swedish_agency_is_grouped_with_the_portals_topic():
    portal = item(
        40,
        "eu-ftp",
        "Nature-based solutions for climate resilient cities",
        ext="HORIZON-MISS-2026-CIT-02-03",
        deadline=datetime(2026, 9, 17, 17, 0, tzinfo=BXL),
        programme="Horizon Europe",
    )
    agency = item(
        41,
        "vinnova",
        "Informationsmöte: EU-utlysning om naturbaserade lösningar i städer",
        deadline=None,
        text="Utlysningen HORIZON-MISS-2026-CIT-02-03 inom uppdraget klimatneutrala städer stänger 17 september.",
    )
    overview = item(42, "formas", "Horisont Europa: flera utlysningar", deadline=None,
                    text="Se HORIZON-MISS-2026-CIT-02-03 och HORIZON-MISS-2026-CIT-02-04.")  # fmt: skip
    assert same_call(portal, agency) and not same_call(portal, overview)
    assert topic_ids(agency) == {"HORIZON-MISS-2026-CIT-02-03"}
    call_and_topic = item(43, "x", "t", text="HORIZON-MISS-2026-CIT-02 (topic HORIZON-MISS-2026-CIT-02-03)")
    assert topic_ids(call_and_topic) == {"HORIZON-MISS-2026-CIT-02-03"}


def test_schemes_without_deadlines_need_the_same_title_under_the_same_programme():
    a = item(50, "naturvardsverket", "LONA – lokala naturvårdssatsningen", None, funder="Naturvårdsverket")
    b = item(51, "lansstyrelsen-kalmar", "Lokala naturvårdssatsningen (LONA)", None, funder="Länsstyrelsen Kalmar län")
    c = item(52, "naturvardsverket-2", "Lokala naturvårdssatsningen LONA", None, funder="Naturvårdsverket")
    assert not same_call(a, b)  # different funders' pages about one scheme are not one call
    assert same_call(a, c)


def test_group_keys_are_stable_while_the_first_member_stays():
    first = group_calls([EA_SMALL, SB_SMALL])
    again = group_calls([SB_SMALL, EA_SMALL, EA_FIFTH])
    assert first[1] == again[1] == again[3]


# --- in the store ---------------------------------------------------------------------------------


def record(source: str, ident: str, title: str, deadline: datetime | None, **more) -> CallRecord:
    return CallRecord(
        source=source,
        external_id=ident,
        title=title,
        url=f"https://{source}.example/{ident}",
        deadlines=[deadline] if deadline else [],
        **more,
    )


def stored(engine) -> dict[str, str | None]:
    with read_session(engine) as session:
        return {c.external_id: c.group_key for c in session.exec(select(Call))}


def test_refresh_groups_keeps_group_keys_in_the_store_and_lists_a_calls_duplicates(engine):
    records = [
        record("euroaccess", "ea-1", EA_SMALL.title, CET_16, programme="Interreg South Baltic"),
        record("interreg-south-baltic", "sb-1", SB_SMALL.title, CET_16, funder="Interreg South Baltic"),
        record("vinnova", "v-1", "Innovationsprojekt i offentlig sektor", CET_16),
    ]
    with write_session(engine) as session:
        upsert_calls(session, records, now=NOW)
        assert refresh_groups(session, NOW) == 2
    keys = stored(engine)
    assert keys["ea-1"] and keys["ea-1"] == keys["sb-1"] and keys["v-1"] is None
    with write_session(engine) as session:
        assert refresh_groups(session, NOW) == 0  # nothing changed, nothing written
    with read_session(engine) as session:
        ea = session.exec(select(Call).where(Call.external_id == "ea-1")).one()
        assert [c.external_id for c in duplicates_of(session, ea.id)] == ["sb-1"]
        v = session.exec(select(Call).where(Call.external_id == "v-1")).one()
        assert duplicates_of(session, v.id) == []
        members = group_members(session, [keys["ea-1"], None])
        assert sorted(c.external_id for c in members[keys["ea-1"]]) == ["ea-1", "sb-1"]


def test_a_call_that_stops_matching_leaves_its_group(engine):
    records = [
        record("euroaccess", "ea-1", EA_SMALL.title, CET_16, programme="Interreg South Baltic"),
        record("interreg-south-baltic", "sb-1", SB_SMALL.title, CET_16, funder="Interreg South Baltic"),
    ]
    with write_session(engine) as session:
        upsert_calls(session, records, now=NOW)
        refresh_groups(session, NOW)
    records[1] = record("interreg-south-baltic", "sb-1", SB_SMALL.title, CET_16 + timedelta(days=30),
                        funder="Interreg South Baltic")  # fmt: skip
    with write_session(engine) as session:
        upsert_calls(session, records, now=NOW)
        assert refresh_groups(session, NOW) == 2
    assert stored(engine) == {"ea-1": None, "sb-1": None}


def test_old_closed_calls_keep_their_group_as_history(engine):
    old = CET_16 - timedelta(days=400)
    records = [
        record("euroaccess", "ea-old", EA_SMALL.title, old, programme="Interreg South Baltic"),
        record("interreg-south-baltic", "sb-old", SB_SMALL.title, old, funder="Interreg South Baltic"),
    ]
    with write_session(engine) as session:
        upsert_calls(session, records, now=old - timedelta(days=30))
        refresh_groups(session, old - timedelta(days=30))
    grouped = stored(engine)
    assert grouped["ea-old"] is not None and grouped["ea-old"] == grouped["sb-old"]
    with write_session(engine) as session:
        assert refresh_groups(session, NOW) == 0
    assert stored(engine) == grouped


def test_on_the_real_euroaccess_listing_only_the_programme_sites_own_copies_are_grouped():
    from scrapers.kinds.html import Html
    from settings import SourceSettings
    from tests.conftest import real_data
    from tests.test_kinds_real import EUROACCESS_SAVED, answer, shipped

    config = shipped("euroaccess")
    kind = Html(SourceSettings.model_validate({**config.model_dump(), "fetch_details": False}))
    request = kind.start_requests()[0]
    listing = kind.parse(
        request, answer(request, real_data("euroaccess", "calls-list_saved-2025-10.html"), EUROACCESS_SAVED)
    )
    items = [
        Item(n, r.source, r.external_id, r.title, r.programme, r.funder, r.deadlines[-1])
        for n, r in enumerate(listing.records, start=1)
    ]
    # the programme's own site, as the south baltic page-watch / html source would name them (hand-written)
    own = [
        item(1001, "interreg-south-baltic", "3rd call for small-scale projects", funder="Interreg South Baltic"),
        item(1002, "interreg-south-baltic", "Fifth call for regular projects", funder="Interreg South Baltic"),
        item(1003, "interreg-bsr", "Project platforms 2025 – apply now", funder="Interreg Baltic Sea Region",
             deadline=datetime(2025, 11, 20, 16, 0, tzinfo=BXL)),
    ]  # fmt: skip
    keys = group_calls(items + own)
    by_id = {i.id: i for i in items + own}
    groups: dict[str, list[str]] = {}
    for ident, key in keys.items():
        groups.setdefault(key, []).append(by_id[ident].title)
    assert sorted(sorted(g) for g in groups.values()) == [
        ["3rd call for small-scale projects", "Interreg South Baltic - 3rd Small-scale call for proposals"],
        ["Fifth call for regular projects", "Interreg South Baltic - 5th call for proposals"],
        ["Interreg Baltic Sea Region - Project Platforms 2025", "Project platforms 2025 – apply now"],
    ]


def test_a_scrape_groups_the_same_call_found_by_two_sources(engine):
    from scrapers.runner import run_scrape
    from tests.kinds_for_tests.listing import page
    from tests.localserver import LocalServer
    from tests.scrape_helpers import kinds_registry, make_settings

    with LocalServer() as server:
        server.static("/a", page(("A1", "2026-03-15", "Stöd till hållbara städer"), ("A2", "2026-04-01", "Annat")))
        server.static("/b", page(("B7", "2026-03-15", "Stöd till hållbara städer")))
        settings = make_settings(
            [
                {"name": "first", "kind": "test-list", "url": server.url("/a")},
                {"name": "second", "kind": "test-list", "url": server.url("/b")},
            ]
        )
        run_scrape(settings, engine, now=NOW, registry=kinds_registry())
    keys = stored(engine)
    assert keys["A1"] and keys["A1"] == keys["B7"] and keys["A2"] is None


def test_importing_calls_groups_them(tmp_path, capsys, db_url):
    import json

    from scheduler import main
    from store.engine import make_engine

    path = tmp_path / "calls.jsonl"
    rows = [
        {"source": "euroaccess", "external_id": "ea-1", "title": EA_SMALL.title, "url": "https://ea.example/1",
         "programme": "Interreg South Baltic", "deadline_at": "2030-11-12T16:00:00+01:00"},
        {"source": "interreg-south-baltic", "external_id": "sb-1", "title": SB_SMALL.title,
         "url": "https://sb.example/1", "funder": "Interreg South Baltic", "deadline_at": "2030-11-12T16:00:00+01:00"},
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    assert main(["--config", str(config), "--database-url", db_url, "import-calls", str(path)]) == 0
    engine = make_engine(db_url)
    try:
        keys = stored(engine)
    finally:
        engine.dispose()
    assert keys["ea-1"] and keys["ea-1"] == keys["sb-1"]
