"""Search over HTTP on SQLite and on PostgreSQL: the same answers, and always HTTP 200 for any input (I8)."""

from __future__ import annotations

import random

from tests.web.conftest import Site

SYMBOLS = list("\"()*:^+-%_\\'") + [
    "AND",
    "OR",
    "NOT",
    "NEAR",
    " ",
    "å",
    "ä",
    "ö",
    "title:",
    "budget:",
    "{extra}",
    "vatten",
]


def test_search_pages_and_api_work_on_both_databases(make_site, db_url):
    site: Site = make_site(db_url=db_url)
    client = site.client()
    page = client.get("/", params={"q": "vattenvård", "status": "open", "sort": "relevance"})
    assert page.status_code == 200 and "Stöd till vattenvård i kommuner" in page.text
    body = client.get("/api/calls", params={"q": '"social hållbarhet"'}).json()
    assert [r["title"] for r in body["results"]] == ["Social hållbarhet i städer"]
    assert client.get(f"/calls/{site.ids['e1']}").status_code == 200
    assert client.get("/profiles/miljo").status_code == 200
    assert "BEGIN:VEVENT" in client.get("/profiles/miljo/deadlines.ics").text


def test_I8_a_thousand_random_queries_always_answer_200(make_site, db_url):
    site: Site = make_site(db_url=db_url)
    client = site.client()
    rng = random.Random(8)
    for _ in range(1000):
        query = "".join(rng.choice(SYMBOLS) for _ in range(rng.randint(1, 10)))
        response = client.get("/api/calls", params={"q": query, "per_page": 10})
        assert response.status_code == 200, query
        assert all("zqx" not in r["title"] for r in response.json()["results"])
    for query in ("budget:zqxbudget", "zqxhidden", '"zqxhidden"', "{extra}: zqxhidden"):
        assert client.get("/", params={"q": query}).status_code == 200
        assert client.get("/api/calls", params={"q": query}).json()["total"] == 0, query
