"""The queued digest carries each recipient's own follow-up links, and the administration's current status."""

from __future__ import annotations

import email
import email.policy
import re

import pytest

from alerts.jobs import queue_due_digests
from alerts.tokens import verify_followup_token
from store.engine import read_session, write_session
from store.followup import save_followup
from store.outbox import outbox_messages
from tests.digest_support import NOW, SECRET, SECRET_ENV, seed, settings_for

LINK = re.compile(r"(Markera som intresserad|Följ upp \(nu: [^)]+\)): \S+/followup-link/(\S+)")


@pytest.fixture(autouse=True)
def _secret(monkeypatch):
    monkeypatch.setenv(SECRET_ENV, SECRET.decode())


def test_each_recipient_gets_links_bound_to_them_and_followed_calls_say_follow_up(engine, tmp_path):
    ids = seed(engine)
    with write_session(engine) as db:
        save_followup(db, "serviceforvaltningen", ids["2026-04512"], {"status": "ansoker"}, actor="anna")
    settings = settings_for(tmp_path, engine.url.render_as_string(hide_password=False))
    report = queue_due_digests(settings, engine, NOW, profile_ids=["serviceforvaltningen"])
    assert report.outcomes["serviceforvaltningen"] == "queued 2"
    with read_session(engine) as db:
        rows = outbox_messages(db)
    by_recipient = {}
    for row in rows:
        message = email.message_from_bytes(row.message, policy=email.policy.default)
        text = message.get_body(("plain",)).get_content()
        found = [(label, verify_followup_token(SECRET, token)) for label, token in LINK.findall(text)]
        assert found and all(req is not None for _, req in found)
        by_recipient[row.recipient.lower()] = found
    assert set(by_recipient) == {"service@kalmar.example", "ekonomi.service@kalmar.example"}
    for recipient, found in by_recipient.items():
        assert {(req.profile_id, req.recipient) for _, req in found} == {("serviceforvaltningen", recipient)}
        labels = {req.call_id: label for label, req in found}
        assert labels[ids["2026-04512"]] == "Följ upp (nu: Ansöker)"
        assert {label for cid, label in labels.items() if cid != ids["2026-04512"]} == {"Markera som intresserad"}
