"""The match run on SQLite and PostgreSQL: a run whose inputs did not change since the last completed run
skips ranking and reports what a full run would; a changed call, profile or feedback mark ranks again."""

from __future__ import annotations

import io
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from sqlmodel import select

from match_run import REMOVED, TAGGED, run_match
from settings import load_settings
from store.calls import upsert_calls
from store.engine import read_session, write_session
from store.interchange import parse_jsonl
from store.matches import set_feedback
from store.models import Call, Match, MatchState

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "eval"
NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
CLOSED = "LIFE-2024-SAP-NAT-NATURE"


@pytest.fixture
def setup(tmp_path, engine):
    profiles = tmp_path / "profiles"
    shutil.copytree(EVAL / "profiles", profiles)
    lines = EVAL.joinpath("calls.jsonl").read_text(encoding="utf-8").splitlines()
    closed = json.loads(lines[0])  # LIFE nature, an excellent match for serviceförvaltningen, but closed
    closed.update(external_id=CLOSED, status="closed", opens_at="2024-04-01", deadline_at="2024-09-17")
    text = "\n".join([*lines, json.dumps(closed, ensure_ascii=False)]) + "\n"
    report = parse_jsonl(io.BytesIO(text.encode("utf-8")), now=NOW)
    with write_session(engine) as session:
        upsert_calls(session, [record for _, record in report.records], now=NOW)
    settings = load_settings(None, env={}, overrides={"paths.profiles_dir": str(profiles)})
    return settings, profiles


def run(settings, engine) -> tuple[dict, dict]:
    timings: dict[str, float] = {}
    report = run_match(settings, engine, now=NOW, timings=timings)
    report.pop(TAGGED)
    return report, timings


def rows(engine) -> dict:
    with read_session(engine) as session:
        return {
            (m.profile_id, m.call_id): (m.score, m.explanation, m.profile_version, m.matched_at)
            for m in session.exec(select(Match))
        }


def counts(report: dict) -> dict:
    return {
        key: value if key == REMOVED else (value.added, value.updated, value.removed, value.unchanged)
        for key, value in report.items()
    }


def forget_state(engine) -> None:
    with write_session(engine) as session:
        session.execute(delete(MatchState))


def test_a_run_with_nothing_changed_skips_ranking_and_reports_what_a_full_run_would(setup, engine):
    settings, _ = setup
    first, timings = run(settings, engine)
    assert "rank" in timings and any(r.added for k, r in first.items() if k != REMOVED)
    stored = rows(engine)

    again, timings = run(settings, engine)

    assert "skip" in timings and "rank" not in timings
    assert not any(r.changed for k, r in again.items() if k != REMOVED) and again[REMOVED] == 0
    assert rows(engine) == stored

    forget_state(engine)  # the same run ranking everything
    full, timings = run(settings, engine)
    assert "rank" in timings
    assert counts(full) == counts(again)
    assert {k: r.unchanged for k, r in again.items() if k != REMOVED} == {
        k: r.added for k, r in first.items() if k != REMOVED
    }
    assert rows(engine) == stored


def _reopen_closed_call(settings, engine, profiles):
    # only the status changes, not the text or updated_at: the run must still notice
    with write_session(engine) as session:
        session.execute(update(Call).where(Call.external_id == CLOSED).values(status="open"))
    return "serviceforvaltningen"


def _edit_profile(settings, engine, profiles):
    path = profiles / "kalmar-vatten.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("weight = 1.3", "weight = 1.0"), encoding="utf-8")
    return "kalmar-vatten"


def _reject_the_best_match(settings, engine, profiles):
    with write_session(engine) as session:
        best = session.exec(
            select(Match.call_id).where(Match.profile_id == "socialforvaltningen").order_by(Match.score.desc())
        ).first()
        set_feedback(session, "socialforvaltningen", best, "not_relevant", now=NOW)
    return "socialforvaltningen"


@pytest.mark.parametrize("change", [_reopen_closed_call, _edit_profile, _reject_the_best_match])
def test_a_changed_call_profile_or_feedback_ranks_again_as_a_full_run_would(setup, engine, change):
    settings, profiles = setup
    run(settings, engine)
    run(settings, engine)

    changed_profile = change(settings, engine, profiles)
    report, timings = run(settings, engine)

    assert "rank" in timings and "skip" not in timings
    assert report[changed_profile].changed
    after = rows(engine)
    forget_state(engine)  # a full run over the same inputs finds nothing left to change
    full, timings = run(settings, engine)
    assert "rank" in timings
    assert not any(r.changed for k, r in full.items() if k != REMOVED)
    assert rows(engine) == after


def test_matches_changed_behind_the_runs_back_make_it_rank_again(setup, engine):
    settings, _ = setup
    run(settings, engine)
    stored = rows(engine)
    with write_session(engine) as session:
        session.execute(delete(Match).where(Match.profile_id == "kalmar-vatten"))

    report, timings = run(settings, engine)

    assert "rank" in timings
    assert report["kalmar-vatten"].added == sum(1 for pid, _ in stored if pid == "kalmar-vatten")
    after = rows(engine)
    assert {k: v[:3] for k, v in after.items()} == {k: v[:3] for k, v in stored.items()}
