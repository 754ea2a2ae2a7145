"""The pages over real HTTP: what each shows, in Swedish, with every list exportable."""

from __future__ import annotations

import csv
import io
import re

from tests.web.conftest import Site
from tests.web.corpus import day
from web.formatting import date_sv, datetime_sv


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_healthz_answers_ok(site: Site):
    response = site.client().get("/healthz")
    assert response.status_code == 200 and response.text == "ok"


def test_every_page_is_swedish_with_a_skip_link_and_one_h1(site: Site):
    pages = ["/", "/?q=vatten", f"/calls/{site.ids['v1']}", "/profiles", "/profiles/miljo", "/sources", "/login"]
    client = site.client()
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert '<html lang="sv">' in response.text, path
        assert 'href="#main"' in response.text and 'id="main"' in response.text, path
        assert response.text.count("<h1") == 1, path


def test_search_shows_count_results_and_matched_administrations(site: Site):
    response = site.client().get("/", params={"q": "vatten"})
    page = text_of(response.text)
    assert "utlysningar för ”vatten”" in page
    assert "Stöd till vattenvård i kommuner" in page
    assert "Lokala vattenvårdsprojekt (LOVA)" in page
    # the call matched Miljöförvaltningen with 0.82 and Barn- och ungdomsförvaltningen with 0.21
    row = re.search(r"Stöd till vattenvård i kommuner.*?</tr>", response.text, re.S).group(0)
    assert "Miljöförvaltningen" in row and "0,82" in row and "Barn- och ungdomsförvaltningen" in row


def test_search_filters_live_in_the_url_and_narrow_the_results(site: Site):
    client = site.client()
    everything = client.get("/api/calls", params={"per_page": 100}).json()["total"]
    assert everything == 20
    params = {"status": "open", "language": "sv", "municipal": "1", "sort": "deadline", "per_page": 100}
    body = client.get("/api/calls", params=params).json()
    titles = [r["title"] for r in body["results"]]
    assert "Digitalisering i små företag" not in titles  # companies only
    assert "Social hållbarhet i städer" not in titles  # closed
    assert "Climate adaptation in coastal regions" not in titles  # English
    # sorted by deadline: soonest first
    deadlines = [r["deadline_at"] for r in body["results"] if r["deadline_at"]]
    assert deadlines == sorted(deadlines)
    page = client.get("/", params=params)
    assert 'id="status-open" name="status" value="open" checked' in page.text
    assert 'id="municipal" name="municipal" value="1" checked' in page.text
    assert '<option value="deadline" selected>' in page.text


def test_search_by_funder_programme_kind_profile_and_deadline_range(site: Site):
    client = site.client()

    def titles(**params):
        return sorted(r["title"] for r in client.get("/api/calls", params=params).json()["results"])

    assert titles(funder="Formas") == ["Hållbarhet och sociala frågor i skolan", "Social hållbarhet i städer"]
    assert titles(programme="LOVA") == ["Lokala vattenvårdsprojekt (LOVA)"]
    assert titles(kind="scheme") == ["Barn och unga med funktionsnedsättning"]
    assert titles(profile="skola") == ["Erasmus+ school partnerships", "Stöd till vattenvård i kommuner"]
    # final deadlines on day 5, 8 and 12; "Climate adaptation" has a cut-off on day 10 but closes on day 60
    window = {"from": date_sv(day(5)), "to": date_sv(day(12))}
    assert titles(**window) == [
        "Digitalisering i små företag",
        "Erasmus+ school partnerships",
        "Regionalt utvecklingsstöd Kalmar län",
    ]


def test_a_bad_date_is_explained_next_to_its_field(site: Site):
    response = site.client().get("/", params={"from": "31/12/2026"})
    assert response.status_code == 200
    assert 'id="from" name="from" value="31/12/2026"' in response.text
    assert 'aria-invalid="true" aria-describedby="err-from"' in response.text
    assert "Ange datumet som ÅÅÅÅ-MM-DD" in response.text


def test_paging_links_keep_the_query_and_mark_the_current_page(site: Site):
    response = site.client().get("/", params={"per_page": 10, "page": 2})
    assert "Visar 11–20" in response.text
    assert '<a href="/?page=2&amp;per_page=10" aria-current="page">' in response.text
    assert 'href="/?per_page=10" rel="prev"' in response.text


