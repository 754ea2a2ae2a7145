"""The yearly report's figures on a realistic year (tests/report_year.py), worked out by hand below, and the
rules behind them: which year an event counts in, EUR conversion, success rate, partners, EU versus national."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from reporting.figures import compute_report, events_in_year, to_sek
from reporting.funding import EU, NATIONAL, OTHER
from store.engine import make_engine, read_session
from store.migrate import upgrade
from store.report import FollowUpFact, Partner, YearFacts, year_facts
from tests.report_year import NAMES, fill_report_year, followup_ids

NOW = datetime(2027, 2, 1, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def year_db(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('report') / 'report.db'}")
    upgrade(engine)
    fill_report_year(engine)
    yield engine
    engine.dispose()


def report_for(engine, year: int, profile_id: str | None = None, names=NAMES):
    with read_session(engine) as db:
        facts = year_facts(db, year, profile_id)
    return compute_report(facts, names, NOW, profile_id)


def test_figures_per_administration_in_2026_worked_out_by_hand(year_db):
    report = report_for(year_db, 2026)
    rows = {r.key: r for r in report.rows}
    # names sorted: Barn- och ungdomsförvaltningen, Kultur- och fritidsförvaltningen, Miljöförvaltningen
    assert [r.key for r in report.rows] == ["skola", "kultur", "miljo"]

    m = rows["miljo"]
    # matched: arvs (00:30 on 1 Jan 2026), horizon, regional, vinnova (interreg and lova were 2025's)
    assert m.matched == 4
    # interest in 2026: M2 (Feb), M3 (Sep), M5 (Apr); M1 (2025) and M4 (2024) not
    assert m.interested == 3
    # submitted in 2026: M1 (20 Jan), M2 (1 Mar), M3 (31 Dec); M4 was submitted in 2025, M5 never
    assert (m.submitted, m.granted, m.rejected, m.withdrawn) == (3, 2, 1, 1)  # granted: M1, M4; rejected: M2
    assert m.success_rate == pytest.approx(2 / 3)
    # applied: M1 200 000 € × 11.20 = 2 240 000; M2 500 000; M3 350 005 € × 11.3 = 3 955 056.5 → 3 955 057
    assert m.applied_sek == 2_240_000 + 500_000 + 3_955_057
    # granted: M1 180 000 € × 11.20 = 2 016 000; M4 600 000
    assert m.granted_sek == 2_016_000 + 600_000
    # co-financing of granted projects: M1 40 000 € × 11.20 = 448 000; M4 300 000 (M2's 250 000 was rejected)
    assert m.cofinancing_sek == 448_000 + 300_000
    # partners: Gdańsk (M1 and M3, once), Klaipėda, Aarhus; Kalmar läns museum is Swedish
    assert (m.partners, m.partner_countries, m.with_partners) == (3, ("DK", "LT", "PL"), 2)
    # EU: M1 Interreg and M3 Horizon submitted; M1 and M4 (Regional Development Fund) granted
    assert m.category(EU).submitted == 2 and m.category(EU).applied_sek == 2_240_000 + 3_955_057
    assert m.category(EU).granted == 2 and m.category(EU).granted_sek == 2_016_000 + 600_000
    assert (m.category(NATIONAL).submitted, m.category(NATIONAL).applied_sek, m.category(NATIONAL).granted) == (
        1,
        500_000,
        0,
    )

    s = rows["skola"]
    assert s.matched == 4  # erasmus, horizon, creative, lova
    assert s.interested == 4  # S1, S3, S4, S5 (S2's interest was 2025)
    assert (s.submitted, s.granted, s.rejected, s.withdrawn) == (2, 2, 1, 0)  # S1, S5; S1, S5; S2
    assert s.success_rate == pytest.approx(2 / 3)
    # S1 60 000 € × 11.0 = 660 000; S5 is in EUR without a rate: left out
    assert (s.applied_sek, s.granted_sek, s.cofinancing_sek) == (660_000, 660_000, 0)
    assert (s.partners, s.partner_countries, s.with_partners) == (2, ("EE", "FI"), 1)
    assert (s.category(EU).submitted, s.category(EU).granted, s.category(EU).granted_sek) == (1, 1, 660_000)
    assert (s.category(OTHER).submitted, s.category(OTHER).granted, s.category(OTHER).applied_sek) == (1, 1, 0)

    k = rows["kultur"]
    assert (k.matched, k.interested, k.submitted, k.granted, k.rejected) == (0, 1, 1, 0, 0)
    assert k.success_rate is None
    assert (k.applied_sek, k.granted_sek, k.cofinancing_sek, k.partners) == (300_000, 0, 0, 0)
    assert k.category(OTHER).applied_sek == 300_000


def test_figures_for_the_whole_municipality_in_2026(year_db):
    t = report_for(year_db, 2026).total
    assert t.name == "Hela kommunen"
    # horizon was matched by both miljo and skola: 4 + 4 − 1
    assert t.matched == 7
    assert (t.interested, t.submitted, t.granted, t.rejected, t.withdrawn) == (3 + 4 + 1, 3 + 2 + 1, 2 + 2, 1 + 1, 1)
    assert t.success_rate == pytest.approx(4 / 6)
    assert t.applied_sek == 6_695_057 + 660_000 + 300_000
    assert t.granted_sek == 2_616_000 + 660_000
    assert t.cofinancing_sek == 748_000
    assert (t.partners, t.partner_countries, t.with_partners) == (5, ("DK", "EE", "FI", "LT", "PL"), 3)
    eu, national, other = t.category(EU), t.category(NATIONAL), t.category(OTHER)
    assert (eu.submitted, eu.applied_sek, eu.granted, eu.granted_sek) == (3, 6_195_057 + 660_000, 3, 3_276_000)
    assert (national.submitted, national.applied_sek, national.granted, national.granted_sek) == (1, 500_000, 0, 0)
    assert (other.submitted, other.applied_sek, other.granted, other.granted_sek) == (2, 300_000, 1, 0)


def test_rates_records_and_warnings_of_2026(year_db):
    report = report_for(year_db, 2026)
    fid = followup_ids(year_db)
    assert [(r.followup_id, r.rate) for r in report.rates] == [
        (fid["skola", "erasmus"], 11.0),
        (fid["miljo", "interreg"], 11.2),
        (fid["miljo", "horizon"], 11.3),
    ]
    # every 2026 follow-up is listed (the 2027-only ones are not)
    assert len(report.records) == 11
    m3 = next(r for r in report.records if r.followup_id == fid["miljo", "horizon"])
    assert m3.counted_as == ("intresse", "inskickad") and m3.applied_sek == 3_955_057 and m3.category == EU
    m4 = next(r for r in report.records if r.followup_id == fid["miljo", "regional"])
    assert m4.counted_as == ("beviljad",)
    assert len(report.warnings) == 2
    assert any("EUR utan växelkurs" in w and "Nordplus Junior 2026" in w for w in report.warnings)
    assert any("partner utan land" in w and "Skolpartnerskap" in w for w in report.warnings)


def test_events_count_in_the_year_of_their_own_date(year_db):
    y2025 = {r.key: r for r in report_for(year_db, 2025).rows}
    # 2025: M1's interest, M4's submission; S2's interest and submission; matched interreg and lova
    assert (y2025["miljo"].interested, y2025["miljo"].submitted, y2025["miljo"].matched) == (1, 1, 2)
    assert y2025["miljo"].applied_sek == 800_000 and y2025["miljo"].granted == 0
    assert (y2025["skola"].interested, y2025["skola"].submitted, y2025["skola"].applied_sek) == (1, 1, 1_500_000)
    y2027 = {r.key: r for r in report_for(year_db, 2027).rows}
    # 2027: M6's interest and M7, created at 00:30 on 1 January 2027 in Sweden; nordplus first listed
    assert (y2027["miljo"].interested, y2027["miljo"].matched, y2027["miljo"].submitted) == (2, 1, 0)


def test_a_report_on_one_administration_has_its_row_only(year_db):
    report = report_for(year_db, 2026, "skola")
    assert [r.key for r in report.rows] == ["skola"] and report.total is report.rows[0]
    assert report.scope == "Barn- och ungdomsförvaltningen"
    assert {r.profile_id for r in report.records} == {"skola"}


def test_administrations_without_anything_get_a_row_of_zeros_and_removed_ones_their_id(year_db):
    names = {"skola": NAMES["skola"], "kultur": NAMES["kultur"], "social": "Socialförvaltningen"}
    report = report_for(year_db, 2026, names=names)
    rows = {r.key: r for r in report.rows}
    assert rows["social"].name == "Socialförvaltningen" and rows["social"].submitted == 0
    assert rows["social"].success_rate is None and rows["social"].matched == 0
    # miljo's profile file is gone but its follow-ups remain: shown by its id, and still in the total
    assert rows["miljo"].name == "miljo" and report.total.submitted == 6


def fact(**values) -> FollowUpFact:
    base = dict(
        id=1, profile_id="p", call_id=1, status="intresserad", currency="SEK", eur_rate=None, amount_applied=None,
        amount_granted=None, cofinancing=None, interested_on=None, applying_on=None, submitted_on=None,
        decided_on=None, created_on=date(2026, 1, 1), updated_on=date(2026, 1, 1), partners=(), contact_name="",
        call_title="Utlysning", call_url="https://x.example", funder="Vinnova", programme="", source="vinnova",
    )  # fmt: skip
    base.update(values)
    return FollowUpFact(**base)


def test_eur_is_converted_per_record_and_rounded_half_up():
    assert to_sek(15, "EUR", 11.1) == 167  # 166.5: half up, not to even
    assert to_sek(1, "EUR", 11.4449) == 11 and to_sek(1_000, "EUR", 11.4449) == 11_445
    assert to_sek(250, "SEK", None) == 250 and to_sek(None, "EUR", 11.0) is None
    assert to_sek(10, "EUR", None) is None and to_sek(10, "EUR", 0) is None and to_sek(10, "NOK", 1.0) is None
    # two records at 0.5 öre each are rounded separately, not summed first
    facts = YearFacts(
        2026,
        (
            fact(
                id=1,
                status="inskickad",
                currency="EUR",
                eur_rate=11.1,
                amount_applied=15,
                submitted_on=date(2026, 3, 1),
            ),
            fact(
                id=2,
                status="inskickad",
                currency="EUR",
                eur_rate=11.1,
                amount_applied=15,
                submitted_on=date(2026, 3, 2),
            ),
        ),
        {},
    )
    assert compute_report(facts, {"p": "P"}, NOW).total.applied_sek == 334


def test_which_status_and_date_make_an_event():
    # a withdrawn application that had been submitted was still submitted
    withdrawn = fact(status="avstar", submitted_on=date(2026, 2, 1), decided_on=date(2026, 3, 1))
    e = events_in_year(withdrawn, 2026)
    assert (e.submitted, e.withdrawn, e.granted, e.rejected) == (True, True, False, False)
    # a submission date on a record moved back to "ansöker" does not count
    assert not events_in_year(fact(status="ansoker", submitted_on=date(2026, 2, 1)), 2026).submitted
    # granted without a decision date: not granted in any year, and said so
    undated = fact(status="beviljad", submitted_on=date(2026, 2, 1), amount_applied=5, amount_granted=5)
    assert not events_in_year(undated, 2026).granted
    report = compute_report(YearFacts(2026, (undated,), {}), {"p": "P"}, NOW)
    assert report.total.granted == 0 and any("utan beslutsdatum" in w for w in report.warnings)
    # interest falls back to the earliest later step, then to the day the record was created
    assert events_in_year(fact(applying_on=date(2026, 12, 1), submitted_on=date(2027, 1, 5)), 2026).interested
    assert events_in_year(fact(created_on=date(2026, 6, 1)), 2026).interested
    assert not events_in_year(fact(created_on=date(2025, 6, 1)), 2026).interested


def test_success_rate_is_granted_over_decided_and_none_without_decisions():
    facts = YearFacts(
        2026,
        (
            fact(id=1, status="beviljad", decided_on=date(2026, 5, 1)),
            fact(id=2, status="avslag", decided_on=date(2026, 5, 1)),
            fact(id=3, status="avslag", decided_on=date(2026, 6, 1)),
            fact(id=4, status="avstar", decided_on=date(2026, 6, 1)),  # withdrawn: not a decision
            fact(id=5, status="inskickad", submitted_on=date(2026, 6, 1)),  # waiting: not a decision
        ),
        {},
    )
    total = compute_report(facts, {"p": "P"}, NOW).total
    assert (total.granted, total.rejected, total.decided) == (1, 2, 3)
    assert total.success_rate == pytest.approx(1 / 3)
    assert compute_report(YearFacts(2026, (), {}), {"p": "P"}, NOW).total.success_rate is None


def test_a_partner_is_international_when_its_country_is_given_and_not_sweden():
    partners = (
        Partner("Växjö kommun", "SE"),
        Partner("Utan land", ""),
        Partner("Rostock", "DE"),
        Partner("rostock", "DE"),
    )
    facts = YearFacts(2026, (fact(status="inskickad", submitted_on=date(2026, 1, 2), partners=partners),), {})
    total = compute_report(facts, {"p": "P"}, NOW).total
    assert (total.partners, total.partner_countries, total.with_partners) == (1, ("DE",), 1)


def test_the_year_is_in_progress_until_it_is_over():
    assert compute_report(YearFacts(2026, (), {}), {}, datetime(2026, 12, 31, 22, 59, tzinfo=UTC)).in_progress
    # 23:00 UTC on 31 December is midnight in Sweden
    assert not compute_report(YearFacts(2026, (), {}), {}, datetime(2026, 12, 31, 23, 0, tzinfo=UTC)).in_progress
