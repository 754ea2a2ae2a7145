"""Digest links in the web UI: GET only asks, POST unsubscribes / records feedback (RELIABILITY.md E7), audited."""

from __future__ import annotations

from alerts.links import Links
from alerts.tokens import load_web_secret
from store.accounts import audit_events
from store.digests import is_unsubscribed
from store.engine import read_session
from store.matches import feedback_for_profile
from tests.web.conftest import Site


def links(site: Site) -> Links:
    settings = site.settings
    return Links(
        "http://fundwatch.test", load_web_secret(settings.web.secret_env, settings.path(settings.paths.var_dir))
    )


def path_of(url: str) -> str:
    return url.removeprefix("http://fundwatch.test")


def test_unsubscribe_get_only_asks_and_post_unsubscribes_that_recipient_only(site: Site):
    url = path_of(links(site).unsubscribe("miljo", "Anna@Kalmar.example"))
    client = site.client()
    page = client.get(url)
    assert page.status_code == 200
    assert "Vill du sluta få" in page.text and "anna@kalmar.example" in page.text
    with read_session(site.engine) as db:
        assert not is_unsubscribed(db, "miljo", "anna@kalmar.example")  # a GET (e.g. a link scanner) changes nothing
    # one-click unsubscribe as a mail client sends it (RFC 8058): no session, no CSRF token
    done = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert "avregistrerad" in done.text
    with read_session(site.engine) as db:
        assert is_unsubscribed(db, "miljo", "anna@kalmar.example")
        assert not is_unsubscribed(db, "miljo", "bo@kalmar.example")
        assert not is_unsubscribed(db, "skola", "anna@kalmar.example")
        assert any(e.action == "digest.unsubscribe" for e in audit_events(db)[1])


def test_a_forged_or_altered_token_is_refused(site: Site):
    url = path_of(links(site).unsubscribe("miljo", "anna@kalmar.example"))
    altered = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    client = site.client()
    assert client.get(altered).status_code == 404
    assert client.post(altered).status_code == 404
    assert client.post("/feedback/not-a-token").status_code == 404


def test_feedback_link_asks_then_records_the_verdict_with_an_audit_record(site: Site):
    call_id = site.ids["v1"]
    url = path_of(links(site).feedback("miljo", call_id, "not_relevant"))
    client = site.client()
    page = client.get(url)
    assert page.status_code == 200 and "inte relevant" in page.text
    with read_session(site.engine) as db:
        assert call_id not in feedback_for_profile(db, "miljo")
    assert client.post(url).status_code == 200
    with read_session(site.engine) as db:
        assert feedback_for_profile(db, "miljo")[call_id] == "not_relevant"
        events = audit_events(db, action="feedback.set")[1]
    assert events and events[0].detail == {"profile": "miljo", "verdict": "not_relevant"}


def test_status_page_shows_each_jobs_last_run_result_and_next_run(site: Site):
    from datetime import UTC, datetime

    from store.engine import write_session
    from store.jobs import finish_job_run, start_job_run

    with write_session(site.engine) as db:
        run = start_job_run(db, "scrape", datetime(2026, 11, 27, 4, 30, tzinfo=UTC))
        finish_job_run(
            db, run.id, "error", "2 sources failed: formas, boverket", datetime(2026, 11, 27, 4, 31, tzinfo=UTC)
        )
    page = site.client().get("/status")
    assert page.status_code == 200
    assert "Hämtning från källorna" in page.text
    assert "2 sources failed: formas, boverket" in page.text
    assert "Fel" in page.text and "Har inte körts" in page.text  # the digest has never run here