def test_a_search_counted_only_up_to_the_limit_says_more_than_and_still_pages_and_exports_everything(
    site: Site, monkeypatch
):
    import store.search

    client = site.client()
    exact = client.get("/api/calls", params={"q": "och", "per_page": 100}).json()
    assert exact["total_exact"] and exact["total"] > 4
    monkeypatch.setattr(store.search, "COUNT_LIMIT", 2)
    page = client.get("/", params={"q": "och", "per_page": 10}).text
    assert "Fler än 10 utlysningar" in page  # counted to the end of the page, then "more than"
    assert 'rel="next"' in page
    body = client.get("/api/calls", params={"q": "och", "per_page": 10}).json()
    assert (body["total"], body["total_exact"]) == (10, False)
    second = client.get("/api/calls", params={"q": "och", "per_page": 10, "page": 2}).json()
    ids = [r["id"] for r in body["results"] + second["results"]]
    assert ids == [r["id"] for r in exact["results"]]
    csv_rows = client.get("/export/calls.csv", params={"q": "och"}).content.decode("utf-8").splitlines()
    assert len(csv_rows) - 1 == exact["total"]


def test_search_csv_has_every_result_and_defuses_formulas(site: Site):
    with site.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(text("UPDATE call SET title = '=HYPERLINK(\"http://evil\")' WHERE external_id = 'k1'"))
    response = site.client().get("/export/calls.csv", params={"per_page": 10})
    assert response.headers["content-type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert rows[0][:3] == ["id", "titel", "finansiär"]
    assert len(rows) == 21  # all 20 calls, not one page
    titles = [r[1] for r in rows[1:]]
    assert '\'=HYPERLINK("http://evil")' in titles


def test_call_page_shows_every_field_deadlines_matches_and_the_follow_up(site: Site):
    response = site.client().get(f"/calls/{site.ids['e1']}")
    page = text_of(response.text)
    for expected in (
        "Climate adaptation in coastal regions",
        "European Commission",
        "Horizon Europe",
        "Engelska",
        "Local authorities, Universities",
        "eu-ftp (id e1)",
        "Innovations for climate adaptation",
        datetime_sv(day(10)),  # the first cut-off, in Swedish time
        datetime_sv(day(60)) + " (sista)",
        "Ingen förvaltning följer upp utlysningen ännu.",
        "Liknande utlysningar",
    ):
        assert expected in page, expected
    # the matcher's TF-IDF index lists other calls with their similarity
    assert "inte tillgängliga ännu" not in page
    assert "likhet" in page.split("Liknande utlysningar")[-1]
    assert '<a href="https://ec.europa.eu/e1" rel="noopener noreferrer">' in response.text


def test_call_page_lists_matches_with_score_and_reasons(site: Site):
    page = text_of(site.client().get(f"/calls/{site.ids['v1']}").text)
    assert "Miljöförvaltningen 0,82 Vatten och hav Nämner vattenvård och Östersjön" in page
    assert "vatten → vattenvård" in page


def test_call_page_shows_the_change_history(site: Site):
    from store.calls import upsert_calls
    from store.engine import write_session
    from tests.web.corpus import NOW, calls

    changed = [c for c in calls() if c.external_id == "t1"]
    changed[0].title = "Digitalisering i små och medelstora företag"
    from datetime import timedelta

    with write_session(site.engine) as db:
        upsert_calls(db, changed, now=NOW + timedelta(days=1))
    page = text_of(site.client().get(f"/calls/{site.ids['t1']}").text)
    assert "Titel Digitalisering i små företag Digitalisering i små och medelstora företag" in page


def test_unknown_call_is_a_swedish_404(site: Site):
    response = site.client().get("/calls/99999")
    assert response.status_code == 404
    assert "Det finns ingen utlysning med nummer 99999." in response.text
    assert site.client().get("/calls/abc").status_code == 422


def test_profile_page_shows_priorities_matches_feedback_and_digest_notice(site: Site):
    client = site.login("buf-bo")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(f"/calls/{site.ids['e4']}").text).group(1)
    answer = client.post(
        f"/calls/{site.ids['e4']}/feedback", data={"csrf_token": token, "profile_id": "skola", "verdict": "relevant"}
    )
    assert answer.status_code == 303, answer.text
    page = text_of(site.client().get("/profiles/skola").text)
    assert "Skolutveckling" in page and "Erasmus" in page
    assert "Erasmus+ school partnerships European Commission 0,70 Skolutveckling Nämner skolor" in page
    assert "Erasmus+ school partnerships Relevant buf-bo" in page
    assert "Inga utskick registrerade ännu." in page


def test_profile_csv_downloads(site: Site):
    client = site.client()
    matches = client.get("/profiles/miljo/matches.csv").content.decode("utf-8")[1:]
    rows = list(csv.reader(io.StringIO(matches), delimiter=";"))
    assert rows[0][0] == "poäng" and rows[1][0] == "0,820" and rows[1][4] == "Stöd till vattenvård i kommuner"
    assert len(rows) == 5
    feedback = client.get("/profiles/miljo/feedback.csv").content.decode("utf-8")[1:]
    assert feedback.splitlines()[0] == "datum;bedömning;av;id;titel;finansiär"


