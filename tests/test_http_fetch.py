"""The HTTP layer against a real loopback server: retries, deadlines, caps, bot walls, encodings, robots, politeness.

Ids refer to ../shared/RELIABILITY.md.
"""

from __future__ import annotations

import gzip
import logging
import threading
import time
import tracemalloc
import zlib

import pytest
from bs4 import UnicodeDammit

from errors import SourceError
from scrapers.base import Request
from scrapers.http import Fetcher, Validators, retry_after_seconds
from tests.localserver import Handler, LocalServer
from tests.scrape_helpers import fast_http


@pytest.fixture
def server():
    with LocalServer() as s:
        yield s


def fetcher(**overrides) -> Fetcher:
    return Fetcher(fast_http(**overrides))


def fails(f: Fetcher, url: str, reason: str, **kw) -> SourceError:
    with pytest.raises(SourceError) as info:
        f.fetch(Request(url, **kw), "test-source")
    assert info.value.reason == reason, f"{info.value.reason}: {info.value}"
    return info.value


# --- R1 / R2: retries -----------------------------------------------------------------------


def test_r1_retries_503_then_succeeds_with_exactly_three_requests(server):
    server.sequence("/calls", [(503, "busy", None), (503, "busy", None), (200, "the calls", None)])
    with fetcher() as f:
        got = f.fetch(Request(server.url("/calls")), "test-source")
    assert got.status == 200 and got.response.body == b"the calls"
    assert got.attempts == 3
    assert len(server.hits_for("/calls")) == 3


def test_r1_404_is_one_request_and_http_error(server):
    with fetcher() as f:
        error = fails(f, server.url("/missing"), "http_error")
    assert "404" in str(error)
    assert len(server.hits_for("/missing")) == 1


def test_r1_429_with_retry_after_2_waits_at_least_2_seconds(server):
    server.sequence("/calls", [(429, "slow down", {"Retry-After": "2"}), (200, "ok", None)])
    with fetcher() as f:
        got = f.fetch(Request(server.url("/calls")), "test-source")
    first, second = server.hits_for("/calls")
    assert got.status == 200
    assert second.started - first.finished >= 2.0


def test_r1_retry_after_longer_than_max_retry_wait_gives_up_without_waiting(server):
    server.static("/calls", "later", status=503, headers={"Retry-After": "3600"})
    with fetcher(max_retry_wait=1.0) as f:
        error = fails(f, server.url("/calls"), "http_error")
    assert "3600" in str(error) and "max_retry_wait" in str(error)
    assert len(server.hits_for("/calls")) == 1


