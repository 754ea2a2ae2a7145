"""Ranking: cross-language matching, explanations, eligibility, preferences, feedback and previews.

The calls here are hand-written in the shape the store holds (``CallText`` as built from a stored call).
"""

from __future__ import annotations

import numpy as np
import pytest

from matcher import CallIndex, CallText, feedback_effect, preview, rank, rank_all, similar, threshold
from matcher.profiles import parse_profile

WATER = """
name = "Kustmiljögruppen"
applicant = "kommun"
exclude = ["doktorand"]

[[priorities]]
title = "God vattenstatus i kustvatten"
text = "Vi arbetar mot övergödning i Kalmarsund: näringsläckage av kväve och fosfor, algblomning och syrebrist i havsvikar."
keywords = ["övergödning", "kustvatten", "Östersjön"]

[[priorities]]
title = "Våtmarker"
text = "Anläggning och restaurering av våtmarker i odlingslandskapet för att fånga näringsämnen."
keywords = ["våtmarker"]
"""


def profile(text: str = WATER, profile_id: str = "kust", **replace: str):
    for old, new in replace.items():
        text = text.replace(old, new)
    return parse_profile(text.encode(), f"{profile_id}.toml", profile_id)


def call(cid: str, title: str, summary: str = "", description: str = "", language: str = "", **kw) -> CallText:
    source, _, external_id = cid.partition(":")
    return CallText(
        id=cid,
        source=source,
        external_id=external_id,
        title=title,
        summary=summary,
        description=description,
        language=language,
        **kw,
    )


EUTROPHICATION = call(
    "eu-ftp:OCEAN-01",
    "Reducing nutrient pollution and eutrophication in the Baltic Sea",
    "Demonstrate measures that cut nitrogen and phosphorus losses to coastal waters and prevent algal blooms.",
    "Local authorities and farmers work together on constructed wetlands and buffer strips.",
    "en",
)
WETLANDS_SV = call(
    "lst:vatmark",
    "Stöd för att anlägga och restaurera våtmarker",
    "Markägare och kommuner kan få bidrag för våtmarker som minskar näringsläckage.",
    language="sv",
    applicant_types=("kommun", "markägare"),
)
BATTERIES = call(
    "eu-ftp:BATT-01",
    "Next-generation battery cells for electric vehicles",
    "Research on high-energy battery chemistries for the automotive industry.",
    language="en",
)
LIBRARY = call(
    "kulturradet:bibliotek",
    "Stärkta bibliotek",
    "Bidrag för läsfrämjande insatser på folkbiblioteken.",
    language="sv",
    applicant_types=("kommun",),
)
CALLS = [BATTERIES, LIBRARY, EUTROPHICATION, WETLANDS_SV]


def ids(results) -> list[str]:
    return [r.call_id for r in results]


def test_a_swedish_only_profile_finds_the_english_call_and_says_why():
    results = rank(profile(), CALLS)
    assert ids(results)[:2] == ["eu-ftp:OCEAN-01", "lst:vatmark"] or ids(results)[:2] == [
        "lst:vatmark",
        "eu-ftp:OCEAN-01",
    ]
    english = next(r for r in results if r.call_id == "eu-ftp:OCEAN-01")
    assert english.priority == "God vattenstatus i kustvatten"
    assert english.reasons[0] == "Prioritering: God vattenstatus i kustvatten"
    assert english.reasons[1].startswith("Termer: ")
    pairs = {(t["term"], t["call_term"]) for t in english.terms}
    assert ("övergödning", "eutrophication") in pairs or ("övergödning", "nutrient pollution") in pairs
    assert "↔" in english.reasons[1]


def test_unrelated_calls_are_left_out_or_far_below():
    results = rank(profile(), CALLS)
    scores = {r.call_id: r.score for r in results}
    assert "eu-ftp:BATT-01" not in scores
    assert scores.get("kulturradet:bibliotek", 0) < 0.1


def test_the_explanation_has_exactly_the_stored_shape():
    scored = rank(profile(), CALLS)[0]
    explanation = scored.explanation()
    assert set(explanation) == {"priority", "reasons", "terms"}
    assert isinstance(explanation["priority"], str) and explanation["reasons"]
    for term in explanation["terms"]:
        assert set(term) == {"term", "call_term", "weight"}
        assert 0 < term["weight"] <= 1
    assert 0 < scored.score <= 1


