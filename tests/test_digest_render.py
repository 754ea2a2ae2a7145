"""Rendering: a realistic digest and KLK's overview checked in both parts, and the E8 corpus of hostile
scraped text (no active content, no header injection, titles cut)."""

from __future__ import annotations

import email
import email.policy
import os
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from alerts.digest import build_digest
from alerts.message import build_message
from alerts.overview import build_overview
from alerts.render import render_digest, render_overview
from alerts.tokens import verify_feedback_token, verify_followup_token, verify_unsubscribe_token
from tests.digest_pure import OPTIONS, calls, change, links, match, matches, profile, sources
from tests.digest_support import FIXTURES, NOW, SECRET, WEEK

ALLOWED_TAGS = {"html", "head", "meta", "title", "body", "table", "tr", "td", "h1", "h2", "a", "strong", "br"}
UNSUBSCRIBE = links().unsubscribe("serviceforvaltningen", "service@kalmar.example")


def FOLLOWUP(call_id: int) -> str:  # noqa: N802  (the recipient's follow-up links, like UNSUBSCRIBE)
    return links().followup("serviceforvaltningen", call_id, "service@kalmar.example")


class Page(HTMLParser):
    """What an email client would see: tags, attributes, link targets and texts, and the visible text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.links: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.headings: list[str] = []
        self._href: str | None = None
        self._link_text: list[str] = []
        self._heading: list[str] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            self.attributes.append((tag, name, value or ""))
        if tag == "a":
            self._href = dict(attrs).get("href", "")
            self._link_text = []
        if tag == "h2":
            self._heading = []

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._link_text).strip()))
            self._href = None
        if tag == "h2" and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None

    def handle_data(self, data):
        self.text.append(data)
        if self._href is not None:
            self._link_text.append(data)
        if self._heading is not None:
            self._heading.append(data)

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())


def assert_safe_html(html: str) -> Page:
    page = Page(html)
    assert set(page.tags) <= ALLOWED_TAGS, set(page.tags) - ALLOWED_TAGS
    for tag, name, value in page.attributes:
        assert not name.startswith("on"), (tag, name, value)
        assert "javascript:" not in value.lower(), (tag, name, value)
        assert name not in ("src", "srcset", "background", "action", "formaction"), (tag, name)
    for href, _ in page.links:
        assert href.startswith(("https://", "http://")), href
    lowered = html.lower()
    for needle in ("<script", "<style", "<img", "<svg", "<iframe", "<object", "<link"):
        assert needle not in lowered, needle
    return page


def realistic_digest():
    by_id = calls()
    earlier = [by_id["klimatklivet-2026-4"], by_id["2026-00731"], by_id["skapande-skola-2027"]]
    formas = by_id["2026-00731"]
    changes = {
        formas.id: [change(formas, "deadline_at", "2027-01-10T13:00:00+00:00", "2027-01-20T13:00:00+00:00")],
        by_id["klimatklivet-2026-4"].id: [
            change(by_id["klimatklivet-2026-4"], "budget", "Cirka 1 miljard kronor", "Cirka 1,5 miljarder kronor")
        ],
    }
    candidates = [pair for pair in matches("serviceforvaltningen", by_id) if pair[1].id not in {c.id for c in earlier}]
    feedback = {by_id["skapande-skola-2027"].id: "not_relevant"}
    followups = {by_id["klimatklivet-2026-4"].id: "Ansöker"}
    return build_digest(
        profile("serviceforvaltningen"),
        candidates,
        earlier,
        changes,
        feedback,
        NOW,
        WEEK,
        links(),
        OPTIONS,
        followups=followups,
    )


def test_the_realistic_digest_text_part_matches_the_golden_file():
    rendered = render_digest(realistic_digest(), UNSUBSCRIBE, followup_url=FOLLOWUP)
    golden = FIXTURES / "serviceforvaltningen.txt"
    if os.environ.get("FUNDWATCH_UPDATE_GOLDEN"):
        golden.write_text(rendered.text, encoding="utf-8")
    assert rendered.text == golden.read_text(encoding="utf-8")


def test_the_realistic_digest_text_part_holds_everything_a_reader_needs():
    digest = realistic_digest()
    text = render_digest(digest, UNSUBSCRIBE).text

    assert text.startswith("Nya utlysningar för Serviceförvaltningen – vecka 48 (4 träffar)\n")
    sections = [line for line in text.splitlines() if line.isupper() and "(" in line]
    assert sections == ["NYA TRÄFFAR (4)", "DEADLINE SNART (1)", "ÄNDRAT (1)"]
    assert "Deadline: 8 december 2026 kl. 14:00 (15 dagar kvar)" in text
    assert "Alla deadlines: 17 februari 2027 kl. 17:00; 23 september 2027 kl. 17:00" in text
    assert "Vem kan söka: kommun, region, företag, forskningsorganisation" in text
    assert "Varför den matchade: prioriteringen ”Energieffektiva fastigheter”; termer:" in text
    assert "Deadline: 3 december 2026 (10 dagar kvar)" in text
    assert "Ändrat: Budget: Cirka 1 miljard kronor → Cirka 1,5 miljarder kronor" in text
    assert "Ändrat: Deadline: 10 januari 2027 kl. 14:00 → 20 januari 2027 kl. 14:00" in text
    assert "Skapande skola" not in text  # marked not relevant
    assert "I fundwatch: https://fundwatch.kalmar.example/calls/1\n" in text
    assert (
        "Deadlines i din kalender (ICS): https://fundwatch.kalmar.example/profiles/serviceforvaltningen/deadlines.ics"
        in text
    )
    assert f"Avsluta prenumerationen: {UNSUBSCRIBE}\n" in text
    # without follow-up links (e.g. a preview for nobody) the entries carry none
    assert "followup-link" not in text
    with_links = render_digest(digest, UNSUBSCRIBE, followup_url=FOLLOWUP).text
    assert f"Markera som intresserad: {FOLLOWUP(digest.new[0].call_id)}\n" in with_links
    assert f"Följ upp (nu: Ansöker): {FOLLOWUP(digest.closing[0].call_id)}\n" in with_links
    assert max(len(line) for line in text.splitlines() if "https://" not in line) <= 78


def test_the_realistic_digest_html_part_is_outlook_friendly_safe_and_complete():
    digest = realistic_digest()
    html = render_digest(digest, UNSUBSCRIBE, followup_url=FOLLOWUP).html
    page = assert_safe_html(html)

    assert '<html lang="sv">' in html
    assert ("table", "role", "presentation") in page.attributes
    assert page.headings == ["Nya träffar (4)", "Deadline snart (1)", "Ändrat (1)"]
    links_by_text = {}
    for href, text in page.links:
        links_by_text.setdefault(text, []).append(href)
    first = digest.new[0]
    assert links_by_text[first.title] == ["https://www.vinnova.se/e/hallbara-stader/energieffektiva-kvarter-2027/"]
    assert len(links_by_text["Visa i fundwatch"]) == 6
    relevant = [verify_feedback_token(SECRET, h.rsplit("/", 1)[1]) for h in links_by_text["Relevant"]]
    not_relevant = [verify_feedback_token(SECRET, h.rsplit("/", 1)[1]) for h in links_by_text["Inte relevant"]]
    assert {(r.profile_id, r.verdict) for r in relevant} == {("serviceforvaltningen", "relevant")}
    assert {(r.profile_id, r.verdict) for r in not_relevant} == {("serviceforvaltningen", "not_relevant")}
    assert [r.call_id for r in relevant] == [e.call_id for e in digest.new + digest.closing + digest.changed]
    # every call has the recipient's follow-up link: "Följ upp" where the administration follows it up already
    marks = [verify_followup_token(SECRET, h.rsplit("/", 1)[1]) for h in links_by_text["Markera som intresserad"]]
    [follow] = [verify_followup_token(SECRET, h.rsplit("/", 1)[1]) for h in links_by_text["Följ upp"]]
    assert {(m.profile_id, m.recipient) for m in marks + [follow]} == {
        ("serviceforvaltningen", "service@kalmar.example")
    }
    assert sorted(m.call_id for m in marks + [follow]) == sorted(
        e.call_id for e in digest.new + digest.closing + digest.changed
    )
    assert follow.call_id == digest.closing[0].call_id and "Följ upp (nu: Ansöker)" in page.visible
    assert links_by_text["Prenumerera på deadlines i din kalender (ICS)"] == [digest.calendar_url]
    assert links_by_text["Alla träffar för Serviceförvaltningen"] == [digest.list_url]
    [unsubscribe] = links_by_text["Avsluta prenumerationen"]
    assert verify_unsubscribe_token(SECRET, unsubscribe.rsplit("/", 1)[1]).recipient == "service@kalmar.example"
    visible = page.visible
    assert "Deadline: 8 december 2026 kl. 14:00 (15 dagar kvar)" in visible
    assert "Budget: Totalt 40 miljoner kronor; högst 5 miljoner kronor per projekt" in visible
    assert "Varför den matchade: prioriteringen ”Energieffektiva fastigheter”; termer: energieffektivisering" in visible
    assert "Ändrat: Deadline: 10 januari 2027 kl. 14:00 → 20 januari 2027 kl. 14:00" in visible


def test_the_overview_shows_unhealthy_and_stale_sources_with_their_last_error_in_both_parts():
    by_id = calls()
    ids = ("serviceforvaltningen", "kultur-och-fritid", "kalmar-vatten")
    overview = build_overview(
        [profile(p) for p in ids],
        {p: matches(p, by_id) for p in ids},
        {},
        sources(),
        ["Utskicket till x@kalmar.example avbröts medan det skickades och skickas igen"],
        NOW,
        WEEK,
        links(),
        OPTIONS,
        top=3,
    )
    unsubscribe = links().unsubscribe("_overview", "klk@kalmar.example")
    rendered = render_overview(overview, unsubscribe)

    text = rendered.text
    assert text.startswith("Veckoöversikt för KLK – vecka 48 (6 träffar, 2 källor med problem)\n")
    assert "KÄLLOR MED PROBLEM (2)" in text
    assert "- vinnova: fel (http_error)\n  Senast lyckad hämtning: 20 november 2026 kl. 06:00\n" in text
    assert (
        "  Senaste fel: HTTP 503 Service Unavailable efter 4 försök\n  – Inga lyckade hämtningar på 3 dagar\n" in text
    )
    assert "- euroaccess: inaktuell\n  Senast lyckad hämtning: 14 november 2026 kl. 06:00\n" in text
    assert "eu-ftp" not in text and "formas:" not in text
    assert "DRIFTLARM (1)" in text
    assert "PASSAR FLERA FÖRVALTNINGAR (2)" in text
    assert "Matchar: Kalmar Vatten AB (0.71), Serviceförvaltningen (0.31)" in text
    for heading in ("SERVICEFÖRVALTNINGEN (3)", "KULTUR- OCH FRITIDSFÖRVALTNINGEN (1)", "KALMAR VATTEN AB (2)"):
        assert heading in text

    page = assert_safe_html(rendered.html)
    visible = page.visible
    assert page.headings[:3] == ["Källor med problem (2)", "Driftlarm (1)", "Passar flera förvaltningar (2)"]
    assert "vinnova : fel (http_error)" in visible or "vinnova: fel (http_error)" in visible
    assert "Senaste fel: HTTP 503 Service Unavailable efter 4 försök" in visible
    assert "Matchar: Kalmar Vatten AB (0.71), Serviceförvaltningen (0.31)" in visible
    assert "Relevant" not in [t for _, t in page.links]  # no per-administration feedback in KLK's overview


HOSTILE_TITLE = '<script>alert(1)</script>"><svg/onload=alert(2)>' + "Å" * 10_000 + "\r\nBcc: x@y"


def hostile_digest():
    by_id = calls()
    call = by_id["2026-04512"]
    call.title = HOSTILE_TITLE
    call.url = "javascript:alert(4)"
    call.summary = '<img src=x onerror=alert(3)><style>body{display:none}</style> "><svg/onload=alert(9)>'
    call.funder = "<b onmouseover=alert(5)>Evil</b>"
    call.budget = '"><svg/onload=alert(6)>'
    call.applicant_types = ["<script>x</script>", "kommun\r\nBcc: x@y"]
    other = by_id["2026-lokala-satsningar"]
    other.url = 'https://ok.example/"onmouseover="alert(1)'
    other.title = "<a href=javascript:alert(1)>klicka</a>"
    pairs = [
        (
            match(
                "serviceforvaltningen",
                call,
                0.9,
                priority='"><svg/onload=alert(8)>',
                terms=["<script>", "åäö"],
                reasons=["<img src=x onerror=alert(7)>"],
            ),
            call,
        ),
        (match("serviceforvaltningen", other, 0.8), other),
    ]
    return build_digest(profile("serviceforvaltningen"), pairs, [], {}, {}, NOW, WEEK, links(), OPTIONS)


def test_hostile_scraped_text_renders_without_active_content_and_titles_are_cut():
    digest = hostile_digest()
    rendered = render_digest(digest, UNSUBSCRIBE)

    page = assert_safe_html(rendered.html)
    hrefs = [h for h, _ in page.links]
    assert not any("onmouseover" in h or "alert" in h for h in hrefs)
    titles = [e.title for e in digest.new]
    assert len(titles[0]) == 200 and titles[0].endswith("…")
    assert "\r" not in titles[0] and "\n" not in titles[0]
    # the hostile texts are shown as text, visibly escaped, never as links
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;svg/onload=alert(2)&gt;" in rendered.html
    assert "&lt;a href=javascript:alert(1)&gt;klicka&lt;/a&gt;" in rendered.html
    linked_texts = [t for _, t in page.links]
    assert titles[0] not in linked_texts and titles[1] not in linked_texts
    assert "Utlysningen: javascript" not in rendered.text
    assert HOSTILE_TITLE[:50] in rendered.text  # plain text shows the text as text


def test_hostile_text_cannot_add_a_header_or_break_the_subject():
    digest = hostile_digest()
    rendered = render_digest(digest, UNSUBSCRIBE)
    hostile_subject = rendered.subject + "\r\nBcc: x@y\r\n\r\n<script>"
    data = build_message(
        sender="fundwatch@kalmar.example",
        recipient="service@kalmar.example",
        subject=hostile_subject,
        text=rendered.text,
        html=rendered.html,
        message_id="<digest.e8@kalmar.example>",
        date=NOW,
        unsubscribe_url=UNSUBSCRIBE,
    )

    data.decode("ascii")
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert message["Bcc"] is None
    assert sorted(message.keys()) == sorted(
        [
            "From",
            "To",
            "Subject",
            "Date",
            "Message-ID",
            "Auto-Submitted",
            "List-Unsubscribe",
            "List-Unsubscribe-Post",
            "MIME-Version",
            "Content-Type",
        ]
    )
    assert "\r" not in message["Subject"] and "\n" not in message["Subject"]
    assert message["Subject"].startswith("Nya utlysningar för Serviceförvaltningen – vecka 48 (2 träffar)")
    html = message.get_body(("html",)).get_content()
    assert_safe_html(html)
    for bad in ("kommun\r\nBcc", "kommun\nBcc"):
        assert bad not in message.get_body(("plain",)).get_content()


def test_an_address_with_a_line_break_is_refused():
    with pytest.raises(ValueError, match="not a plain email address"):
        build_message(
            sender="fundwatch@kalmar.example",
            recipient="a@kalmar.example\r\nBcc: x@y.se",
            subject="x",
            text="x",
            html="x",
            message_id="<a@b.se>",
            date=NOW,
        )


def test_the_same_digest_renders_to_the_same_bytes():
    digest = realistic_digest()
    one, two = render_digest(digest, UNSUBSCRIBE), render_digest(realistic_digest(), UNSUBSCRIBE)
    assert one == two
    build = dict(
        sender="fundwatch@kalmar.example",
        recipient="service@kalmar.example",
        subject=one.subject,
        text=one.text,
        html=one.html,
        message_id="<digest.same@kalmar.example>",
        date=NOW + timedelta(minutes=1),
        unsubscribe_url=UNSUBSCRIBE,
    )
    assert build_message(**build) == build_message(**build)
