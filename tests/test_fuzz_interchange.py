"""Fuzzing the JSON Lines importer: no input crashes it; each line parses or gives a clear, numbered error."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.interchange import parse_jsonl

NOW = datetime(2026, 11, 28, tzinfo=UTC)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
FIELDS = [
    "source",
    "external_id",
    "title",
    "url",
    "status",
    "kind",
    "opens_at",
    "deadline_at",
    "applicant_types",
    "extra",
]
call_like = st.dictionaries(
    st.sampled_from(FIELDS) | st.text(max_size=8), json_values | st.text(max_size=40), max_size=10
)


def check(data: bytes) -> None:
    report = parse_jsonl(io.BytesIO(data), now=NOW)
    lines = data.split(b"\n")
    for problem in report.problems:
        assert problem.startswith("line "), problem
        number = int(problem.split(":")[0].split()[1])
        assert 1 <= number <= len(lines)
    for _number, record in report.records:
        assert record.title and record.url.lower().startswith(("http://", "https://"))
        assert all(d.tzinfo is not None for d in record.deadlines)
        record.stored_values()  # what the store would write: converting to UTC must not overflow


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(call_like, max_size=5))
def test_any_json_objects_parse_or_give_numbered_errors(objects):
    check("\n".join(json.dumps(o) for o in objects).encode())


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash_the_importer(data):
    check(data)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_date_text_is_accepted_or_refused_with_the_field_named(value):
    line = json.dumps({"source": "s", "external_id": "1", "title": "t", "url": "https://x.se", "deadline_at": value})
    report = parse_jsonl(io.BytesIO(line.encode()), now=NOW)
    assert len(report.records) + len(report.problems) == 1
    if report.problems:
        assert report.problems[0].startswith("line 1: deadline_at:")
