"""The JSON Lines interchange format: validation with line numbers, import idempotence, exact round trip."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scheduler import main
from store.interchange import parse_jsonl
from tests.conftest import reset_pg

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

GOOD = [
    {
        "source": "vinnova",
        "external_id": "2026-01234",
        "title": "Innovationer för hållbar kustmiljö",
        "url": "https://www.vinnova.se/e/kust/",
        "funder": "Vinnova",
        "programme": "Hållbar industri",
        "summary": "Stöd för kommuner och företag – åäö ÅÄÖ €",
        "language": "sv",
        "status": "open",
        "opens_at": "2026-10-01",
        "deadline_at": "2027-02-10T14:00:00",
        "budget": "50 MSEK",
        "applicant_types": ["kommun", "företag"],
    },
    {
        "source": "eu-ftp",
        "external_id": "LIFE-2027-SAP-NAT",
        "title": "Nature and biodiversity",
        "url": "https://ec.europa.eu/topic/LIFE-2027-SAP-NAT",
        "language": "en",
        "deadline_at": ["2027-01-15T17:00:00+01:00", "2027-09-15T17:00:00+02:00"],
    },
]


def write_jsonl(path, objects) -> None:
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects), encoding="utf-8")


def test_valid_lines_parse_with_stockholm_time_and_end_of_day_dates():
    report = parse_jsonl(io.BytesIO(("\n".join(json.dumps(o) for o in GOOD)).encode()), now=NOW)
    assert report.problems == []
    first = report.records[0][1]
    assert first.opens_at.isoformat() == "2026-10-01T00:00:00+02:00"
    assert first.deadline_at.isoformat() == "2027-02-10T14:00:00+01:00"
    second = report.records[1][1]
    assert len(second.deadlines) == 2
    assert second.status == "open"  # derived from the dates when absent


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("{not json", "line 2: invalid JSON"),
        ('{"source": "x", "external_id": "1", "url": "https://x.se"}', "line 2: title: required"),
        (
            '{"source": "x", "external_id": "1", "title": "t", "url": "javascript:alert(1)"}',
            "line 2: url: must be an http(s)",
        ),
        (
            '{"source": "x", "external_id": "1", "title": "t", "url": "https://x.se", "deadline_at": "15 mars"}',
            "line 2: deadline_at: not an ISO 8601",
        ),
        (
            '{"source": "x", "external_id": "1", "title": "t", "url": "https://x.se", "status": "öppen"}',
            "line 2: status: must be one of",
        ),
        (
            '{"source": "x", "external_id": "1", "title": "t", "url": "https://x.se", "applicant_types": "kommun"}',
            "line 2: applicant_types",
        ),
        ("[1, 2]", "line 2: line: expected a JSON object"),
    ],
)
def test_each_malformed_line_is_reported_with_its_number_and_reason(line, expected):
    data = (json.dumps(GOOD[0]) + "\n" + line + "\n").encode()
    report = parse_jsonl(io.BytesIO(data), now=NOW)
    assert len(report.problems) == 1
    assert report.problems[0].startswith(expected), report.problems[0]
    assert len(report.records) == 1


def test_invalid_utf8_and_repeated_keys_are_reported():
    data = json.dumps(GOOD[0]).encode() + b"\n" + b'{"title": "\xff"}\n' + json.dumps(GOOD[0]).encode() + b"\n"
    report = parse_jsonl(io.BytesIO(data), now=NOW)
    assert report.problems[0].startswith("line 2: not valid UTF-8")
    assert report.problems[1] == "line 3: source/external_id vinnova/2026-01234 repeats line 1"


class Cli:
    """Runs the real CLI against a database (SQLite file or the PostgreSQL test database)."""

    def __init__(self, tmp_path, capsys, db_url) -> None:
        self.config = tmp_path / "config.toml"
        self.config.write_text("", encoding="utf-8")
        self.capsys, self.db_url = capsys, db_url

    def __call__(self, *args):
        code = main(["--config", str(self.config), "--database-url", self.db_url, *args])
        out = self.capsys.readouterr()
        return code, out.out, out.err

    def reset(self) -> None:
        if self.db_url.startswith("sqlite"):
            Path(self.db_url.removeprefix("sqlite:///")).unlink()
        else:
            reset_pg(self.db_url)


@pytest.fixture
def cli(tmp_path, capsys, db_url):
    return Cli(tmp_path, capsys, db_url)


def test_importing_the_same_file_twice_changes_nothing(cli, tmp_path):
    path = tmp_path / "calls.jsonl"
    write_jsonl(path, GOOD)
    code, out, _ = cli("import-calls", str(path))
    assert code == 0
    assert "2 new, 0 updated" in out
    code, out, _ = cli("import-calls", str(path))
    assert code == 0
    assert "0 new, 0 updated (0 field changes), 2 unchanged" in out


def test_changed_fields_are_recorded_on_reimport(cli, tmp_path):
    path = tmp_path / "calls.jsonl"
    write_jsonl(path, GOOD)
    cli("import-calls", str(path))
    moved = [dict(GOOD[0], deadline_at="2027-03-01T14:00:00"), GOOD[1]]
    write_jsonl(path, moved)
    code, out, _ = cli("import-calls", str(path))
    assert code == 0
    assert "1 updated (2 field changes)" in out  # deadline_at and the cut-off list


def test_a_file_with_a_malformed_line_imports_nothing(cli, tmp_path):
    path = tmp_path / "calls.jsonl"
    path.write_text(json.dumps(GOOD[0]) + "\n{broken\n", encoding="utf-8")
    code, _, err = cli("import-calls", str(path))
    assert code == 2
    assert "1 malformed line(s); nothing imported" in err
    assert "line 2: invalid JSON" in err
    code, out, _ = cli("export-calls")
    assert out == ""


def test_skip_invalid_imports_the_rest_and_reports_what_was_skipped(cli, tmp_path):
    path = tmp_path / "calls.jsonl"
    path.write_text(json.dumps(GOOD[0]) + "\n{broken\n" + json.dumps(GOOD[1]) + "\n", encoding="utf-8")
    code, out, err = cli("import-calls", "--skip-invalid", str(path))
    assert code == 0
    assert "2 new" in out and "1 skipped" in out
    assert "skipped line 2: invalid JSON" in err


def test_export_then_import_then_export_is_exact(cli, tmp_path):
    path = tmp_path / "calls.jsonl"
    write_jsonl(path, GOOD)
    cli("import-calls", str(path))
    code, first, _ = cli("export-calls")
    assert code == 0
    exported = tmp_path / "exported.jsonl"
    exported.write_text(first, encoding="utf-8")
    # into a fresh database
    cli.reset()
    cli("import-calls", str(exported))
    _, second, _ = cli("export-calls")
    assert second == first
    rows = [json.loads(line) for line in first.splitlines()]
    vinnova = next(r for r in rows if r["source"] == "vinnova")
    assert vinnova["summary"] == "Stöd för kommuner och företag – åäö ÅÄÖ €"
    assert vinnova["deadline_at"] == "2027-02-10T14:00:00+01:00"
    eu = next(r for r in rows if r["source"] == "eu-ftp")
    assert eu["deadline_at"] == ["2027-01-15T17:00:00+01:00", "2027-09-15T17:00:00+02:00"]
    # and re-importing the export into the same database changes nothing
    _, out, _ = cli("import-calls", str(exported))
    assert "0 new, 0 updated" in out


def test_csv_export_has_the_interchange_columns(cli, tmp_path):
    path = tmp_path / "calls.jsonl"
    write_jsonl(path, GOOD)
    cli("import-calls", str(path))
    code, out, _ = cli("export-calls", "--format", "csv", "--status", "open")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("source,external_id,title,url,funder")
    assert any("kommun; företag" in line for line in lines)
    assert len(lines) == 3


def test_unknown_fields_are_ignored_and_reported(cli, tmp_path):
    path = tmp_path / "calls.jsonl"
    write_jsonl(path, [dict(GOOD[0], relevance=2)])
    code, _, err = cli("import-calls", str(path))
    assert code == 0
    assert "ignored unknown field 'relevance' on 1 line(s)" in err


def test_import_reads_standard_input(cli, tmp_path, monkeypatch):
    data = io.BytesIO((json.dumps(GOOD[0]) + "\n").encode())
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(data))
    code, out, _ = cli("import-calls", "-")
    assert code == 0
    assert "stdin: 1 calls read: 1 new" in out
