"""Text analysis: language, stemming, Swedish compounds, the bilingual glossary and boilerplate."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.checks import english_equivalents
from matcher.method import Method
from matcher.resources import GlossaryError, load_resources, read_resources
from matcher.text import Analyzer, analyzer_for, detect_language, normalise_language, stem_sv, words

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return analyzer_for(["förvaltning", "projekt", "anläggning"])


def shared(analyzer: Analyzer, a: str, lang_a: str, b: str, lang_b: str) -> set[str]:
    return set(analyzer.features(a, lang_a)) & set(analyzer.features(b, lang_b))


def test_words_are_lower_case_and_numbers_carry_no_features(analyzer):
    assert words("Övergödning i Kalmarsund, 2027: LOVA-bidrag!") == [
        "övergödning",
        "i",
        "kalmarsund",
        "2027",
        "lova",
        "bidrag",
    ]
    assert analyzer.features("2027 2028", "sv") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bidrag till lokala vattenvårdsprojekt för kommuner och föreningar", "sv"),
        ("Grants for local authorities to reduce nutrient pollution in the Baltic Sea", "en"),
        ("Östersjön", "sv"),
        ("Horizon", "en"),
    ],
)
def test_language_is_detected_from_function_words(text, expected):
    assert detect_language(text) == expected


def test_a_given_language_is_trusted_and_anything_else_detected():
    assert normalise_language("EN-gb", "kommuner och föreningar") == "en"
    assert normalise_language("de", "kommuner och föreningar i länet") == "sv"


@pytest.mark.parametrize(
    ("a", "b"),
    [("förskola", "förskolan"), ("projekt", "projektet"), ("kommun", "kommunerna"), ("våtmark", "våtmarkerna")],
)
def test_swedish_inflections_share_a_stem(a, b):
    assert stem_sv(a) == stem_sv(b)


def test_kustvattenforvaltning_meets_kustvatten(analyzer):
    assert shared(analyzer, "kustvattenförvaltning", "sv", "kustvatten", "sv")


def test_vattenvardsprojekt_meets_vattenvard(analyzer):
    assert "vattenvård" in analyzer.split("vattenvårdsprojekt")
    assert shared(analyzer, "vattenvårdsprojekt", "sv", "vattenvård", "sv")


def test_derivational_endings_are_not_split_off_as_words(analyzer):
    assert "skap" not in analyzer.split("partnerskap")
    assert "skap" not in analyzer.split("föräldraskapsstöd")
    assert not shared(analyzer, "partnerskap", "sv", "skapande", "sv")


def test_compounds_can_be_switched_off_for_measurement():
    plain = analyzer_for(["förvaltning"], method=Method(compounds=False))
    assert not set(plain.features("kustvattenförvaltning", "sv")) & set(plain.features("kustvatten", "sv"))


@pytest.mark.parametrize(
    ("swedish", "english"),
    [
        ("övergödning", "eutrophication"),
        ("äldreomsorgen", "elderly care"),
        ("våld i nära relationer", "domestic violence"),
        ("klimatanpassning", "climate adaptation"),
        ("kustvattnet", "coastal waters"),
        ("vuxenutbildning", "adult education"),
        ("biologisk mångfald", "biodiversity"),
    ],
)
def test_the_glossary_lets_swedish_meet_english(analyzer, swedish, english):
    found = shared(analyzer, swedish, "sv", english, "en")
    assert any(f.startswith("~") for f in found), (swedish, english, found)


def test_compound_parts_meet_english_through_the_glossary(analyzer):
    assert shared(analyzer, "havsmiljöarbete", "sv", "marine environment", "en")
    assert shared(analyzer, "klimatanpassningsåtgärder", "sv", "climate adaptation", "en")


def test_swedish_and_english_words_spelled_alike_do_not_meet_by_accident(analyzer):
    # "arter" (species) and "arts" both stem to "art"; the languages are kept apart
    assert not shared(analyzer, "arter", "sv", "arts", "en")


def test_boilerplate_and_stop_words_yield_no_features(analyzer):
    assert analyzer.features("Utlysning: ansökan om stöd till projekt, sista ansökningsdag", "sv") == []
    assert analyzer.features("Call for proposals: projects, funding, eligible applicants, deadline", "en") == []


def test_surfaces_show_the_texts_own_words(analyzer):
    found = analyzer.surfaces("Reducing eutrophication in coastal waters", "en")
    assert found["~eutrophication"] == "eutrophication"
    assert found["~coastal waters"] == "coastal waters"
    parts = analyzer.surfaces("kustvattenförvaltning", "sv", parts=True)
    assert parts["~coastal waters"] == "kustvatten"
    assert analyzer.surfaces("kustvattenförvaltning", "sv")["~coastal waters"] == "kustvattenförvaltning"


def test_english_equivalents_of_profile_keywords():
    assert "eutrophication" in english_equivalents("övergödning")
    assert english_equivalents("lek") == []


def test_a_malformed_glossary_line_is_named(tmp_path):
    for name in ("stopwords_sv.txt", "stopwords_en.txt", "boilerplate_sv.txt", "boilerplate_en.txt", "regions.txt"):
        (tmp_path / name).write_bytes((HERE.parent / "matcher" / name).read_bytes())
    (tmp_path / "glossary.txt").write_text("# comment\növergödning | eutrophication\nkust, hav\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match=r"glossary.txt, line 3: expected 'svenska, ... \| English, ...'"):
        read_resources(tmp_path)


def test_the_shipped_glossary_is_large_and_every_concept_has_both_languages():
    glossary = load_resources().glossary
    assert len(glossary.concepts) >= 350
    assert all(sv and en for sv, en in glossary.concepts.values())