def test_profiles_page_lists_every_profile_and_flags_broken_files(site: Site):
    (site.profiles_dir / "trasig.toml").write_text('name = "Trasig"\npriorities = 3\n', encoding="utf-8")
    page = text_of(site.client().get("/profiles").text)
    assert "Miljöförvaltningen" in page and "Kultur- och fritidsförvaltningen" in page
    assert "trasig : trasig.toml, line 2: priorities: must be [[priorities]] tables" in page


def test_sources_page_shows_state_history_chart_and_urls(make_site):
    from datetime import UTC, datetime, timedelta

    from store.engine import write_session
    from store.models import ScrapeRun

    site = make_site(
        sources=[
            {"name": "vinnova", "kind": "vinnova", "url": "https://data.vinnova.se/api/utlysningar"},
            {"name": "gammal", "kind": "html", "url": "javascript:alert(1)"},
            {"name": "av", "kind": "rss", "enabled": False},
        ]
    )
    start = datetime.now(UTC) - timedelta(days=3)
    with write_session(site.engine) as db:
        for day, (outcome, parsed) in enumerate([("ok", 40), ("ok", 42), ("error", 0), ("ok", 45)]):
            db.add(
                ScrapeRun(
                    source="vinnova",
                    started_at=start + timedelta(hours=day * 12),
                    outcome=outcome,
                    reason="timeout" if outcome == "error" else "",
                    error="no answer in 120 s" if outcome == "error" else "",
                    parsed=parsed,
                    fetched=parsed,
                )
            )
        db.add(ScrapeRun(source="gammal", started_at=start - timedelta(days=10), outcome="ok", parsed=3))
    response = site.client().get("/sources")
    page = text_of(response.text)
    assert "vinnova I drift" in page
    assert "gammal Inaktuell: ingen lyckad körning på 7 dagar" in page
    assert "av Avstängd" in page
    assert "(timeout)" in page and "no answer in 120 s" in page
    vinnova = response.text.split('id="source-vinnova"')[1].split("</svg>")[0]
    assert vinnova.count('class="bar"') == 3 and vinnova.count('class="failed"') == 1
    assert '<svg class="chart"' in response.text and 'role="img"' in response.text
    assert '<a href="https://data.vinnova.se/api/utlysningar"' in response.text
    assert "javascript:alert" not in response.text
    rows = site.client().get("/sources.csv").content.decode("utf-8")[1:].splitlines()
    assert rows[0].startswith("källa;typ;aktiv;läge") and len(rows) == 4


def test_api_returns_calls_call_detail_and_profile_matches(site: Site):
    client = site.client()
    body = client.get("/api/calls", params={"q": "vatten"}).json()
    assert body["total"] >= 3
    assert body["results"][0]["page"].startswith("http://fundwatch.test/calls/")
    detail = client.get(f"/api/calls/{site.ids['e1']}").json()
    assert detail["deadlines"] == [day(10).isoformat(), day(60).isoformat()]
    assert detail["applicant_types"] == ["Local authorities", "Universities"]
    matches = client.get("/api/profiles/miljo/matches").json()
    assert [m["call"]["title"] for m in matches["matches"]][:2] == [
        "Stöd till vattenvård i kommuner",
        "Lokala vattenvårdsprojekt (LOVA)",
    ]
    assert matches["matches"][0]["explanation"]["priority"] == "Vatten och hav"
    missing = client.get("/api/calls/424242")
    assert missing.status_code == 404 and missing.json() == {"error": "no call with id 424242"}
    assert client.get("/api/profiles/nobody/matches").status_code == 404


def test_a_closed_calls_page_renders_without_similar_open_calls(site: Site):
    from sqlalchemy import text as sql

    with site.engine.begin() as conn:
        conn.execute(sql("UPDATE call SET status = 'closed' WHERE id = :id"), {"id": site.ids["e1"]})
    response = site.client().get(f"/calls/{site.ids['e1']}")
    assert response.status_code == 200
    assert "Liknande utlysningar" in response.text


def test_call_details_from_sources_are_shown_with_swedish_labels(site: Site):
    from sqlalchemy import text as sql

    with site.engine.begin() as conn:
        conn.execute(
            sql("UPDATE call SET extra = :extra WHERE id = :id"),
            {
                "extra": '{"municipality_eligible": true, "fingerprint": "abc123", "out_of_region": false}',
                "id": site.ids["e1"],
            },
        )
    page = text_of(site.client().get(f"/calls/{site.ids['e1']}").text)
    assert "Kommuner kan söka Ja" in page
    assert "Utanför Kalmar län Nej" in page
    assert "abc123" not in page and "municipality_eligible" not in page
