"""Region marking: a regional call outside Kalmar län is out of region; a town mentioned in passing is not a region."""

from __future__ import annotations

import pytest

from scrapers.annotate import annotate
from scrapers.regions import HOME, find_regions, home_areas
from store.records import CallRecord


@pytest.mark.parametrize(
    ("headline", "prose", "eligibility", "regions", "out"),
    [
        ("ERUF Stockholm: utlysning för innovation", "", "", ["Stockholms län"], True),
        ("Utlysning inom Småland och öarna", "", "", ["Småland och öarna"], False),
        ("Stöd till företag", "Region: Region Kalmar län\n\nKontakt: vårt kontor i Stockholm.", "", ["Kalmar län"], False),
        ("Stöd", "Geografiskt område\n\nStockholms län och Uppsala län\n\nMer text", "",
         ["Stockholms län", "Uppsala län"], True),
        ("Stöd", "Utlysningen gäller endast för företag i Stockholms län.", "", ["Stockholms län"], True),
        ("Stöd", "Vi har kontor i Stockholm och Östersund.", "", [], None),
        ("Stöd", "", "Företag i Västra Götalands län kan söka.", ["Västra Götalands län"], True),
        ("Stöd", "Öppen för organisationer i hela landet. Huvudkontoret ligger i Stockholm.", "", [], False),
        ("Länsstyrelsen i Stockholms län: LONA-bidrag", "", "", ["Stockholms län"], True),
        ("Länsstyrelsen Kalmar län: LOVA-bidrag", "", "", ["Kalmar län"], False),
        ("Stöd", "Projekten ska vara verksamma i Skåne eller Blekinge.", "", ["Skåne län", "Blekinge län"], True),
        ("Stöd", "Regioner som omfattas: Östra Mellansverige", "", ["Östra Mellansverige"], True),
        ("Regionalfonden Sydsverige", "Programområdet Sydsverige omfattar Skåne och Blekinge.", "",
         ["Sydsverige", "Skåne län", "Blekinge län"], True),
        ("ESF+ Småland och öarna", "Utlysningen är endast öppen för aktörer i Jönköpings, Kronobergs och Kalmar län.",
         "", ["Småland och öarna", "Jönköpings län", "Kronobergs län", "Kalmar län"], False),
        ("Stöd", "Utlysningen gäller endast Gotland och Kalmar län.", "", ["Gotlands län", "Kalmar län"], False),
    ],
)  # fmt: skip
def test_regions_a_call_is_limited_to_and_whether_kalmar_is_left_out(headline, prose, eligibility, regions, out):
    found = find_regions(headline, prose, eligibility)
    assert (found.regions, found.out_of_region) == (regions, out)


def test_home_includes_the_programme_area_that_contains_kalmar():
    assert home_areas() == {HOME, "Småland och öarna"}
    assert find_regions("ESF Småland och öarna", "", home="Skåne län").out_of_region is True


def test_annotate_marks_an_out_of_region_call_with_its_regions():
    call = CallRecord(
        source="tillvaxtverket",
        external_id="1",
        title="Regionalfonden: utlysning i Stockholm",
        url="https://x.se/1",
        description="Vem kan söka?\n\nFöretag och kommuner i Stockholms län.",
    )
    got = annotate(call)
    assert got.extra["out_of_region"] is True and got.extra["regions"] == ["Stockholms län"]
    assert got.extra["municipality_eligible"] is True


def test_a_call_that_names_no_region_gets_no_region_marks():
    call = CallRecord(source="s", external_id="1", title="Stöd till kommuner", url="https://x.se/1")
    assert "out_of_region" not in annotate(call).extra and "regions" not in annotate(call).extra


def test_interreg_programmes_whose_area_leaves_out_kalmar_are_out_of_region():
    def regions(programme: str):
        found = find_regions("Call", "Text", programme=programme)
        return found.regions, found.out_of_region

    assert regions("Interreg South Baltic") == (["Interreg South Baltic"], False)
    assert regions("Interreg Baltic Sea Region") == (["Interreg Baltic Sea Region"], False)
    assert regions("Interreg Europe\nEuropean Union") == (["Interreg Europe"], False)
    assert regions("Interreg Czechia-Poland") == (["Interreg Czechia-Poland"], True)
    assert regions("Interreg VI-A Öresund-Kattegat-Skagerrak") == (["Interreg Öresund-Kattegat-Skagerrak"], True)
    assert regions("Interregional Innovation Investments") == ([], None)


def test_on_the_real_euroaccess_listing_only_interreg_programmes_covering_kalmar_stay_in_region():
    from scrapers.kinds.html import Html
    from settings import SourceSettings
    from tests.conftest import real_data
    from tests.test_kinds_real import EUROACCESS_SAVED, answer, shipped

    config = shipped("euroaccess")
    kind = Html(SourceSettings.model_validate({**config.model_dump(), "fetch_details": False}))
    request = kind.start_requests()[0]
    body = answer(request, real_data("euroaccess", "calls-list_saved-2025-10.html"), EUROACCESS_SAVED)
    records = kind.parse(request, body).records
    interreg = {r.programme: r.extra.get("out_of_region") for r in records if r.programme.startswith("Interreg ")}
    assert interreg["Interreg South Baltic"] is False and interreg["Interreg Baltic Sea Region"] is False
    assert interreg["Interreg Czechia-Poland"] is True and interreg["Interreg Brandenburg-Poland"] is True
    others = [r for r in records if "interreg" not in r.programme.casefold()]
    assert others and all("out_of_region" not in r.extra for r in others if r.programme == "Erasmus+")
