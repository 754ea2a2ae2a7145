"""The strategy alignment on the command line: `fundwatch match` tags calls (the backfill after the upgrade), and
`fundwatch activity add|list` keeps the activity register, with errors naming the flag."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scheduler import main
from store.accounts import audit_events
from store.engine import make_engine, read_session
from store.migrate import downgrade, upgrade
from store.strategy import tags_for_calls

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "eval"


@pytest.fixture
def cli(tmp_path, sqlite_url):
    profiles = tmp_path / "profiles"
    shutil.copytree(EVAL / "profiles", profiles)
    config = tmp_path / "config.toml"
    config.write_text(f'[paths]\nprofiles_dir = "{profiles}"\n', encoding="utf-8")

    def run(*args: str) -> int:
        return main(["--config", str(config), "--database-url", sqlite_url, *args])

    assert run("import-calls", str(EVAL / "calls.jsonl")) == 0
    return run, sqlite_url


def test_match_tags_every_call_once_and_again_after_a_downgrade_and_upgrade(cli, capsys):
    run, url = cli
    capsys.readouterr()
    assert run("match") == 0
    out = capsys.readouterr().out
    count = int(out.split("tagged ")[1].split(" calls")[0])
    engine = make_engine(url)
    with read_session(engine) as db:
        from store.calls import list_calls

        calls = list_calls(db)
        tags = tags_for_calls(db, [c.id for c in calls])
    assert count == len(calls) > 50
    assert sum(1 for t in tags.values() if any(k.startswith("sdg") for k in t)) > len(calls) // 2
    assert run("match") == 0
    assert "tagged" not in capsys.readouterr().out  # nothing changed: nothing re-tagged

    downgrade(engine, "0010_webperf")  # the tag tables go, the calls stay
    upgrade(engine)
    with read_session(engine) as db:
        assert tags_for_calls(db, [c.id for c in calls]) == {}
    assert run("match") == 0
    assert f"tagged {count} calls" in capsys.readouterr().out  # the backfill
    with read_session(engine) as db:
        assert tags_for_calls(db, [c.id for c in calls]) == tags
    engine.dispose()


def test_activity_add_and_list_with_audit(cli, capsys):
    run, url = cli
    common = ["--profile", "serviceforvaltningen", "--kind", "meeting", "--mode", "web"]
    assert run("activity", "add", "--date", "2026-03-10", "--partner", "Wismar", "--participants", "4", *common) == 0
    assert "added activity 1: 2026-03-10 meeting with Wismar" in capsys.readouterr().out
    assert run("activity", "add", "--date", "2025-03-10", "--partner", "UBC", "--participants", "2", *common) == 0
    capsys.readouterr()
    assert run("activity", "list", "--year", "2026") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t")[:6] == ["id", "date", "profile", "kind", "partner", "participants"]
    assert lines[1].split("\t")[:7] == ["1", "2026-03-10", "serviceforvaltningen", "meeting", "Wismar", "4", "web"]
    assert len(lines) == 2
    engine = make_engine(url)
    with read_session(engine) as db:
        actions = [(e.action, e.target) for e in audit_events(db)[1]]
    assert ("activity.add", "activity:1") in actions
    engine.dispose()


def test_activity_add_names_the_bad_flags(cli, capsys):
    run, _ = cli
    code = run(
        "activity", "add", "--date", "10/3", "--profile", "nobody", "--kind", "meeting",
        "--partner", "Wismar", "--participants", "0", "--mode", "web",
    )  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert "--date: must be a date YYYY-MM-DD" in err
    assert "--profile: must be one of the profile ids (" in err and "serviceforvaltningen" in err
    assert "--participants: must be a whole number from 1 to 10000" in err
