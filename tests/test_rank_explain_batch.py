"""rank_all's faster explanations give exactly what ranking one profile and explaining one call at a time
gave: the same scores, order, priorities, reasons and term weights, on generated calls and profiles, with
and without feedback. Faster: a priority's calls at once (matcher.explain.contributions_many), each call's
words read once for every profile (matcher.ranking.rank_all), term pairs folded with fewer casefolds."""

from __future__ import annotations

import dataclasses
import random
import tempfile
from pathlib import Path

import pytest

import matcher.explain as explain
import matcher.ranking as ranking
from bench.generate import calls, profile_toml
from matcher import CallIndex, CallText, load_profiles, rank_all
from matcher.explain import contributions, contributions_many, row
from matcher.ranking import ProfileModel, score_profile


def _old_fold(pairs):
    """matcher.explain._fold before it kept the casefolded words of the entries it had kept."""
    kept: list[list] = []
    for (term, call_term), weight in sorted(pairs, key=lambda p: (-len(p[0][0].split()), -len(p[0][0]), -p[1])):
        low_term, low_call = term.casefold(), call_term.casefold()
        home = None
        for entry in kept:
            (big_term, big_call) = entry[0]
            big_term, big_call = big_term.casefold(), big_call.casefold()
            same_call_word = low_call == big_call and low_term in big_call
            inside_phrase = (
                " " in big_term
                and low_term in big_term.split()
                and all(w in big_call.split() for w in low_call.split())
            )
            if same_call_word or inside_phrase:
                home = entry
                break
        if home is None:
            kept.append([(term, call_term), weight])
        else:
            home[1] += weight
    kept.sort(key=lambda entry: -entry[1])
    return [(pair, weight) for pair, weight in kept]


def _one_at_a_time(query, matrix, positions):
    return [contributions(query, row(matrix, p)) for p in positions]


@pytest.fixture(scope="module")
def generated():
    records = list(calls(1500, seed=7))
    texts = [
        CallText.from_record({**dataclasses.asdict(r), "id": i + 1, "opens_at": None}) for i, r in enumerate(records)
    ]
    folder = Path(tempfile.mkdtemp())
    for i in range(40):
        (folder / f"forvaltning-{i:04d}.toml").write_text(profile_toml(i, seed=3), encoding="utf-8")
    return texts, list(load_profiles(folder).values())


STATUSES = ("open", "forthcoming")


def _as_tuples(results):
    return {
        pid: [(s.call_id, s.score, s.priority, s.reasons, s.terms) for s in scored] for pid, scored in results.items()
    }


def _ranked_together(texts, profiles, feedback):
    index = CallIndex.build(texts)  # a fresh index: no cached call words shared between the two paths
    return _as_tuples(rank_all(profiles, index, feedback, statuses=STATUSES, limit=200, min_score=0.1))


def _ranked_one_at_a_time(texts, profiles, feedback):
    index = CallIndex.build(texts)
    return _as_tuples(
        {p.id: score_profile(ProfileModel.build(p, index), feedback.get(p.id), STATUSES, 200, 0.1) for p in profiles}
    )


def test_batched_explanations_equal_one_call_at_a_time(generated, monkeypatch):
    texts, profiles = generated
    feedback = {
        profiles[0].id: {5: "relevant", 9: "not_relevant", 40: "relevant"},
        profiles[3].id: {12: "not_relevant"},
    }
    new = _ranked_together(texts, profiles, feedback)

    monkeypatch.setattr(ranking, "contributions_many", _one_at_a_time)
    monkeypatch.setattr(explain, "_fold", _old_fold)
    old = _ranked_one_at_a_time(texts, profiles, feedback)

    assert sum(len(v) for v in new.values()) > 2000
    assert sum(1 for v in new.values() for item in v if len(item[4]) > 1) > 500  # folding had work to do
    assert new == old


def test_contributions_many_equals_contributions_row_by_row(generated):
    texts, profiles = generated
    index = CallIndex.build(texts[:300])
    query = index.vectorise([("vatten övergödning kustvatten biologisk mångfald skola", 1.0)], "sv")
    positions = [7, 0, 299, 7, 150, 3]
    assert contributions_many(row(query, 0), index.matrix, positions) == _one_at_a_time(
        row(query, 0), index.matrix, positions
    )
    assert any(contributions_many(row(query, 0), index.matrix, positions))
    assert contributions_many(row(query, 0), index.matrix, []) == []


def test_folding_term_pairs_equals_the_old_folding_on_phrases_and_compounds():

    terms = ["biologisk mångfald", "biologisk", "mångfald", "Vatten", "vattenvård", "vård", "kustvatten", "kust"]
    call_terms = [*terms, "vattenvårdsprojekt", "Biologisk mångfald", "biological diversity", "coastal water"]
    rng = random.Random(11)
    folded_into_phrases = 0
    for _ in range(3000):
        pairs = {(rng.choice(terms), rng.choice(call_terms)): rng.random() for _ in range(rng.randint(1, 8))}
        given = sorted(pairs.items(), key=lambda item: -item[1])
        new = explain._fold(given)
        assert new == _old_fold(given)
        folded_into_phrases += any(" " in term for (term, _), _ in new) and len(new) < len(given)
    assert folded_into_phrases > 100
