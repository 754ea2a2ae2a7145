"""Partner hints: which of Kalmar's twin towns could take part in a call that asks for international partners."""

from __future__ import annotations

from pathlib import Path

import pytest

from errors import ConfigError
from strategy import detect_requirement, load_programme_areas, load_relations, partner_hints
from tests.strategy_fixtures import ERASMUS, NATIONAL, SOUTH_BALTIC, SWEDISH_PARTNERS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def relations():
    return load_relations(ROOT / "data" / "relations.toml")


@pytest.fixture(scope="module")
def areas():
    return load_programme_areas()


def names(hints) -> list[str]:
    return [h.partner.name for h in hints]


def test_shipped_relations_hold_the_twin_towns_and_networks_with_kaliningrad_paused(relations):
    assert {p.name: p.country for p in relations.twin_towns} == {
        "Årborg": "IS",
        "Arendal": "NO",
        "Entebbe": "UG",
        "Gdańsk": "PL",
        "Kaliningrad": "RU",
        "Savonlinna": "FI",
        "Wilmington": "US",
        "Wismar": "DE",
    }
    assert [p.name for p in relations.twin_towns if not p.active] == ["Kaliningrad"]
    assert {n.name for n in relations.networks} == {
        "Union of the Baltic Cities",
        "Den nya Hansan",
        "SUBMARINER Network",
    }
    assert relations.home.region == "SE213"


def test_a_south_baltic_call_admits_gdansk_and_wismar_but_not_arendal(relations, areas):
    hints = partner_hints(SOUTH_BALTIC, relations, areas)
    assert hints is not None
    assert [a.id for a in hints.requirement.areas] == ["south-baltic"]
    assert hints.requirement.min_countries == 2
    assert names(hints.eligible) == ["Gdańsk", "Wismar"]
    reasons = {h.partner.name: h.reason for h in hints.not_eligible}
    assert "Arendal" in reasons and "Norge" in reasons["Arendal"]
    assert reasons["Kaliningrad"] == "samarbetet är vilande"
    assert "Trójmiejski" in next(h.reason for h in hints.eligible if h.partner.name == "Gdańsk")
    assert hints.summary() == "Partner: Gdańsk, Wismar kan delta (Interreg Södra Östersjön)"
    admitted = dict(hints.admitted)["Interreg Södra Östersjön"]
    assert "Polen (" in admitted and "Kalmar län" in admitted and "Norge" not in admitted
    assert hints.home == (("Interreg Södra Östersjön", "in", "Kalmar län ingår i programområdet"),)
    assert "southbaltic.eu" in dict(hints.sources)["Interreg Södra Östersjön"]


def test_the_baltic_sea_region_admits_arendal_through_norway_and_wismar_through_mecklenburg(relations, areas):
    call = {"title": "Water-smart societies", "programme": "Interreg Baltic Sea Region", "description": "Call 4."}
    hints = partner_hints(call, relations, areas)
    assert names(hints.eligible) == ["Arendal", "Gdańsk", "Savonlinna", "Wismar"]
    assert "Årborg" in names(hints.not_eligible)


def test_central_baltic_is_honest_about_savonlinna_and_kalmar(relations, areas):
    hints = partner_hints({"title": "x", "programme": "Interreg Central Baltic"}, relations, areas)
    assert names(hints.uncertain) == ["Savonlinna"]
    assert hints.eligible == ()
    assert hints.home[0][1] == "uncertain"
    assert hints.summary() == "Partner: osäkert om Savonlinna kan delta (Interreg Central Baltic)"


def test_an_erasmus_partnership_admits_eu_and_associated_countries_only(relations, areas):
    hints = partner_hints(ERASMUS, relations, areas)
    assert [a.id for a in hints.requirement.areas] == ["erasmus-plus"]
    assert hints.requirement.min_partners == 3 and hints.requirement.min_countries == 3
    assert names(hints.eligible) == ["Årborg", "Arendal", "Gdańsk", "Savonlinna", "Wismar"]
    assert {"Entebbe", "Wilmington", "Kaliningrad"} == set(names(hints.not_eligible))


def test_erasmus_mobility_without_a_partnership_rule_gives_no_hints(relations, areas):
    call = {"title": "Erasmus+ KA1: staff mobility for schools", "description": "Accreditation for mobility."}
    assert partner_hints(call, relations, areas) is None


