"""No input makes a kind crash: garbage gives records, warnings or a SourceError, never another exception."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from errors import SourceError
from scrapers.base import ParseResult, Response
from scrapers.text import decode
from scrapers.urls import safe_url, url_key
from scrapers.xmlguard import check_xml
from settings import SourceSettings
from tests.kind_cases import KINDS

OPTIONS = {
    "eu-ftp": {},
    "vinnova": {},
    "rss": {"url": "https://example.org/feed"},
    "html": {"url": "https://example.org/", "item": "li", "fields": {"deadline": "time", "opening": ".o"}},
    "page-watch": {"url": "https://example.org/page"},
    "wp-rest": {
        "url": "https://example.org/wp-json/wp/v2/posts",
        "fields": {"deadline": "acf.d", "applicants": "acf.a"},
    },
}
KIND_OBJECTS = {name: KINDS[name](SourceSettings(name="g", kind=name, **opts)) for name, opts in OPTIONS.items()}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
# JSON shaped like the APIs' answers, with wrong types in every place
metadata = st.dictionaries(
    st.sampled_from(["identifier", "title", "deadlineDate", "startDate", "actions", "budgetOverview", "keywords",
                     "descriptionByte", "type", "status", "callccm2Id", "frameworkProgramme", "language"]),
    json_values | st.lists(st.text(max_size=40), max_size=3),
)  # fmt: skip
eu_pages = st.fixed_dictionaries(
    {"totalResults": json_values, "results": st.lists(st.fixed_dictionaries({"metadata": metadata}), max_size=3)}
)
vinnova_rounds = st.lists(
    st.dictionaries(
        st.sampled_from(["Diarienummer", "DiarienummerUtlysning", "Titel", "Beskrivning", "Oppningsdatum",
                         "Stangningsdatum", "Publik", "AnnonseringslägeÅr", "LankLista", "TitelEngelska"]),
        json_values,
    ),
    max_size=4,
)  # fmt: skip
wp_posts = st.lists(
    st.dictionaries(
        st.sampled_from(["id", "link", "guid", "title", "content", "excerpt", "date_gmt", "acf", "type"]),
        json_values | st.fixed_dictionaries({"rendered": st.text(max_size=40), "protected": st.booleans()}),
    ),
    max_size=4,
)
markup = st.lists(
    st.sampled_from(["<li>", "</li>", "<a href='", "javascript:x", "/p?utm_source=1", "'>", "</a>", "<time>",
                     "15 mars 2027", "31.02.2026", "<!DOCTYPE x [", "<!ENTITY e 'v'>", "]>", "&e;", "<rss>", "<item>",
                     "<title>", "<link>", "https://x.se/", "</item>", "<![CDATA[", "\xff\xfe", "å", "<?xml ?>"]),
    max_size=30,
).map("".join)  # fmt: skip


def outcome_is_sane(kind_name: str, body: bytes) -> None:
    kind = KIND_OBJECTS[kind_name]
    request = kind.start_requests()[0]
    try:
        result = kind.parse(request, Response(url=request.url, status=200, headers={}, body=body))
    except SourceError:
        return
    assert isinstance(result, ParseResult)
    for record in result.records:
        assert record.url.startswith(("http://", "https://")) and record.external_id


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(eu_pages)
def test_eu_ftp_survives_any_page(page):
    outcome_is_sane("eu-ftp", json.dumps(page).encode())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(vinnova_rounds)
def test_vinnova_survives_any_rounds(rounds):
    outcome_is_sane("vinnova", json.dumps(rounds).encode())


@settings(max_examples=60, deadline=None)
@given(st.one_of(markup, st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
def test_rss_and_html_survive_any_markup(text):
    outcome_is_sane("rss", text.encode("utf-8"))
    outcome_is_sane("html", text.encode("utf-8"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(wp_posts, json_values))
def test_wp_rest_survives_any_posts(posts):
    outcome_is_sane("wp-rest", json.dumps(posts).encode())


@settings(max_examples=60, deadline=None)
@given(st.one_of(markup, st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
def test_page_watch_survives_any_page(text):
    outcome_is_sane("page-watch", text.encode("utf-8"))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.sampled_from([None, "text/html", "text/html; charset=bogus", "x; charset=utf-16"]))
def test_decode_turns_any_bytes_into_text(body, content_type):
    assert isinstance(decode(body, content_type).text, str)


@settings(max_examples=200, deadline=None)
@given(markup)
def test_the_xml_guard_accepts_or_refuses_any_text_with_a_reason(text):
    try:
        check_xml(text)
    except SourceError as exc:
        assert exc.reason == "unsafe_xml" and str(exc).startswith("feed refused: ")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.sampled_from([None, "https://example.org/a/b"]))
def test_safe_url_and_url_key_never_crash(href, base):
    url = safe_url(href, base)
    if url is not None:
        assert url.startswith(("http://", "https://"))
        assert len(url_key(url)) <= 500
