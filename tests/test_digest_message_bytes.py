"""``alerts.message.build_message`` assembles the message itself, for speed; its bytes must be exactly those the
``email`` package writes for the same message (``build_message_with_email``), whatever the text: Swedish
letters, long lines, trailing spaces, "=" and dots, control characters in the subject, odd addresses."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta, timezone
from email import quoprimime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alerts.message import build_message, build_message_with_email, qp_encode
from alerts.render import render_digest
from tests.test_digest_render import UNSUBSCRIBE, hostile_digest, realistic_digest

NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
BASE = dict(
    sender="fundwatch@kalmar.example",
    recipient="service@kalmar.example",
    subject="Nya utlysningar för Serviceförvaltningen – vecka 48 (2 träffar)",
    text="Hej!\n",
    html="<p>Hej!</p>\n",
    message_id="<digest.2026-w48.service.0123456789abcdef@kalmar.example>",
    date=NOW,
    unsubscribe_url=UNSUBSCRIBE,
)


def both(**changes) -> tuple[bytes, bytes]:
    values = {**BASE, **changes}
    return build_message(**values), build_message_with_email(**values)


@pytest.mark.parametrize("make", [realistic_digest, hostile_digest])
def test_a_rendered_digest_gives_the_bytes_the_email_package_writes(make):
    rendered = render_digest(make(), UNSUBSCRIBE)
    fast, reference = both(subject=rendered.subject, text=rendered.text, html=rendered.html)
    assert fast == reference
    message = email.message_from_bytes(fast, policy=email.policy.default)
    plain, html = message.get_payload()
    assert plain.get_content().replace("\r\n", "\n") == rendered.text
    assert html.get_content().replace("\r\n", "\n") == rendered.html


@pytest.mark.parametrize(
    "changes",
    [
        {"subject": ""},
        {"subject": "ASCII only, short"},
        {"subject": "Utlysningar för " + "Långt förvaltningsnamn " * 12},
        {"subject": "=?utf-8?q?kodat?= och \r\nBcc: x@y.se"},
        {"unsubscribe_url": None},
        {"unsubscribe_url": "https://fundwatch.kommun.example/unsubscribe/" + "v1." + "A" * 600},
        {"date": datetime(2026, 3, 29, 1, 30)},  # naive
        {"date": datetime(2026, 7, 1, 8, 0, tzinfo=timezone(timedelta(hours=2)))},
        {"recipient": "förnamn@kalmar.example"},
        {"recipient": "a..b@kalmar.example"},
        {"recipient": "o#brien+digest!x@kalmar.example"},
        {"recipient": "x" * 70 + "@kalmar.example"},
        {"sender": "y" * 60 + "@kalmar.example"},
        {"text": "", "html": ""},
        {"text": "rad med blanksteg på slutet   \n\tflik\t\n=\n.\n.punkt\nFrom mig\n\n\n", "html": "a\r\nb\rc"},
        {"text": "x" * 75 + " \n" + "y" * 76 + "\t\n" + "z" * 77 + " \n" + "å" * 40 + "\n" + "=" * 100},
    ],
)
def test_edge_cases_give_the_bytes_the_email_package_writes(changes):
    fast, reference = both(**changes)
    assert fast == reference


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400),
    html=st.lists(st.sampled_from(list('aåÄö =.\t \n\r<>"”–…\x85\x0c\u2028') + ["x" * 70]), max_size=60).map("".join),
    subject=st.text(max_size=120),
)
def test_any_text_gives_the_bytes_the_email_package_writes(text, html, subject):
    fast, reference = both(text=text, html=html, subject=subject)
    assert fast == reference


@settings(max_examples=500, deadline=None)
@given(
    body=st.one_of(
        st.text(st.characters(max_codepoint=255), max_size=300),
        st.lists(st.sampled_from(["x" * 73, "y" * 74, "=", " ", "\t", "\n", "\r", "\r\n", "\xe5", "\x85", "\x0c"])).map(
            "".join
        ),
    ),
    width=st.sampled_from([76, 78]),
)
def test_the_quoted_printable_encoding_is_the_email_package_s(body, width):
    assert qp_encode(body, width) == quoprimime.body_encode(body, width)
