"""page-watch: noise on a page is not a change, a real change is, through the real store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from errors import ConfigError
from scrapers.base import Response
from scrapers.kinds.page_watch import PageWatch
from scrapers.pagetext import meaningful_text
from settings import SourceSettings
from store.calls import upsert_calls
from store.engine import read_session, write_session
from store.models import Call, CallChange

URL = "https://www.boverket.se/sv/bidrag/stod-till-utemiljoer/"
TEXT = """
  <h1>Stöd till utemiljöer i bostadsområden</h1>
  <p>Fastighetsägare och kommuner kan få stöd för att rusta upp utemiljöer i områden med socioekonomiska utmaningar.</p>
  <h2>Vem kan söka?</h2><p>Kommuner, kommunala bostadsbolag och privata fastighetsägare.</p>
  <h2>När kan man söka?</h2><p>{window}</p>
  <h2>Hur mycket?</h2><p>Stödet är högst 50 procent av kostnaden.</p>
"""


def page(
    window: str = "Ansökningstiden är mellan 1 februari och 31 mars.",
    updated: str = "2025-03-01",
    views: int = 1482,
    cookie: str = "Vi använder kakor för att förbättra webbplatsen.",
    news: str = "Nytt bidrag för energieffektivisering",
    token: str = "a8f3",
    extra_nav: str = "",
) -> bytes:
    """A hand-written page in the style of a Swedish agency site, with every kind of noise around the text."""
    return f"""<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">
