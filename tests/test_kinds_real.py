"""The kinds on real captured responses in ../shared/data/real/, read in place, with the shipped config.toml."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scrapers.base import Response
from scrapers.kinds.eu_ftp import EuFtp
from scrapers.kinds.html import Html
from scrapers.records import thaw
from settings import SourceSettings, load_settings
from tests.conftest import real_data

ROOT = Path(__file__).resolve().parent.parent
BXL = ZoneInfo("Europe/Brussels")
PORTAL = "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/topic-details/"


def shipped(name: str) -> SourceSettings:
    settings = load_settings(ROOT / "config.toml", env={})
    return next(s for s in settings.sources if s.name == name)


def answer(request, path: Path, date: str) -> Response:
    return Response(url=request.url, status=200, headers={"date": date}, body=path.read_bytes())


# -- EuroAccess (html kind) ----------------------------------------------------------------------------
EUROACCESS_SAVED = "Wed, 15 Oct 2025 08:00:00 GMT"  # the pages were saved in October 2025


def euroaccess_listing():
    kind = Html(shipped("euroaccess"))
    request = kind.start_requests()[0]
    return kind, kind.parse(
        request, answer(request, real_data("euroaccess", "calls-list_saved-2025-10.html"), EUROACCESS_SAVED)
    )


def test_euroaccess_list_gives_142_calls_with_programme_title_and_deadline():
    config = shipped("euroaccess")
    kind = Html(SourceSettings.model_validate({**config.model_dump(), "fetch_details": False}))
    request = kind.start_requests()[0]
    result = kind.parse(
        request, answer(request, real_data("euroaccess", "calls-list_saved-2025-10.html"), EUROACCESS_SAVED)
    )
    assert len(result.records) == 142
    assert len({r.external_id for r in result.records}) == 142
    assert result.complete_listing and result.warnings == []
    assert all(r.title and r.programme and len(r.deadlines) == 1 for r in result.records)
    assert all(r.url.startswith("https://www.euro-access.eu/en/calls/") for r in result.records)

    by_title = {r.title: r for r in result.records}
    small = by_title["Interreg South Baltic - 3rd Small-scale call for proposals"]
    assert small.programme == "Interreg South Baltic"
    assert (
        small.url == "https://www.euro-access.eu/en/calls/2378/Interreg-South-Baltic-3rd-Small-scale-call-for-proposals"
    )
    # 12.11.2025 16:00 in Brussels time (CET) is 15:00 UTC; Stockholm time would give the same instant
    assert small.deadline_at == datetime(2025, 11, 12, 16, 0, tzinfo=BXL)
    assert small.deadline_at.astimezone(UTC) == datetime(2025, 11, 12, 15, 0, tzinfo=UTC)
    assert small.status == "open" and small.opens_at is None
    bsr = by_title["Interreg Baltic Sea Region - Project Platforms 2025"]
    assert bsr.programme == "Interreg Baltic Sea Region"
    assert bsr.deadline_at == datetime(2025, 11, 20, 16, 0, tzinfo=BXL)
    erasmus = by_title["Erasmus Charter for Higher Education - 6th cut-off date"]
    assert erasmus.deadline_at == datetime(2027, 1, 26, 17, 0, tzinfo=BXL)
    assert sorted({r.status for r in result.records}) == ["closed", "open"]  # a few deadlines had passed by then


def test_euroaccess_shipped_config_asks_for_every_call_page_carrying_its_listing_record():
    kind, result = euroaccess_listing()
    assert result.records == [] and len(result.follow) == 142
    assert {f.role for f in result.follow} == {"detail"}
    carried = {thaw(f.ctx()["record"]).title: thaw(f.ctx()["record"]) for f in result.follow}
    small = carried["Interreg South Baltic - 3rd Small-scale call for proposals"]
    assert small.deadline_at.astimezone(UTC) == datetime(2025, 11, 12, 15, 0, tzinfo=UTC)
    assert result.complete_listing


def test_euroaccess_call_page_completes_the_record_with_opening_summary_and_text():
    kind, listing = euroaccess_listing()
    request = next(f for f in listing.follow if "/calls/135/" in f.url)
    result = kind.parse(
        request,
        answer(request, real_data("euroaccess", "call-detail_erasmus-charter_saved-2025-10.html"), EUROACCESS_SAVED),
    )
    assert result.warnings == []
    (record,) = result.records
    assert record.title == "Erasmus Charter for Higher Education - 5th cut-off date"
    assert record.programme == "Erasmus+"
    assert record.opens_at == datetime(2022, 2, 23, tzinfo=BXL)
    assert record.deadline_at == datetime(2026, 1, 27, 17, 0, tzinfo=BXL)
    assert record.status == "open"
    assert record.summary.startswith("This Call aims at accrediting recognised Higher Education Institutions")
    assert "The Erasmus Charter for Higher Education (ECHE) is an EU quality certificate" in record.description
    assert "Education and training institution, Research Institution incl. University" in record.description
    assert "read more" not in record.description
    assert "Login" not in record.description and "Hauptnavigation" not in record.description
    # EuroAccess's "eligible entities" read into the vocabulary: higher education only, so no municipality
    assert record.applicant_types == ["lärosäte", "forskningsorganisation", "utbildningsanordnare"]
    assert record.extra["municipality_eligible"] is False


# -- EU Funding & Tenders Portal -----------------------------------------------------------------------
def eu_parse(filename: str, date: str):
    kind = EuFtp(shipped("eu-ftp"))
    request = kind.start_requests()[0]
    return kind.parse(request, answer(request, real_data("eu-ftp", filename), date))


def test_eu_ftp_real_page_gives_the_eight_distinct_topics_with_statuses_from_the_dates():
    # captured between 2026-04 and 2026-08 (SOURCES.md); statuses as of 1 July 2026
    result = eu_parse("aarhusai_portal_search_page_2026.json", "Wed, 01 Jul 2026 10:00:00 GMT")
    records = {r.external_id: r for r in result.records}
    assert len(result.records) == 8 == len(records)
    assert {k: r.status for k, r in records.items()} == {
        "HORIZON-CL3-2026-02-CS-ECCC-01": "open",
        "HORIZON-JU-CBE-2026-IAFlag-02": "open",
        "HORIZON-MISS-2027-05-SOIL-01-two-stage": "forthcoming",
        "HORIZON-CL4-2027-04-DIGITAL-EMERGING-10": "forthcoming",
        "HORIZON-CL5-2027-03-D5-05": "forthcoming",
        "HORIZON-CL6-2026-04-GOVERNANCE-01": "forthcoming",
        # legacy rows still say "forthcoming"; their deadlines passed in 2024
        "HORIZON-CL2-2024-TRANSFORMATIONS-01-08": "closed",
        "HORIZON-INFRA-2024-EOSC-01-03": "closed",
    }
    assert result.complete_listing  # totalResults 9 = the 9 rows
    soil = records["HORIZON-MISS-2027-05-SOIL-01-two-stage"]
    assert soil.deadlines == [datetime(2027, 4, 8, 17, 0, tzinfo=BXL), datetime(2027, 9, 14, 17, 0, tzinfo=BXL)]
    assert soil.opens_at == datetime(2027, 2, 4, tzinfo=BXL)
    assert soil.url == PORTAL + "HORIZON-MISS-2027-05-SOIL-01-two-stage"
    assert soil.programme == "Horizon Europe" and soil.funder == "European Commission" and soil.language == "en"
    assert soil.description.startswith("Expected Outcome:\n\nActivities under this topic respond directly")
    legacy = records["HORIZON-INFRA-2024-EOSC-01-03"]
    assert legacy.url == PORTAL + "HORIZON-INFRA-2024-EOSC-01-03"
    assert legacy.extra["keywords"][:2] == ["Co-programmed European Partnerships", "eInfrastructure"]
    # budgets: only the topic's own lines (the shortened file holds whole lines for these two)
    governance = records["HORIZON-CL6-2026-04-GOVERNANCE-01"]
    assert governance.budget == "EUR 60 000 000 (2026: 23 000 000, 2027: 37 000 000); 1 grant of EUR 60 000 000"
    eccc = records["HORIZON-CL3-2026-02-CS-ECCC-01"]
    assert eccc.budget == "EUR 20 000 000; 5 grants of EUR 3 000 000–4 000 000"
    assert eccc.extra["budget"]["total"] == 20_000_000
    # these topics' own lines were cut off by the repository's shortening: no budget rather than another's
    assert records["HORIZON-CL4-2027-04-DIGITAL-EMERGING-10"].budget == ""
    assert records["HORIZON-JU-CBE-2026-IAFlag-02"].budget == ""
    assert len(result.warnings) == 5 and all("cut short" in w for w in result.warnings)


def test_eu_ftp_trimmed_real_page_derives_status_and_asks_for_the_next_page():
    result = eu_parse("georget-j_sedia_search_page_trimmed_2026-06-11.json", "Thu, 11 Jun 2026 12:00:00 GMT")
    records = {r.external_id: r for r in result.records}
    chips = records["HORIZON-JU-CHIPS-2025-IA-LEAI-two-stage"]
    assert chips.status == "closed"  # stale "forthcoming" with 2025 deadlines
    assert chips.budget == "EUR 20 000 000; 2 grants of EUR 1 000 000–20 000 000"
    prize = records["HORIZON-JU-EDCTP3-2026-SCILEADERSHIPMANSSAPRIZE"]
    assert prize.status == "open"  # opened 27 May 2026
    assert prize.budget == "EUR 15 000; 1 grant of EUR 15 000"
    assert prize.deadline_at == datetime(2026, 9, 2, 17, 0, tzinfo=BXL)
    assert not result.complete_listing
    assert [f.url.rsplit("&", 1)[1] for f in result.follow] == ["pageNumber=2"]


def test_eu_ftp_mock_subset_without_paging_fields_still_gives_its_topic():
    result = eu_parse("aarhusai_mock_portal_topics_subset.json", "Wed, 01 Jul 2026 10:00:00 GMT")
    (record,) = result.records
    assert record.external_id == "HORIZON-MSCA-2027-COFUND-01-01" and record.status == "forthcoming"
    assert record.budget == "EUR 51 251 165"
    assert result.warnings == ["no totalResults in the answer; paging stopped"] and not result.complete_listing


SHIPPED = [s.name for s in load_settings(ROOT / "config.toml", env={}).sources]


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_source_builds_its_first_requests(name):
    from tests.kind_cases import KINDS

    config = shipped(name)
    requests = KINDS[config.kind](config).start_requests()
    assert requests and all(r.url.startswith("https://") for r in requests)
    assert requests[0].role == "listing"
