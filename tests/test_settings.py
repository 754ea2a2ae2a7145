"""Settings: precedence, validation errors that name file, line and key, and documentation of every key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from errors import ConfigError
from settings import Settings, load_settings, sections

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_then_file_then_environment_then_flags(tmp_path):
    path = write(tmp_path, '[database]\nurl = "sqlite:///from-file.db"\n[http]\nmin_delay = 5\n')
    assert load_settings(None, env={}).database.url == "sqlite:///var/fundwatch.db"
    assert load_settings(path, env={}).database.url == "sqlite:///from-file.db"
    env = {"FUNDWATCH_DATABASE_URL": "postgresql+psycopg://u@h/db", "FUNDWATCH_HTTP_MIN_DELAY": "0.5"}
    settings = load_settings(path, env=env)
    assert settings.database.url == "postgresql+psycopg://u@h/db"
    assert settings.http.min_delay == 0.5
    flagged = load_settings(path, env=env, overrides={"database.url": "sqlite:///flag.db"})
    assert flagged.database.url == "sqlite:///flag.db"


def test_unknown_key_names_file_line_key_and_the_allowed_keys(tmp_path):
    path = write(tmp_path, "[database]\nurl = 'sqlite:///x.db'\n\n[email]\nmode = 'outbox'\nsmtp_host = 'x'\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    message = str(info.value)
    assert f"{path}, line 6: [email] smtp_host: unknown key; allowed: " in message
    assert "host" in message and "mode" in message


def test_wrong_type_and_bad_value_are_refused_with_what_is_allowed(tmp_path):
    path = write(tmp_path, '[email]\nmode = "smpt"\n[web]\nport = "many"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    message = str(info.value)
    assert f"{path}, line 2: [email] mode: Input should be 'outbox' or 'smtp' (got 'smpt')" in message
    assert f"{path}, line 4: [web] port:" in message


def test_unknown_section_is_refused(tmp_path):
    path = write(tmp_path, "[databse]\nurl = 'x'\n")
    with pytest.raises(ConfigError, match=r"databse: unknown key; allowed: .*database"):
        load_settings(path, env={})


def test_a_bad_environment_value_names_the_variable(tmp_path):
    path = write(tmp_path, "")
    with pytest.raises(ConfigError, match="environment variable FUNDWATCH_HTTP_RETRIES: \\[http\\] retries"):
        load_settings(path, env={"FUNDWATCH_HTTP_RETRIES": "lots"})


def test_missing_file_and_toml_syntax_errors_name_the_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml", env={})
    path = write(tmp_path, "[database\nurl = 1\n")
    with pytest.raises(ConfigError, match=r"config.toml: TOML syntax error: .*line 1"):
        load_settings(path, env={})


def test_database_url_must_name_a_supported_backend(tmp_path):
    path = write(tmp_path, '[database]\nurl = "mysql://x"\n')
    with pytest.raises(ConfigError, match="must start with sqlite:// or postgresql"):
        load_settings(path, env={})


def test_shipped_config_is_valid():
    settings = load_settings(ROOT / "config.toml", env={})
    assert settings.email.mode == "outbox"


def all_setting_keys() -> list[str]:
    keys = [f"{name}.{key}" for name, model in sections().items() for key in model.model_fields]
    return keys


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \|", readme, flags=re.MULTILINE))
    missing = [key for key in all_setting_keys() if key not in documented]
    assert not missing, f"settings missing from README's configuration table: {missing}"
    stale = [key for key in documented if key not in all_setting_keys() and not key.startswith("sources.")]
    assert not stale, f"README documents settings that do not exist: {stale}"


def test_every_setting_appears_in_the_shipped_config():
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    for name, model in sections().items():
        assert f"[{name}]" in text
        for key in model.model_fields:
            assert re.search(rf"^#?\s*{key}\s*=", text, re.MULTILINE), f"{name}.{key} not in config.toml"


def test_settings_model_forbids_unknown_sections():
    assert Settings.model_config["extra"] == "forbid"
