"""The web UI's small parts: iCalendar writing, CSV cells, profile form to TOML, links, the login limiter."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.profiles import parse_profile
from web.charts import Bar, bar_chart
from web.csvout import cell, csv_text
from web.formatting import datetime_sv, safe_href
from web.ics import DeadlineEvent, calendar, escape_text, fold_line
from web.profile_form import PriorityFields, ProfileFields, _toml_str, field_errors
from web.search_params import parse_search
from web.security import LoginLimiter, SessionCodec


def unfold(text: str) -> list[str]:
    assert text.endswith("\r\n")
    lines: list[str] = []
    for raw in text[:-2].split("\r\n"):
        assert len(raw.encode("utf-8")) <= 75, raw
        if raw.startswith(" "):
            lines[-1] += raw[1:]
        else:
            lines.append(raw)
    return lines


def event(**changes) -> DeadlineEvent:
    values = dict(
        call_id=7,
        index=0,
        deadline=datetime(2026, 12, 1, 15, 0, tzinfo=UTC),
        title="Vattenvård; kust, och sjöar",
        url="https://x.example/a?b=1,2",
        page_url="http://fundwatch.test/calls/7",
        funder="Vinnova",
        final=True,
    )
    values.update(changes)
    return DeadlineEvent(**values)


def test_ics_is_valid_icalendar_with_one_all_day_event_per_deadline():
    text = calendar(
        "Deadlines – Miljö",
        [event(), event(index=1, final=False)],
        "fundwatch.test",
        now=datetime(2026, 11, 1, tzinfo=UTC),
    )
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and "METHOD:PUBLISH" in lines and any(line.startswith("PRODID:") for line in lines)
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 2
    assert "UID:call-7-deadline-0@fundwatch.test" in lines and "UID:call-7-deadline-1@fundwatch.test" in lines
    assert "DTSTAMP:20261101T000000Z" in lines
    assert "DTSTART;VALUE=DATE:20261201" in lines and "DTEND;VALUE=DATE:20261202" in lines
    assert "SUMMARY:Sista dag: Vattenvård\\; kust\\, och sjöar" in lines
    assert "SUMMARY:Deadline: Vattenvård\\; kust\\, och sjöar" in lines
    description = next(line for line in lines if line.startswith("DESCRIPTION:"))
    assert "2026-12-01 kl. 16:00 (svensk tid)\\nFinansiär: Vinnova" in description
    assert "URL:http://fundwatch.test/calls/7" in lines


def test_ics_folds_long_lines_without_splitting_characters():
    line = "SUMMARY:" + "åäö" * 60
    folded = fold_line(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_ics_text_escaping_removes_line_breaks_and_control_characters():
    assert escape_text("a\r\nBcc: x@y\\z;\x00") == "a\\nBcc: x@y\\\\z\\;"


def test_csv_cells_that_look_like_formulas_are_defused():
    assert [cell(v) for v in ("=1+1", "+46", "-3", "@SUM(A1)", "\tx", "ok", None, 5)] == [
        "'=1+1",
        "'+46",
        "'-3",
        "'@SUM(A1)",
        "'\tx",
        "ok",
        "",
        "5",
    ]
    assert csv_text(["a", "b"], [["x;y", 'q"q']]) == '\ufeffa;b\r\n"x;y";"q""q"\r\n'


def test_only_absolute_http_links_are_links():
    assert safe_href("https://ec.europa.eu/x?a=1") == "https://ec.europa.eu/x?a=1"
    assert safe_href("HTTP://example.se") == "HTTP://example.se"
    for bad in (
        "javascript:alert(1)",
        " javascript:alert(1)",
        "JaVaScRiPt:x",
        "data:text/html,x",
        "vbscript:x",
        "//evil.example",
        "/relative",
        "http://",
        "https://a b",
        "java\tscript:x",
        "http://x\nbad",
        None,
        3,
    ):
        assert safe_href(bad) is None, bad


def test_dates_show_in_swedish_time_and_deadlines_at_midnight_as_dates():
    assert datetime_sv(datetime(2026, 7, 1, 10, 0, tzinfo=UTC)) == "2026-07-01 kl. 12:00"
    assert datetime_sv(datetime(2026, 12, 1, 22, 59, tzinfo=UTC)) == "2026-12-01"
    assert datetime_sv(None) == "–"


def test_a_profile_round_trips_through_the_form():
    original = parse_profile(
        'name = "Miljö"\ndescription = "x"\nrecipients = ["a@b.se", "c@d.se"]\nexclude = ["kärnkraft"]\nmin_score = 0.2\n'
        'max_matches = 7\nfavour_funders = ["Vinnova"]\n[[priorities]]\ntitle = "Vatten"\ntext = "rad 1\\nrad \\"2\\""\n'
        'keywords = ["vatten", "hav"]\nweight = 2.5\n'.encode(),
        "m.toml",
        "m",
    )
    again = parse_profile(ProfileFields.from_profile(original).to_toml().encode(), "m.toml", "m")
    assert again.name == original.name and again.priorities == original.priorities
    assert (again.recipients, again.exclude, again.min_score, again.max_matches, again.favour_funders) == (
        original.recipients,
        original.exclude,
        original.min_score,
        original.max_matches,
        original.favour_funders,
    )


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_any_text_survives_as_a_toml_string(value):
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    assert tomllib.loads(f"v = {_toml_str(value)}\n")["v"] == value


def test_numbers_accept_a_decimal_comma_and_anything_else_is_refused_by_field():
    fields = ProfileFields(name="A", max_matches="5", priorities=[PriorityFields("t", "x", "", "2,5")])
    assert parse_profile(fields.to_toml().encode(), "a.toml", "a").priorities[0].weight == 2.5
    fields.priorities[0].weight = "mycket"
    try:
        parse_profile(fields.to_toml().encode(), "a.toml", "a")
    except Exception as exc:  # noqa: BLE001
        errors = field_errors(str(exc))
    assert list(errors.by_field) == ["p0-weight"]
    assert errors.by_field["p0-weight"][0].startswith("ska vara ett tal större än 0 och högst 10 (fick 'mycket')")


def test_unmapped_profile_errors_are_kept_as_general_errors():
    errors = field_errors("a.toml: TOML syntax error: Expected '=' (at line 2, column 5)")
    assert errors.by_field == {} and errors.general == ["a.toml: TOML syntax error: Expected '=' (at line 2, column 5)"]


def test_login_limiter_allows_again_when_enough_failures_have_left_the_window():
    limiter = LoginLimiter(3, 60)
    start = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    failures = [start, start + timedelta(seconds=10), start + timedelta(seconds=20)]
    assert limiter.since(start + timedelta(seconds=30)) == start - timedelta(seconds=30)
    assert limiter.retry_after(failures[:2], failures[:2], start + timedelta(seconds=30)) == 0
    # three failures: blocked until the oldest is 60 s old
    assert limiter.retry_after(failures, failures, start + timedelta(seconds=30)) == 30
    assert limiter.retry_after(failures, failures, start + timedelta(seconds=60)) == 0
    # the address has ten times the allowance of a user name
    assert limiter.retry_after([], failures, start + timedelta(seconds=30)) == 0
    many = [start + timedelta(seconds=i) for i in range(30)]
    assert limiter.retry_after([], many, start + timedelta(seconds=30)) == 30
    # more failures than the limit (several processes at once): wait for enough of them to expire
    assert limiter.retry_after(many[:5], [], start + timedelta(seconds=30)) == 32


def test_session_cookie_is_signed_and_expires():
    codec = SessionCodec("k" * 40, max_age=3600)
    value = codec.dumps({"u": "anna"})
    assert codec.loads(value) == {"u": "anna"}
    assert SessionCodec("other" * 10, 3600).loads(value) == {}
    # tamper with a character inside the signature (the last base64 character has unused bits: changing it may
    # not change the bytes it stands for)
    tampered = value[:-5] + ("A" if value[-5] != "A" else "B") + value[-4:]
    assert codec.loads(tampered) == {} and codec.loads("garbage") == {} and codec.loads(None) == {}
    assert SessionCodec("k" * 40, max_age=-1).loads(value) == {}


def test_chart_escapes_labels():
    svg = bar_chart([Bar('<script>"x"</script>', 3), Bar("b", 0, failed=True)], 'titel "<b>"')
    assert "<script>" not in svg and "&lt;script&gt;" in svg and 'aria-label="titel &quot;&lt;b&gt;&quot;"' in svg


def test_search_parameters_never_raise_and_explain_bad_values():
    from starlette.datastructures import QueryParams

    form = parse_search(
        QueryParams("q=x&status=bogus&status=open&from=2026-13-01&to=2026-01-01&page=-3&per_page=7&sort=evil")
    )
    assert form.statuses == ["open"] and form.page == 1 and form.per_page == 25 and form.sort == "relevance"
    assert "from" in form.errors and form.deadline_from == "" and form.deadline_to == "2026-01-01"
    assert form.url("/", page=2) == "/?q=x&status=open&to=2026-01-01&page=2"
