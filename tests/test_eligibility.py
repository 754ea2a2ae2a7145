"""Who may apply: sections and sentences as funders write them, mapped onto the normalised vocabulary."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrapers.annotate import annotate
from scrapers.eligibility import VOCABULARY, find_eligibility, normalise
from store.records import CallRecord

CASES = [
    # (text, allowed, excluded, municipality_eligible)
    ("Vem kan söka?\n\nKommuner, regioner och företag.\n\nHur ansöker man?\n\nFyll i blanketten.",
     ["kommun", "region", "företag"], [], True),
    ("Vem får söka?\n\n- Kommuner\n- Kommunalförbund\n- Kommunala bolag\n\nBudget\n\n10 miljoner kronor",
     ["kommunalt bolag", "kommunalförbund", "kommun"], [], True),
    ("Vem kan söka? Ideella föreningar och stiftelser. Kommuner kan inte söka.",
     ["förening", "stiftelse"], ["kommun"], False),
    ("Stödet kan sökas av små och medelstora företag i Kalmar län.", ["företag"], [], False),
    ("Who can apply\n\nLocal and regional authorities, NGOs and universities.",
     ["kommun", "region", "förening", "lärosäte"], [], True),
    ("Eligible applicants\n\n- Public bodies\n- Non-profit organisations\n\nBudget\n\nEUR 1 million",
     ["offentlig aktör", "förening"], [], True),
    ("Kommuner och regioner kan inte söka stödet, men ideella föreningar kan.", ["förening"], ["kommun", "region"],
     False),
    ("Stödet kan inte sökas av kommuner eller regioner.", [], ["kommun", "region"], False),
    ("Who cannot apply\n\nMunicipalities and other public authorities.", [], ["kommun", "offentlig aktör"], False),
    ("Alla typer av organisationer kan söka, till exempel kommuner, företag och föreningar.",
     ["kommun", "företag", "förening", "alla organisationer"], [], True),
    ("Utlysningen riktar sig till universitet, högskolor och forskningsinstitut.",
     ["lärosäte", "forskningsorganisation"], [], False),
    ("Projektet genomförs tillsammans med Kalmar kommun. Företag kan söka.", ["företag"], [], False),
    ("Vem kan söka?\n\nPrivatpersoner, fastighetsägare och bostadsrättsföreningar.",
     ["fastighetsägare", "privatperson"], [], False),
    ("Vem kan få bidrag? Skolhuvudmän, till exempel kommuner och fristående skolor.", ["kommun", "skolhuvudman"], [], True),
    ("Statliga myndigheter och länsstyrelser får söka.", ["länsstyrelse", "myndighet"], [], False),
    ("Forskare vid svenska lärosäten kan söka.", ["lärosäte", "forskare"], [], False),
    ("Applications are welcome from any legal entity established in an EU Member State.", [], [], None),
    ("Any legal entity may apply, including municipalities.", ["kommun", "alla organisationer"], [], True),
    ("SMEs are encouraged to take part in the consortium.", [], [], None),
    ("Stödet gäller investeringar som minskar utsläppen.", [], [], None),
    ("Vem kan söka?\n\nSe förordningen (2009:381).", [], [], None),
    ("Din kommun kan söka stöd för att anlägga våtmarker.", ["kommun"], [], True),
]  # fmt: skip


@pytest.mark.parametrize(("text", "allowed", "excluded", "municipal"), CASES, ids=lambda v: str(v)[:40])
def test_who_may_apply_is_read_into_the_vocabulary(text, allowed, excluded, municipal):
    found = find_eligibility(text)
    assert (found.types, found.excluded, found.municipality_eligible) == (allowed, excluded, municipal)
    assert set(found.types) <= set(VOCABULARY)


def test_the_section_ends_at_the_next_heading():
    text = "Vem kan söka?\n\nFöreningar.\n\nVad kan man få stöd för?\n\nKommuner kan samverka med föreningarna."
    found = find_eligibility(text)
    assert found.types == ["förening"] and found.text == "Föreningar."


def test_a_named_municipality_or_region_is_a_place_not_an_applicant_type():
    found = find_eligibility("Vem kan söka? Företag i Region Kalmar län och i Kalmar kommun.")
    assert found.types == ["företag"] and found.municipality_eligible is False


def test_free_text_applicant_types_are_normalised():
    assert normalise(["Kommuner", "SMEs", "Universities", "Lantbrukare"]) == [
        "kommun",
        "företag",
        "lärosäte",
        "Lantbrukare",
    ]


def record(**values) -> CallRecord:
    base = {"source": "s", "external_id": "1", "title": "Stöd", "url": "https://x.se/1"}
    return CallRecord(**{**base, **values})


def test_annotate_fills_applicant_types_and_the_municipality_flag():
    got = annotate(record(description="Vem kan söka?\n\nFöreningar och företag. Kommuner kan inte söka."))
    assert got.applicant_types == ["företag", "förening"]
    assert got.extra["municipality_eligible"] is False
    assert got.extra["applicants_text"].startswith("Föreningar och företag")


def test_annotate_keeps_what_the_source_gave_and_adds_nothing_it_cannot_tell():
    given_types = record(applicant_types=["Kommuner", "Regioner"], description="Text utan uppgifter.")
    got = annotate(given_types)
    assert got.applicant_types == ["Kommuner", "Regioner"] and got.extra == {"municipality_eligible": True}
    plain = record(description="Stödet gäller investeringar.", extra={"k": 1})
    assert annotate(plain) is plain


def test_annotate_never_overrides_extra_keys_set_by_the_kind():
    got = annotate(record(description="Företag kan söka.", extra={"municipality_eligible": True}))
    assert got.extra["municipality_eligible"] is True


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_no_text_crashes_the_eligibility_reader(text):
    found = find_eligibility(text)
    assert set(found.types) <= set(VOCABULARY) and not set(found.types) & set(found.excluded)
    annotate(record(description=text, opens_at=datetime(2026, 1, 1, tzinfo=UTC)))
