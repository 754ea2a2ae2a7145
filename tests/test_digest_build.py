"""Building digests from plain data: what goes in, in which order, and the Swedish details."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from alerts.digest import build_digest
from alerts.overview import build_overview
from alerts.text import days_left_text, iso_week, parse_week, safe_http_url, swedish_date, truncate
from tests.digest_pure import OPTIONS, calls, change, links, match, matches, profile, sources
from tests.digest_support import NOW, WEEK


def test_new_matches_are_the_best_open_ones_above_the_threshold_at_most_the_profiles_limit():
    by_id = calls()
    digest = build_digest(
        profile("serviceforvaltningen"), matches("serviceforvaltningen", by_id), [], {}, {}, NOW, WEEK, links(), OPTIONS
    )

    assert [e.title for e in digest.new] == [
        "Hållbara och attraktiva städer – energieffektiva kvarter 2027",
        "Technical assistance for clean energy transition plans and strategies in municipalities and regions",
        "Stöd till lokala och regionala energi- och klimatsatsningar",
        "Stöd för minskat matsvinn i offentliga måltider",
        "Klimatklivet – investeringsstöd, omgång 4 2026",
    ]  # the closed UIA call (0.90) and Skapande skola (0.10 < min_score 0.25) are left out; max_matches = 5
    assert digest.subject == "Nya utlysningar för Serviceförvaltningen – vecka 48 (5 träffar)"
    first = digest.new[0]
    assert first.next_deadline == "8 december 2026 kl. 14:00" and first.days_left_text == "(15 dagar kvar)"
    assert first.budget == "Totalt 40 miljoner kronor; högst 5 miljoner kronor per projekt"
    assert first.applicants == "kommun, region, företag, forskningsorganisation"
    assert first.priority == "Energieffektiva fastigheter"
    assert first.terms == ("energieffektivisering", "renovering", "solceller")
    assert first.reasons == ("Nämner renovering och solceller", "Kommuner får söka")
    assert first.web_url == "https://fundwatch.kalmar.example/calls/1"
    assert digest.new[1].deadlines == ("17 februari 2027 kl. 17:00", "23 september 2027 kl. 17:00")
    assert digest.calendar_url == "https://fundwatch.kalmar.example/profiles/serviceforvaltningen/deadlines.ics"
    assert digest.list_url == "https://fundwatch.kalmar.example/profiles/serviceforvaltningen"


def test_a_profile_without_min_score_uses_the_digest_setting():
    by_id = calls()
    kultur = profile("kultur-och-fritid")
    assert kultur.min_score is None
    strict = build_digest(kultur, matches("kultur-och-fritid", by_id), [], {}, {}, NOW, WEEK, links(), OPTIONS)
    lenient_options = dataclasses.replace(OPTIONS, min_score=0.1)
    lenient = build_digest(kultur, matches("kultur-och-fritid", by_id), [], {}, {}, NOW, WEEK, links(), lenient_options)

    assert [e.call_id for e in strict.new] == [by_id["skapande-skola-2027"].id]
    assert [e.call_id for e in lenient.new] == [by_id["skapande-skola-2027"].id, by_id["2026-04512"].id]


def test_earlier_calls_closing_within_14_days_are_reminded_and_changes_are_listed():
    by_id = calls()
    earlier = [by_id["2026-04512"], by_id["klimatklivet-2026-4"], by_id["2026-lokala-satsningar"], by_id["2026-00731"]]
    changes = {
        by_id["2026-04512"].id: [change(by_id["2026-04512"], "budget", "30 miljoner kronor", "40 miljoner kronor")],
        by_id["2026-00731"].id: [
            change(by_id["2026-00731"], "deadline_at", "2027-01-10T13:00:00+00:00", "2027-01-20T13:00:00+00:00"),
            change(by_id["2026-00731"], "deadlines", '["2027-01-10T13:00:00+00:00"]', '["2027-01-20T13:00:00+00:00"]'),
            change(by_id["2026-00731"], "description", "gammal", "ny"),
            change(by_id["2026-00731"], "url", "https://a.se", "https://b.se"),
        ],
    }
    digest = build_digest(profile("serviceforvaltningen"), [], earlier, changes, {}, NOW, WEEK, links(), OPTIONS)

    # Klimatklivet closes 3 December (10 days); Vinnova's 8 December (15 days) is outside the 14-day window
    assert [(e.title, e.days_left_text) for e in digest.closing] == [
        ("Klimatklivet – investeringsstöd, omgång 4 2026", "(10 dagar kvar)")
    ]
    assert [e.title for e in digest.changed] == [
        "Hållbara och attraktiva städer – energieffektiva kvarter 2027",
        "Klimatanpassning av städer och samhällen – skyfall och dagvatten",
    ]
    assert digest.changed[0].changes == ("Budget: 30 miljoner kronor → 40 miljoner kronor",)
    assert digest.changed[1].changes == (
        "Deadline: 10 januari 2027 kl. 14:00 → 20 januari 2027 kl. 14:00",
        "Beskrivning har ändrats",
    )
    assert digest.subject == "Utlysningar för Serviceförvaltningen – vecka 48 (1 med deadline snart)"


def test_the_closing_window_is_the_setting_in_days():
    by_id = calls()
    earlier = [by_id["2026-04512"], by_id["klimatklivet-2026-4"]]
    service = profile("serviceforvaltningen")
    two_weeks = build_digest(service, [], earlier, {}, {}, NOW, WEEK, links(), OPTIONS)
    three_weeks = build_digest(
        service, [], earlier, {}, {}, NOW, WEEK, links(), dataclasses.replace(OPTIONS, closing_days=21)
    )

    assert [e.days_left for e in two_weeks.closing] == [10]  # Vinnova's 15 days are outside 14
    assert [e.days_left for e in three_weeks.closing] == [10, 15]
    assert two_weeks.closing[0].changes == ()


def test_calls_marked_not_relevant_are_never_listed():
    by_id = calls()
    feedback = {by_id["2026-04512"].id: "not_relevant", by_id["klimatklivet-2026-4"].id: "not_relevant"}
    earlier = [by_id["klimatklivet-2026-4"]]
    digest = build_digest(
        profile("serviceforvaltningen"),
        matches("serviceforvaltningen", by_id),
        earlier,
        {by_id["klimatklivet-2026-4"].id: [change(by_id["klimatklivet-2026-4"], "status", "open", "closed")]},
        feedback,
        NOW,
        WEEK,
        links(),
        OPTIONS,
    )

    listed = {e.call_id for e in digest.new + digest.closing + digest.changed}
    assert by_id["2026-04512"].id not in listed and by_id["klimatklivet-2026-4"].id not in listed
    assert len(digest.new) == 4


def test_a_week_with_nothing_new_and_nothing_closing_is_empty_and_sent_only_when_asked():
    service = profile("serviceforvaltningen")
    quiet = build_digest(service, [], [], {}, {}, NOW, WEEK, links(), OPTIONS)
    noted = build_digest(service, [], [], {}, {}, NOW, WEEK, links(), dataclasses.replace(OPTIONS, send_empty=True))

    assert quiet.empty and not quiet.should_send
    assert noted.empty and noted.should_send
    assert noted.subject == "Utlysningar för Serviceförvaltningen – vecka 48 (inga nya träffar)"


def test_one_new_match_says_traff_in_the_singular():
    by_id = calls()
    pairs = [(match("kultur-och-fritid", by_id["skapande-skola-2027"], 0.8), by_id["skapande-skola-2027"])]
    digest = build_digest(profile("kultur-och-fritid"), pairs, [], {}, {}, NOW, WEEK, links(), OPTIONS)
    assert digest.subject == "Nya utlysningar för Kultur- och fritidsförvaltningen – vecka 48 (1 träff)"
    assert digest.new[0].days_left_text == "(8 dagar kvar)"


def test_the_overview_has_each_administrations_top_matches_joint_calls_and_sources_in_trouble():
    by_id = calls()
    ids = ("serviceforvaltningen", "kultur-och-fritid", "kalmar-vatten")
    overview = build_overview(
        [profile(p) for p in ids],
        {p: matches(p, by_id) for p in ids},
        {},
        sources(),
        ["Utskicket till x@kalmar.example kunde inte levereras: 550"],
        NOW,
        WEEK,
        links(),
        OPTIONS,
        top=3,
    )

    assert [len(s.entries) for s in overview.sections] == [3, 1, 2]
    joint = {j.entry.title: j.profiles for j in overview.joint}
    assert joint["Klimatanpassning av städer och samhällen – skyfall och dagvatten"] == (
        ("Kalmar Vatten AB", 0.71),
        ("Serviceförvaltningen", 0.31),
    )
    assert [(s.name, s.state_text) for s in overview.sources] == [("vinnova", "fel"), ("euroaccess", "inaktuell")]
    assert overview.sources[0].last_error == "HTTP 503 Service Unavailable efter 4 försök"
    assert overview.sources[0].last_ok == "20 november 2026 kl. 06:00"
    assert overview.subject == "Veckoöversikt för KLK – vecka 48 (6 träffar, 2 källor med problem)"


@pytest.mark.parametrize(
    ("days", "text"),
    [(-1, "(stängd)"), (0, "(sista dagen i dag)"), (1, "(1 dag kvar)"), (12, "(12 dagar kvar)")],
)
def test_days_left_in_swedish(days, text):
    assert days_left_text(days) == text


def test_dates_and_weeks_are_swedish_local_time():
    assert swedish_date(datetime(2026, 12, 8, 13, 0, tzinfo=UTC)) == "8 december 2026 kl. 14:00"
    assert swedish_date(datetime(2027, 3, 31, 21, 59, 59, tzinfo=UTC)) == "31 mars 2027"  # 23:59 local
    assert iso_week(datetime(2026, 11, 22, 23, 30, tzinfo=UTC)) == "2026-W48"  # already Monday in Sweden
    assert iso_week(datetime(2027, 1, 1, 12, tzinfo=UTC)) == "2026-W53"
    assert parse_week("2026-W48") == "2026-W48"
    for bad in ("2026-48", "2026-W60", "2025-W53", "W48", ""):
        with pytest.raises(ValueError):
            parse_week(bad)


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://www.vinnova.se/e/x/", True),
        ("http://example.se/a?b=c&d=e", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,<script>", False),
        ("//evil.example/x", False),
        ("/relative/path", False),
        ('https://x.se/"onmouseover="alert(1)', False),
        ("https://x.se/a b", False),
        ("https://x.se/\r\nBcc: x@y", False),
        ("ftp://x.se/file", False),
        ("https:///nohost", False),
    ],
)
def test_only_http_and_https_urls_become_links(url, safe):
    assert (safe_http_url(url) is not None) is safe


def test_truncate_cuts_at_a_word_and_marks_the_cut():
    assert truncate("kort", 10) == "kort"
    cut = truncate("Hållbara och attraktiva städer för alla", 25)
    assert cut == "Hållbara och attraktiva…" and len(cut) <= 25
    assert len(truncate("A" * 10_000, 200)) == 200


def test_closed_and_unlisted_calls_and_past_deadlines_are_not_new():
    by_id = calls()
    gone = by_id["2026-lokala-satsningar"]
    gone.listed = False
    expired = by_id["klimatklivet-2026-4"]
    pairs = [(match("serviceforvaltningen", c, 0.9), c) for c in (gone, expired)]
    digest = build_digest(
        profile("serviceforvaltningen"), pairs, [], {}, {}, NOW + timedelta(days=11), WEEK, links(), OPTIONS
    )
    assert digest.new == ()
