"""The same call from two sources appears once in a digest, with both links, and never again as new."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from alerts.digest import DigestOptions, build_digest
from alerts.jobs import queue_due_digests
from alerts.render import render_digest
from store.calls import upsert_calls
from store.digest_tables import Digest, DigestItem
from store.engine import read_session, write_session
from store.groups import refresh_groups
from store.models import Call, Match
from store.records import CallRecord
from tests.digest_pure import links, match, profile
from tests.digest_support import NOW, SECRET, SECRET_ENV, settings_for

OPTIONS = DigestOptions()
DEADLINE = NOW + timedelta(days=40)


def row(
    ident: int, source: str, url: str, group: str | None, kind: str = "call", funder: str = "", title: str = ""
) -> Call:
    return Call(
        id=ident,
        source=source,
        external_id=f"{source}-{ident}",
        title=title or "Interreg South Baltic – 3rd call for small-scale projects",
        url=url,
        funder=funder or source,
        status="open",
        kind=kind,
        deadlines=[DEADLINE.isoformat()],
        deadline_at=DEADLINE,
        listed=True,
        group_key=group,
    )


EA = row(1, "euroaccess", "https://www.euro-access.eu/en/calls/1864/3rd-small-scale-call", "g1", funder="EuroAccess")
SB = row(
    2, "interreg-south-baltic", "https://southbaltic.eu/calls/3rd-small-scale", "g1", funder="Interreg South Baltic"
)
OTHER = row(3, "vinnova", "https://www.vinnova.se/e/x/", None, kind="scheme", funder="Vinnova", title="Innovation")
GROUPS = {"g1": [EA, SB]}


def build(candidates, earlier=(), feedback=None):
    return build_digest(
        profile("serviceforvaltningen"),
        candidates=candidates,
        earlier=list(earlier),
        changes={},
        feedback=feedback or {},
        now=NOW,
        week="2026-W48",
        links=links(),
        options=OPTIONS,
        groups=GROUPS,
    )


def test_a_group_is_one_entry_with_the_other_sources_link_and_the_copy_is_absorbed():
    pid = "serviceforvaltningen"
    digest = build([(match(pid, SB, 0.8), SB), (match(pid, EA, 0.7), EA), (match(pid, OTHER, 0.5), OTHER)])
    assert [e.call_id for e in digest.new] == [SB.id, OTHER.id]
    assert digest.new[0].also == (("EuroAccess", EA.url),)
    assert digest.absorbed == (EA.id,)
    text = render_digest(digest, "https://fundwatch.kalmar.example/unsubscribe/x").text
    assert text.count("3rd call for small-scale projects") == 1
    assert f"Utlysningen: {SB.url}" in text and f"Även hos EuroAccess: {EA.url}" in text
    html = render_digest(digest, "https://fundwatch.kalmar.example/unsubscribe/x").html
    assert f'href="{SB.url}"' in html and f'href="{EA.url}"' in html and "Samma utlysning finns även hos" in html


def test_a_copy_of_a_call_sent_earlier_is_never_sent_as_new():
    pid = "serviceforvaltningen"
    digest = build([(match(pid, EA, 0.9), EA)], earlier=[SB])
    assert digest.new == () and digest.absorbed == (EA.id,)


def test_a_copy_marked_not_relevant_keeps_the_whole_group_out():
    pid = "serviceforvaltningen"
    digest = build([(match(pid, SB, 0.9), SB)], feedback={EA.id: "not_relevant"})
    assert digest.new == ()


def test_the_record_kind_is_shown_in_swedish_for_schemes_and_recurring_windows():
    pid = "serviceforvaltningen"
    digest = build([(match(pid, OTHER, 0.9), OTHER)])
    assert digest.new[0].kind == "Löpande stöd – kan sökas när som helst"
    assert "Löpande stöd – kan sökas när som helst" in render_digest(digest, "https://x.example/u").text
    plain = build([(match(pid, SB, 0.9), SB)])
    assert plain.new[0].kind == ""


def test_through_the_store_the_group_is_listed_once_and_its_copy_is_recorded_as_a_duplicate(
    engine, tmp_path, monkeypatch
):
    monkeypatch.setenv(SECRET_ENV, SECRET.decode())
    settings = settings_for(tmp_path, str(engine.url.render_as_string(hide_password=False)))
    records = [
        CallRecord(
            source=c.source,
            external_id=c.external_id,
            title=c.title,
            url=c.url,
            funder=c.funder,
            programme="Interreg South Baltic",
            deadlines=[DEADLINE],
        )
        for c in (EA, SB)
    ]
    with write_session(engine) as session:
        upsert_calls(session, records, now=NOW - timedelta(days=1))
        refresh_groups(session, NOW)
        ids = {c.source: c.id for c in session.exec(select(Call))}
        for source, score in (("euroaccess", 0.7), ("interreg-south-baltic", 0.8)):
            session.add(
                Match(
                    profile_id="serviceforvaltningen",
                    call_id=ids[source],
                    score=score,
                    explanation={"priority": "Energieffektiva fastigheter", "reasons": [], "terms": []},
                    matched_at=NOW,
                )
            )
    report = queue_due_digests(settings, engine, NOW, profile_ids=["serviceforvaltningen"])
    assert report.outcomes["serviceforvaltningen"].startswith("queued")
    with read_session(engine) as session:
        items = {(i.call_id, i.section) for i in session.exec(select(DigestItem))}
    assert items == {(ids["interreg-south-baltic"], "new"), (ids["euroaccess"], "duplicate")}
    later = NOW + timedelta(days=7)
    report = queue_due_digests(settings, engine, later, profile_ids=["serviceforvaltningen"])
    assert report.outcomes["serviceforvaltningen"] == "empty"
    with read_session(engine) as session:
        assert len(session.exec(select(Digest)).all()) == 2
