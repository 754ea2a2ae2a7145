"""Profiles: the shipped ones validate; broken ones are refused with the file, the line and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from errors import ProfileError
from matcher.profiles import MAX_BYTES, load_profile, load_profiles, parse_profile, resolve_profile
from scheduler import main

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "fixtures" / "profiles_broken"
SHIPPED = ROOT / "profiles"

# file -> (line, field, what the message says)
CASES = {
    "unknown_key.toml": (3, "colour", "unknown key"),
    "unknown_priority_key.toml": (10, "priorities[2].keyword", "did you mean 'keywords'?"),
    "wrong_type_name.toml": (2, "name", "expected a text, got int"),
    "wrong_type_keywords.toml": (6, "priorities[1].keywords", "expected a list of texts"),
    "empty_priority_text.toml": (5, "priorities[1].text", "must not be empty"),
    "weight_out_of_range.toml": (6, "priorities[1].weight", "at most 10, got 12"),
    "weight_zero.toml": (6, "priorities[1].weight", "above 0"),
    "duplicate_priority_title.toml": (8, "priorities[2].title", "repeats the title"),
    "toml_syntax_error.toml": (4, "title", "TOML syntax error"),
    "bad_email.toml": (2, "recipients", "'fastighet(at)kalmar.example' is not an email address"),
    "missing_priority_text.toml": (3, "priorities[1].text", "is required"),
    "bad_applicant.toml": (2, "applicant", 'must be "kommun" or "bolag"'),
    "min_score_out_of_range.toml": (2, "min_score", "between 0 and 1"),
}


def test_every_shipped_profile_validates_and_has_recipients_and_priorities():
    profiles = load_profiles(SHIPPED)
    assert len(profiles) >= 10
    for required in (
        "serviceforvaltningen",
        "kommunledningskontoret",
        "barn-och-ungdomsforvaltningen",
        "socialforvaltningen",
        "samhallsbyggnadskontoret",
        "kultur-och-fritidsforvaltningen",
        "utbildningsforvaltningen",
        "kalmar-vatten",
    ):
        profile = profiles[required]
        assert profile.priorities and all(p.text for p in profile.priorities)
        assert profile.recipients and all(r.endswith(".example") for r in profile.recipients)
    assert profiles["kalmar-vatten"].applicant == "bolag"
    assert profiles["serviceforvaltningen"].applicant == "kommun"


def test_the_broken_corpus_holds_at_least_ten_profiles_and_each_is_listed_here():
    files = sorted(p.name for p in BROKEN.glob("*.toml"))
    assert len(files) >= 10
    assert set(files) == set(CASES) | {"missing_priorities.toml"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_profile_is_refused_naming_file_line_and_field(name):
    line, field, says = CASES[name]
    with pytest.raises(ProfileError) as info:
        load_profile(BROKEN / name)
    message = str(info.value)
    assert f"{BROKEN / name}, line {line}:" in message
    assert field in message
    assert says in message


def test_missing_priorities_names_the_file_and_the_field():
    with pytest.raises(ProfileError) as info:
        load_profile(BROKEN / "missing_priorities.toml")
    assert str(info.value) == (
        f"{BROKEN / 'missing_priorities.toml'}: priorities: at least one [[priorities]] table is required"
    )


def test_invalid_utf8_is_refused_with_the_line_of_the_bad_byte(tmp_path):
    text = (BROKEN / "latin1.toml.txt").read_text(encoding="utf-8")
    path = tmp_path / "latin1.toml"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert f"{path}, line 1: not valid UTF-8" in str(info.value)


def test_a_file_over_one_megabyte_is_refused_before_parsing(tmp_path):
    path = tmp_path / "huge.toml"
    path.write_bytes(b'name = "x"\n' + b"# padding\n" * (MAX_BYTES // 10 + 1))
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert f"{path}: file is" in str(info.value) and "at most 1,000,000 bytes" in str(info.value)


def test_several_problems_in_one_file_are_all_reported():
    data = b'name = ""\nrecipients = ["nope"]\n[[priorities]]\ntitle = "A"\ntext = "B"\nweight = -1\n'
    with pytest.raises(ProfileError) as info:
        parse_profile(data, "x.toml", "x")
    lines = str(info.value).splitlines()
    assert lines == [
        "x.toml, line 1: name: must not be empty",
        "x.toml, line 2: recipients: 'nope' is not an email address",
        "x.toml, line 6: priorities[1].weight: must be a number above 0 and at most 10, got -1",
    ]


def test_loading_a_folder_is_all_or_nothing(tmp_path):
    shutil.copy(SHIPPED / "serviceforvaltningen.toml", tmp_path)
    shutil.copy(BROKEN / "weight_zero.toml", tmp_path)
    with pytest.raises(ProfileError) as info:
        load_profiles(tmp_path)
    assert "weight_zero.toml, line 6" in str(info.value)


def test_two_profiles_with_the_same_name_are_refused(tmp_path):
    shutil.copy(SHIPPED / "serviceforvaltningen.toml", tmp_path / "a.toml")
    shutil.copy(SHIPPED / "serviceforvaltningen.toml", tmp_path / "b.toml")
    with pytest.raises(ProfileError) as info:
        load_profiles(tmp_path)
    assert "b.toml: name: 'Serviceförvaltningen' is already used by" in str(info.value)


def test_a_file_name_that_is_not_a_valid_id_is_refused(tmp_path):
    path = tmp_path / "Service Förvaltning.toml"
    shutil.copy(SHIPPED / "serviceforvaltningen.toml", path)
    with pytest.raises(ProfileError, match="file name: the id"):
        load_profile(path)


def test_resolve_by_id_by_path_and_unknown_id(tmp_path):
    assert resolve_profile("kalmar-vatten", SHIPPED).name == "Kalmar Vatten AB"
    copy = tmp_path / "egen.toml"
    shutil.copy(SHIPPED / "kalmar-vatten.toml", copy)
    assert resolve_profile(str(copy), SHIPPED).id == "egen"
    with pytest.raises(ProfileError, match="unknown profile 'nope'; known profiles: .*kalmar-vatten"):
        resolve_profile("nope", SHIPPED)


def test_the_version_changes_when_the_file_changes(tmp_path):
    path = tmp_path / "p.toml"
    shutil.copy(SHIPPED / "kalmar-vatten.toml", path)
    first = load_profile(path).version
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert load_profile(path).version != first
    assert len(first) == 16


def test_optional_keys_are_read(tmp_path):
    data = (
        'name = "X"\napplicant = "bolag"\nmin_score = 0.3\nmax_matches = 5\nexclude = ["doktorand"]\n'
        'favour_funders = ["Vinnova"]\nignore_funders = ["Region Skåne"]\nfavour_programmes = ["LIFE"]\n'
        'ignore_programmes = ["Interreg Alpine Space"]\nignore_sources = ["euroaccess"]\n'
        '[[priorities]]\ntitle = "T"\ntext = "Text"\nkeywords = ["a", " b "]\nweight = 2\n'
    ).encode()
    profile = parse_profile(data, "x.toml", "x")
    assert (profile.applicant, profile.min_score, profile.max_matches) == ("bolag", 0.3, 5)
    assert profile.favour_programmes == ("LIFE",) and profile.ignore_programmes == ("Interreg Alpine Space",)
    assert profile.ignore_sources == ("euroaccess",) and profile.priorities[0].keywords == ("a", "b")
    assert profile.priorities[0].weight == 2.0


def test_cli_profile_check_reports_ok_and_notes(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text(f'[paths]\nprofiles_dir = "{SHIPPED}"\n', encoding="utf-8")
    assert main(["--config", str(config), "profile", "check"]) == 0
    out = capsys.readouterr().out
    assert "serviceforvaltningen: ok - 'Serviceförvaltningen', 3 priorities" in out
    assert "kalmar-vatten: ok" in out


def test_cli_profile_check_of_a_broken_file_exits_2_naming_file_and_line(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    code = main(["--config", str(config), "profile", "check", str(BROKEN / "weight_out_of_range.toml")])
    assert code == 2
    err = capsys.readouterr().err
    assert f"{BROKEN / 'weight_out_of_range.toml'}, line 6: priorities[1].weight" in err


def test_cli_profile_check_of_a_broken_folder_exits_2_and_lists_every_file(tmp_path, capsys):
    folder = tmp_path / "profiles"
    folder.mkdir()
    for name in ("bad_email.toml", "weight_zero.toml"):
        shutil.copy(BROKEN / name, folder)
    config = tmp_path / "config.toml"
    config.write_text('[paths]\nprofiles_dir = "profiles"\n', encoding="utf-8")
    assert main(["--config", str(config), "profile", "check"]) == 2
    err = capsys.readouterr().err
    assert "bad_email.toml, line 2: recipients" in err and "weight_zero.toml, line 6" in err
