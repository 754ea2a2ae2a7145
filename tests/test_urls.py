"""scrapers.urls: only http(s) links survive, and fallback keys survive tracking parameters (RELIABILITY D5)."""

from __future__ import annotations

import pytest

from scrapers.urls import safe_url, strip_tracking, url_key


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        " \x01javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "ftp://example.org/x",
        "feed:https://example.org/rss",
        "mailto:a@example.org",
        "https://example.org:99999/",
        "",
        None,
    ],
)
def test_anything_but_an_http_url_with_a_host_is_refused(href):
    assert safe_url(href, "https://example.org/page") is None
    assert safe_url(href) is None


def test_a_scheme_without_host_is_refused():
    assert safe_url("https://") is None


@pytest.mark.parametrize(
    ("href", "base", "expected"),
    [
        ("https://example.org/a?b=1", None, "https://example.org/a?b=1"),
        ("/utlysningar/1", "https://tillvaxtverket.se/start", "https://tillvaxtverket.se/utlysningar/1"),
        ("detalj.html", "https://example.org/lista/", "https://example.org/lista/detalj.html"),
        ("//cdn.example.org/x", "https://example.org/", "https://cdn.example.org/x"),
        ("  https://example.org/a b  ", None, "https://example.org/a%20b"),
        ("http://example.org/\tx", None, "http://example.org/x"),
    ],
)
def test_http_links_are_made_absolute(href, base, expected):
    assert safe_url(href, base) == expected


def test_a_relative_javascript_trick_on_an_http_page_is_still_refused():
    assert safe_url("javascript://example.org/%0Aalert(1)", "https://example.org/") is None


@pytest.mark.parametrize(
    "variant",
    [
        "https://www.example.se/utlysning?id=7&utm_source=nyhetsbrev&utm_medium=email",
        "http://example.se/utlysning/?utm_campaign=vår&id=7",
        "https://EXAMPLE.se:443/utlysning?id=7&fbclid=abc#ansok",
        "https://example.se/utlysning?gclid=1&id=7&mc_cid=2",
    ],
)
def test_a_fallback_key_survives_tracking_parameters_scheme_www_and_fragments(variant):
    assert url_key(variant) == "example.se/utlysning?id=7"


def test_meaningful_parameters_and_paths_still_tell_calls_apart():
    assert url_key("https://example.se/utlysning?id=7") != url_key("https://example.se/utlysning?id=8")
    assert url_key("https://example.se/a") != url_key("https://example.se/b")
    assert url_key("https://example.se/x?b=2&a=1") == url_key("https://example.se/x?a=1&b=2")
    assert url_key("https://example.se:8443/x") == "example.se:8443/x"


def test_a_very_long_url_gets_a_bounded_key():
    key = url_key("https://example.se/" + "a" * 2000)
    assert len(key) <= 500
    assert key != url_key("https://example.se/" + "a" * 1999 + "b")


def test_strip_tracking_keeps_everything_else():
    assert strip_tracking("https://x.se/a?utm_source=rss&id=1#frag") == "https://x.se/a?id=1#frag"
    assert strip_tracking("https://x.se/a?id=1") == "https://x.se/a?id=1"
