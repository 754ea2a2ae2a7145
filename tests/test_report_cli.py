"""``fundwatch report``: HTML, CSV and xlsx of the fixture year, to standard output or a file, and clear errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from scheduler import main
from store.engine import make_engine
from store.migrate import upgrade
from tests.report_year import fill_report_year
from tests.web.corpus import PROFILES


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, str]:
    """(config file, database URL): the web tests' three profiles plus one without any activity."""
    folder = tmp_path / "profiles"
    folder.mkdir()
    for profile_id, text in PROFILES.items():
        (folder / f"{profile_id}.toml").write_text(text, encoding="utf-8")
    (folder / "social.toml").write_text(
        'name = "Socialförvaltningen"\n[[priorities]]\ntitle = "Stöd"\ntext = "Stöd till familjer."\n', encoding="utf-8"
    )
    config = tmp_path / "config.toml"
    config.write_text('[paths]\nprofiles_dir = "profiles"\nvar_dir = "var"\n', encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'fundwatch.db'}"
    engine = make_engine(url)
    upgrade(engine)
    fill_report_year(engine)
    engine.dispose()
    return config, url


def run(setup, *args: str) -> int:
    config, url = setup
    return main(["--config", str(config), "--database-url", url, "report", *args])


def test_csv_summary_to_standard_output(setup, capsysbinary):
    assert run(setup, "--year", "2026", "--format", "csv") == 0
    out = capsysbinary.readouterr()
    text = out.out.decode("utf-8")
    assert text.startswith("\ufeff")  # for Swedish Excel
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    names = [r[0] for r in rows[1:]]
    assert names == [
        "Barn- och ungdomsförvaltningen",
        "Kultur- och fritidsförvaltningen",
        "Miljöförvaltningen",
        "Socialförvaltningen",
        "Hela kommunen",
    ]
    header = rows[0]
    total = dict(zip(header, rows[-1], strict=True))
    # the hand-worked figures of tests/test_report_figures.py
    assert total["Inskickade ansökningar"] == "6" and total["Beviljade"] == "4" and total["Avslag"] == "2"
    assert total["Sökt belopp (kr)"] == "7655057" and total["Beviljat belopp (kr)"] == "3276000"
    assert total["Beviljandegrad (%)"] == "66,7"
    social = dict(zip(header, rows[4], strict=True))
    assert social["Matchade utlysningar"] == "0" and social["Inskickade ansökningar"] == "0"
    assert b"report 2026 for Hela kommunen: csv (summary) written to standard output" in out.err


def test_csv_records_of_one_administration(setup, capsysbinary):
    assert run(setup, "--year", "2026", "--profile", "kultur", "--format", "csv", "--table", "records") == 0
    rows = list(csv.reader(io.StringIO(capsysbinary.readouterr().out.decode().lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 2 and rows[1][1] == "Kultur- och fritidsförvaltningen" and rows[1][3] == "Kultur för alla"


def test_html_document_to_a_file(setup, tmp_path, capsys):
    target = tmp_path / "rapport.html"
    assert run(setup, "--year", "2026", "--output", str(target)) == 0
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and '<html lang="sv">' in html
    assert "<h1>Externa medel 2026</h1>" in html
    assert html.count('role="img"') == 2 and "<desc>" in html
    assert "Socialförvaltningen" in html
    assert f"written to {target}" in capsys.readouterr().err


def test_xlsx_reads_back(setup, tmp_path):
    target = tmp_path / "rapport.xlsx"
    assert run(setup, "--year", "2026", "--format", "xlsx", "-o", str(target)) == 0
    book = load_workbook(target)
    summary = book["Sammanfattning"]
    header = [c.value for c in summary[1]]
    rows = [dict(zip(header, [c.value for c in row], strict=True)) for row in summary.iter_rows(min_row=2)]
    assert [r["Förvaltning"] for r in rows][-1] == "Hela kommunen"
    miljo = next(r for r in rows if r["Profil-id"] == "miljo")
    assert (miljo["Inskickade ansökningar"], miljo["Beviljade"], miljo["Sökt belopp (kr)"]) == (3, 2, 6_695_057)
    assert book["Uppföljningar"].max_row == 12  # header + the 11 follow-ups with a step in 2026


def test_one_administration_and_another_year(setup, capsysbinary):
    assert run(setup, "--year", "2025", "--profile", "miljo", "--format", "csv") == 0
    rows = list(csv.reader(io.StringIO(capsysbinary.readouterr().out.decode().lstrip("\ufeff")), delimiter=";"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert len(rows) == 2  # no total row for one administration
    assert (row["Matchade utlysningar"], row["Markerade som intressanta"], row["Inskickade ansökningar"]) == (
        "2",
        "1",
        "1",
    )


def test_mistakes_give_one_line_and_exit_2(setup, capsys):
    assert run(setup, "--format", "xlsx") == 2
    assert "--format xlsx writes a binary file: give --output PATH" in capsys.readouterr().err
    assert run(setup, "--profile", "finns-inte") == 2
    err = capsys.readouterr().err
    assert "--profile 'finns-inte': no such profile" in err and "kultur, miljo, skola, social" in err
    assert run(setup, "--year", "1800") == 2
    assert "--year 1800: must be between 2000 and 2100" in capsys.readouterr().err
    assert run(setup, "--year", "2026", "--output", "/nonexistent/dir/r.html") == 2
    assert "--output /nonexistent/dir/r.html: cannot write" in capsys.readouterr().err


def test_a_broken_profile_file_does_not_stop_the_report(setup, capsysbinary):
    config, _ = setup
    (config.parent / "profiles" / "trasig.toml").write_text("name = \n", encoding="utf-8")
    assert run(setup, "--year", "2026", "--format", "csv") == 0
    out = capsysbinary.readouterr()
    names = [line.split(";")[0] for line in out.out.decode().lstrip("\ufeff").splitlines()[1:]]
    assert "trasig" in names  # named by its id
    assert b"trasig.toml" in out.err and b"names the administration by its id" in out.err
