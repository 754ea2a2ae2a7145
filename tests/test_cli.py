"""The CLI: one clear error line per failure, help for every command, both ways of starting it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scheduler import build_parser, main

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scheduler.py"), *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_python_scheduler_py_works_like_the_console_script():
    result = run("--help")
    assert result.returncode == 0
    assert "import-calls" in result.stdout and "export-calls" in result.stdout
    fundwatch = Path(sys.executable).with_name("fundwatch")
    if fundwatch.exists():
        console = subprocess.run([str(fundwatch), "--help"], capture_output=True, text=True, timeout=60)
        assert console.stdout == result.stdout


def test_every_subcommand_has_help(capsys):
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in sub.choices:
        with pytest.raises(SystemExit) as info:
            main([name, "--help"])
        assert info.value.code == 0
        assert "usage: fundwatch" in capsys.readouterr().out


def test_bad_config_gives_one_clear_line_and_exit_2(tmp_path):
    (tmp_path / "config.toml").write_text("[web]\nport = 99999\n", encoding="utf-8")
    result = run("--config", str(tmp_path / "config.toml"), "sources")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "line 2: [web] port: Input should be less than or equal to 65535 (got 99999)" in result.stderr


def test_unreachable_database_gives_one_clear_line(tmp_path):
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    result = run(
        "--config",
        str(tmp_path / "config.toml"),
        "--database-url",
        "postgresql+psycopg://nobody@127.0.0.1:1/none",
        "db",
        "upgrade",
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "fundwatch: error: cannot reach the database postgresql+psycopg://nobody@127.0.0.1:1/none"
    )


def test_debug_shows_the_traceback(tmp_path):
    (tmp_path / "config.toml").write_text("[web]\nport = 0\n", encoding="utf-8")
    result = run("--debug", "--config", str(tmp_path / "config.toml"), "sources")
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_db_upgrade_creates_the_sqlite_database_relative_to_the_config(tmp_path):
    (tmp_path / "config.toml").write_text('[database]\nurl = "sqlite:///var/test.db"\n', encoding="utf-8")
    result = run("--config", str(tmp_path / "config.toml"), "db", "upgrade", cwd=tmp_path.parent)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "var" / "test.db").exists()
    assert "is up to date" in result.stdout
