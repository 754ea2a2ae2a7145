"""Feeds cannot make fundwatch expand entities, read files or call out (RELIABILITY I1, I2), and feedparser
only ever sees bytes. A real loopback "canary" server proves that nothing is fetched."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from errors import SourceError
from scrapers.base import Response
from scrapers.kinds.rss import Rss
from scrapers.xmlguard import check_xml
from settings import SourceSettings


class Canary:
    def __init__(self) -> None:
        self.paths: list[str] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (stdlib name)
                canary.paths.append(self.path)
                body = b'<!ENTITY remote "CANARY-CONTENT">'
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def canary() -> Iterator[Canary]:
    server = Canary()
    yield server
    server.close()


def parse(body: bytes):
    kind = Rss(SourceSettings(name="feed", kind="rss", url="https://example.org/feed"))
    request = kind.start_requests()[0]
    return kind.parse(request, Response(url=request.url, status=200, headers={}, body=body))


def test_an_external_dtd_on_a_canary_server_is_refused_and_never_fetched(canary):
    feed = (
        f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{canary.url}/evil.dtd">'
        '<rss version="2.0"><channel><title>&remote;</title></channel></rss>'
    ).encode()
    with pytest.raises(SourceError, match="external DTD") as info:
        parse(feed)
    assert info.value.reason == "unsafe_xml"
    assert canary.paths == []


def test_an_external_entity_to_a_canary_server_is_refused_and_never_fetched(canary):
    feed = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY remote SYSTEM "{canary.url}/x">]>'
        '<rss version="2.0"><channel><title>&remote;</title><item><title>&remote;</title>'
        "<link>https://example.org/a</link></item></channel></rss>"
    ).encode()
    with pytest.raises(SourceError, match="external entity 'remote'"):
        parse(feed)
    assert canary.paths == []


def test_xxe_to_a_local_file_leaks_nothing(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-1234", encoding="utf-8")
    feed = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY s SYSTEM "file://{secret}">]>'
        '<rss version="2.0"><channel><title>x</title><item><title>&s;</title>'
        "<link>https://example.org/a</link></item></channel></rss>"
    ).encode()
    with pytest.raises(SourceError) as info:
        parse(feed)
    assert "TOP-SECRET" not in str(info.value)


def test_an_attack_hidden_in_utf16_is_seen_too():
    feed = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY % p "x">]><rss/>'.encode("utf-16")
    with pytest.raises(SourceError, match="parameter entity 'p'"):
        parse(feed)


def test_a_lowercase_or_second_doctype_is_refused():
    with pytest.raises(SourceError, match="more than one document type declaration"):
        check_xml('<!DOCTYPE a [<!ENTITY x "1">]><!DOCTYPE b [<!ENTITY y "2">]><a/>')
    with pytest.raises(SourceError, match="entity declaration outside"):
        check_xml('<rss><![CDATA[ ]]><!ENTITY x "1"></rss>')


def test_many_small_entities_stay_allowed_but_too_many_are_refused():
    ok = "<!DOCTYPE r [" + "".join(f'<!ENTITY e{i} "v{i}">' for i in range(10)) + "]><r>&e1;&e2;</r>"
    check_xml(ok)
    many = "<!DOCTYPE r [" + "".join(f'<!ENTITY e{i} "v">' for i in range(65)) + "]><r/>"
    with pytest.raises(SourceError, match="more than 64 entity declarations"):
        check_xml(many)


def test_a_small_internal_entity_still_parses_and_expands():
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE rss [<!ENTITY org "Tillväxtverket">]>'
        '<rss version="2.0"><channel><title>&org;</title><item><title>Utlysning från &org;</title>'
        "<link>https://example.org/u/1</link></item></channel></rss>"
    ).encode()
    (record,) = parse(feed).records
    assert record.title == "Utlysning från Tillväxtverket"


def test_feedparser_never_gets_a_url_or_a_path(canary, tmp_path):
    """A body that *is* a URL or a file path is content, not something to fetch or open."""
    secret = tmp_path / "feed.xml"
    secret.write_text(
        '<rss version="2.0"><channel><item><title>FROM-DISK</title><link>https://x.se/</link></item></channel></rss>'
    )
    for body in (f"{canary.url}/feed.xml".encode(), str(secret).encode(), f"file://{secret}".encode()):
        with pytest.raises(SourceError, match="not a readable feed"):
            parse(body)
    assert canary.paths == []


def test_javascript_links_never_become_call_links():
    feed = (
        b'<rss version="2.0"><channel><title>t</title>'
        b"<item><title>A</title><link>javascript:alert(1)</link></item>"
        b"<item><title>B</title><link>java&#9;script:alert(1)</link></item>"
        b"<item><title>C</title><link>https://example.org/c</link></item></channel></rss>"
    )
    result = parse(feed)
    assert [r.url for r in result.records] == ["https://example.org/c"]
    assert len(result.warnings) == 2
