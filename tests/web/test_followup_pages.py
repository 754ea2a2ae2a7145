"""The follow-up on the call page and the /followup list: who may save, errors by field, history, CSV."""

from __future__ import annotations

import csv
import io

import pytest

from store.accounts import audit_events
from store.engine import read_session
from store.followup import get_followup
from tests.web.conftest import Site, csrf_of


def form(token: str, **values) -> dict:
    base = {
        "csrf_token": token,
        "form_key": values.pop("form_key", "new"),
        "status": "intresserad",
        "currency": "SEK",
        "interested_on": "",
        "applying_on": "",
        "submitted_on": "",
        "decided_on": "",
        "contact_name": "",
        "contact_email": "",
        "eur_rate": "",
        "amount_applied": "",
        "amount_granted": "",
        "cofinancing": "",
        "partners": "",
        "notes": "",
    }
    base.update(values)
    return base


def test_anyone_may_read_but_saving_needs_a_login_and_the_right_profile(site: Site):
    call = site.ids["v1"]
    anonymous = site.client()
    page = anonymous.get(f"/calls/{call}")
    assert page.status_code == 200 and "Ingen förvaltning följer upp utlysningen ännu." in page.text
    assert "för att följa upp utlysningen" in page.text and 'action="/calls/' not in page.text.split("uppfoljning")[-1]
    token = csrf_of(anonymous.get("/login").text)
    refused = anonymous.post(f"/calls/{call}/followup", data=form(token, profile_id="skola"))
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")

    bo = site.login("buf-bo")  # staff, bound to "skola" only
    page = bo.get(f"/calls/{call}")
    assert '<option value="skola">' in page.text and '<option value="miljo">' not in page.text
    token = csrf_of(page.text)
    assert bo.post(f"/calls/{call}/followup", data=form(token, profile_id="miljo")).status_code == 403
    assert bo.post(f"/calls/{call}/followup", data=form("fel-token", profile_id="skola")).status_code == 403
    with read_session(site.engine) as db:
        assert get_followup(db, "miljo", call) is None and get_followup(db, "skola", call) is None


