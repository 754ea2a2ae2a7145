"""The shipped config.toml: at least 20 funders, every source valid, and its link-list selectors on pages in the
style of the sites (hand-written, tests/fixtures/sites/; the live sites are unverified, see README "Sources")."""

from __future__ import annotations

from pathlib import Path

from scrapers.base import Response
from scrapers.registry import discover
from settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
SITES = Path(__file__).resolve().parent / "fixtures" / "sites"
DATE = {"date": "Wed, 01 Jul 2026 10:00:00 GMT", "content-type": "text/html; charset=utf-8"}


def shipped():
    return discover().build(load_settings(ROOT / "config.toml", env={}))


def test_config_ships_at_least_twenty_funders_and_every_kind():
    sources = shipped()
    funders = {s.options.get("funder") for s in sources}
    assert len(funders) >= 20 and "" not in funders, sorted(map(str, funders))
    assert {s.config.kind for s in sources} == {"wp-rest", "page-watch", "html", "rss", "eu-ftp", "vinnova"}
    assert len({s.source for s in sources}) == len(sources)


def test_the_gentle_source_waits_longer_and_the_research_funders_run_weekly():
    by_name = {s.source: s.config for s in shipped()}
    assert by_name["norden"].min_delay >= 10
    assert by_name["vetenskapsradet"].schedule and by_name["forte"].schedule


def listing(name: str, page: str):
    (kind,) = [s for s in shipped() if s.source == name]
    request = kind.start_requests()[0]
    body = (SITES / page).read_bytes()
    return kind.parse(request, Response(request.url, 200, DATE, body))


def test_an_agency_list_of_call_links_gives_one_detail_request_per_call_and_skips_the_list_itself():
    result = listing("energimyndigheten", "energimyndigheten_utlysningar.html")
    assert [f.url for f in result.follow] == [
        "https://www.energimyndigheten.se/utlysningar/energieffektivisering-i-offentlig-sektor/",
        "https://www.energimyndigheten.se/utlysningar/vatgas-i-transportsystemet/",
    ]
    assert all(f.role == "detail" for f in result.follow) and result.warnings == []


def test_norden_funding_list_gives_its_calls_without_the_list_link():
    result = listing("norden", "norden_funding.html")
    assert [f.url.rsplit("/", 1)[1] for f in result.follow] == [
        "nordic-green-transition-fund-2027",
        "youth-in-the-nordic-region",
    ]