def test_a_call_with_no_international_requirement_has_no_hints(relations, areas):
    assert detect_requirement(NATIONAL, areas) is None
    assert partner_hints(NATIONAL, relations, areas) is None


@pytest.mark.parametrize(
    ("text", "countries", "partners"),
    [
        ("Projektet ska ha partner från minst tre länder.", 3, None),
        ("Minst två partner från två olika länder krävs.", 2, 2),
        ("Consortia of at least 3 partners from 3 different countries.", 3, 3),
        ("partners from at least two participating countries", 2, None),
        ("The consortium must include at least five entities from at least three Member States.", 3, 5),
        ("Organisationer från minst fyra EU-länder kan söka tillsammans.", 4, None),
    ],
)
def test_partnership_rules_are_read_in_swedish_and_english(areas, text, countries, partners):
    found = detect_requirement({"title": "x", "description": text}, areas)
    assert found is not None and found.min_countries == countries and found.min_partners == partners
    assert found.areas == ()


def test_a_rule_without_a_programme_area_lists_all_active_foreign_partners_to_check(relations, areas):
    hints = partner_hints(SWEDISH_PARTNERS, relations, areas)
    assert hints.requirement.reasons == ("partner från minst 3 länder",)
    assert "Entebbe" in names(hints.eligible) and "Kaliningrad" in names(hints.not_eligible)
    assert all("kontrollera" in h.reason for h in hints.eligible)
    assert hints.summary().endswith("kan vara möjliga (partner från minst 3 länder)")


def test_town_twinning_outside_the_eu_is_uncertain_not_refused(relations, areas):
    call = {"title": "CERV: Town twinning 2027", "description": "Town twinning projects bring citizens together."}
    hints = partner_hints(call, relations, areas)
    assert names(hints.eligible) == ["Gdańsk", "Savonlinna", "Wismar"]
    assert "Arendal" in names(hints.uncertain) and "Wilmington" in names(hints.uncertain)


def test_institutional_twinning_is_not_called_town_twinning(relations, areas):
    call = {"title": "Horizon Europe Widening: Twinning", "description": "Twinning strengthens research institutions."}
    assert detect_requirement(call, areas).reasons == ("twinning med organisationer i andra länder",)
    call = {"title": "Vänortsutbyte för unga", "description": "Stöd till utbyten mellan vänorter."}
    found = detect_requirement(call, areas)
    assert found.reasons == ("vänortssamarbete",) and found.areas == ()  # not necessarily the EU's CERV


def test_ordinary_words_do_not_count_as_a_partner_requirement(areas):
    for text in ("Kommunen har tre länder som vänner.", "Applicants from Sweden.", "Baltic Sea Region studies"):
        assert detect_requirement({"title": "x", "description": text}, areas) is None, text


def test_a_bad_relations_file_names_file_line_and_field(tmp_path):
    path = tmp_path / "relations.toml"
    path.write_text(
        '[home]\nname = "Kalmar kommun"\ncountry = "SE"\n\n[[twin_towns]]\nname = "Gdańsk"\ncountry = "PL"\n\n'
        '[[twin_towns]]\nname = "Wismar"\ncountry = "Tyskland"\nactive = "ja"\ncolour = "blå"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_relations(path)
    lines = str(caught.value).splitlines()
    assert f"{path}, line 11: twin_towns[2].country: must be a two-letter country code" in lines[1] or any(
        line.startswith(f"{path}, line 11: twin_towns[2].country") for line in lines
    )
    assert any(line.startswith(f"{path}, line 12: twin_towns[2].active: must be true or false") for line in lines)
    assert any(line.startswith(f"{path}, line 13: twin_towns[2].colour: unknown key") for line in lines)


def test_a_missing_home_and_a_bad_area_file_are_refused(tmp_path):
    path = tmp_path / "relations.toml"
    path.write_text('[[twin_towns]]\nname = "Gdańsk"\ncountry = "PL"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"home\.name: the \[home\] table"):
        load_relations(path)
    areas = tmp_path / "areas.toml"
    areas.write_text(
        '[[areas]]\nid = "x"\nname = "X"\nkind = "interreg"\naliases = []\nregions = [{ code = "pl633" }]\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_programme_areas(areas)
    text = str(caught.value)
    assert f"{areas}, line 5: areas[1].aliases: at least one alias is required" in text
    assert f"{areas}, line 6: areas[1].regions: each region needs a NUTS `code`" in text
    assert "areas[1].source: is required" in text
