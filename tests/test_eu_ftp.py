"""eu-ftp: the request the search API needs, paging guards, own-budget lines and cut-short JSON texts."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from errors import SourceError
from scrapers.base import Response
from scrapers.eu_budget import own_lines, topic_budget
from scrapers.jsontext import TRUNCATED, loads_lenient
from scrapers.kinds.eu_ftp import EuFtp
from settings import SourceSettings

BXL = ZoneInfo("Europe/Brussels")


def kind(**options) -> EuFtp:
    return EuFtp(SourceSettings(name="eu-ftp", kind="eu-ftp", **options))


def page(rows: list[dict], total: int) -> bytes:
    return json.dumps({"totalResults": total, "pageNumber": 1, "pageSize": 100, "results": rows}).encode()


def topic(ident: str, **meta) -> dict:
    base = {
        "identifier": [ident],
        "title": [f"Topic {ident}"],
        "type": ["1"],
        "status": ["31094502"],
        "startDate": ["2026-03-01T00:00:00.000+0000"],
        "deadlineDate": ["2026-09-15T00:00:00.000+0000"],
        "frameworkProgramme": ["43108390"],
    }
    base.update(meta)
    return {"reference": f"{ident}en", "url": f"https://ec.europa.eu/x/{ident}", "summary": ident, "metadata": base}


def parse(k: EuFtp, body: bytes, request=None, date="Wed, 01 Jul 2026 10:00:00 GMT"):
    request = request or k.start_requests()[0]
    return k.parse(request, Response(url=request.url, status=200, headers={"date": date}, body=body))


def test_the_request_is_a_post_with_json_file_parts_named_blob():
    (request,) = kind().start_requests()
    assert request.method == "POST"
    assert request.url == (
        "https://api.tech.ec.europa.eu/search-api/prod/rest/search?apiKey=SEDIA&text=***&pageSize=100&pageNumber=1"
    )
    parts = dict(request.files)
    assert list(parts) == ["query", "languages", "sort"]
    assert all(filename == "blob" and ctype == "application/json" for filename, _, ctype in parts.values())
    assert json.loads(parts["query"][1]) == {
        "bool": {"must": [{"terms": {"type": ["1", "8"]}}, {"terms": {"status": ["31094501", "31094502"]}}]}
    }
    assert json.loads(parts["languages"][1]) == ["en"]
    assert json.loads(parts["sort"][1]) == {"field": "identifier", "order": "ASC"}


def test_configured_programmes_filter_the_query_and_the_rows():
    k = kind(programmes=["43108390"])
    query = json.loads(dict(k.start_requests()[0].files)["query"][1])
    assert {"terms": {"frameworkProgramme": ["43108390"]}} in query["bool"]["must"]
    other = topic("LIFE-2026-CET-LOCAL", frameworkProgramme=["43252405"])
    result = parse(k, page([topic("HORIZON-CL5-2026-01-D1-01"), other], 2))
    assert [r.external_id for r in result.records] == ["HORIZON-CL5-2026-01-D1-01"]


def test_paging_stops_at_max_pages_with_a_warning_and_no_complete_listing():
    k = kind(page_size=1, max_pages=2)
    first = parse(k, page([topic("A-1")], 5))
    (second_request,) = first.follow
    second = parse(k, page([topic("A-2")], 5), request=second_request)
    assert second.follow == [] and not second.complete_listing
    assert second.warnings == ["stopped after max_pages=2 (2 of 5 rows)"]


def test_an_empty_page_before_the_total_is_reached_is_not_a_complete_listing():
    k = kind(page_size=1)
    (second_request,) = parse(k, page([topic("A-1")], 3)).follow
    result = parse(k, page([], 3), request=second_request)
    assert not result.complete_listing and result.follow == []
    assert result.warnings == ["page 2 was empty after 1 of 3 rows; listing incomplete"]


def test_a_body_without_results_is_a_parse_error():
    with pytest.raises(SourceError, match="no 'results' list") as info:
        parse(kind(), b'{"type": "throwable"}')
    assert info.value.reason == "parse_error"


def test_a_bare_date_deadline_gets_the_configured_time_and_explicit_times_are_kept():
    result = parse(kind(deadline_time="12:00"), page([topic("A-1")], 1))
    assert result.records[0].deadline_at == datetime(2026, 9, 15, 12, 0, tzinfo=BXL)
    assert result.records[0].opens_at == datetime(2026, 3, 1, 0, 0, tzinfo=BXL)
    timed = topic("A-2", deadlineDate=["2026-09-15T17:00:00.000+0200"])
    assert parse(kind(), page([timed], 1)).records[0].deadline_at == datetime(2026, 9, 15, 17, 0, tzinfo=BXL)


def test_dates_missing_from_metadata_come_from_actions():
    actions = [{"status": {"id": 31094501, "abbreviation": "Forthcoming"}, "plannedOpeningDate": "2026-11-17",
                "deadlineDates": ["2027-03-18"]}]  # fmt: skip
    row = topic("A-1", deadlineDate=[], startDate=[], actions=[json.dumps(actions)])
    record = parse(kind(), page([row], 1)).records[0]
    assert record.opens_at == datetime(2026, 11, 17, tzinfo=BXL)
    assert record.deadlines == [datetime(2027, 3, 18, 17, 0, tzinfo=BXL)]
    assert record.status == "forthcoming"


def test_a_row_without_dates_keeps_the_portals_status():
    row = topic("A-1", deadlineDate=[], startDate=[], status=["31094501"])
    assert parse(kind(), page([row], 1)).records[0].status == "forthcoming"


def test_a_row_that_breaks_is_skipped_with_a_warning_and_the_others_stay():
    broken = {"reference": "B-1en", "metadata": {"identifier": ["B-1"], "title": {"unexpected": "shape"}}}
    result = parse(kind(), page([broken, topic("A-1")], 2))
    assert [r.external_id for r in result.records] == ["A-1"]
    assert len(result.warnings) == 1 and result.warnings[0].startswith("B-1: ") and "skipped" in result.warnings[0]


def test_own_budget_lines_need_the_identifier_followed_by_a_space():
    overview = {
        "budgetTopicActionMap": {
            "1": [{"action": "X-01 - RIA", "budgetYearMap": {"2026": "100"}}],
            "2": [{"action": "X-010 - RIA", "budgetYearMap": {"2026": "999"}}],
            "3": [{"action": "X-01", "budgetYearMap": {"2027": "5"}}],
        }
    }
    assert [line["action"] for line in own_lines(overview, "X-01")] == ["X-01 - RIA", "X-01"]
    text, figures, cut = topic_budget(json.dumps(overview), "X-01")
    assert text == "EUR 105 (2026: 100, 2027: 5)" and figures["total"] == 105 and not cut


def test_a_cut_short_budget_line_is_not_used_but_complete_ones_are():
    whole = '{"action":"X-01 - RIA","expectedGrants":2,"budgetYearMap":{"2026":"400"}}'
    cut_text = '{"budgetTopicActionMap":{"1":[' + whole + ',{"action":"X-01 - CSA","budgetYearMap":{"2026":"9'
    text, figures, cut = topic_budget(cut_text, "X-01")
    assert cut and text == "EUR 400; 2 grants" and figures["by_year"] == {"2026": 400}
    assert topic_budget("not json", "X-01") == ("", {}, True)
    assert topic_budget(None, "X-01") == ("", {}, False)


@pytest.mark.parametrize(
    ("text", "value", "truncated"),
    [
        ('{"a": [1, 2]}', {"a": [1, 2]}, False),
        ('{"a":1,"b":{"c":2},"d":"x', {"a": 1, "b": {"c": 2}, TRUNCATED: True}, True),
        ('[{"a":1},{"b":"x\\"y', [{"a": 1}, {TRUNCATED: True}], True),
        ('{"a":"]}"', {TRUNCATED: True}, True),
        ("[1,2,[3,4", [1, 2, [3]], True),
        ("", None, False),
        ("}{", None, True),
        (None, None, False),
    ],
)
def test_loads_lenient_keeps_what_was_complete_and_marks_what_was_cut(text, value, truncated):
    assert loads_lenient(text) == (value, truncated)


def test_an_empty_answer_is_never_a_complete_listing():
    result = parse(kind(), page([], 0))
    assert result.records == [] and not result.complete_listing and result.follow == []


def test_midnight_with_a_local_offset_is_a_bare_date_too():
    row = topic("A-1", deadlineDate=["2023-04-12T00:00:00.000+0200"])
    assert parse(kind(), page([row], 1)).records[0].deadline_at == datetime(2023, 4, 12, 17, 0, tzinfo=BXL)
