"""The digest's strategy lines: partner hints and Agenda 2030 goals per call, in both parts, from the store."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from alerts.digest import build_digest
from alerts.jobs import build_for_profile
from alerts.render import render_digest
from commands.strategy import tag_stored_calls
from settings import load_settings
from store.calls import list_calls, upsert_calls
from store.engine import make_engine, read_session, write_session
from store.migrate import upgrade
from store.models import Call, Match
from strategy.partners import partner_hints
from strategy.relations import load_programme_areas, load_relations
from strategy.sdg import Tagger
from strategy.summary import strategy_lines
from tests.digest_pure import OPTIONS, links, profile
from tests.digest_support import NOW, WEEK
from tests.strategy_fixtures import NATIONAL, SOUTH_BALTIC, records
from tests.test_digest_render import UNSUBSCRIBE, assert_safe_html

ROOT = Path(__file__).resolve().parents[1]


def stored(call_id: int, data: dict) -> Call:
    return Call(
        id=call_id,
        source="strategy-test",
        external_id=str(call_id),
        url=f"https://funder.example/{call_id}",
        deadline_at=NOW + timedelta(days=40),
        deadlines=[(NOW + timedelta(days=40)).isoformat()],
        first_seen_at=NOW,
        last_seen_at=NOW,
        updated_at=NOW,
        content_hash="x",
        **{k: v for k, v in data.items() if k != "applicant_types"},
        applicant_types=data["applicant_types"],
    )


def lines_for(calls: list[Call]) -> dict[int, tuple[str, ...]]:
    relations, areas, tagger = load_relations(ROOT / "data" / "relations.toml"), load_programme_areas(), Tagger()
    out = {}
    for call in calls:
        lines = strategy_lines(partner_hints(call, relations, areas), tagger.tag(call).as_rows())
        if lines:
            out[call.id] = lines
    return out


def test_each_call_gets_a_short_partner_line_and_its_goals_in_both_parts():
    interreg, lona = stored(101, SOUTH_BALTIC), stored(102, NATIONAL)
    candidates = [
        (Match(profile_id="serviceforvaltningen", call_id=c.id, score=s, explanation={}), c)
        for c, s in ((interreg, 0.8), (lona, 0.6))
    ]
    strategy = lines_for([interreg, lona])
    assert strategy == {
        101: ("Partner: Gdańsk, Wismar kan delta (Interreg Södra Östersjön)", "Agenda 2030: mål 13, 14, 15"),
        102: ("Agenda 2030: mål 15",),
    }
    digest = build_digest(
        profile("serviceforvaltningen"), candidates, [], {}, {}, NOW, WEEK, links(), OPTIONS, strategy=strategy
    )
    assert [e.strategy for e in digest.new] == [strategy[101], strategy[102]]
    rendered = render_digest(digest, UNSUBSCRIBE)
    first = rendered.text[rendered.text.index("1. Interreg South Baltic") : rendered.text.index("2. Lokala")]
    assert "   Partner: Gdańsk, Wismar kan delta (Interreg Södra Östersjön)\n" in first
    assert "   Agenda 2030: mål 13, 14, 15\n" in first
    second = rendered.text[rendered.text.index("2. Lokala") :]
    assert "Partner:" not in second and "   Agenda 2030: mål 15\n" in second
    page = assert_safe_html(rendered.html)
    assert "Partner: Gdańsk, Wismar kan delta (Interreg Södra Östersjön) Agenda 2030: mål 13, 14, 15" in page.visible


def test_a_digest_without_strategy_lines_shows_none():
    lona = stored(102, NATIONAL)
    pair = (Match(profile_id="serviceforvaltningen", call_id=102, score=0.6, explanation={}), lona)
    digest = build_digest(profile("serviceforvaltningen"), [pair], [], {}, {}, NOW, WEEK, links(), OPTIONS)
    assert digest.new[0].strategy == ()
    assert "Agenda 2030" not in render_digest(digest, UNSUBSCRIBE).text


def test_the_digest_job_reads_tags_from_the_store_and_partners_from_the_relations_file(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    upgrade(engine)
    with write_session(engine) as db:
        upsert_calls(db, records(), now=NOW - timedelta(days=1))
    with read_session(engine) as db:
        calls = list_calls(db)
    tag_stored_calls(engine, calls, NOW)
    ids = {c.external_id: c.id for c in calls}
    with write_session(engine) as db:
        for external_id, score in (("south-baltic", 0.9), ("arvsfonden", 0.7), ("lona", 0.5)):
            db.add(Match(profile_id="serviceforvaltningen", call_id=ids[external_id], score=score, matched_at=NOW))
    settings = load_settings(
        None,
        env={},
        overrides={"paths.relations_file": str(ROOT / "data" / "relations.toml"), "digest.min_score": 0.3},
    )
    with read_session(engine) as db:
        digest = build_for_profile(db, profile("serviceforvaltningen"), NOW, WEEK, settings, links())
    lines = {e.title: e.strategy for e in digest.new}
    assert lines["Interreg South Baltic: call for regular projects 2027"] == (
        "Partner: Gdańsk, Wismar kan delta (Interreg Södra Östersjön)",
        "Agenda 2030: mål 13, 14, 15",
    )
    assert lines["Fritid för barn och unga i utsatta områden"] == ("Agenda 2030: mål 5", "Målgrupp: barn och unga")
    assert lines["Lokala naturvårdssatsningen (LONA) 2027"] == ("Agenda 2030: mål 15",)

    missing = load_settings(None, env={}, overrides={"paths.relations_file": str(tmp_path / "none.toml")})
    with read_session(engine) as db:
        digest = build_for_profile(db, profile("serviceforvaltningen"), NOW, WEEK, missing, links())
    assert {e.title: e.strategy for e in digest.new}["Interreg South Baltic: call for regular projects 2027"] == (
        "Agenda 2030: mål 13, 14, 15",
    )
    engine.dispose()