def test_retry_after_accepts_seconds_and_http_dates():
    from datetime import UTC, datetime

    now = datetime(2026, 11, 2, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Mon, 02 Nov 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_r1_connection_errors_are_retried_then_reported():
    with LocalServer() as gone:
        url = gone.url("/calls")
    with fetcher(retries=2) as f:
        error = fails(f, url, "connection_error")
    assert "connection failed" in str(error)


def test_r2_one_error_line_naming_source_attempts_and_reason(server, caplog):
    server.static("/calls", "down", status=500)
    with caplog.at_level(logging.INFO, logger="scrapers.http"), fetcher(retries=2) as f:
        fails(f, server.url("/calls"), "http_error")
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    message = errors[0].getMessage()
    assert "test-source" in message and "3 attempt(s)" in message and "reason=http_error" in message
    assert len(server.hits_for("/calls")) == 3


# --- R3 / R4 / I5: deadline and size cap -----------------------------------------------------


def trickle(h: Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.end_headers()
    for _ in range(30):
        h.wfile.write(b"x")
        h.wfile.flush()
        time.sleep(1.0)


def test_r3_one_byte_per_second_trickle_ends_as_timeout_within_deadline_plus_2s(server):
    server.routes["/slow"] = trickle
    with fetcher(deadline=2.0, read_timeout=5.0, retries=3) as f:
        started = time.monotonic()
        fails(f, server.url("/slow"), "timeout")
        elapsed = time.monotonic() - started
    assert elapsed < 2.0 + 2.0
    assert len(server.hits_for("/slow")) == 1  # a timeout is not retried


def test_r3_a_silent_server_ends_within_the_deadline_even_with_a_long_read_timeout(server):
    server.routes["/silent"] = lambda h: time.sleep(8)
    with fetcher(deadline=1.0, read_timeout=30.0) as f:
        started = time.monotonic()
        fails(f, server.url("/silent"), "timeout")
        assert time.monotonic() - started < 1.0 + 2.0


def endless(h: Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/octet-stream")
    h.end_headers()
    chunk = b"a" * 65536
    for _ in range(10_000):  # 640 MB if nobody stops reading
        h.wfile.write(chunk)


def test_r4_endless_body_stops_at_the_cap_and_memory_stays_under_twice_the_cap(server):
    cap = 1_000_000
    server.routes["/endless"] = endless
    with fetcher(max_bytes=cap, deadline=10.0) as f:
        tracemalloc.start()
        try:
            error = fails(f, server.url("/endless"), "too_large")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert "max_bytes" in str(error)
    assert peak < 2 * cap


def test_r4_declared_content_length_over_the_cap_is_refused_before_reading(server):
    server.static("/big", b"x" * 5000)
    with fetcher(max_bytes=1000) as f:
        fails(f, server.url("/big"), "too_large")


def _bomb_blocks() -> tuple[bytes, bytes]:
    """The start of a gzip stream of zeros and a block that repeats it by 1 MB (about 1000:1 on the wire)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * 1_000_000
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_SYNC_FLUSH)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_SYNC_FLUSH)
    assert block == compressor.compress(zeros) + compressor.flush(zlib.Z_SYNC_FLUSH)
    return first, block


BOMB_START, BOMB_BLOCK = _bomb_blocks()


def gzip_bomb(h: Handler) -> None:
    """An endless gzip bomb: 5 GB of zeros once decompressed, a few MB on the wire."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Encoding", "gzip")
    h.end_headers()
    h.wfile.write(BOMB_START)
    for _ in range(5000):
        h.wfile.write(BOMB_BLOCK)


def test_i5_gzip_bomb_stops_at_the_cap_measured_after_decompression(server):
    cap = 2_000_000
    server.routes["/bomb"] = gzip_bomb
    with fetcher(max_bytes=cap, deadline=10.0) as f:
        tracemalloc.start()
        try:
            error = fails(f, server.url("/bomb"), "too_large")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert "after decompression" in str(error)
    assert peak < 2 * cap


def test_gzip_and_deflate_bodies_are_decoded_below_the_cap(server):
    text = "Utlysning: Hållbar stadsutveckling åäö ÅÄÖ".encode() * 100
    server.static("/gz", gzip.compress(text), headers={"Content-Encoding": "gzip"})
    server.static("/zlib", zlib.compress(text), headers={"Content-Encoding": "deflate"})
    raw = zlib.compressobj(6, zlib.DEFLATED, -15)
    server.static("/raw", raw.compress(text) + raw.flush(), headers={"Content-Encoding": "deflate"})
    with fetcher() as f:
        for path in ("/gz", "/zlib", "/raw"):
            assert f.fetch(Request(server.url(path)), "s").response.body == text


# --- R8: bot walls ---------------------------------------------------------------------------


def test_r8_cloudflare_403_is_blocked_and_not_retried(server):
    server.static("/cf", "Forbidden", status=403, headers={"Server": "cloudflare", "CF-RAY": "8a1b2c3d4e5f-ARN"})
    with fetcher() as f:
        fails(f, server.url("/cf"), "blocked")
    assert len(server.hits_for("/cf")) == 1


def test_r8_a_200_just_a_moment_challenge_page_is_blocked(server):
    page = "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking</body></html>"
    server.static("/challenge", page)
    with fetcher() as f:
        fails(f, server.url("/challenge"), "blocked")


def test_r8_a_plain_403_is_an_http_error_not_blocked(server):
    server.static("/forbidden", "no", status=403, headers={"Server": "nginx"})
    with fetcher() as f:
        fails(f, server.url("/forbidden"), "http_error")


# --- R9: bytes arrive exactly as sent ------------------------------------------------------


R9_BODIES = {
    "latin1-meta": ('<html><head><meta charset="iso-8859-1"></head><body>åäöÅÄÖ</body></html>', "latin-1", None),
    "xml-no-charset": ('<?xml version="1.0"?><rss><title>åäöÅÄÖ</title></rss>', "utf-8", "application/xml"),
    "win1252-quotes": (
        '<html><head><meta charset="windows-1252"></head><body>“åäöÅÄÖ”</body></html>',
        "cp1252",
        "text/html",
    ),
}


@pytest.mark.parametrize("name", sorted(R9_BODIES))
def test_r9_bodies_reach_the_parser_byte_for_byte_and_decode_to_swedish_letters(server, name):
    text, codec, content_type = R9_BODIES[name]
    body = text.encode(codec)
    headers = {"Content-Type": content_type or "text/html"}
    server.static("/plain", body, headers=headers)
    server.static("/gz", gzip.compress(body), headers={**headers, "Content-Encoding": "gzip"})
    with fetcher() as f:
        for path in ("/plain", "/gz"):
            got = f.fetch(Request(server.url(path)), "s").response
            assert got.body == body
            assert got.headers["content-type"] == headers["Content-Type"]
            assert "åäöÅÄÖ" in UnicodeDammit(got.body, is_html=True).unicode_markup


def test_r9_utf8_with_bad_bytes_is_not_altered_by_the_http_layer(server):
    body = "åäöÅÄÖ ".encode() + b"\xff\xfe\xfd" + b" slut"
    server.static("/bad", body, headers={"Content-Type": "text/html; charset=utf-8"})
    with fetcher() as f:
        got = f.fetch(Request(server.url("/bad")), "s").response
    assert got.body == body
    decoded = got.body.decode("utf-8", errors="replace")
    assert decoded.startswith("åäöÅÄÖ") and decoded.count("\ufffd") <= 3


# --- redirects, conditional requests, User-Agent ------------------------------------------------


def redirect(to: str, status: int = 302):
    return lambda h: h.reply(status, b"", {"Location": to})


def test_redirects_are_followed_and_relative_locations_resolved(server):
    server.routes["/old"] = redirect("/new", 301)
    server.static("/new", "moved here")
    with fetcher() as f:
        got = f.fetch(Request(server.url("/old")), "s")
    assert got.response.body == b"moved here" and got.response.url == server.url("/new")


def test_redirect_loops_stop_after_max_redirects(server):
    server.routes["/a"] = redirect("/b")
    server.routes["/b"] = redirect("/a")
    with fetcher(max_redirects=3) as f:
        error = fails(f, server.url("/a"), "http_error")
    assert "max_redirects=3" in str(error)
    assert len(server.hits_for("/a")) + len(server.hits_for("/b")) == 4


def test_a_303_after_post_becomes_a_get_without_body(server):
    server.routes["/search"] = redirect("/results", 303)
    server.static("/results", "found")
    request = Request(server.url("/search"), method="POST", files=(("query", ("blob", b"{}", "application/json")),))
    with fetcher() as f:
        assert f.fetch(request, "s").response.body == b"found"
    assert server.hits_for("/search")[0].method == "POST"
    assert server.hits_for("/results")[0].method == "GET"


def test_multipart_posts_are_byte_identical_each_time(server):
    server.static("/search", "{}", headers={"Content-Type": "application/json"})
    parts = (
        ("query", ("blob", b'{"bool":{}}', "application/json")),
        ("languages", ("blob", b'["en"]', "application/json")),
    )
    with fetcher() as f:
        f.fetch(Request(server.url("/search"), method="POST", files=parts), "s")
        f.fetch(Request(server.url("/search"), method="POST", files=parts), "s")
    first, second = server.hits_for("/search")
    assert first.body == second.body and b'filename="blob"' in first.body
    assert first.headers["content-type"].startswith("multipart/form-data; boundary=fundwatch-")


def test_conditional_get_sends_validators_and_a_304_has_no_body(server):
    def route(h: Handler) -> None:
        if h.headers.get("If-None-Match") == '"v1"':
            h.reply(304, b"", {"ETag": '"v1"'})
        else:
            h.reply(200, b"list", {"ETag": '"v1"', "Last-Modified": "Mon, 02 Nov 2026 10:00:00 GMT"})

    server.routes["/feed"] = route
    with fetcher() as f:
        first = f.fetch(Request(server.url("/feed")), "s")
        again = f.fetch(Request(server.url("/feed")), "s", first.validators)
    assert first.validators == Validators('"v1"', "Mon, 02 Nov 2026 10:00:00 GMT")
    assert again.not_modified and again.response is None
    sent = server.hits_for("/feed")[1].headers
    assert sent["if-none-match"] == '"v1"' and sent["if-modified-since"] == "Mon, 02 Nov 2026 10:00:00 GMT"


def test_user_agent_names_fundwatch_and_the_contact_address(server):
    server.static("/x", "x")
    with Fetcher(fast_http(contact="bidrag@kalmar.se")) as f:
        f.fetch(Request(server.url("/x")), "s")
    agent = server.hits_for("/x")[0].headers["user-agent"]
    assert agent.startswith("fundwatch/") and "bidrag@kalmar.se" in agent


# --- R10: robots.txt ---------------------------------------------------------------------------


def test_r10_robots_disallow_is_honoured(server):
    server.static("/robots.txt", "User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"})
    server.static("/private/calls", "secret")
    server.static("/public/calls", "open")
    with fetcher() as f:
        assert f.fetch(Request(server.url("/public/calls")), "s").response.body == b"open"
        fails(f, server.url("/private/calls"), "robots_disallowed")
    assert server.hits_for("/private/calls") == []


def test_r10_robots_404_allows_everything_and_500_makes_the_source_unavailable(server):
    server.static("/calls", "ok")
    with fetcher() as f:
        assert f.fetch(Request(server.url("/calls")), "s").status == 200  # robots.txt is a 404 here
    with LocalServer() as down:
        down.static("/robots.txt", "oops", status=500)
        down.static("/calls", "ok")
        with fetcher(retries=1) as f:
            error = fails(f, down.url("/calls"), "robots_unavailable")
        assert "500" in str(error)
        assert down.hits_for("/calls") == []


def test_r10_robots_is_fetched_with_the_same_client_and_cached_at_most_24_hours(server):
    server.static("/robots.txt", "User-agent: *\nDisallow:\n", headers={"Content-Type": "text/plain"})
    server.static("/calls", "ok")
    now = [1000.0]

    with Fetcher(fast_http(min_delay=0.0), clock=lambda: now[0]) as f:
        for _ in range(3):
            f.fetch(Request(server.url("/calls")), "s")
        assert len(server.hits_for("/robots.txt")) == 1
        now[0] += 24 * 3600 + 1
        f.fetch(Request(server.url("/calls")), "s")
    robots = server.hits_for("/robots.txt")
    assert len(robots) == 2
    assert robots[0].headers["user-agent"].startswith("fundwatch/")


def test_robots_for_a_named_agent_applies_to_fundwatch(server):
    server.static("/robots.txt", "User-agent: fundwatch\nDisallow: /\n\nUser-agent: *\nDisallow:\n")
    server.static("/calls", "ok")
    with fetcher() as f:
        fails(f, server.url("/calls"), "robots_disallowed")


# --- R11: politeness -------------------------------------------------------------------------


def slow(h: Handler) -> None:
    time.sleep(0.15)
    h.reply(200, b"ok")


def test_r11_three_urls_on_one_host_never_in_flight_together_and_spaced_by_min_delay(server):
    for path in ("/a", "/b", "/c"):
        server.routes[path] = slow
    with fetcher(min_delay=0.3) as f:
        threads = [threading.Thread(target=f.fetch, args=(Request(server.url(p)), "s")) for p in ("/a", "/b", "/c")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    hits = sorted((h for h in server.hits if h.path != "/robots.txt"), key=lambda h: h.started)
    assert len(hits) == 3
    for earlier, later in zip(hits, hits[1:], strict=False):
        assert later.started >= earlier.finished, "two requests to one host were in flight together"
        assert later.started - earlier.finished >= 0.3


def test_r11_different_hosts_are_fetched_concurrently():
    with LocalServer() as one, LocalServer() as two:
        for s in (one, two):
            s.routes["/robots.txt"] = lambda h: h.reply(404, b"")
            s.routes["/slow"] = lambda h: (time.sleep(0.5), h.reply(200, b"ok"))
        with fetcher() as f:
            threads = [threading.Thread(target=f.fetch, args=(Request(s.url("/slow")), "s")) for s in (one, two)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        a, b = one.hits_for("/slow")[0], two.hits_for("/slow")[0]
    assert a.started < b.finished and b.started < a.finished, "requests to different hosts did not overlap"