<title>Stöd till utemiljöer | Boverket</title><script nonce="{token}">var t = "{token}";</script></head><body>
<div class="cookie-banner"><p>{cookie}</p><button>Godkänn alla kakor</button></div>
<header><nav><a href="/">Start</a> <a href="/bidrag">Bidrag</a> {extra_nav}</nav></header>
<nav class="breadcrumb">Du är här: Start › Bidrag › Utemiljöer</nav>
<main>
{TEXT.format(window=window)}
<p class="updated">Senast uppdaterad: {updated}</p>
<p>{views} visningar</p>
<div class="share-tools"><a href="#">Dela</a> <a href="#">Skriv ut</a></div>
<form><input type="hidden" name="csrf" value="{token}"><button>Var sidan till hjälp? Ja Nej</button></form>
</main>
<aside><h2>Nyheter</h2><p>{news}</p></aside>
<footer><p>Boverket, Box 534, 371 23 Karlskrona. © 2025</p></footer>
</body></html>""".encode()


def watcher(**options) -> PageWatch:
    return PageWatch(SourceSettings(name="boverket", kind="page-watch", url=URL, funder="Boverket", **options))


def parse(body: bytes, when: datetime, **options):
    kind = watcher(**options)
    (request,) = kind.start_requests()
    response = Response(URL, 200, {"date": when.strftime("%a, %d %b %Y %H:%M:%S GMT")}, body)
    return kind.parse(request, response).records


DAY1 = datetime(2025, 6, 2, 5, 30, tzinfo=UTC)
DAY2 = DAY1 + timedelta(days=1)


def store(engine, records, now):
    with write_session(engine) as session:
        return upsert_calls(session, records, now=now)


def changes(engine) -> list[str]:
    with read_session(engine) as session:
        return [c.field for c in session.exec(select(CallChange).order_by(CallChange.id))]


NOISE = {
    "a new update date": {"updated": "2025-06-03"},
    "a view counter": {"views": 1517},
    "a new cookie text": {"cookie": "Vi använder cookies för statistik. Du kan ändra dina val."},
    "news in an aside": {"news": "Ny vägledning om bostadsanpassning"},
    "a fresh token": {"token": "f00d"},
    "a new menu item": {"extra_nav": '<a href="/nytt">Nytt</a>'},
}


@pytest.mark.parametrize("noise", list(NOISE), ids=list(NOISE))
def test_noise_on_the_page_is_not_a_change_in_the_store(engine, noise):
    assert store(engine, parse(page(), DAY1), DAY1).new == 1
    result = store(engine, parse(page(**NOISE[noise]), DAY2), DAY2)
    assert (result.new, result.updated, result.unchanged) == (0, 0, 1)
    assert changes(engine) == []


def test_all_noise_at_once_is_not_a_change_either(engine):
    store(engine, parse(page(), DAY1), DAY1)
    everything = {k: v for values in NOISE.values() for k, v in values.items()}
    assert store(engine, parse(page(**everything), DAY2), DAY2).unchanged == 1
    assert changes(engine) == []


def test_a_real_change_of_the_text_is_recorded_with_its_new_dates(engine):
    store(engine, parse(page(), DAY1), DAY1)
    moved = page(window="Ansökningstiden är mellan 1 september och 15 oktober.", updated="2025-06-03")
    result = store(engine, parse(moved, DAY2), DAY2)
    assert result.updated == 1
    assert {"description", "summary", "opens_at", "deadline_at", "deadlines", "extra"} <= set(changes(engine))
    with read_session(engine) as session:
        call = session.exec(select(Call)).one()
    assert call.kind == "recurring"
    assert call.deadline_at == datetime(2025, 10, 15, 21, 59, 59, tzinfo=UTC)
    assert call.extra["window"] == {"opens": "09-01", "closes": "10-15"}
    assert "Senast uppdaterad" not in call.description and "visningar" not in call.description


def test_a_changed_sentence_without_dates_is_a_change_too(engine):
    store(engine, parse(page(), DAY1), DAY1)
    body = page().replace(b"50 procent", b"70 procent")
    assert store(engine, parse(body, DAY2), DAY2).updated == 1
    assert "description" in changes(engine)


def test_the_record_reads_kind_applicants_and_window_from_the_page():
    (record,) = parse(page(), DAY1)
    assert (record.kind, record.status, record.title) == (
        "recurring",
        "forthcoming",
        "Stöd till utemiljöer i bostadsområden",
    )
    assert record.deadlines == [datetime(2026, 3, 31, 21, 59, 59, tzinfo=UTC)]
    assert record.applicant_types == ["kommunalt bolag", "kommun", "fastighetsägare"]
    assert record.extra["municipality_eligible"] is True
    assert not record.description.startswith("Stöd till utemiljöer")  # the heading is the title, not the text


def test_a_fixed_record_kind_overrides_what_the_text_says():
    (record,) = parse(page(), DAY1, record_kind="scheme")
    assert (record.kind, record.status, record.deadlines, record.opens_at) == ("scheme", "open", [], None)


def test_ignore_patterns_drop_paragraphs_that_change_without_meaning():
    body = page(window="Ansökningstiden är mellan 1 februari och 31 mars. Just nu 17 ansökningar i kö.")
    (record,) = parse(body, DAY1, ignore=[r"ansökningar i kö"])
    assert "i kö" not in record.description


def test_more_pages_are_watched_as_pages_whose_failure_does_not_stop_the_source():
    kind = watcher(urls=["https://www.boverket.se/sv/bidrag/b/", URL])
    assert [(r.url, r.role) for r in kind.start_requests()] == [
        (URL, "listing"),
        ("https://www.boverket.se/sv/bidrag/b/", "page"),
    ]


def test_bad_options_are_refused_naming_the_key():
    with pytest.raises(ConfigError, match="record_kind"):
        watcher(record_kind="sometimes")
    # a bad entry in a list is named with its position
    with pytest.raises(ConfigError, match=r"ignore\.1: not a valid regular expression '\(unclosed'"):
        watcher(ignore=["fine", "(unclosed"])


@pytest.mark.parametrize(
    "paragraph",
    [
        "Senast uppdaterad: 2025-03-01",
        "Sidan uppdaterades senast den 3 mars 2025 kl. 14.22",
        "Publicerad 12 januari 2024, uppdaterad 3 mars 2025",
        "Last updated: 5 March 2025",
        "Page last reviewed on 12 May 2025",
        "1 482 visningar",
        "Antal visningar: 1 482",
        "Views: 3 210",
        "Dela sidan",
        "Skriv ut",
        "Var sidan till hjälp? Ja Nej",
        "Tack för ditt svar!",
        "Du är här: Start › Bidrag",
        "Vi använder kakor (cookies) för att webbplatsen ska fungera. Godkänn alla kakor",
        "We use cookies to give you the best experience. Accept all",
        "Sidansvarig: Anna Andersson",
    ],
)
def test_page_furniture_is_not_meaningful_text(paragraph):
    assert meaningful_text(f"Bidraget är högst 50 procent.\n\n{paragraph}") == "Bidraget är högst 50 procent."


def test_meaningful_sentences_that_mention_changes_are_kept():
    text = "Förordningen ändrades 1 januari 2024 och gäller nu.\n\nÄndrade regler för 2026 gäller från 1 juli."
    assert meaningful_text(text) == text
