"""Every fixture pair under tests/fixtures/<kind>/ parses to exactly its expected result (see tests/kind_cases.py)."""

from __future__ import annotations

import re

import pytest

from errors import SourceError
from tests.kind_cases import FIXTURES, KINDS, SUFFIX, case_files, expected_path, load_expected, outcome, run_case

CASES = case_files()


def test_every_fixture_has_its_expected_result_and_every_kind_has_cases():
    assert {p.parent.name for p in CASES} == set(KINDS)
    for body in CASES:
        assert expected_path(body).exists(), f"{body.name} has no {expected_path(body).name}"
    for expected in FIXTURES.glob(f"*/*{SUFFIX}"):
        stem = expected.name[: -len(SUFFIX)]
        assert [p for p in CASES if p.parent == expected.parent and p.name.rsplit(".", 1)[0] == stem], (
            f"{expected.name} has no fixture body"
        )


@pytest.mark.parametrize("body", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_parses_to_its_expected_result(body):
    expected = load_expected(body)
    if "error" in expected:
        with pytest.raises(SourceError) as info:
            run_case(body, expected)
        assert info.value.reason == expected["error"]["reason"]
        assert re.search(expected["error"]["match"], str(info.value)), str(info.value)
        return
    got = outcome(run_case(body, expected))
    for key in ("complete_listing", "warnings", "follow"):
        assert got[key] == expected[key], key
    assert len(got["records"]) == len(expected["records"])
    for got_record, want in zip(got["records"], expected["records"], strict=True):
        assert got_record == want, want["external_id"]