def test_the_priority_a_call_serves_best_is_named():
    wetlands = next(r for r in rank(profile(), CALLS) if r.call_id == "lst:vatmark")
    assert wetlands.priority == "Våtmarker"


def test_calls_sharing_only_boilerplate_with_the_profile_are_not_matched():
    boiler = call("x:1", "Utlysning: projektstöd 2027", "Ansökan om stöd och bidrag till projekt. Sista ansökningsdag.")
    generic = call("x:2", "Call for proposals 2027", "Funding for projects; eligible applicants submit proposals.")
    text = WATER.replace('keywords = ["våtmarker"]', 'keywords = ["våtmarker", "projekt", "ansökan", "call"]')
    results = rank(profile(text), [boiler, generic, *CALLS])
    assert "x:1" not in ids(results) and "x:2" not in ids(results)


def test_a_researcher_fellowship_is_demoted_below_a_call_municipalities_can_use():
    fellowship = call(
        "eu-ftp:MSCA",
        "Postdoctoral fellowships on eutrophication of the Baltic Sea",
        "Fellowships for researchers studying nutrient pollution, algal blooms and coastal waters.",
        language="en",
    )
    results = rank(profile(), [fellowship, EUTROPHICATION, BATTERIES])
    assert ids(results).index("eu-ftp:OCEAN-01") < ids(results).index("eu-ftp:MSCA")
    demoted = next(r for r in results if r.call_id == "eu-ftp:MSCA")
    assert "Nedprioriterad: riktar sig till forskare" in demoted.reasons


def test_company_only_calls_are_demoted_for_administrations_but_not_for_municipal_companies():
    companies = call(
        "x:foretag",
        "Stöd till våtmarker och minskat näringsläckage",
        "Stöd för våtmarker som minskar övergödning.",
        language="sv",
        applicant_types=("företag",),
    )
    municipal = call(
        "x:kommun",
        "Stöd till våtmarker och minskat näringsläckage",
        "Stöd för våtmarker som minskar övergödning.",
        language="sv",
        applicant_types=("kommun",),
    )
    as_kommun = {r.call_id: r for r in rank(profile(), [companies, municipal, BATTERIES])}
    assert as_kommun["x:foretag"].score < as_kommun["x:kommun"].score
    assert "Nedprioriterad: kan sökas av företag" in as_kommun["x:foretag"].reasons
    company_profile = profile(WATER.replace('applicant = "kommun"', 'applicant = "bolag"'))
    as_bolag = {r.call_id: r for r in rank(company_profile, [companies, municipal, BATTERIES])}
    assert as_bolag["x:foretag"].score == pytest.approx(as_bolag["x:kommun"].score, abs=0.01)


def test_a_call_for_another_programme_area_is_demoted():
    alpine = call(
        "x:alpine",
        "Interreg Alpine Space: reducing nutrient pollution and eutrophication in lakes",
        "Partners must be located in the Alpine Space programme area.",
        language="en",
    )
    results = {r.call_id: r for r in rank(profile(), [alpine, EUTROPHICATION, BATTERIES])}
    assert results["x:alpine"].score < results["eu-ftp:OCEAN-01"].score
    assert any("annat programområde (Alpine Space)" in r for r in results["x:alpine"].reasons)


def test_exclude_terms_demote_calls_that_contain_them_in_any_form():
    phd = call(
        "x:phd",
        "Doktorandtjänster inom övergödning och våtmarker",
        "Forskarutbildning om näringsläckage till kustvatten.",
        language="sv",
    )
    results = {r.call_id: r for r in rank(profile(), [phd, WETLANDS_SV, BATTERIES])}
    assert "Nedprioriterad: innehåller ”doktorand”" in results["x:phd"].reasons
    assert results["x:phd"].score < results["lst:vatmark"].score


def test_ignored_funders_and_sources_are_never_matched_and_favoured_funders_rise():
    hav = call("hav:1", "Åtgärder mot övergödning i kustvatten", language="sv", funder="Formas")
    other = call("other:1", "Åtgärder mot övergödning i kustvatten", language="sv", funder="Vinnova")
    plain = {r.call_id: r.score for r in rank(profile(), [hav, other, BATTERIES])}
    assert plain["hav:1"] == pytest.approx(plain["other:1"])
    favoured = profile(WATER.replace('exclude = ["doktorand"]', 'favour_funders = ["formas"]'))
    results = {r.call_id: r for r in rank(favoured, [hav, other, BATTERIES])}
    assert results["hav:1"].score > results["other:1"].score
    assert "Prioriterad finansiär eller program: formas" in results["hav:1"].reasons
    ignoring = profile(
        WATER.replace('exclude = ["doktorand"]', 'ignore_funders = ["Form"]\nignore_sources = ["other"]')
    )
    assert ids(rank(ignoring, [hav, other, BATTERIES])) == []


