"""Follow-up records: validation (pure), status transitions, step dates and the audit event of every change,
on a real SQLite file and the real PostgreSQL server."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from store.accounts import audit_events
from store.engine import read_session, write_session
from store.followup import (
    FollowUpConflict,
    followup_history,
    followup_years,
    get_followup,
    list_followups,
    save_followup,
    statuses_for_profile,
)
from store.followup_rules import FollowUpInvalid, allowed_next, clean_followup, parse_partners_text
from tests.digest_support import seed_calls

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def errors_of(values, current=None, **kwargs) -> dict[str, str]:
    with pytest.raises(FollowUpInvalid) as caught:
        clean_followup(values, current, today=TODAY, **kwargs)
    return caught.value.errors


# --- pure validation -------------------------------------------------------------------------------------------


def test_eur_needs_a_positive_rate_and_sek_drops_the_rate():
    assert set(errors_of({"currency": "EUR"})) == {"eur_rate"}
    assert "större än 0" in errors_of({"currency": "EUR", "eur_rate": "0"})["eur_rate"]
    assert clean_followup({"currency": "EUR", "eur_rate": "11,45"}, None, today=TODAY)["eur_rate"] == 11.45
    assert clean_followup({"currency": "SEK", "eur_rate": "11,45"}, None, today=TODAY)["eur_rate"] is None
    assert "SEK eller EUR" in errors_of({"currency": "NOK"})["currency"]


def test_amounts_are_whole_non_negative_numbers_with_thousand_spaces_allowed():
    cleaned = clean_followup({"amount_applied": "1 200 000", "cofinancing": "300\u00a0000"}, None, today=TODAY)
    assert cleaned["amount_applied"] == 1_200_000 and cleaned["cofinancing"] == 300_000
    assert "negativt" in errors_of({"amount_applied": "-5"})["amount_applied"]
    assert "helt belopp" in errors_of({"cofinancing": "12,5"})["cofinancing"]
    assert set(errors_of({"amount_applied": "mycket", "cofinancing": "-1"})) == {"amount_applied", "cofinancing"}


def test_granted_amount_only_when_granted():
    assert "Beviljad" in errors_of({"status": "inskickad", "amount_granted": "100"})["amount_granted"]
    assert clean_followup({"status": "beviljad", "amount_granted": "100"}, None, today=TODAY)["amount_granted"] == 100


def test_partners_need_a_name_and_an_iso_country_code():
    assert parse_partners_text("Gdańsk kommun; pl\n\nKlaipėda; LT") == [
        {"name": "Gdańsk kommun", "country": "pl"},
        {"name": "Klaipėda", "country": "LT"},
    ]
    cleaned = clean_followup({"partners": "Gdańsk kommun; pl\nKlaipėda; LT"}, None, today=TODAY)
    assert cleaned["partners"] == [{"name": "Gdańsk kommun", "country": "PL"}, {"name": "Klaipėda", "country": "LT"}]
    assert "Rad 2: ”Litauen”" in errors_of({"partners": "Gdańsk; PL\nKlaipėda; Litauen"})["partners"]
    assert "Rad 1" in errors_of({"partners": "Gdańsk utan land"})["partners"]
    assert "namnet saknas" in errors_of({"partners": [{"name": "", "country": "DK"}]})["partners"]


def test_email_syntax_is_checked():
    assert "e-postadress" in errors_of({"contact_email": "anna.kalmar.se"})["contact_email"]
    assert "contact_email" in errors_of({"contact_email": "anna@kalmar"})
    assert clean_followup({"contact_email": "anna@kalmar.se"}, None, today=TODAY)["contact_email"] == "anna@kalmar.se"


def test_moving_forward_dates_the_step_today_unless_a_date_is_given():
    first = clean_followup({"status": "intresserad"}, None, today=TODAY)
    assert first["interested_on"] == TODAY and first["submitted_on"] is None
    given = clean_followup({"status": "intresserad", "interested_on": "2026-11-02"}, None, today=TODAY)
    assert given["interested_on"] == date(2026, 11, 2)
    assert "ÅÅÅÅ-MM-DD" in errors_of({"interested_on": "2 nov"})["interested_on"]
    # a date for a step not reached is refused
    assert "submitted_on" in errors_of({"status": "intresserad", "submitted_on": "2026-11-20"})


class Stored:
    """A stored record as the rules see it (any object with the fields)."""

    def __init__(self, **values):
        defaults = dict.fromkeys(
            ["eur_rate", "amount_applied", "amount_granted", "cofinancing", "applying_on", "submitted_on", "decided_on"]
        )
        defaults.update(contact_name="", contact_email="", currency="SEK", partners=[], notes="", interested_on=None)
        defaults.update(values)
        self.__dict__.update(defaults)


def test_transitions_forward_and_declining_are_allowed_backwards_only_for_klk():
    assert allowed_next("intresserad") == ("intresserad", "ansoker", "inskickad", "beviljad", "avslag", "avstar")
    assert allowed_next("inskickad") == ("inskickad", "beviljad", "avslag", "avstar")
    assert allowed_next("beviljad") == ("beviljad",)
    submitted = Stored(status="inskickad", interested_on=date(2026, 10, 1), submitted_on=date(2026, 11, 1))
    assert "Bara kommunledningskontoret" in errors_of({"status": "ansoker"}, submitted)["status"]
    declined = Stored(status="avstar", decided_on=date(2026, 11, 1))
    assert "status" in errors_of({"status": "intresserad"}, declined)
    # KLK corrects backwards: the later steps' dates go (the audit log keeps them)
    corrected = clean_followup({"status": "ansoker"}, submitted, today=TODAY, allow_backwards=True)
    assert corrected["submitted_on"] is None and corrected["applying_on"] == TODAY
    assert corrected["interested_on"] == date(2026, 10, 1)


# --- stored, with audit ----------------------------------------------------------------------------------------


def test_save_creates_then_changes_with_one_audit_event_per_change(engine):
    call_id = seed_calls(engine)["2026-04512"]
    with write_session(engine) as db:
        record, changes = save_followup(
            db, "serviceforvaltningen", call_id, {"status": "intresserad", "contact_email": "a@kalmar.se"},
            actor="anna", today=TODAY, now=NOW,
        )  # fmt: skip
    assert changes["status"] == [None, "intresserad"] and changes["interested_on"] == [None, "2026-11-30"]
    with write_session(engine) as db:
        _, changes = save_followup(
            db, "serviceforvaltningen", call_id,
            {"status": "inskickad", "currency": "EUR", "eur_rate": "11.2", "amount_applied": "250 000"},
            actor="anna", today=date(2026, 12, 10), now=NOW,
        )  # fmt: skip
    assert changes["status"] == ["intresserad", "inskickad"]
    assert changes["submitted_on"] == [None, "2026-12-10"] and changes["amount_applied"] == [None, 250000]
    with write_session(engine) as db:  # nothing changed: nothing written
        assert save_followup(db, "serviceforvaltningen", call_id, {"notes": ""}, actor="anna", now=NOW)[1] == {}
    with read_session(engine) as db:
        stored = get_followup(db, "serviceforvaltningen", call_id)
        assert (stored.status, stored.currency, stored.eur_rate, stored.amount_applied) == (
            "inskickad",
            "EUR",
            11.2,
            250000,
        )
        assert stored.interested_on == TODAY and stored.submitted_on == date(2026, 12, 10)
        history = followup_history(db, "serviceforvaltningen", call_id)
        assert [e.detail["changes"]["status"] for e in history] == [["intresserad", "inskickad"], [None, "intresserad"]]
        assert history[1].detail["created"] is True and history[0].actor == "anna"
        assert audit_events(db, action="followup.set")[0] == 2
        assert statuses_for_profile(db, "serviceforvaltningen") == {call_id: "inskickad"}


def test_an_invalid_change_stores_nothing_and_audits_nothing(engine):
    call_id = seed_calls(engine)["2026-04512"]
    with write_session(engine) as db:
        save_followup(db, "kalmar-vatten", call_id, {"status": "ansoker"}, actor="bo", today=TODAY, now=NOW)
    with pytest.raises(FollowUpInvalid) as caught, write_session(engine) as db:
        save_followup(db, "kalmar-vatten", call_id, {"status": "avslag", "amount_granted": "5"}, actor="bo", now=NOW)
    assert set(caught.value.errors) == {"amount_granted"}
    with read_session(engine) as db:
        assert get_followup(db, "kalmar-vatten", call_id).status == "ansoker"
        assert audit_events(db, action="followup.set")[0] == 1
    with pytest.raises(LookupError), write_session(engine) as db:
        save_followup(db, "kalmar-vatten", 999_999, {"status": "ansoker"}, actor="bo", now=NOW)


def test_a_follow_up_created_meanwhile_by_another_request_is_a_conflict_not_a_crash(engine, monkeypatch):
    import store.followup

    call_id = seed_calls(engine)["2026-04512"]
    with write_session(engine) as db:
        save_followup(db, "kalmar-vatten", call_id, {"status": "ansoker"}, actor="bo", now=NOW)
    # this request read "no follow-up yet" just before the other one committed
    monkeypatch.setattr(store.followup, "get_followup", lambda *args: None)
    with pytest.raises(FollowUpConflict), write_session(engine) as db:
        save_followup(db, "kalmar-vatten", call_id, {"status": "intresserad"}, actor="anna", now=NOW)
    monkeypatch.undo()
    with read_session(engine) as db:
        assert get_followup(db, "kalmar-vatten", call_id).status == "ansoker"
        assert audit_events(db, action="followup.set")[0] == 1


def test_list_filters_by_profile_status_and_year(engine):
    ids = seed_calls(engine)
    with write_session(engine) as db:
        save_followup(db, "kalmar-vatten", ids["2026-04512"], {"status": "inskickad"}, actor="x", today=TODAY, now=NOW)
        save_followup(
            db, "serviceforvaltningen", ids["2026-00731"], {"status": "intresserad"}, actor="x",
            today=date(2027, 1, 5), now=NOW,
        )  # fmt: skip
    with read_session(engine) as db:
        assert len(list_followups(db)) == 2
        assert [f.profile_id for f, _ in list_followups(db, profile_ids=["kalmar-vatten"])] == ["kalmar-vatten"]
        assert [c.external_id for _, c in list_followups(db, statuses=["intresserad"])] == ["2026-00731"]
        assert [f.profile_id for f, _ in list_followups(db, year=2026)] == ["kalmar-vatten"]
        assert [f.profile_id for f, _ in list_followups(db, year=2027)] == ["serviceforvaltningen"]
        assert followup_years(db) == [2027, 2026]
        with pytest.raises(ValueError):
            list_followups(db, statuses=["klar"])
