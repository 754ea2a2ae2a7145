"""scrapers.detail: selectors (incl. @attribute) and what a detail page adds to a listing's record."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup

from scrapers.base import Request, Response
from scrapers.detail import DetailSelectors, extract_detail, parse_detail, select_all, select_text
from scrapers.records import freeze, thaw
from store.records import CallRecord

STHLM = ZoneInfo("Europe/Stockholm")


def soup(markup: str) -> BeautifulSoup:
    return BeautifulSoup(markup, "html.parser")


def test_selectors_read_text_or_attributes_and_an_empty_css_part_means_the_element_itself():
    item = soup('<li data-id="42"><a href="/x" title="Rubrik">Länk</a><time datetime="2026-10-01">1 okt</time></li>').li
    assert select_text(item, "a") == "Länk"
    assert select_text(item, "a@title") == "Rubrik"
    assert select_text(item, "@data-id") == "42"
    assert select_all(item, "time@datetime") == ["2026-10-01"]
    assert select_text(item, ".missing") == "" and select_text(item, "") == ""


def test_without_selectors_the_main_text_and_labelled_dates_are_used():
    page = soup(
        "<html><body><nav>Meny Stängd 1 januari 2020</nav><main><h1>Stöd</h1>"
        "<p>Ansökan öppnar 1 september 2026.</p><p>Sista ansökningsdag: 15 oktober 2026 kl. 14.00</p>"
        "</main><footer>Senast uppdaterad 2 juni 2026</footer></body></html>"
    )
    found = extract_detail(page, DetailSelectors(), STHLM, [])
    assert found.opens_at == datetime(2026, 9, 1, tzinfo=STHLM)
    assert found.deadlines == [datetime(2026, 10, 15, 14, 0, tzinfo=STHLM)]
    assert "Meny" not in found.description and "uppdaterad" not in found.description


def test_a_description_selector_that_matches_nothing_is_reported():
    found = extract_detail(soup("<p>x</p>"), DetailSelectors(description=".text"), STHLM, [])
    assert found.description == "" and found.warnings == ["detail description selector '.text' matched nothing"]


def listing_record(**values) -> CallRecord:
    base = {"source": "s", "external_id": "k", "title": "Klimatstöd", "url": "https://x.se/k", "summary": "Kort."}
    return CallRecord(**{**base, **values})


def detail(record: CallRecord, markup: str, selectors: DetailSelectors | None = None):
    request = Request(url=record.url, role="detail", context=(("record", freeze(record)),))
    response = Response(
        url=record.url, status=200, headers={"date": "Wed, 01 Jul 2026 10:00:00 GMT"}, body=markup.encode()
    )
    return parse_detail("s", request, response, selectors or DetailSelectors(), STHLM, [])


def test_the_listing_keeps_what_it_had_and_the_page_adds_the_rest():
    listed = listing_record(deadlines=[datetime(2026, 9, 30, 23, 59, 59, tzinfo=STHLM)])
    page = "<main><h1>Klimatstöd</h1><p>Öppnar 1 augusti 2026. Stänger 15 oktober 2026.</p><p>Lång text om stödet.</p></main>"
    (record,) = detail(listed, page).records
    assert record.deadlines == listed.deadlines  # the listing's deadline is kept
    assert record.opens_at == datetime(2026, 8, 1, tzinfo=STHLM)  # the page adds the opening
    assert record.summary == "Kort."  # the listing's own summary is kept
    assert record.description.startswith("Öppnar 1 augusti 2026.")  # the heading repeating the title is dropped
    assert listed.status == "open" and record.status == "forthcoming"  # recomputed: it opens after 1 July


def test_a_page_that_gives_nothing_keeps_the_listing_record_and_warns():
    listed = listing_record()
    result = detail(listed, "<html><body></body></html>")
    assert result.records == [listed]
    assert result.warnings == ["s: https://x.se/k: the detail page gave no text or dates"]


def test_records_travel_through_request_contexts_unchanged():
    record = listing_record(opens_at=datetime(2026, 8, 1, tzinfo=STHLM), extra={"a": [1, "å"]})
    back = thaw(freeze(record))
    assert back == record
    assert hash(freeze(record))  # a context value must be hashable


def test_a_linked_pdf_keeps_the_listing_record_with_a_warning():
    listed = listing_record()
    request = Request(url=listed.url, role="detail", context=(("record", freeze(listed)),))
    response = Response(url=listed.url, status=200, headers={"content-type": "application/pdf"}, body=b"%PDF-1.7")
    result = parse_detail("s", request, response, DetailSelectors(), STHLM, [])
    assert result.records == [listed]
    assert result.warnings == ["s: https://x.se/k: the call's page is application/pdf, not HTML; listing text kept"]
