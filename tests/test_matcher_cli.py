"""The matcher's commands end to end: import-calls, rank, match, feedback, profile preview and eval."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlmodel import select

from scheduler import main
from store.engine import make_engine, read_session
from store.models import Match

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "eval"


@pytest.fixture
def setup(tmp_path, sqlite_url):
    return _setup(tmp_path, sqlite_url)


def _setup(tmp_path: Path, url: str):
    profiles = tmp_path / "profiles"
    shutil.copytree(EVAL / "profiles", profiles)
    config = tmp_path / "config.toml"
    config.write_text(f'[paths]\nprofiles_dir = "{profiles}"\n', encoding="utf-8")
    calls = tmp_path / "calls.jsonl"
    lines = EVAL.joinpath("calls.jsonl").read_text(encoding="utf-8").splitlines()
    closed = json.loads(lines[0])  # LIFE nature, an excellent match for serviceförvaltningen
    closed.update(
        external_id="LIFE-2024-SAP-NAT-NATURE", status="closed", opens_at="2024-04-01", deadline_at="2024-09-17"
    )
    calls.write_text("\n".join([*lines, json.dumps(closed, ensure_ascii=False)]) + "\n", encoding="utf-8")

    def cli(*args: str) -> int:
        return main(["--config", str(config), "--database-url", url, *args])

    assert cli("import-calls", str(calls)) == 0
    return cli, profiles, url


def rank_json(cli, capsys, *args: str) -> list[dict]:
    capsys.readouterr()
    assert cli("rank", "--format", "json", *args) == 0
    return json.loads(capsys.readouterr().out)


def test_rank_json_is_a_list_best_first_with_the_contracted_keys(setup, capsys):
    cli, _, _ = setup
    results = rank_json(cli, capsys, "--profile", "serviceforvaltningen", "--limit", "0")
    assert len(results) > 20
    for item in results:
        assert {"source", "external_id", "title", "score", "reasons"} <= set(item)
        assert isinstance(item["reasons"], list) and all(isinstance(r, str) for r in item["reasons"])
        assert 0 <= item["score"] <= 1
    scores = [item["score"] for item in results]
    assert scores == sorted(scores, reverse=True)
    assert results[0]["reasons"][0].startswith("Prioritering: ")
    top20 = {(r["source"], r["external_id"]) for r in results[:20]}
    assert ("eu-ftp", "HORIZON-MISS-2027-OCEAN-01-02") in top20  # an English call for a Swedish profile


def test_rank_leaves_closed_calls_out_unless_asked(setup, capsys):
    cli, _, _ = setup
    default = rank_json(cli, capsys, "--profile", "serviceforvaltningen", "--limit", "0")
    everything = rank_json(cli, capsys, "--profile", "serviceforvaltningen", "--limit", "0", "--include-closed")
    key = ("eu-ftp", "LIFE-2024-SAP-NAT-NATURE")
    assert key not in {(r["source"], r["external_id"]) for r in default}
    assert key in {(r["source"], r["external_id"]) for r in everything}
    assert len(rank_json(cli, capsys, "--profile", "serviceforvaltningen")) == 20


def test_rank_accepts_a_profile_path_and_prints_a_table(setup, capsys, tmp_path):
    cli, profiles, _ = setup
    copy = tmp_path / "utkast.toml"
    shutil.copy(profiles / "kalmar-vatten.toml", copy)
    by_path = rank_json(cli, capsys, "--profile", str(copy), "--limit", "5")
    by_id = rank_json(cli, capsys, "--profile", "kalmar-vatten", "--limit", "5")
    assert [r["external_id"] for r in by_path] == [r["external_id"] for r in by_id]
    assert cli("rank", "--profile", "kalmar-vatten", "--limit", "30") == 0
    out = capsys.readouterr().out
    assert out.startswith("Kalmar Vatten AB (kalmar-vatten): 30 calls, best first")
    assert "- Prioritering: " in out and "- Termer: " in out
    assert "below the profile's min_score 0.40" in out


def test_rank_with_an_unknown_profile_exits_2(setup, capsys):
    cli, _, _ = setup
    assert cli("rank", "--profile", "nope") == 2
    assert "unknown profile 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_match_stores_versioned_matches_and_a_rerun_changes_nothing(tmp_path, capsys, request, db):
    url = request.getfixturevalue("sqlite_url" if db == "sqlite" else "pg_url")
    cli, profiles, url = _setup(tmp_path, url)
    assert cli("match") == 0
    first_out = capsys.readouterr().out
    assert "serviceforvaltningen: " in first_out and " new, 0 updated, 0 removed" in first_out

    engine = make_engine(url)
    try:

        def rows():
            with read_session(engine) as session:
                return {
                    (m.profile_id, m.call_id): (m.score, m.explanation, m.profile_version, m.matched_at)
                    for m in session.exec(select(Match))
                }

        before = rows()
        assert before
        versions = {pid: v[2] for (pid, _), v in before.items()}
        assert len(versions["serviceforvaltningen"]) == 16
        assert all(set(v[1]) == {"priority", "reasons", "terms"} for v in before.values())

        assert cli("match") == 0
        second_out = capsys.readouterr().out
        assert all(" 0 new, 0 updated, 0 removed" in line for line in second_out.splitlines())
        assert rows() == before

        path = profiles / "kalmar-vatten.toml"
        path.write_text(path.read_text(encoding="utf-8").replace("weight = 1.3", "weight = 1.0"), encoding="utf-8")
        assert cli("match") == 0
        third_out = capsys.readouterr().out
        line = next(x for x in third_out.splitlines() if x.startswith("kalmar-vatten: "))
        assert " 0 updated" not in line  # a new profile version re-stamps every stored match
        after = rows()
        assert {v[2] for (pid, _), v in after.items() if pid == "kalmar-vatten"} != {versions["kalmar-vatten"]}
        assert {k: v for k, v in after.items() if k[0] != "kalmar-vatten"} == {
            k: v for k, v in before.items() if k[0] != "kalmar-vatten"
        }
    finally:
        engine.dispose()


def test_a_call_marked_not_relevant_never_comes_back(setup, capsys):
    cli, _, url = setup
    call = "lansstyrelsen-kalmar:lova-2027"
    top = rank_json(cli, capsys, "--profile", "serviceforvaltningen")
    assert f"{top[0]['source']}:{top[0]['external_id']}" == call
    assert cli("match") == 0
    assert cli("feedback", "serviceforvaltningen", call, "not_relevant", "--user", "anna") == 0
    assert "marked not_relevant" in capsys.readouterr().out
    assert call not in {
        f"{r['source']}:{r['external_id']}"
        for r in rank_json(cli, capsys, "--profile", "serviceforvaltningen", "--limit", "0")
    }
    assert call not in {
        f"{r['source']}:{r['external_id']}"
        for r in rank_json(cli, capsys, "--profile", "serviceforvaltningen", "--include-closed", "--limit", "0")
    }

    from store.matches import matches_for_profile

    engine = make_engine(url)
    try:
        with read_session(engine) as session:
            assert call not in {
                f"{c.source}:{c.external_id}" for _, c in matches_for_profile(session, "serviceforvaltningen")
            }
        assert cli("match") == 0
        with read_session(engine) as session:
            stored = {
                f"{c.source}:{c.external_id}"
                for _, c in matches_for_profile(session, "serviceforvaltningen", include_rejected=True)
            }
        assert call not in stored
    finally:
        engine.dispose()

    capsys.readouterr()
    assert cli("feedback", "serviceforvaltningen") == 0
    assert f"not_relevant  {call}" in capsys.readouterr().out
    assert cli("feedback", "serviceforvaltningen", call, "clear") == 0
    assert rank_json(cli, capsys, "--profile", "serviceforvaltningen")[0]["external_id"] == "lova-2027"


def test_feedback_with_a_bad_call_or_missing_verdict_exits_2(setup, capsys):
    cli, _, _ = setup
    assert cli("feedback", "serviceforvaltningen", "no-colon", "relevant") == 2
    assert "expected SOURCE:EXTERNAL_ID" in capsys.readouterr().err
    assert cli("feedback", "serviceforvaltningen", "vinnova:does-not-exist", "relevant") == 2
    assert "no stored call 'vinnova:does-not-exist'" in capsys.readouterr().err
    assert cli("feedback", "serviceforvaltningen", "lansstyrelsen-kalmar:lova-2027") == 2


def test_relevant_feedback_is_visible_in_preview(setup, capsys):
    cli, _, _ = setup
    assert (
        cli("feedback", "kultur-och-fritidsforvaltningen", "norden:nordic-baltic-mobility-culture-2027", "relevant")
        == 0
    )
    capsys.readouterr()
    assert cli("profile", "preview", "kultur-och-fritidsforvaltningen", "--limit", "10") == 0
    out = capsys.readouterr().out
    assert "What the 1 feedback mark(s) changed in the top 10:" in out
    assert "nordic-baltic-mobility-culture-2027" in out
    assert "Markerad som relevant" in out


def test_preview_against_an_edited_file_shows_what_enters_and_leaves(setup, capsys, tmp_path):
    cli, profiles, _ = setup
    edited = tmp_path / "edited.toml"
    text = (profiles / "kalmar-vatten.toml").read_text(encoding="utf-8")
    edited.write_text(
        text
        + '\n[[priorities]]\ntitle = "Laddinfrastruktur"\ntext = "Laddstationer för elbilar och tunga fordon."\n'
        + 'keywords = ["laddinfrastruktur", "elfordon"]\nweight = 3\n',
        encoding="utf-8",
    )
    capsys.readouterr()
    assert cli("profile", "preview", "kalmar-vatten", "--against", str(edited), "--limit", "10") == 0
    out = capsys.readouterr().out
    assert f"{edited} against the saved kalmar-vatten (top 10):" in out
    assert "+ enters at" in out and "eu-ftp:CEF-T-2027-AFIFGEN" in out
    assert "- leaves from" in out
    assert "Top 10 with the edited profile:" in out


def test_preview_against_a_broken_file_exits_2(setup, capsys):
    cli, _, _ = setup
    broken = ROOT / "tests" / "fixtures" / "profiles_broken" / "weight_zero.toml"
    assert cli("profile", "preview", "kalmar-vatten", "--against", str(broken)) == 2
    assert "weight_zero.toml, line 6" in capsys.readouterr().err


def test_eval_reports_the_matcher_and_both_baselines(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    assert main(["--config", str(config), "eval", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["methods"]) == {"matcher", "keyword alert", "plain TF-IDF"}
    assert report["calls"] == 106 and report["english_calls"] == 53
    assert set(report["methods"]["matcher"]["overall"]) == {"ndcg@10", "p@5", "r@20", "r@20 en"}
    assert "calls.jsonl" in report["sha256"]
    assert main(["--config", str(config), "eval"]) == 0
    out = capsys.readouterr().out
    assert "overall (mean of profiles)" in out and "keyword alert" in out and "plain TF-IDF" in out
