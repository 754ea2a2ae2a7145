"""wp-rest beyond the fixture pairs: incremental asks, paging without the header, WordPress errors, options."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from errors import ConfigError, SourceError
from scrapers.base import Response
from scrapers.kinds.wp_rest import WpRest, lookup
from settings import SourceSettings

URL = "https://www.esf.se/wp-json/wp/v2/utlysning"
DATE = {"date": "Wed, 01 Jul 2026 10:00:00 GMT"}


def kind(**options) -> WpRest:
    return WpRest(SourceSettings(name="esf", kind="wp-rest", url=URL, **options))


def post(ident: int, title: str = "Utlysning", content: str = "<p>Text</p>") -> dict:
    return {
        "id": ident,
        "date_gmt": "2026-05-01T08:00:00",
        "link": f"https://www.esf.se/utlysningar/{ident}/",
        "title": {"rendered": title},
        "content": {"rendered": content, "protected": False},
        "excerpt": {"rendered": "", "protected": False},
    }


def answer(source: WpRest, posts, headers=None, page: int = 1):
    request = source.page_request(page)
    body = json.dumps(posts).encode()
    return source.parse(request, Response(request.url, 200, {**DATE, **(headers or {})}, body))


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_the_first_request_asks_newest_changes_first_with_the_fields_needed_and_extra_params():
    source = kind(per_page=50, params={"search": "utlysning"}, fields={"deadline": "acf.deadline"})
    q = query(source.start_requests()[0].url)
    assert (q["per_page"], q["page"], q["orderby"], q["order"], q["search"]) == (
        ["50"],
        ["1"],
        ["modified"],
        ["desc"],
        ["utlysning"],
    )
    assert q["_fields"][0].split(",")[-1] == "acf" and "modified_after" not in q


def test_since_days_asks_for_posts_modified_since_the_first_of_that_month_and_is_never_complete():
    source = kind(since_days=40)
    assert source.since(date(2026, 7, 15)) == date(2026, 6, 1)
    assert query(source.start_requests()[0].url)["modified_after"][0].endswith("-01T00:00:00")
    result = answer(source, [post(1)], {"x-wp-totalpages": "1"})
    assert result.records and not result.complete_listing


def test_without_the_total_pages_header_a_full_page_asks_for_the_next():
    source = kind(per_page=2)
    full = answer(source, [post(1), post(2)])
    assert [query(f.url)["page"] for f in full.follow] == [["2"]] and not full.complete_listing
    short = answer(source, [post(3)], page=2)
    assert not short.follow and short.complete_listing


def test_paging_stops_at_max_pages_with_a_warning():
    result = answer(kind(max_pages=1), [post(1)], {"x-wp-totalpages": "3"})
    assert not result.follow and result.warnings == ["stopped after max_pages=1; listing incomplete"]


def test_an_empty_first_page_is_not_a_complete_listing():
    assert not answer(kind(), [], {"x-wp-totalpages": "0"}).complete_listing


def test_a_wordpress_error_object_is_a_parse_error_naming_its_code():
    with pytest.raises(SourceError, match="rest_post_invalid_page_number") as info:
        answer(kind(), {"code": "rest_post_invalid_page_number", "message": "The page number requested is larger."})
    assert info.value.reason == "parse_error"


def test_rendered_html_becomes_text_and_entities_are_decoded():
    (record,) = answer(kind(), [post(7, "Gr&ouml;n omst&auml;llning &#8211; 2026", "<p>A &amp; B</p>")]).records
    assert (record.title, record.description) == ("Grön omställning – 2026", "A & B")


def test_a_post_without_dates_is_a_call_and_a_rolling_one_a_scheme():
    (plain,) = answer(kind(), [post(1, content="<p>Mer information kommer.</p>")]).records
    (rolling,) = answer(kind(), [post(2, content="<p>Ansökan görs löpande.</p>")]).records
    assert (plain.kind, plain.status) == ("call", "open")
    assert (rolling.kind, rolling.deadlines) == ("scheme", [])


def test_applicants_from_a_field_are_kept_and_judged():
    source = kind(fields={"applicants": "acf.sokande"})
    item = {**post(1), "acf": {"sokande": "Kommuner; Regioner"}}
    (record,) = answer(source, [item]).records
    assert record.applicant_types == ["Kommuner", "Regioner"] and record.extra["municipality_eligible"] is True


def test_a_bad_date_in_a_field_is_a_warning_not_a_failure():
    source = kind(fields={"deadline": "acf.deadline"})
    result = answer(source, [{**post(1), "acf": {"deadline": "31.02.2026"}}])
    assert len(result.records) == 1 and "acf.deadline" in result.warnings[0]


def test_lookup_follows_dotted_paths_and_unwraps_rendered_values():
    item = {"acf": {"a": {"b": 3}}, "title": {"rendered": "T"}}
    assert (lookup(item, "acf.a.b"), lookup(item, "title"), lookup(item, "acf.x.y")) == (3, "T", None)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"url": URL + "?per_page=5"}, "url: must have no query string"),
        ({"per_page": 101}, "per_page: Input should be less than or equal to 100"),
        ({"fields": {"deadline": "acf deadline"}}, "fields.deadline: must be a dotted path"),
        ({"record_kind": "often"}, "record_kind"),
        ({"include": "(x"}, "include: not a valid regular expression"),
    ],
)
def test_bad_options_are_refused_naming_the_key(options, message):
    with pytest.raises(ConfigError, match="wp-rest") as info:
        WpRest(SourceSettings(name="esf", kind="wp-rest", **{"url": URL, **options}))
    assert message in str(info.value)
