"""EU versus national versus Nordic and other funding: the documented rule, on funders and programmes as the
shipped sources (config.toml, demo recordings) store them."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from reporting.funding import EU, EU_SOURCES, NATIONAL, NATIONAL_SOURCES, NORDIC_SOURCES, OTHER, classify_funding

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("funder", "programme", "source", "title", "expected"),
    [
        # EU programmes, by name
        ("European Commission", "Horizon Europe - Pillar I - European Research Council (ERC)", "eu-ftp", "", EU),
        ("European Union", "Interreg Europe", "euroaccess", "", EU),
        ("European Union", "URBACT IV", "euroaccess", "", EU),
        ("European Union", "European Urban Initiative", "euroaccess", "", EU),
        ("Interreg Baltic Sea Region", "Interreg Baltic Sea Region", "interreg-bsr", "", EU),
        ("European Commission", "LIFE", "", "", EU),
        ("CINEA", "CEF Transport", "", "", EU),
        ("European Education and Culture Executive Agency", "Creative Europe", "", "", EU),
        ("Kreativa Europa Desk", "Kreativa Europa", "", "", EU),
        ("European Commission", "Citizens, Equality, Rights and Values (CERV)", "", "", EU),
        # EU money handed out by Swedish bodies is EU funding
        ("Svenska ESF-rådet", "ESF+", "esf", "", EU),
        ("Universitets- och högskolerådet", "Erasmus+", "uhr", "", EU),
        ("Tillväxtverket", "", "tillvaxtverket", "Regionalfondsprogrammet för Småland och öarna", EU),
        ("Tillväxtverket", "Europeiska regionala utvecklingsfonden", "", "", EU),
        ("Jordbruksverket", "Fonden för en rättvis omställning", "", "", EU),
        # a source that lists only EU programmes, even without a funder
        ("", "", "eu-ftp", "Some topic", EU),
        # Swedish national and regional funders
        ("Vinnova", "Hållbar samhällsbyggnad", "vinnova", "", NATIONAL),
        ("Tillväxtverket", "", "tillvaxtverket", "Stöd till regional utveckling", NATIONAL),
        ("Länsstyrelsen Kalmar län", "LOVA", "lansstyrelsen-kalmar", "", NATIONAL),
        ("Region Kalmar län", "Regionalt projektstöd", "region-kalmar", "", NATIONAL),
        ("Havs- och vattenmyndigheten", "", "havochvatten", "", NATIONAL),
        ("Allmänna arvsfonden", "Projektstöd", "arvsfonden", "", NATIONAL),
        ("ICLD", "Kommunala partnerskap", "icld", "", NATIONAL),
        ("Sida", "", "sida", "", NATIONAL),
        ("Universitets- och högskolerådet", "Atlas partnerskap", "uhr", "", NATIONAL),
        ("Naturvårdsverket", "Klimatklivet", "", "", NATIONAL),  # by the funder's name, any source
        # "life science" is not the LIFE programme
        ("Vinnova", "Life science", "", "", NATIONAL),
        # Nordic and other
        ("Nordiska ministerrådet", "Nordplus", "norden", "", OTHER),
        ("Nordic Council of Ministers", "", "", "", OTHER),
        ("Postkodstiftelsen", "", "postkod", "", OTHER),
        ("", "", "", "", OTHER),
    ],
)
def test_classification(funder, programme, source, title, expected):
    assert classify_funding(funder, programme, source, title) == expected


def test_every_shipped_source_is_placed_by_the_rule():
    config = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))
    names = {s["name"] for s in config["sources"]}
    placed = EU_SOURCES | NATIONAL_SOURCES | NORDIC_SOURCES
    assert names <= placed, f"sources without a funding class: {sorted(names - placed)}"
    by_name = {s["name"]: s for s in config["sources"]}
    # what each shipped source stores as funder and programme lands where the README says
    expected = {"interreg-south-baltic": EU, "esf": EU, "uhr": EU, "norden": OTHER, "icld": NATIONAL, "forte": NATIONAL}
    for name, kind in expected.items():
        source = by_name[name]
        assert classify_funding(source.get("funder", ""), source.get("programme", ""), name) == kind, name
