"""`make demo`'s recordings (demo/recordings) and a scrape with no network at all.

The recordings replay through the real CLI, the real kinds and the real config.toml; they are exactly
what demo/build_recordings.py writes; and without a network every source fails clearly and is recorded.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import os
import shutil
import socket
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from scheduler import App, job_functions, main
from scrapers.recording import ReplayTransport
from scrapers.registry import discover
from settings import SourceSettings, load_settings
from store.calls import list_calls
from store.engine import make_engine, read_session
from store.models import CallChange, ScrapeRun

ROOT = Path(__file__).resolve().parent.parent
RECORDINGS = ROOT / "demo" / "recordings"
CONFIG = ROOT / "config.toml"
#: calls each demo source holds (demo/content/*.toml)
EXPECTED = {"eu-ftp": 11, "vinnova": 6, "tillvaxtverket": 5, "interreg-bsr": 3, "euroaccess": 9}


@pytest.fixture
def replay_env(monkeypatch, tmp_path):
    """The demo's environment, without politeness pauses; state under tmp_path."""
    monkeypatch.setenv("FUNDWATCH_HTTP_MIN_DELAY", "0")
    monkeypatch.setenv("FUNDWATCH_PATHS_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("FUNDWATCH_SCRAPE_REPLAY_DIR", raising=False)


def runs(db_url: str) -> dict[str, list[ScrapeRun]]:
    engine = make_engine(db_url)
    try:
        with read_session(engine) as session:
            out: dict[str, list[ScrapeRun]] = {}
            for run in session.exec(select(ScrapeRun).order_by(ScrapeRun.id)):
                out.setdefault(run.source, []).append(run)
            return out
    finally:
        engine.dispose()


def stored(db_url: str) -> tuple[list[dict], int]:
    """Every stored call's content (no ids or timestamps of the run) and the number of recorded changes."""
    engine = make_engine(db_url)
    try:
        with read_session(engine) as session:
            calls = [
                {k: v for k, v in call.model_dump().items() if k not in ("last_seen_at", "updated_at")}
                for call in list_calls(session)
            ]
            changes = len(session.exec(select(CallChange)).all())
            return calls, changes
    finally:
        engine.dispose()


def test_the_demo_recordings_replay_through_the_cli_with_every_source_ok_and_a_second_replay_changes_nothing(
    db_url, replay_env, capsys
):
    args = ["--config", str(CONFIG), "--database-url", db_url, "scrape", "--replay", str(RECORDINGS)]

    assert main(args) == 0
    first = capsys.readouterr()
    by_source = runs(db_url)
    assert {source: (r[0].outcome, r[0].parsed, r[0].new, r[0].errors) for source, r in by_source.items()} == {
        source: ("ok", count, count, 0) for source, count in EXPECTED.items()
    }
    assert "not in the recording" not in first.err + first.out
    calls, changes = stored(db_url)
    assert len(calls) == sum(EXPECTED.values())
    assert {c["source"] for c in calls} == set(EXPECTED)
    assert {c["status"] for c in calls} == {"open", "forthcoming", "closed"}
    assert {c["language"] for c in calls} == {"sv", "en"}

    assert main(args) == 0
    second = capsys.readouterr()
    for source in EXPECTED:
        assert f"{source}: ok: {EXPECTED[source]} calls, 0 new, 0 updated, {EXPECTED[source]} unchanged" in second.out
    assert "not in the recording" not in second.err
    assert stored(db_url) == (calls, changes)


def test_scrape_replays_the_configured_replay_dir_when_no_replay_flag_is_given(tmp_path, replay_env, monkeypatch):
    db_url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("FUNDWATCH_SCRAPE_REPLAY_DIR", "demo/recordings")  # relative to config.toml's folder
    monkeypatch.chdir(tmp_path)

    assert main(["--config", str(CONFIG), "--database-url", db_url, "scrape", "--source", "vinnova"]) == 0

    assert [(r.outcome, r.parsed) for r in runs(db_url)["vinnova"]] == [("ok", EXPECTED["vinnova"])]


def test_the_scheduled_scrape_job_replays_the_configured_replay_dir_and_skips_unrecorded_sources(
    tmp_path, replay_env, monkeypatch
):
    monkeypatch.setenv("FUNDWATCH_SCRAPE_REPLAY_DIR", "demo/recordings")
    db_url = f"sqlite:///{tmp_path / 'demo.db'}"
    app = App(argparse.Namespace(config=str(CONFIG), database_url=db_url, log_level=None))
    try:
        sources = app.settings.sources
        vinnova = next(s for s in sources if s.name == "vinnova")
        vinnova.schedule = "0 6 * * *"  # its own job; the common job names the other sources
        sources.append(
            SourceSettings(name="unrecorded-feed", kind="rss", url="https://www.example.org/feed")
        )  # not recorded
        jobs = job_functions(app)

        common = jobs["scrape"](datetime.now(UTC))
        own = jobs["scrape"](datetime.now(UTC), "vinnova")
    finally:
        app.close()

    assert common.startswith(f"4 sources, 0 failed; {sum(EXPECTED.values()) - EXPECTED['vinnova']} new, 0 updated")
    assert own.startswith(f"1 sources, 0 failed; {EXPECTED['vinnova']} new")
    assert set(runs(db_url)) == set(EXPECTED)  # unrecorded-feed was never tried: it is not in the recording


def test_sources_check_replays_the_recorded_sources_and_finds_every_call(tmp_path, replay_env, capsys):
    config = tmp_path / "config.toml"  # the real configuration plus a source the demo has no recording of
    extra = '\n[[sources]]\nname = "unrecorded-feed"\nkind = "rss"\nurl = "https://www.example.org/feed"\n'
    config.write_text(CONFIG.read_text(encoding="utf-8") + extra, encoding="utf-8")

    assert main(["--config", str(config), "sources", "check", "--replay", str(RECORDINGS)]) == 0

    lines = {line.split(" ")[0]: line for line in capsys.readouterr().out.splitlines() if not line.startswith(" ")}
    assert set(lines) == set(EXPECTED)
    for source, count in EXPECTED.items():
        assert ": OK: HTTP " in lines[source] and f"; {count} items;" in lines[source]


def test_a_request_missing_from_the_recording_is_reported(tmp_path, replay_env, capsys):
    folder = tmp_path / "recordings" / "euroaccess"
    shutil.copytree(RECORDINGS / "euroaccess", folder)
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    dropped = index["responses"].pop()  # one call page
    (folder / "index.json").write_text(json.dumps(index), encoding="utf-8")
    db_url = f"sqlite:///{tmp_path / 'fw.db'}"

    assert main(["--config", str(CONFIG), "--database-url", db_url, "scrape", "--replay", str(folder.parent)]) == 0

    err = capsys.readouterr().err
    assert f"1 requests not in the recording: GET {dropped['url']}" in err
    [run] = runs(db_url)["euroaccess"]
    assert run.errors == 1 and run.parsed == EXPECTED["euroaccess"] - 1


def test_a_replay_asks_a_date_dependent_api_as_on_the_recording_day():
    settings = load_settings(CONFIG, env={})
    (vinnova,) = discover().build(settings, ["vinnova"])
    recorded = json.loads((RECORDINGS / "vinnova" / "index.json").read_text(encoding="utf-8"))
    transport = ReplayTransport(RECORDINGS)

    vinnova.today = date(2029, 5, 17)  # a newcomer running the demo years later
    assert vinnova.start_requests()[0].url != recorded["responses"][0]["url"]
    transport.as_recorded([vinnova])

    assert vinnova.today == date(2026, 11, 27)
    assert vinnova.start_requests()[0].url == recorded["responses"][0]["url"]


def test_the_recordings_are_exactly_what_the_builder_writes(tmp_path):
    from demo.build_recordings import build

    built = build(tmp_path)

    assert {source: calls for source, (calls, _, _) in built.items()} == EXPECTED
    assert all(not warnings for _, _, warnings in built.values())
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    shipped = sorted(p.relative_to(RECORDINGS) for p in RECORDINGS.rglob("*") if p.is_file())
    assert written == shipped
    for path in written:
        assert (tmp_path / path).read_bytes() == (RECORDINGS / path).read_bytes(), f"{path} differs: rebuild"


def _refused_port() -> int:
    """A loopback port nothing listens on: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_scrape_without_network_reports_every_source_failure_and_records_it(tmp_path, monkeypatch, capsys):
    down = f"http://127.0.0.1:{_refused_port()}"
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "fw.db"}"\n[paths]\nvar_dir = "{tmp_path / "var"}"\n'
        f'[[sources]]\nname = "eu-ftp"\nkind = "eu-ftp"\nurl = "{down}/search-api/prod/rest/search"\n'
        f'[[sources]]\nname = "vinnova"\nkind = "vinnova"\nbase_url = "{down}/api"\n'
        f'[[sources]]\nname = "tillvaxtverket"\nkind = "rss"\nurl = "{down}/rss"\n'
        f'[[sources]]\nname = "euroaccess"\nkind = "html"\nurl = "{down}/en/calls"\nitem = "tr"\n',
        encoding="utf-8",
    )
    for key, value in {"ALLOW_PRIVATE_ADDRESSES": "true", "RETRIES": "1", "BACKOFF": "0", "MIN_DELAY": "0"}.items():
        monkeypatch.setenv(f"FUNDWATCH_HTTP_{key}", value)
    monkeypatch.setenv("FUNDWATCH_HTTP_CONNECT_TIMEOUT", "2")
    monkeypatch.delenv("FUNDWATCH_SCRAPE_REPLAY_DIR", raising=False)
    sources = ["eu-ftp", "vinnova", "tillvaxtverket", "euroaccess"]

    assert main(["--config", str(config), "scrape"]) == 1

    out, err = capsys.readouterr()
    for source in sources:
        assert f"{source}: error (connection_error): 0 calls" in out
    assert f"4 of 4 sources failed: {', '.join(sources)}" in err
    recorded = runs(f"sqlite:///{tmp_path / 'fw.db'}")
    assert {s: [(r.outcome, r.reason) for r in recorded[s]] for s in sources} == {
        s: [("error", "connection_error")] for s in sources
    }
    assert all(down.split("//")[1] in recorded[s][0].error for s in sources)  # the error names where it failed

    assert main(["--config", str(config), "sources"]) == 0
    table = capsys.readouterr().out
    for source in sources:
        assert any(line.startswith(source) and " unhealthy " in line for line in table.splitlines())


def test_the_demo_script_replays_matches_writes_digests_and_then_starts_the_service(tmp_path):
    marker = tmp_path / "run-called"
    fundwatch = tmp_path / "fundwatch"
    # the real CLI for every step; `run` (which would serve until stopped) only notes that it was reached
    fundwatch.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = run ]; then echo "$FUNDWATCH_SCRAPE_REPLAY_DIR $FUNDWATCH_DATABASE_URL" > "{marker}"; exit 0; fi\n'
        f'exec "{sys.executable}" "{ROOT / "scheduler.py"}" "$@"\n',
        encoding="utf-8",
    )
    fundwatch.chmod(0o755)
    demo_var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUNDWATCH_")}
    env.update(
        FUNDWATCH=str(fundwatch),
        FUNDWATCH_DEMO_VAR=str(demo_var),
        FUNDWATCH_PATHS_PROFILES_DIR=str(ROOT / "tests" / "fixtures" / "digest" / "profiles"),
    )

    done = subprocess.run(["sh", str(ROOT / "demo" / "run.sh")], env=env, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert all(f"{source}: ok: {count} calls" in done.stdout for source, count in EXPECTED.items())
    db_url = f"sqlite:///{demo_var / 'fundwatch.db'}"
    assert {source: r[-1].outcome for source, r in runs(db_url).items()} == dict.fromkeys(EXPECTED, "ok")
    mails = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in (demo_var / "outbox").glob("*.eml")
    ]
    assert [m["To"] for m in mails if m["Subject"].startswith("Veckoöversikt")] == ["klk@kalmar.example"]
    assert marker.read_text(encoding="utf-8").split() == ["demo/recordings", db_url]


def test_make_demo_runs_the_demo_script_with_the_installed_cli():
    dry = subprocess.run(["make", "-n", "demo"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "FUNDWATCH=.venv/bin/fundwatch sh demo/run.sh" in dry
