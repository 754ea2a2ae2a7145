"""The strategy alignment in the web UI: the call page's section, the SDG and child/youth search filters, and the
register of international activities (login, CSRF, audit, CSV)."""

from __future__ import annotations

import re

from sqlmodel import select

from commands.strategy import tag_stored_calls
from store.accounts import audit_events
from store.calls import list_calls, upsert_calls
from store.engine import read_session, write_session
from store.models import Call
from tests.strategy_fixtures import records
from tests.web.conftest import Site, csrf_of
from tests.web.corpus import NOW


def add_strategy_calls(site: Site, tag: bool = True) -> dict[str, int]:
    with write_session(site.engine) as db:
        upsert_calls(db, records(), now=NOW)
    with read_session(site.engine) as db:
        ids = {c.external_id: c.id for c in db.exec(select(Call).where(Call.source == "strategy-test"))}
        calls = list_calls(db)
    if tag:
        tag_stored_calls(site.engine, calls)
    return ids


def section(html: str) -> str:
    start = html.index('id="strategi"')
    return html[start : html.index("</section>", start)]


def test_the_call_page_shows_partner_hints_goals_and_terms(make_site):
    site = make_site()
    ids = add_strategy_calls(site, tag=False)
    client = site.client()
    html = client.get(f"/calls/{ids['south-baltic']}").text
    part = section(html)
    assert "Partner: Gdańsk, Wismar kan delta (Interreg Södra Östersjön)" in part
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th><td>[^<]*</td><td>([^<]+)</td>', part))
    assert rows["Gdańsk"] == "Ja" and rows["Wismar"] == "Ja" and rows["Arendal"] == "Nej"
    assert rows["Kaliningrad"] == "Nej" and "samarbetet är vilande" in part
    assert "Kalmar kommun i Interreg Södra Östersjön: Kalmar län ingår i programområdet" in part
    assert "southbaltic.eu" in part
    assert 'href="/?sdg=14">Mål 14: Hav och marina resurser</a>' in part and "marine litter" in part
    assert "De är beräknade nu" in part  # not tagged yet: computed on the fly
    assert 'href="#strategi"' in html

    add_strategy_calls(site)  # now stored by the tagging job
    part = section(client.get(f"/calls/{ids['south-baltic']}").text)
    assert "Mål 14" in part and "De är beräknade nu" not in part

    part = section(client.get(f"/calls/{ids['lona']}").text)
    assert "kräver inga partner från andra länder" in part
    assert "Texten pekar inte ut barn och unga" in part
    part = section(client.get(f"/calls/{ids['arvsfonden']}").text)
    assert 'href="/?barn=1">Riktar sig till barn och unga</a>' in part and "ungdomar (ungdom)" in part


def test_a_broken_relations_file_is_reported_on_the_page_not_a_crash(make_site, tmp_path):
    broken = tmp_path / "relations.toml"
    broken.write_text('[home]\nname = "Kalmar"\ncountry = "Sverige"\n', encoding="utf-8")
    site = make_site(paths__relations_file=str(broken))
    ids = add_strategy_calls(site)
    response = site.client().get(f"/calls/{ids['south-baltic']}")
    assert response.status_code == 200
    assert f"Relationsfilen kunde inte läsas: {broken}, line 3: home.country" in section(response.text)


def test_sdg_and_child_youth_filters_on_the_page_and_the_api(make_site, db_url):
    site = make_site(db_url=db_url)
    add_strategy_calls(site)
    client = site.client()

    def titles(**params) -> set[str]:
        body = client.get("/api/calls", params={**params, "per_page": 50}).json()
        return {r["title"] for r in body["results"]}

    # the web corpus's own calls are tagged too: the Östersjön and LOVA calls serve goal 14
    assert titles(sdg="14") == {
        "Interreg South Baltic: call for regular projects 2027",
        "Water resilience and blue economy",
        "Lokala vattenvårdsprojekt (LOVA)",
    }
    assert titles(barn="1") == {
        "Fritid för barn och unga i utsatta områden",
        "Erasmus+ KA220-SCH: Cooperation partnerships in school education",
        "Barn och unga med funktionsnedsättning",
        "Hållbarhet och sociala frågor i skolan",
    }
    assert titles(q="bidrag", sdg=["15", "99", "x"]) == {"Lokala naturvårdssatsningen (LONA) 2027"}
    assert titles(q="partnerships", barn="1", sdg="4") == {
        "Erasmus+ KA220-SCH: Cooperation partnerships in school education"
    }
    page = client.get("/", params={"sdg": "14", "q": "interreg"})
    assert page.status_code == 200 and "1 utlysning" in page.text
    assert '<option value="14" selected>14 – Hav och marina resurser</option>' in page.text
    assert "Agenda 2030: mål 13, 14, 15" in page.text
    assert 'id="barn" name="barn" value="1" checked' in client.get("/", params={"barn": "1"}).text
    csv = client.get("/export/calls.csv", params={"barn": "1"}).text
    assert "Fritid för barn och unga" in csv and "Interreg South Baltic" not in csv