def test_staff_marks_interest_then_submission_with_amounts_and_the_history_shows_both(site: Site):
    call = site.ids["v1"]
    bo = site.login("buf-bo")
    token = csrf_of(bo.get(f"/calls/{call}").text)
    saved = bo.post(
        f"/calls/{call}/followup",
        data=form(token, profile_id="skola", contact_name="Bo Ek", contact_email="bo@kalmar.example"),
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"/calls/{call}#uppfoljning-skola"
    page = bo.get(f"/calls/{call}")
    assert "Uppföljningen för" in page.text and "är sparad: Intresserad." in page.text
    # the form for the existing record offers only forward moves (and Avstår) to staff
    edit = page.text.split('name="form_key" value="skola"')[1].split("</form>")[0]
    assert '<option value="intresserad" selected>' in edit and '<option value="ansoker">' in edit
    saved = bo.post(
        f"/calls/{call}/followup",
        data=form(
            token, form_key="skola", profile_id="skola", status="inskickad", contact_name="Bo Ek",
            contact_email="bo@kalmar.example", amount_applied="1 500 000", cofinancing="500000",
            partners="Gdańsk kommun; PL\nKlaipėdos savivaldybė; lt", interested_on="2026-11-20",
        ),
    )  # fmt: skip
    assert saved.status_code == 303
    page = bo.get(f"/calls/{call}")
    assert (
        "Inskickad" in page.text
        and "1\u00a0500\u00a0000 SEK" in page.text
        and "Klaipėdos savivaldybė (LT)" in page.text
    )
    assert "Historik (2 ändringar)" in page.text and "Status: Intresserad → Inskickad" in page.text
    with read_session(site.engine) as db:
        record = get_followup(db, "skola", call)
        assert (record.status, record.amount_applied, record.cofinancing) == ("inskickad", 1_500_000, 500_000)
        assert record.submitted_on is not None and str(record.interested_on) == "2026-11-20"
        events = audit_events(db, action="followup.set")[1]
        assert [e.actor for e in events] == ["buf-bo", "buf-bo"]
    # staff may not correct backwards
    back = bo.post(f"/calls/{call}/followup", data=form(token, form_key="skola", profile_id="skola", status="ansoker"))
    assert back.status_code == 422 and "Bara kommunledningskontoret" in back.text


def test_errors_are_shown_by_field_with_a_summary_and_the_values_kept(site: Site):
    call = site.ids["v1"]
    anna = site.login("klk-anna")
    token = csrf_of(anna.get(f"/calls/{call}").text)
    page = anna.post(
        f"/calls/{call}/followup",
        data=form(
            token, profile_id="miljo", currency="EUR", amount_applied="-4", amount_granted="10",
            contact_email="inte-en-adress", partners="Gdańsk; Polen",
        ),
    )  # fmt: skip
    assert page.status_code == 422
    html = page.text
    assert 'role="alert"' in html and "Uppföljningen har 5 fel" in html
    for name in ("eur_rate", "amount_applied", "amount_granted", "contact_email", "partners"):
        assert f'href="#fu-new-{name}"' in html
        field = html.split(f'id="fu-new-{name}"')[1].split(">")[0]
        assert 'aria-invalid="true"' in field and f"fu-new-{name}-err" in field
        assert f'id="fu-new-{name}-err"' in html
    assert 'value="inte-en-adress"' in html and "Gdańsk; Polen</textarea>" in html
    assert '<details class="followup-edit" open>' in html
    with read_session(site.engine) as db:
        assert get_followup(db, "miljo", call) is None
    missing = anna.post(f"/calls/{call}/followup", data=form(token, profile_id=""))
    assert missing.status_code == 422 and "Välj förvaltning." in missing.text


def test_klk_may_correct_a_status_backwards(site: Site):
    call = site.ids["h1"]
    anna = site.login("klk-anna")
    token = csrf_of(anna.get(f"/calls/{call}").text)
    anna.post(f"/calls/{call}/followup", data=form(token, profile_id="miljo", status="avslag"))
    done = anna.post(
        f"/calls/{call}/followup", data=form(token, form_key="miljo", profile_id="miljo", status="ansoker")
    )
    assert done.status_code == 303
    with read_session(site.engine) as db:
        record = get_followup(db, "miljo", call)
        assert record.status == "ansoker" and record.decided_on is None


@pytest.fixture
def listed(site: Site) -> Site:
    anna = site.login("klk-anna")
    for ext, profile, status in (
        ("v1", "miljo", "inskickad"),
        ("h1", "miljo", "intresserad"),
        ("v1", "skola", "avstar"),
    ):
        call = site.ids[ext]
        token = csrf_of(anna.get(f"/calls/{call}").text)
        extra = {"notes": "=HYPERLINK(1)"} if ext == "h1" else {}
        response = anna.post(f"/calls/{call}/followup", data=form(token, profile_id=profile, status=status, **extra))
        assert response.status_code == 303, response.text
    return site


def test_the_list_filters_by_profile_status_and_year(listed: Site):
    client = listed.client()
    page = client.get("/followup")
    assert page.status_code == 200 and "3 uppföljningar" in page.text
    assert 'href="/followup" aria-current="page"' in page.text
    assert "2 uppföljningar" in client.get("/followup?profile=miljo").text
    only = client.get("/followup?status=avstar").text
    assert "1 uppföljning<" in only and "Avstår" in only
    assert "0 uppföljningar" in client.get("/followup?year=1999").text
    assert "Inga uppföljningar med de valen." in client.get("/followup?year=1999").text


def test_the_csv_download_follows_the_filters_and_defuses_formulas(listed: Site):
    response = listed.client().get("/followup.csv?profile=miljo")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["förvaltning", "status", "id"]
    assert sorted(r[1] for r in rows[1:]) == ["Inskickad", "Intresserad"]
    assert all(r[0] == "Miljöförvaltningen" for r in rows[1:])
    assert "'=HYPERLINK(1)" in [r[rows[0].index("anteckningar")] for r in rows[1:]]
