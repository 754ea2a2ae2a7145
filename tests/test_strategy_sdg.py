"""Agenda 2030 tags and the child/youth tag: which goals a call serves, and the terms that show it."""

from __future__ import annotations

import pytest

from errors import ConfigError
from strategy.sdg import CHILD_YOUTH, Tagger, load_sdg_terms
from tests.strategy_fixtures import ERASMUS, NATIONAL, SOUTH_BALTIC, YOUTH


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger()


def sv(text: str, title: str = "Utlysning") -> dict:
    return {"title": title, "description": text, "language": "sv"}


def test_the_shipped_term_list_covers_all_seventeen_goals():
    terms = load_sdg_terms()
    assert [g.number for g in terms.goals] == list(range(1, 18))
    assert terms.goal_name(14) == "Hav och marina resurser"
    assert {t.tag for t in terms.terms} == {f"sdg{n}" for n in range(1, 18)} | {CHILD_YOUTH}


def test_a_baltic_sea_call_serves_the_sea_climate_and_biodiversity_goals_with_its_terms(tagger):
    tags = tagger.tag(SOUTH_BALTIC)
    assert set(tags.goals) == {13, 14, 15}
    assert {"marine litter", "coastal", "marine"} <= set(tags.goals[14])
    assert tags.goals[13] == ("climate change",)
    assert tags.child_youth == ()


def test_swedish_terms_match_inflections_and_compounds(tagger):
    tags = tagger.tag(NATIONAL)
    assert 15 in tags.goals
    assert "våtmarker (våtmark)" in tags.goals[15]
    assert "naturvårdssatsningen (naturvård)" in tags.goals[15]
    tags = tagger.tag(sv("Åtgärder mot övergödningen i kustvattnet och bättre avloppsrening i reningsverken."))
    assert tags.goals[14][:2] == ("övergödningen (övergödning)", "kustvattnet (kustvatten)")
    assert "reningsverken (reningsverk)" in tags.goals[6]


def test_one_weak_term_is_not_enough_but_one_strong_term_is(tagger):
    assert tagger.tag(sv("Projektet rör turism i regionen.")).goals == {}
    assert tagger.tag(sv("Insatser för biologisk mångfald.")).goals == {15: ("biologisk mångfald",)}


def test_a_term_counts_once_however_many_words_match_it(tagger):
    # "schools" and "school" are one term, "inclusive" and "inclusion" another: no goal reaches the threshold
    text = "Schools and school networks for inclusive teaching and inclusion."
    assert tagger.tag({"title": "x", "description": text, "language": "en"}).goals == {}
    text = "Inclusive schools and inclusion of pupils."
    assert tagger.tag({"title": "x", "description": text, "language": "en"}).goals == {
        4: ("schools (school)", "pupils (pupil)")
    }


def test_a_named_goal_is_tagged_directly(tagger):
    tags = tagger.tag(sv("Projekt i linje med SDG 14 och globala mål 6 i Agenda 2030."))
    assert tags.goals == {6: ("globala mål 6",), 14: ("sdg 14",)}
    assert tagger.tag(sv("Mål 1 för programmet är fler ansökningar.")).goals == {}


def test_swedish_terms_are_not_looked_for_in_english_texts(tagger):
    english = {"title": "Restoring an old barn as a visitor centre", "description": "Barn roof.", "language": "en"}
    assert tagger.tag(english).child_youth == ()


def test_children_and_young_people_are_tagged_with_their_terms(tagger):
    tags = tagger.tag(YOUTH)
    assert tags.child_youth[:3] == ("barn", "unga", "ungdomar (ungdom)")
    tags = tagger.tag(ERASMUS)
    assert "young people" in tags.child_youth and "children" in tags.child_youth
    tags = tagger.tag(sv("Vi satsar på förskolebarn och ungdomsverksamhet."))
    assert tags.child_youth == ("förskolebarn (barn)", "ungdomsverksamhet (ungdom)")
    assert tagger.tag(YOUTH).as_rows()[CHILD_YOUTH][0] == "barn"


@pytest.mark.parametrize(
    "text",
    [
        "Stödet är ungefär hälften av kostnaden.",
        "Bidraget gäller laddinfrastruktur för tunga fordon.",
        "Samverkan med högskolan och folkhögskolor om vuxnas lärande.",
        "Kommunen ger ungefär 30 procent; Bertelsmann Stiftung resten.",
    ],
)
def test_look_alike_words_are_not_children_or_youth(tagger, text):
    assert tagger.tag(sv(text)).child_youth == ()


def test_a_single_mention_deep_in_the_text_does_not_make_a_youth_call(tagger):
    text = "Stöd till energieffektivisering av fastigheter. Även lokaler där barn vistas kan ingå."
    assert tagger.tag(sv(text, title="Energistöd")).child_youth == ()
    assert tagger.tag(sv(text, title="Energistöd för barn")).child_youth == ("barn",)


def test_a_broken_term_list_names_file_line_and_field(tmp_path):
    path = tmp_path / "terms.toml"
    path.write_text('min_weight = 0\n\n[[goals]]\nnumber = 18\nname = "X"\n\n[[goals]]\nnumber = 2\nsv = "hunger"\n')
    with pytest.raises(ConfigError) as caught:
        load_sdg_terms(path)
    text = str(caught.value)
    assert f"{path}, line 4: goals[1].number: must be a goal number 1–17" in text
    assert f"{path}, line 9: goals[2].sv: must be a list of texts" in text
    assert f"{path}, line 1: min_weight: must be a whole number of at least 1" in text