def test_a_heavier_priority_lifts_the_calls_it_serves():
    light = {r.call_id: r.score for r in rank(profile(), CALLS)}
    heavy_text = WATER.replace('keywords = ["våtmarker"]', 'keywords = ["våtmarker"]\nweight = 5')
    heavy = {r.call_id: r.score for r in rank(profile(heavy_text), CALLS)}
    # weights are relative: the heavy wetland priority keeps its score, the other priority's calls fall
    assert heavy["lst:vatmark"] >= light["lst:vatmark"] - 1e-6
    assert heavy["eu-ftp:OCEAN-01"] < light["eu-ftp:OCEAN-01"]


def test_statuses_keep_only_the_wanted_calls():
    closed = CallText(**{**EUTROPHICATION.__dict__, "id": "eu-ftp:OLD", "external_id": "OLD", "status": "closed"})
    everything = ids(rank(profile(), [closed, *CALLS]))
    current = ids(rank(profile(), [closed, *CALLS], statuses=("open", "forthcoming")))
    assert "eu-ftp:OLD" in everything and "eu-ftp:OLD" not in current


def test_limit_min_score_and_threshold():
    results = rank(profile(), CALLS, limit=1)
    assert len(results) == 1
    assert all(r.score >= 0.5 for r in rank(profile(), CALLS, min_score=0.5))
    assert threshold(profile(), 0.4) == 0.4
    assert threshold(profile(WATER.replace('applicant = "kommun"', "min_score = 0.2")), 0.4) == 0.2


def test_ranking_is_deterministic_and_rank_all_agrees_with_rank():
    index = CallIndex.build(CALLS)
    first = [(r.call_id, r.score, r.reasons) for r in rank(profile(), index)]
    second = [(r.call_id, r.score, r.reasons) for r in rank(profile(), index)]
    assert first == second
    together = rank_all([profile(), profile(profile_id="other")], index)
    assert [(r.call_id, r.score, r.reasons) for r in together["kust"]] == first


def test_no_calls_give_no_results():
    assert rank(profile(), []) == []


def test_new_calls_are_vectorised_with_the_existing_vocabulary():
    index = CallIndex.build(CALLS)
    again = index.transform(CALLS)
    assert np.allclose(again.matrix.toarray(), index.matrix.toarray())
    fresh = index.transform([EUTROPHICATION])
    assert rank(profile(), fresh)[0].score == pytest.approx(
        next(r.score for r in rank(profile(), index) if r.call_id == "eu-ftp:OCEAN-01"), abs=1e-3
    )


def test_similar_finds_the_call_on_the_same_topic():
    other_eutro = call(
        "x:eutro2",
        "Eutrophication of coastal lagoons",
        "Nitrogen and phosphorus loads cause algal blooms in coastal waters.",
        language="en",
    )
    found = similar("eu-ftp:OCEAN-01", [*CALLS, other_eutro], k=2)
    assert found[0][0] == "x:eutro2"
    assert len(found) <= 2 and all(0 < s <= 1 for _, s in found)
    with pytest.raises(KeyError):
        similar("nope:1", CALLS)


# --- feedback ------------------------------------------------------------------------------------

MUSSELS = call(
    "x:mussels",
    "Mussel farming in the Baltic Sea",
    "Pilot mussel farms remove nutrients from coastal waters; aquaculture licensing and mussel harvesting.",
    language="en",
)
MUSSELS_2 = call(
    "x:mussels2",
    "Musselodling och vattenbruk",
    "Odling av musslor och vattenbruk i skärgårdens kustvatten: tillstånd, skörd och förädling av musslor.",
    language="sv",
)


def test_a_call_marked_not_relevant_never_comes_back():
    results = rank(profile(), CALLS, {"eu-ftp:OCEAN-01": "not_relevant"})
    assert "eu-ftp:OCEAN-01" not in ids(results)
    assert "lst:vatmark" in ids(results)


