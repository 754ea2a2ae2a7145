"""Record live responses, replay them with no network; and the CLI commands scrape, record, sources (check)."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from errors import InputFormatError
from scheduler import main
from scrapers import registry as registry_module
from scrapers.dryrun import check_sources, record_source
from scrapers.runner import run_scrape
from store.calls import list_calls
from store.engine import make_engine, read_session
from tests.kinds_for_tests.listing import page
from tests.localserver import LocalServer
from tests.scrape_helpers import kinds_registry, make_settings

T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
LISTING = (
    '<ul><li class="call" data-id="K1" data-deadline="2027-02-01" href="/d/K1">Kultur i Kalmar län</li>'
    '<li class="call" data-id="K2" data-deadline="2027-03-01" href="/d/K2">Grön omställning</li></ul>'
)


def serve_site(server: LocalServer) -> None:
    server.static("/robots.txt", "User-agent: *\nDisallow: /admin/\n", headers={"Content-Type": "text/plain"})
    server.routes["/old-calls"] = lambda h: h.reply(301, b"", {"Location": "/calls"})
    server.static("/calls", gzip.compress(LISTING.encode()), headers={"Content-Encoding": "gzip", "ETag": '"1"'})
    server.static("/d/K1", '<p class="text">Stöd till kulturprojekt, åäö.</p>')
    server.static("/d/K2", '<p class="text">Klimatinvesteringar för kommuner.</p>')


def test_record_then_replay_with_the_server_gone_stores_the_same_calls(tmp_path, engine):
    folder = tmp_path / "rec"
    with LocalServer() as server:
        serve_site(server)
        settings = make_settings(
            [{"name": "kultur", "kind": "test-list", "url": server.url("/old-calls"), "details": True}]
        )
        check = record_source(settings, "kultur", folder, registry=kinds_registry())
        live_hits = len(server.hits)
    assert check.items == 2 and check.saved == 5  # robots, redirect hop, listing, two details
    assert live_hits == 5

    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    assert index["format"] == "fundwatch-recording/1" and index["source"] == "kultur"
    by_url = {item["url"].rsplit("/", 1)[-1]: item for item in index["responses"]}
    assert by_url["old-calls"]["status"] == 301 and by_url["old-calls"]["headers"]["location"] == "/calls"
    assert "content-encoding" not in by_url["calls"]["headers"] and by_url["calls"]["headers"]["etag"] == '"1"'
    assert (folder / by_url["calls"]["body"]).read_text(encoding="utf-8") == LISTING  # stored decoded

    # the server is gone: anything but the replay transport would fail with connection_error
    results = run_scrape(settings, engine, replay_dir=folder, now=T0, registry=kinds_registry())
    assert [(r.source, r.outcome, r.parsed, r.new) for r in results] == [("kultur", "ok", 2, 2)]
    with read_session(engine) as s:
        calls = {c.external_id: c for c in list_calls(s)}
    assert calls["K1"].description == "Stöd till kulturprojekt, åäö."
    assert calls["K1"].url.endswith("/d/K1")


def test_replay_reports_requests_missing_from_the_recording(tmp_path, engine):
    folder = tmp_path / "rec"
    with LocalServer() as server:
        serve_site(server)
        settings = make_settings([{"name": "kultur", "kind": "test-list", "url": server.url("/calls")}])
        record_source(settings, "kultur", folder, registry=kinds_registry())
        other = make_settings([{"name": "kultur", "kind": "test-list", "url": server.url("/calls-v2")}])
    (result,) = run_scrape(other, engine, replay_dir=folder, now=T0, registry=kinds_registry())
    assert (result.outcome, result.reason) == ("error", "http_error")
    assert "not in the recording" in result.error


def test_replay_runs_the_same_caps_as_live(tmp_path, engine):
    folder = tmp_path / "rec"
    with LocalServer() as server:
        server.static("/calls", page(*[(f"X{i}", "2027-01-01", "lång titel " * 20) for i in range(50)]))
        settings = make_settings([{"name": "big", "kind": "test-list", "url": server.url("/calls")}])
        record_source(settings, "big", folder, registry=kinds_registry())
    capped = make_settings(
        [{"name": "big", "kind": "test-list", "url": server.url("/calls")}], http={"max_bytes": 1000}
    )
    (result,) = run_scrape(capped, engine, replay_dir=folder, now=T0, registry=kinds_registry())
    assert (result.outcome, result.reason) == ("error", "too_large")


def test_a_folder_without_a_recording_is_a_clear_error(tmp_path, engine):
    with pytest.raises(InputFormatError, match="no index.json"):
        run_scrape(make_settings([]), engine, replay_dir=tmp_path, registry=kinds_registry())
    (tmp_path / "index.json").write_text('{"format": "other"}', encoding="utf-8")
    with pytest.raises(InputFormatError, match="not a usable recording"):
        run_scrape(make_settings([]), engine, replay_dir=tmp_path, registry=kinds_registry())


def test_sources_check_reports_status_items_and_missing_fields():
    with LocalServer() as server:
        server.static("/calls", page(("A", "2027-01-01", "Med deadline"), ("B", "", "Utan deadline")))
        server.static("/empty", "<html>nothing here</html>")
        settings = make_settings(
            [
                {"name": "calls", "kind": "test-list", "url": server.url("/calls")},
                {"name": "empty", "kind": "test-list", "url": server.url("/empty")},
                {"name": "gone", "kind": "test-list", "url": server.url("/gone")},
            ]
        )
        checks = {c.source: c for c in check_sources(settings, registry=kinds_registry())}
    assert checks["calls"].statuses == [200] and checks["calls"].items == 2
    assert checks["calls"].missing == {
        "deadline": 1,
        "text": 2,
        "opens_at": 2,
        "programme": 2,
        "funder": 2,
        "applicants": 2,
    }
    assert checks["calls"].ok
    assert not checks["empty"].ok and checks["empty"].items == 0
    assert checks["gone"].reason == "http_error" and not checks["gone"].ok


# --- the CLI ---------------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """A config.toml for a loopback site, with the test kinds discoverable."""
    monkeypatch.setattr(registry_module, "KINDS_PACKAGES", ["scrapers.kinds", "tests.kinds_for_tests"])
    server = LocalServer().start()
    serve_site(server)
    server.static("/down", "no", status=500)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "fw.db"}"\n'
        "[http]\nallow_private_addresses = true\nmin_delay = 0.05\nretries = 0\ndeadline = 2.0\n"
        f'[[sources]]\nname = "kultur"\nkind = "test-list"\nurl = "{server.url("/calls")}"\ndetails = true\n'
        f'[[sources]]\nname = "trasig"\nkind = "test-list"\nurl = "{server.url("/down")}"\n',
        encoding="utf-8",
    )
    yield server, config, tmp_path
    if server._thread.is_alive():
        server.stop()


def test_cli_scrape_sources_record_and_replay(cli, capsys):
    server, config, tmp_path = cli
    assert main(["--config", str(config), "scrape", "--source", "kultur"]) == 0
    out = capsys.readouterr().out
    assert "kultur: ok: 2 calls, 2 new" in out

    assert main(["--config", str(config), "scrape"]) == 1
    captured = capsys.readouterr()
    assert "trasig: error (http_error)" in captured.out and "1 of 2 sources failed: trasig" in captured.err

    assert main(["--config", str(config), "sources"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line and not line.startswith(" ")}
    assert "ok" in lines["kultur"].split() and "unhealthy" in lines["trasig"].split()
    assert "HTTP 500" in lines["trasig"]
    assert "! Senaste hämtningen misslyckades: http_error" in out

    folder = tmp_path / "rec"
    assert main(["--config", str(config), "record", "kultur", "--out", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "4 responses saved" in out and (folder / "index.json").exists()

    server.stop()  # replay needs no network
    assert main(["--config", str(config), "scrape", "--replay", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "kultur: ok: 2 calls, 0 new, 0 updated, 2 unchanged" in out and "trasig" not in out
    engine = make_engine(f"sqlite:///{tmp_path / 'fw.db'}")
    with read_session(engine) as s:
        assert {c.external_id for c in list_calls(s)} == {"K1", "K2"}
    engine.dispose()


def test_cli_sources_check_exit_code_follows_the_result(cli, capsys):
    _, config, _ = cli
    assert main(["--config", str(config), "sources", "check", "--source", "kultur"]) == 0
    assert (
        "kultur (test-list): OK: HTTP 3×200; 2 items; missing: opens_at 2/2, programme 2/2, funder 2/2, applicants 2/2"
        in capsys.readouterr().out
    )
    assert main(["--config", str(config), "sources", "check"]) == 1
    assert "trasig (test-list): PROBLEM" in capsys.readouterr().out


def test_cli_refuses_a_bad_source_url_at_start(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(registry_module, "KINDS_PACKAGES", ["tests.kinds_for_tests"])
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "fw.db"}"\n[[sources]]\nname = "lokal"\nkind = "test-list"\nurl = "file:///etc/passwd"\n',
        encoding="utf-8",
    )
    assert main(["--config", str(config), "scrape"]) == 2
    err = capsys.readouterr().err
    assert "'lokal': url: only http and https URLs are allowed, not file" in err


def test_record_default_folder_is_under_var(tmp_path):
    from scrapers.recording import default_folder

    folder = default_folder(Path(tmp_path) / "var", "eu-ftp")
    assert folder.parent == Path(tmp_path) / "var" / "recordings" / "eu-ftp"


def test_multipart_posts_are_recorded_by_payload_and_replayed(tmp_path):
    from errors import SourceError
    from scrapers.base import Request
    from scrapers.http import Fetcher
    from scrapers.recording import Recorder, ReplayTransport
    from tests.scrape_helpers import fast_http

    def answer(h) -> None:
        page_number = h.path.rsplit("=", 1)[-1]
        h.reply(200, f'{{"page": {page_number}}}'.encode(), {"Content-Type": "application/json"})

    def search(number: int, query: bytes) -> Request:
        parts = (("query", ("blob", query, "application/json")), ("languages", ("blob", b'["en"]', "application/json")))
        return Request(f"{server.url('/search')}?pageSize=100&pageNumber={number}", method="POST", files=parts)

    with LocalServer() as server:
        server.routes["/search"] = answer
        with Fetcher(fast_http(), recorder=Recorder(tmp_path, "eu-ftp")) as live:
            for number in (1, 2):
                live.fetch(search(number, b'{"bool":{"must":[]}}'), "eu-ftp")
    with Fetcher(fast_http(), transport=ReplayTransport(tmp_path)) as replay:
        assert replay.fetch(search(2, b'{"bool":{"must":[]}}'), "eu-ftp").response.body == b'{"page": 2}'
        with pytest.raises(SourceError, match="not in the recording"):
            replay.fetch(search(2, b'{"other": 1}'), "eu-ftp")


def test_cli_scrape_shows_progress_on_a_terminal(cli, capsys, monkeypatch):
    import sys

    _, config, _ = cli
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    main(["--config", str(config), "scrape"])
    err = capsys.readouterr().err
    assert "started kultur" in err and "done kultur: ok, 2 calls" in err
    assert "FAILED trasig: error (http_error)" in err
