"""The yearly report's store queries, on a real SQLite file and on PostgreSQL: which follow-ups and which matched
calls belong to a year (Swedish time at the year's edges), with their calls' funder, programme and source."""

from __future__ import annotations

from datetime import date

from store.engine import read_session
from store.report import Partner, followups_for_year, matched_calls_for_year, report_years, year_facts
from tests.report_year import fill_report_year, followup_ids


def test_followups_of_a_year_are_those_with_a_step_or_a_change_in_it(engine):
    calls = fill_report_year(engine)
    fid = followup_ids(engine)
    with read_session(engine) as db:
        facts_2026 = followups_for_year(db, 2026)
        in_2026 = {f.id for f in facts_2026}
        in_2025 = {f.id for f in followups_for_year(db, 2025)}
        in_2027 = {f.id for f in followups_for_year(db, 2027)}
        only_skola = followups_for_year(db, 2026, "skola")
    every = set(fid.values())
    # M6 (interest 2027) and M7 (created 1 January 2027, Swedish time) are not 2026's
    assert in_2026 == every - {fid["miljo", "nordplus"], fid["miljo", "creative"]}
    # 2025: interest, application or submission in 2025 (M1, M4, S2)
    assert in_2025 == {fid["miljo", "interreg"], fid["miljo", "regional"], fid["skola", "arvs"]}
    # M3 was last changed on 31 December 2026 08:00 UTC, still 2026; M6 and M7 are 2027's
    assert in_2027 == {fid["miljo", "nordplus"], fid["miljo", "creative"]}
    assert {f.profile_id for f in only_skola} == {"skola"} and len(only_skola) == 5
    m1 = next(f for f in facts_2026 if f.id == fid["miljo", "interreg"])
    assert (m1.funder, m1.programme, m1.source, m1.call_id) == (
        "Interreg South Baltic",
        "Interreg South Baltic",
        "interreg-south-baltic",
        calls["interreg"],
    )
    assert (m1.currency, m1.eur_rate, m1.amount_applied, m1.amount_granted, m1.cofinancing) == (
        "EUR",
        11.2,
        200_000,
        180_000,
        40_000,
    )
    assert (m1.interested_on, m1.submitted_on, m1.decided_on) == (
        date(2025, 11, 10),
        date(2026, 1, 20),
        date(2026, 5, 15),
    )
    assert m1.partners == (
        Partner("Gdańsk kommun", "PL"),
        Partner("Klaipėdos savivaldybė", "LT"),
        Partner("Kalmar läns museum", "SE"),
    )


def test_country_codes_are_upper_cased_and_empty_partners_dropped(engine):
    fill_report_year(engine)
    fid = followup_ids(engine)
    with read_session(engine) as db:
        facts = {f.id: f for f in followups_for_year(db, 2026)}
    assert facts[fid["miljo", "horizon"]].partners == (Partner("Aarhus Kommune", "DK"), Partner("GDAŃSK KOMMUN", "PL"))
    assert Partner("Okänd partner", "") in facts[fid["skola", "erasmus"]].partners


def test_calls_matched_are_those_first_listed_in_the_profiles_digests_that_year(engine):
    calls = fill_report_year(engine)
    c = calls
    with read_session(engine) as db:
        matched_2025 = matched_calls_for_year(db, 2025)
        matched_2026 = matched_calls_for_year(db, 2026)
        matched_2027 = matched_calls_for_year(db, 2027)
        only_miljo = matched_calls_for_year(db, 2026, "miljo")
    # miljo: interreg and lova were first listed in 2025; arvs in the digest of 00:30 on 1 January 2026 (Swedish
    # time); horizon new, regional changed, vinnova new; nordplus was a duplicate in 2026 and new only in 2027
    assert matched_2025 == {"miljo": frozenset({c["interreg"], c["lova"]})}
    assert matched_2026 == {
        "miljo": frozenset({c["arvs"], c["horizon"], c["regional"], c["vinnova"]}),
        "skola": frozenset({c["erasmus"], c["horizon"], c["creative"], c["lova"]}),
    }
    assert matched_2027 == {"miljo": frozenset({c["nordplus"]})}
    # KLK's overview is not an administration's digest
    assert all(not pid.startswith("_") for pid in matched_2026)
    assert only_miljo == {"miljo": matched_2026["miljo"]}


def test_year_facts_and_the_years_there_is_something_to_report_on(engine):
    fill_report_year(engine)
    with read_session(engine) as db:
        facts = year_facts(db, 2026, "kultur")
        years = report_years(db)
    assert facts.year == 2026 and [f.profile_id for f in facts.followups] == ["kultur"] and facts.matched == {}
    # step dates run from 2024 (M4's interest) to 2027, digests from 2025 to 2027
    assert years == [2027, 2026, 2025, 2024]


def test_an_empty_database_has_no_facts_and_no_years(engine):
    with read_session(engine) as db:
        facts = year_facts(db, 2026)
        years = report_years(db)
    assert facts.followups == () and facts.matched == {} and years == []