def test_the_activity_register_needs_login_checks_fields_and_audits_changes(make_site):
    site = make_site()
    anonymous = site.client()
    page = anonymous.get("/activities")
    assert page.status_code == 200 and "Logga in</a> för att registrera" in page.text
    token = csrf_of(anonymous.get("/login").text)  # a valid token of this (anonymous) session
    denied = anonymous.post("/activities", data={"csrf_token": token, "partner": "Gdańsk"})
    assert denied.status_code == 303 and denied.headers["location"].startswith("/login")

    klk = site.login("klk-anna")
    token = csrf_of(klk.get("/activities").text)
    assert klk.post("/activities", data={"partner": "Gdańsk"}).status_code == 403  # no CSRF token
    bad = klk.post(
        "/activities",
        data={
            "csrf_token": token,
            "held_on": "20 maj",
            "profile_id": "miljo",
            "kind": "x",
            "partner": "",
            "participants": "0",
        },
    )
    assert bad.status_code == 422
    assert 'aria-invalid="true" aria-describedby="err-held_on"' in bad.text
    assert "Ange datumet som ÅÅÅÅ-MM-DD" in bad.text and "Ange vänort, partnerstad eller nätverk." in bad.text
    assert "Välj resa eller webbmöte." in bad.text

    good = {
        "csrf_token": token,
        "held_on": "2026-05-04",
        "profile_id": "miljo",
        "kind": "study_visit",
        "partner": "Gdańsk",
        "participants": "6",
        "mode": "travel",
        "note": "Hamnens vattenrening",
    }
    added = klk.post("/activities", data=good)
    assert added.status_code == 303 and added.headers["location"] == "/activities?year=2026"
    listing = klk.get("/activities?year=2026").text
    assert "Gdańsk" in listing and "Hamnens vattenrening" in listing and "Studiebesök" in listing
    assert '<option value="Gdańsk">' in listing  # the twin towns are suggested
    csv = klk.get("/export/activities.csv?year=2026").text
    assert "2026-05-04;" in csv and "Studiebesök;Gdańsk;6;Resa;Hamnens vattenrening;klk-anna" in csv

    staff = site.login("buf-bo")
    staff_page = staff.get("/activities?year=2026").text
    assert 'value="skola"' in staff_page and 'value="miljo"' not in staff_page
    staff_token = csrf_of(staff_page)
    refused = staff.post("/activities", data={**good, "csrf_token": staff_token})
    assert refused.status_code == 422 and "Välj en förvaltning." in refused.text
    web = staff.post("/activities", data={**good, "csrf_token": staff_token, "profile_id": "skola", "mode": "web"})
    assert web.status_code == 303
    listing = klk.get("/activities?year=2026").text
    assert "Andel på webben: <strong>50 %</strong>" in listing
    ids = [int(i) for i in re.findall(r'action="/activities/(\d+)/delete"', listing)]
    assert len(ids) == 2
    klk_entry = min(ids)
    assert staff.post(f"/activities/{klk_entry}/delete", data={"csrf_token": staff_token}).status_code == 403
    assert klk.post(f"/activities/{klk_entry}/delete", data={"csrf_token": token}).status_code == 303
    assert klk.post(f"/activities/{klk_entry}/delete", data={"csrf_token": token}).status_code == 404
    with read_session(site.engine) as db:
        actions = [
            (e.actor, e.action, e.target) for e in audit_events(db, limit=100)[1] if e.action.startswith("activity.")
        ]
    assert sorted(actions) == sorted(
        [
            ("klk-anna", "activity.add", f"activity:{klk_entry}"),
            ("buf-bo", "activity.add", f"activity:{max(ids)}"),
            ("klk-anna", "activity.delete", f"activity:{klk_entry}"),
        ]
    )