def test_feedback_lifts_calls_like_the_ones_marked_relevant_and_preview_shows_it():
    calls = [*CALLS, MUSSELS, MUSSELS_2]
    before = {r.call_id: i for i, r in enumerate(rank(profile(), calls))}
    feedback = {"x:mussels": "relevant"}
    after_results = rank(profile(), calls, feedback)
    after = {r.call_id: i for i, r in enumerate(after_results)}
    before_score = {r.call_id: r.score for r in rank(profile(), calls)}
    after_score = {r.call_id: r.score for r in after_results}
    assert after_score["x:mussels2"] > before_score.get("x:mussels2", 0.0)
    assert after["x:mussels2"] <= before.get("x:mussels2", len(calls))
    lifted = next(r for r in after_results if r.call_id == "x:mussels2")
    assert "Liknar utlysningar ni markerat som relevanta" in lifted.reasons
    marked = next(r for r in after_results if r.call_id == "x:mussels")
    assert "Markerad som relevant" in marked.reasons
    effect = feedback_effect(profile(), calls, feedback, limit=3)
    assert effect.changed


def test_negative_feedback_pushes_similar_calls_down():
    lakes = call(
        "x:lakes",
        "Algal blooms and eutrophication in inland lakes",
        "Monitoring of algal blooms, phosphorus and oxygen depletion in lakes.",
        language="en",
    )
    lakes_sv = call(
        "x:sjoar",
        "Algblomning och syrebrist i sjöar",
        "Övervakning av algblomning, fosfor och syrebrist i insjöar.",
        language="sv",
    )
    calls = [*CALLS, lakes, lakes_sv]
    plain = {r.call_id: r.score for r in rank(profile(), calls)}
    pushed = {r.call_id: r.score for r in rank(profile(), calls, {"x:lakes": "not_relevant"})}
    assert "x:lakes" not in pushed
    assert pushed.get("x:sjoar", 0.0) < plain["x:sjoar"]


# --- preview -------------------------------------------------------------------------------------


def test_preview_shows_which_calls_enter_leave_and_move():
    saved = profile()
    edited = profile(
        WATER.replace(
            'keywords = ["våtmarker"]',
            'keywords = ["våtmarker"]\n\n[[priorities]]\ntitle = "Bibliotek"\ntext = "Läsfrämjande på folkbiblioteken."',
        )
    )
    result = preview(saved, edited, CALLS, limit=2)
    assert [s.call_id for s in result.entered] == ["kulturradet:bibliotek"]
    assert len(result.left) == 1 and result.left[0].call_id in {"eu-ftp:OCEAN-01", "lst:vatmark"}
    assert len(result.before) == 2 and len(result.after) == 2
    unchanged = preview(saved, saved, CALLS)
    assert not unchanged.changed and unchanged.before == unchanged.after


def test_preview_reports_moves_with_old_and_new_ranks():
    saved = profile()
    edited = profile(WATER.replace('keywords = ["våtmarker"]', 'keywords = ["våtmarker"]\nweight = 10'))
    result = preview(saved, edited, CALLS)
    old = {s.call_id: i + 1 for i, s in enumerate(result.before)}
    new = {s.call_id: i + 1 for i, s in enumerate(result.after)}
    assert {(m.call_id, m.old_rank, m.new_rank) for m in result.moved} == {
        (c, old[c], new[c]) for c in old if c in new and old[c] != new[c]
    }


def test_explanations_name_whole_phrases_and_compounds_once():
    text = WATER.replace('keywords = ["våtmarker"]', 'keywords = ["våtmarker", "biologisk mångfald"]')
    calls = [
        call("x:bio", "Biologisk mångfald i våtmarker", "Stöd för biologisk mångfald.", language="sv"),
        call("x:kust", "Kustvattenförvaltning i Kalmarsund", "Förvaltning av kustvattnet.", language="sv"),
        BATTERIES,
    ]
    results = {r.call_id: r for r in rank(profile(text), calls)}
    bio_terms = [t["term"] for t in results["x:bio"].terms]
    assert "biologisk mångfald" in bio_terms and "biologisk" not in bio_terms and "mångfald" not in bio_terms
    assert any(
        t["term"] == "kustvatten" and t["call_term"] == "Kustvattenförvaltning" for t in results["x:kust"].terms
    ), results["x:kust"].terms
    assert "kustvatten ↔ Kustvattenförvaltning" in results["x:kust"].reasons[1]
