"""`fundwatch digest` and `fundwatch unsubscribe`: due digests, dry runs, previews and clear errors."""

from __future__ import annotations

import email
import email.policy

import pytest
from sqlmodel import select

from scheduler import main
from store.digest_tables import Digest
from store.digests import is_unsubscribed
from store.engine import make_engine, read_session
from store.migrate import upgrade
from store.outbox import outbox_messages
from tests.digest_support import SECRET, SECRET_ENV, seed, write_config


@pytest.fixture
def setup(tmp_path, monkeypatch, sqlite_url):
    monkeypatch.setenv(SECRET_ENV, SECRET.decode())
    engine = make_engine(sqlite_url)
    upgrade(engine)
    seed(engine)
    config = write_config(tmp_path, sqlite_url)
    yield config, engine
    engine.dispose()


def cli(config, *args) -> int:
    return main(["--config", str(config), *args])


def test_digest_queues_and_writes_each_due_message_once(setup, tmp_path, capsys):
    config, engine = setup

    assert cli(config, "digest", "--now", "2026-11-23T06:00") == 0
    first = capsys.readouterr().out
    assert cli(config, "digest", "--now", "2026-11-23T09:00") == 0
    second = capsys.readouterr().out

    assert "2026-W48 serviceforvaltningen: queued 2" in first and "2026-W48 _overview: queued 1" in first
    assert "delivery: 5 sent, 0 to retry, 0 failed, 0 recovered" in first
    assert "2026-W48 serviceforvaltningen: already" in second
    assert "delivery: 0 sent" in second
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 5
    subjects = {email.message_from_bytes(f.read_bytes(), policy=email.policy.default)["Subject"] for f in files}
    assert "Nya utlysningar för Serviceförvaltningen – vecka 48 (5 träffar)" in subjects


def test_dry_run_writes_the_messages_to_a_folder_and_records_nothing(setup, tmp_path, capsys):
    config, engine = setup

    assert cli(config, "digest", "--dry-run", "--now", "2026-11-23T06:00", "--profile", "kalmar-vatten") == 0

    out = capsys.readouterr().out
    assert "2026-W48 kalmar-vatten: dry run 1" in out
    assert "nothing recorded or sent" in out
    assert sorted(p.suffix for p in (tmp_path / "dry-run").iterdir()) == [".eml", ".html"]
    with read_session(engine) as session:
        assert session.exec(select(Digest)).all() == []
        assert outbox_messages(session) == []
    assert not (tmp_path / "outbox").exists()


def test_week_names_the_ledger_week(setup, capsys):
    config, engine = setup
    assert cli(config, "digest", "--week", "2026-W49", "--profile", "kultur-och-fritid", "--now", "2026-11-23") == 0
    assert "2026-W49 kultur-och-fritid: queued 1" in capsys.readouterr().out
    with read_session(engine) as session:
        assert [d.week for d in session.exec(select(Digest))] == ["2026-W49"]


def test_preview_prints_the_text_digest_and_records_nothing(setup, capsys):
    config, engine = setup

    assert cli(config, "digest", "--preview", "serviceforvaltningen", "--now", "2026-11-23T06:00") == 0

    out = capsys.readouterr().out
    assert out.startswith("Nya utlysningar för Serviceförvaltningen – vecka 48 (5 träffar)\n")
    assert "NYA TRÄFFAR (5)" in out and "(15 dagar kvar)" in out
    with read_session(engine) as session:
        assert session.exec(select(Digest)).all() == []


def test_preview_of_a_quiet_week_says_nothing_would_be_sent(setup, capsys):
    config, _ = setup
    assert cli(config, "digest", "--preview", "kalmar-vatten", "--now", "2028-01-10T06:00") == 0
    assert "Inget skickas den här veckan" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "2026-48"], "--week: week '2026-48' must look like 2026-W48"),
        (["--profile", "okand"], "unknown profile 'okand'; known profiles: kalmar-vatten, kultur-och-fritid"),
        (["--preview", "okand"], "unknown profile 'okand'"),
    ],
)
def test_bad_input_gives_one_clear_error_and_exit_2(setup, capsys, args, message):
    config, _ = setup
    assert cli(config, "digest", "--now", "2026-11-23T06:00", *args) == 2
    assert message in capsys.readouterr().err


def test_a_bad_now_is_refused_by_the_argument_parser(setup, capsys):
    config, _ = setup
    with pytest.raises(SystemExit) as info:
        cli(config, "digest", "--now", "next monday")
    assert info.value.code == 2
    assert "not an ISO 8601 datetime: 'next monday'" in capsys.readouterr().err


def test_unsubscribe_command_stops_and_restarts_one_address(setup, capsys):
    config, engine = setup
    assert cli(config, "unsubscribe", "--profile", "kultur-och-fritid", "Kultur@kalmar.example") == 0
    with read_session(engine) as session:
        assert is_unsubscribed(session, "kultur-och-fritid", "kultur@kalmar.example")
    assert cli(config, "digest", "--profile", "kultur-och-fritid", "--now", "2026-11-23T06:00") == 0
    assert "kultur-och-fritid: no recipients" in capsys.readouterr().out
    assert cli(config, "unsubscribe", "--undo", "--profile", "kultur-och-fritid", "kultur@kalmar.example") == 0
    assert "resubscribed" in capsys.readouterr().out
    with read_session(engine) as session:
        assert not is_unsubscribed(session, "kultur-och-fritid", "kultur@kalmar.example")
