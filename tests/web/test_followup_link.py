"""The follow-up link from a digest: GET only asks, POST marks interest (then moves on), audited as the recipient."""

from __future__ import annotations

from store.accounts import audit_events
from store.engine import read_session
from store.followup import get_followup
from tests.web.conftest import Site
from tests.web.test_email_links import links, path_of


def test_get_asks_post_marks_interest_with_the_recipient_as_contact_and_audit_actor(site: Site):
    call = site.ids["v1"]
    url = path_of(links(site).followup("miljo", call, "Anna@Kalmar.example"))
    client = site.client()  # no login: the token is the credential
    page = client.get(url)
    assert page.status_code == 200
    assert "Markera som intresserad" in page.text and "Miljöförvaltningen" in page.text
    assert "anna@kalmar.example" in page.text
    with read_session(site.engine) as db:
        assert get_followup(db, "miljo", call) is None  # a link scanner's GET changes nothing
    done = client.post(url, data={"status": "intresserad"})
    assert done.status_code == 200 and "är markerad som Intresserad för Miljöförvaltningen" in done.text
    with read_session(site.engine) as db:
        record = get_followup(db, "miljo", call)
        assert (record.status, record.contact_email, record.updated_by) == (
            "intresserad",
            "anna@kalmar.example",
            "link:anna@kalmar.example",
        )
        [event] = audit_events(db, action="followup.set")[1]
        assert event.actor == "link:anna@kalmar.example" and event.detail["profile"] == "miljo"

    # the same link later: "Följ upp" offers the next steps only, and moves the follow-up on
    again = client.get(url)
    assert "Följ upp utlysningen" in again.text and "som Intresserad" in again.text
    assert 'value="ansoker"' in again.text and 'value="intresserad"' not in again.text
    assert client.post(url, data={"status": "ansoker"}).status_code == 200
    back = client.post(url, data={"status": "intresserad"})  # a link never corrects backwards
    assert back.status_code == 422 and "Bara kommunledningskontoret" in back.text
    with read_session(site.engine) as db:
        assert get_followup(db, "miljo", call).status == "ansoker"
        assert audit_events(db, action="followup.set")[0] == 2


def test_a_forged_or_foreign_token_is_refused_and_the_page_needs_no_login_even_when_reading_does(make_site):
    site = make_site(web__require_login=True)
    call = site.ids["v1"]
    good = path_of(links(site).followup("miljo", call, "anna@kalmar.example"))
    feedback = path_of(links(site).feedback("miljo", call, "relevant"))
    client = site.client()
    assert client.get(good).status_code == 200
    forged = good[:-5] + ("A" if good[-5] != "A" else "B") + good[-4:]  # inside the signature, all bits count
    assert client.get(forged).status_code == 404
    assert client.post("/followup-link/" + feedback.rsplit("/", 1)[1]).status_code == 404
    with read_session(site.engine) as db:
        assert get_followup(db, "miljo", call) is None
