"""vinnova: the requests it makes and its tolerance of missing fields (fixtures: tests/fixtures/vinnova/)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from errors import SourceError
from scrapers.base import Response
from scrapers.kinds.vinnova import Vinnova
from settings import SourceSettings

DATE = "Wed, 01 Jul 2026 10:00:00 GMT"


def kind(**options) -> Vinnova:
    return Vinnova(SourceSettings(name="vinnova", kind="vinnova", **options))


def respond(k: Vinnova, request, payload) -> object:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return k.parse(request, Response(url=request.url, status=200, headers={"date": DATE}, body=body))


def test_the_first_request_asks_for_rounds_changed_since_the_lookback_months_start():
    k = kind(lookback_days=30)
    (request,) = k.start_requests()
    assert request.url == f"https://data.vinnova.se/api/ansokningsomgangar/{k.since().isoformat()}"
    assert request.method == "GET" and request.role == "listing"
    assert k.since(date(2026, 7, 15)) == date(2026, 6, 1)
    assert k.since(date(2026, 7, 2)) == k.since(date(2026, 7, 30)) == date(2026, 6, 1)  # changes once a month
    assert k.since(date(2026, 7, 31)) == date(2026, 7, 1)
    assert (datetime.now(UTC).date() - k.since()).days in range(30, 62)


def test_a_fixed_since_date_wins():
    (request,) = kind(since="2024-01-01").start_requests()
    assert request.url == "https://data.vinnova.se/api/ansokningsomgangar/2024-01-01"


def test_calls_are_asked_for_in_batches():
    k = kind(batch_size=2)
    rounds = [
        {"Diarienummer": f"2026-0{i}", "DiarienummerUtlysning": f"2026-1{i}", "Stangningsdatum": "2026-12-01T14:00:00"}
        for i in range(5)
    ]
    result = respond(k, k.start_requests()[0], rounds)
    assert [f.url.rsplit("/", 1)[1] for f in result.follow] == ["2026-10,2026-11", "2026-12,2026-13", "2026-14"]
    assert result.records == []


def test_a_round_with_only_english_texts_is_an_english_record():
    k = kind()
    rnd = {
        "Diarienummer": "2026-00001",
        "DiarienummerUtlysning": "2026-00002",
        "Titel": "",
        "Beskrivning": None,
        "TitelEngelska": "Eurostars call 2026",
        "Oppningsdatum": "2026-06-01T00:00:00",
        "Stangningsdatum": "2026-09-10T14:00:00",
    }
    (follow,) = respond(k, k.start_requests()[0], [rnd]).follow
    call = {"Diarienummer": "2026-00002", "Titel": "x", "BeskrivningEngelska": "<p>For SMEs in Eureka countries.</p>"}
    (record,) = respond(k, follow, [call]).records
    assert record.title == "Eurostars call 2026" and record.language == "en"
    assert record.description == "For SMEs in Eureka countries."
    assert record.status == "open"
    assert record.url == "https://www.vinnova.se/sok/?q=2026-00002"


def test_a_round_with_nothing_but_its_number_still_gives_a_record():
    k = kind()
    rnd = {"Diarienummer": "2026-00009", "Stangningsdatum": "2026-12-01"}
    (record,) = respond(k, k.start_requests()[0], [rnd]).records
    assert record.title == "2026-00009" and record.deadline_at.hour == 23  # a bare date closes at the day's end


@pytest.mark.parametrize("body", [b"<html>Service Unavailable</html>", b'{"message": "error"}', b"42"])
def test_an_answer_that_is_not_a_json_array_is_a_parse_error(body):
    k = kind()
    with pytest.raises(SourceError) as info:
        respond(k, k.start_requests()[0], body)
    assert info.value.reason == "parse_error"


def test_an_envelope_around_the_array_is_tolerated():
    k = kind()
    rnd = {"Diarienummer": "2026-00009", "Stangningsdatum": "2026-12-01T14:00:00"}
    assert len(respond(k, k.start_requests()[0], {"items": [rnd]}).records) == 1
