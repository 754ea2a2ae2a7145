"""Who may read and change what: logins, roles, CSRF, rate limits, the proxy header, the audit trail (I10)."""

from __future__ import annotations

import html
import re

from sqlmodel import select

from store.engine import read_session, write_session
from store.models import Feedback
from store.models_access import AuditEvent
from tests.web.conftest import PASSWORD, Site, csrf_of
from web.accounts import change_password, delete_user
from web.security import COOKIE


def workshop_form(token: str | None, name: str = "Miljöförvaltningen") -> dict:
    data = {
        "mode": "form",
        "action": "validate",
        "name": name,
        "priority_count": "1",
        "p0-title": "Vatten",
        "p0-text": "Vattenvård och Östersjön.",
        "p0-weight": "2",
    }
    if token is not None:
        data["csrf_token"] = token
    return data


def audit(site: Site, action: str) -> list[AuditEvent]:
    with read_session(site.engine) as db:
        return list(db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_I10_profile_editor_post_without_csrf_token_is_403(site: Site):
    klk = site.login("klk-anna")
    response = klk.post("/workshop/miljo", data=workshop_form(None))
    assert response.status_code == 403
    assert "Formuläret har gått ut" in response.text


def test_I10_csrf_token_from_another_session_is_403(site: Site):
    klk = site.login("klk-anna")
    other = site.login("klk-anna")  # a second login: its own session and token
    foreign = csrf_of(other.get("/workshop/miljo").text)
    assert foreign != csrf_of(klk.get("/workshop/miljo").text)
    assert klk.post("/workshop/miljo", data=workshop_form(foreign)).status_code == 403


def test_I10_anonymous_post_is_sent_to_login(site: Site):
    anonymous = site.client()
    token = csrf_of(anonymous.get("/login").text)  # a valid token of the anonymous session
    response = anonymous.post("/workshop/miljo", data=workshop_form(token))
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fworkshop%2Fmiljo"
    assert anonymous.get("/workshop/miljo").headers["location"] == "/login?next=%2Fworkshop%2Fmiljo"


def test_I10_staff_user_gets_403_in_the_profile_editor(site: Site):
    staff = site.login("buf-bo")
    assert staff.get("/workshop/skola").status_code == 403
    token = csrf_of(
        staff.get("/").text if "csrf_token" in staff.get("/").text else staff.get(f"/calls/{site.ids['v1']}").text
    )
    response = staff.post("/workshop/skola", data=workshop_form(token, "Barn- och ungdomsförvaltningen"))
    assert response.status_code == 403
    assert "kommunledningskontoret" in response.text


def test_I10_klk_user_saves_and_an_audit_record_says_who_changed_what(site: Site):
    klk = site.login("klk-anna")
    page = klk.get("/workshop/miljo").text
    data = workshop_form(csrf_of(page))
    data.update({"action": "save", "base_version": re.search(r'name="base_version" value="([^"]*)"', page).group(1)})
    response = klk.post("/workshop/miljo", data=data)
    assert response.status_code == 303 and response.headers["location"] == "/workshop/miljo"
    assert klk.get("/workshop/miljo").status_code == 200
    [event] = audit(site, "profile.save")
    assert event.actor == "klk-anna" and event.target == "profile:miljo"
    assert '-title = "Vatten och hav"' in event.detail["diff"] and '+title = "Vatten"' in event.detail["diff"]
    assert event.detail["history_file"].startswith(".history/miljo/")


def test_feedback_needs_login_and_is_limited_to_ones_own_profiles(site: Site):
    call = site.ids["e4"]
    anonymous = site.client()
    token = csrf_of(anonymous.get("/login").text)
    answer = anonymous.post(
        f"/calls/{call}/feedback", data={"csrf_token": token, "profile_id": "skola", "verdict": "relevant"}
    )
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=%2Fcalls%2F")

    staff = site.login("buf-bo")
    page = staff.get(f"/calls/{call}").text
    assert 'name="profile_id" value="skola"' in page and 'name="profile_id" value="miljo"' not in page
    token = csrf_of(page)
    denied = staff.post(
        f"/calls/{call}/feedback", data={"csrf_token": token, "profile_id": "miljo", "verdict": "relevant"}
    )
    assert denied.status_code == 403
    ok = staff.post(
        f"/calls/{call}/feedback", data={"csrf_token": token, "profile_id": "skola", "verdict": "not_relevant"}
    )
    assert ok.status_code == 303
    assert (
        "Återkoppling sparad: Inte relevant för Barn- och ungdomsförvaltningen."
        in staff.get(ok.headers["location"]).text
    )
    with read_session(site.engine) as db:
        [row] = db.exec(select(Feedback))
    assert (row.profile_id, row.verdict, row.user) == ("skola", "not_relevant", "buf-bo")
    [event] = audit(site, "feedback.set")
    assert event.actor == "buf-bo" and event.detail == {"profile": "skola", "verdict": "not_relevant"}

    klk = site.login("klk-anna")
    page = klk.get(f"/calls/{call}").text
    assert all(f'name="profile_id" value="{p}"' in page for p in ("miljo", "skola", "kultur"))


def test_login_is_rate_limited_per_user_name(make_site):
    site = make_site(web__login_max_attempts=3)
    client = site.client()
    for _ in range(3):
        token = csrf_of(client.get("/login").text)
        bad = client.post("/login", data={"username": "klk-anna", "password": "fel", "csrf_token": token})
        assert bad.status_code == 401 and "Fel användarnamn eller lösenord." in bad.text
    token = csrf_of(client.get("/login").text)
    blocked = client.post("/login", data={"username": "klk-anna", "password": PASSWORD, "csrf_token": token})
    assert blocked.status_code == 429 and "För många misslyckade inloggningar" in blocked.text
    site.login("buf-bo")  # another user from the same address still gets in
    assert len(audit(site, "login.failed")) == 3


def _try_login(site: Site, password: str):
    client = site.client()
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": "klk-anna", "password": password, "csrf_token": token})


def test_login_rate_limit_holds_across_web_processes_and_restarts(make_site):
    """Two apps on one database (as two worker processes): failures on either count for both, and for an app
    started afterwards; the limit is read from the audit trail, not from one process's memory."""
    first = make_site(web__login_max_attempts=3)
    url = first.engine.url.render_as_string(hide_password=False)
    second = make_site(db_url=url, filled=False, web__login_max_attempts=3)
    assert _try_login(first, "fel").status_code == 401
    assert _try_login(second, "fel").status_code == 401
    assert _try_login(first, "fel").status_code == 401
    for site in (first, second, make_site(db_url=url, filled=False, web__login_max_attempts=3)):
        assert _try_login(site, PASSWORD).status_code == 429


def test_a_successful_login_clears_the_user_names_failures(make_site):
    site = make_site(web__login_max_attempts=3)
    assert _try_login(site, "fel").status_code == 401
    assert _try_login(site, "fel").status_code == 401
    assert _try_login(site, PASSWORD).status_code == 303
    assert _try_login(site, "fel").status_code == 401
    assert _try_login(site, "fel").status_code == 401
    assert _try_login(site, PASSWORD).status_code == 303


def test_login_redirect_never_leaves_the_site(site: Site):
    client = site.client()
    for target, expected in (
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
        ("/profiles/miljo", "/profiles/miljo"),
    ):
        token = csrf_of(client.get("/login").text)
        response = client.post(
            "/login", data={"username": "klk-anna", "password": PASSWORD, "csrf_token": token, "next": target}
        )
        assert response.headers["location"] == expected


def test_logout_needs_the_csrf_token_and_ends_the_session(site: Site):
    klk = site.login("klk-anna")
    assert klk.post("/logout", data={}).status_code == 403
    token = csrf_of(klk.get("/").text)
    assert klk.post("/logout", data={"csrf_token": token}).status_code == 303
    assert klk.get("/workshop").status_code == 303


def test_a_tampered_cookie_is_ignored(site: Site):
    klk = site.login("klk-anna")
    value = klk.cookies[COOKIE]
    forged = site.client(cookies={COOKIE: value[:-3] + ("aaa" if not value.endswith("aaa") else "bbb")})
    assert forged.get("/workshop").status_code == 303


def test_password_change_and_removal_end_existing_sessions(site: Site):
    klk = site.login("klk-anna")
    staff = site.login("buf-bo")
    with write_session(site.engine) as db:
        change_password(db, "klk-anna", "ett-nytt-lösenord", actor="test")
        delete_user(db, "buf-bo", actor="test")
    assert klk.get("/workshop").status_code == 303
    assert "Logga in" in staff.get("/").text


def test_require_login_setting_closes_reading_too(make_site):
    site = make_site(web__require_login=True)
    anonymous = site.client()
    assert anonymous.get("/").headers["location"] == "/login?next=%2F"
    assert anonymous.get("/api/calls").status_code == 401
    assert anonymous.get("/profiles/miljo/deadlines.ics").status_code == 401
    assert anonymous.get("/healthz").status_code == 200
    assert anonymous.get("/static/style.css").status_code == 200
    assert site.login("buf-bo").get("/").status_code == 200


FEED_LINK = re.compile(r'href="(/profiles/miljo/deadlines\.ics\?token=[^"]+)"')


def test_calendar_feed_has_a_personal_token_link_that_works_without_a_session_when_login_is_required(make_site):
    site = make_site(web__require_login=True)
    anonymous = site.client()
    assert anonymous.get("/profiles/miljo/deadlines.ics").status_code == 401
    page = site.login("buf-bo").get("/profiles/miljo").text
    link = html.unescape(FEED_LINK.search(page).group(1))
    assert "Kalenderlänken är personlig" in page
    feed = anonymous.get(link)  # what Outlook does: no cookie, just the URL
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in feed.text and "Stöd till vattenvård i kommuner" in feed.text.replace("\r\n ", "")
    assert not feed.cookies and not anonymous.cookies.get(COOKIE)

    token = link.split("token=")[1]
    assert anonymous.get(f"/profiles/skola/deadlines.ics?token={token}").status_code == 401  # another profile
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert anonymous.get(f"/profiles/miljo/deadlines.ics?token={tampered}").status_code == 401
    assert anonymous.get("/profiles/miljo/deadlines.ics?token=").status_code == 401
    assert anonymous.get("/profiles/miljo?token=" + token).headers["location"].startswith("/login")  # only the feed
    with write_session(site.engine) as db:
        delete_user(db, "buf-bo", actor="test")
    assert anonymous.get(link).status_code == 401  # a removed user's links stop working


def test_calendar_feed_stays_open_without_require_login(site: Site):
    assert site.client().get("/profiles/miljo/deadlines.ics").status_code == 200
    page = site.client().get("/profiles/miljo").text
    assert 'href="/profiles/miljo/deadlines.ics"' in page and "token=" not in page


def test_proxy_user_header_is_off_by_default(site: Site):
    client = site.client(headers={"X-Remote-User": "klk-anna"})
    assert client.get("/workshop").status_code == 303


def test_proxy_user_header_is_believed_only_from_trusted_addresses(make_site):
    site = make_site(web__proxy_user_header="X-Remote-User")
    assert site.client(headers={"X-Remote-User": "klk-anna"}).get("/workshop").status_code == 200
    assert site.client(headers={"X-Remote-User": "nobody"}).get("/workshop").status_code == 303
    untrusted = make_site(web__proxy_user_header="X-Remote-User", web__trusted_proxies="10.1.2.3")
    assert untrusted.client(headers={"X-Remote-User": "klk-anna"}).get("/workshop").status_code == 303


def test_security_headers_on_pages(site: Site):
    response = site.client().get("/")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_session_cookie_is_httponly_and_samesite(site: Site):
    client = site.client()
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"username": "klk-anna", "password": PASSWORD, "csrf_token": token})
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
