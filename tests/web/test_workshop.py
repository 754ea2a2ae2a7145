"""Profilverkstad: validation by field, TOML editing, preview, saving with history, conflicts (I6 over HTTP)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from matcher.profiles import load_profile, load_profiles
from tests.web.conftest import Site, csrf_of
from tests.web.corpus import PROFILES

BASE = re.compile(r'name="base_version" value="([^"]*)"')


def editor(site: Site, profile_id: str = "miljo", mode: str = "form"):
    klk = site.login("klk-anna")
    page = klk.get(f"/workshop/{profile_id}", params={"mode": mode}).text
    return klk, csrf_of(page), BASE.search(page).group(1), page


def form(token: str, base: str, **fields) -> dict:
    data = {
        "csrf_token": token,
        "base_version": base,
        "mode": "form",
        "action": "validate",
        "name": "Miljöförvaltningen",
        "recipients": "miljo@kalmar.example",
        "max_matches": "10",
        "priority_count": "2",
        "p0-title": "Vatten och hav",
        "p0-text": "Vattenvård och Östersjön.",
        "p0-keywords": "vatten, Östersjön",
        "p0-weight": "2",
        "p1-title": "Klimatanpassning",
        "p1-text": "Anpassning till ett förändrat klimat.",
        "p1-weight": "1",
    }
    data.update(fields)
    return data


def test_form_shows_the_saved_profile(site: Site):
    _klk, _token, base, page = editor(site)
    assert 'id="f-name" name="name" value="Miljöförvaltningen"' in page
    assert 'id="f-p0-title" name="p0-title" value="Vatten och hav"' in page
    assert 'id="f-p0-weight" name="p0-weight" value="2"' in page
    assert base == load_profile(site.profiles_dir / "miljo.toml").version


def test_errors_are_shown_by_field_in_swedish(site: Site):
    klk, token, base, _ = editor(site)
    response = klk.post(
        "/workshop/miljo",
        data=form(
            token, base, **{"p0-weight": "tolv", "p1-title": "", "recipients": "inte-en-adress", "max_matches": "0"}
        ),
    )
    assert response.status_code == 422
    html = response.text
    assert "Profilen har 4 fel" in html
    assert 'id="err-p0-weight"' in html and "ska vara ett tal större än 0 och högst 10 (fick &#39;tolv&#39;)" in html
    assert (
        'id="f-p0-weight" name="p0-weight" value="tolv" inputmode="decimal" aria-invalid="true" aria-describedby="h-p0-weight err-p0-weight"'
        in html
    )
    assert 'id="err-p1-title"' in html and "får inte vara tomt (miljo.toml, rad 12)" in html
    assert 'id="err-recipients"' in html and "är inte en e-postadress" in html
    assert 'id="err-max_matches"' in html and "ska vara ett heltal från 1 till 100" in html
    assert '<a href="#f-p0-weight">' in html  # the summary links to the field


def test_validate_reports_a_valid_profile_without_saving(site: Site):
    klk, token, base, _ = editor(site)
    before = (site.profiles_dir / "miljo.toml").read_bytes()
    response = klk.post("/workshop/miljo", data=form(token, base))
    assert response.status_code == 200
    assert "Profilen är giltig (2 prioriteringar). Den är inte sparad ännu." in response.text
    assert (site.profiles_dir / "miljo.toml").read_bytes() == before


def test_add_and_remove_priorities_without_javascript(site: Site):
    klk, token, base, _ = editor(site)
    added = klk.post("/workshop/miljo", data=form(token, base, action="add_priority")).text
    assert 'name="priority_count" value="3"' in added and 'id="f-p2-title"' in added
    removed = klk.post("/workshop/miljo", data=form(token, base, action="to_toml", **{"p1-remove": "1"})).text
    assert "Klimatanpassning" not in removed.split('id="f-toml"')[1]


def test_saving_keeps_the_previous_version_and_the_file_validates(site: Site):
    original = (site.profiles_dir / "miljo.toml").read_text(encoding="utf-8")
    klk, token, base, _ = editor(site)
    response = klk.post(
        "/workshop/miljo", data=form(token, base, action="save", **{"p1-text": 'Klimat "och" \\ vatten\nrad två'})
    )
    assert response.status_code == 303
    saved = load_profile(site.profiles_dir / "miljo.toml")
    assert saved.priorities[1].text == 'Klimat "och" \\ vatten\nrad två'
    assert saved.priorities[0].keywords == ("vatten", "Östersjön")
    [kept] = list((site.profiles_dir / ".history" / "miljo").glob("*-klk-anna.toml"))
    assert kept.read_text(encoding="utf-8") == original
    assert set(load_profiles(site.profiles_dir)) == {"miljo", "skola", "kultur"}  # history is not loaded as a profile
    page = klk.get(response.headers["location"]).text
    assert "Profilen ”Miljöförvaltningen” är sparad." in page and kept.name in page


def test_toml_editing_keeps_comments_and_reports_syntax_errors_with_the_line(site: Site):
    klk, token, base, page = editor(site, mode="toml")
    text = re.search(r'<textarea id="f-toml"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert text.startswith("# Miljöförvaltningen (hand-written test profile)")
    broken = {
        "csrf_token": token,
        "base_version": base,
        "mode": "toml",
        "action": "save",
        "toml": 'name = "X"\n[[priorities]\n',
    }
    response = klk.post("/workshop/miljo", data=broken)
    assert response.status_code == 422 and "TOML syntax error" in response.text and "line 2" in response.text
    fixed = (site.profiles_dir / "miljo.toml").read_text(encoding="utf-8").replace("weight = 2.0", "weight = 3.0")
    ok = klk.post("/workshop/miljo", data={**broken, "toml": fixed})
    assert ok.status_code == 303
    assert (site.profiles_dir / "miljo.toml").read_text(encoding="utf-8") == fixed


I6_BAD_PROFILES = {
    "unknown key": ('name = "A"\ncolour = "red"\n[[priorities]]\ntitle = "t"\ntext = "x"\n', "okänd nyckel", 2),
    "wrong type": ('name = 5\n[[priorities]]\ntitle = "t"\ntext = "x"\n', "ska vara en text", 1),
    "empty priority text": ('name = "A"\n[[priorities]]\ntitle = "t"\ntext = "  "\n', "får inte vara tomt", 4),
    "weight out of range": (
        'name = "A"\n[[priorities]]\ntitle = "t"\ntext = "x"\nweight = 11\n',
        "ska vara ett tal större än 0 och högst 10 (fick 11)",
        5,
    ),
    "duplicate name": (
        'name = "Barn- och ungdomsförvaltningen"\n[[priorities]]\ntitle = "t"\ntext = "x"\n',
        "namnet ”Barn- och ungdomsförvaltningen” används redan av skola.toml",
        1,
    ),
    "syntax error": ('name = "A\n', "TOML syntax error", 1),
    "no priorities": ('name = "A"\n', "minst en prioritering behövs", None),
    "repeated title": (
        'name = "A"\n[[priorities]]\ntitle = "t"\ntext = "x"\n[[priorities]]\ntitle = "T"\ntext = "y"\n',
        "rubriken ”T” finns redan",
        6,
    ),
    "bad recipient": (
        'name = "A"\nrecipients = ["nobody"]\n[[priorities]]\ntitle = "t"\ntext = "x"\n',
        "”nobody” är inte en e-postadress",
        2,
    ),
    "too large": (
        'name = "A"\n# ' + "x" * 1_100_000 + '\n[[priorities]]\ntitle = "t"\ntext = "x"\n',
        "at most 1,000,000 bytes",
        None,
    ),
}


@pytest.mark.parametrize("case", sorted(I6_BAD_PROFILES))
def test_I6_bad_profiles_are_refused_with_422_naming_file_and_line_and_nothing_is_written(site: Site, case: str):
    klk, token, base, _ = editor(site)
    before = (site.profiles_dir / "miljo.toml").read_bytes()
    text, expected, line = I6_BAD_PROFILES[case]
    response = klk.post(
        "/workshop/miljo",
        data={"csrf_token": token, "base_version": base, "mode": "toml", "action": "save", "toml": text},
    )
    assert response.status_code == 422
    import html as html_lib

    shown = html_lib.unescape(response.text)
    assert "miljo.toml" in shown and expected in shown
    if line is not None:
        assert f"miljo.toml, rad {line}" in shown or f"line {line}" in shown
    assert (site.profiles_dir / "miljo.toml").read_bytes() == before
    assert not (site.profiles_dir / ".history").exists()


def test_a_stale_editor_cannot_overwrite_a_newer_file(site: Site):
    klk, token, base, _ = editor(site)
    newer = (site.profiles_dir / "miljo.toml").read_text(encoding="utf-8") + "\n# changed by someone else\n"
    (site.profiles_dir / "miljo.toml").write_text(newer, encoding="utf-8")
    response = klk.post("/workshop/miljo", data=form(token, base, action="save"))
    assert response.status_code == 409 and "har ändrats av någon annan" in response.text
    assert (site.profiles_dir / "miljo.toml").read_text(encoding="utf-8") == newer


def test_a_new_profile_is_created_from_the_form(site: Site):
    klk = site.login("klk-anna")
    assert klk.get("/workshop/new", params={"id": "Fel Id"}).status_code == 422
    response = klk.get("/workshop/new", params={"id": "samhallsbyggnad"})
    assert response.headers["location"] == "/workshop/samhallsbyggnad"
    page = klk.get("/workshop/samhallsbyggnad").text
    assert "Ny profil: samhallsbyggnad" in page
    data = form(csrf_of(page), "", action="save", name="Samhällsbyggnadsförvaltningen")
    assert klk.post("/workshop/samhallsbyggnad", data=data).status_code == 303
    assert load_profile(site.profiles_dir / "samhallsbyggnad.toml").name == "Samhällsbyggnadsförvaltningen"


def _page_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _open_calls_index(site: Site):
    from matcher import CallIndex, CallText
    from store.browse import open_calls
    from store.engine import read_session

    with read_session(site.engine) as db:
        calls = open_calls(db)
        return CallIndex.build([CallText.from_record(c) for c in calls]), {c.id: c.title for c in calls}


def test_preview_shows_the_matchers_rankings_and_what_enters_leaves_and_moves(site: Site):
    """The page shows matcher.preview's result for the saved and the edited profile over the open calls."""
    from matcher import parse_profile, preview

    edited_toml = (
        PROFILES["miljo"]
        .replace("Vatten och hav", "Skola")
        .replace('"vatten", "Östersjön", "våtmark"', '"skola", "grundskolan", "lärande"')
    )
    klk, token, base, _ = editor(site, mode="toml")
    data = {"csrf_token": token, "base_version": base, "mode": "toml", "action": "preview", "toml": edited_toml}
    response = klk.post("/workshop/miljo", data=data)
    assert response.status_code == 200

    index, titles = _open_calls_index(site)
    saved = parse_profile(PROFILES["miljo"].encode(), "miljo.toml", "miljo")
    edited = parse_profile(edited_toml.encode(), "miljo.toml", "miljo")
    expected = preview(saved, edited, index, limit=20)
    assert expected.entered and expected.moved  # the edit really changes the list

    page = _page_text(response.text)
    saved_list = page.split("Sparad profil")[1].split("Redigerad profil")[0]
    edited_list = page.split("Redigerad profil")[1].split("Kommer in")[0]
    for place, scored in enumerate(expected.before, 1):
        assert f"{place} {titles[scored.call_id][:60]}" in saved_list
    for place, scored in enumerate(expected.after, 1):
        assert f"{place} {titles[scored.call_id][:60]}" in edited_list
    entered = page.split("Kommer in")[1].split("Faller bort")[0]
    left = page.split("Faller bort")[1].split("Flyttar")[0]
    assert all(titles[s.call_id][:60] in entered for s in expected.entered)
    assert all(titles[s.call_id][:60] in left for s in expected.left)
    assert not any(titles[s.call_id][:60] in entered for s in expected.left)
    # a school call enters the water profile's list once it is about schools
    assert "Hållbarhet och sociala frågor i skolan" in entered
    assert Path(site.profiles_dir / "miljo.toml").read_text(encoding="utf-8") == PROFILES["miljo"]  # not saved


def test_preview_of_a_new_profile_lists_its_calls_as_entering(site: Site):
    klk = site.login("klk-anna")
    page = klk.get("/workshop/vattenprofil", params={"mode": "toml"}).text
    text = 'name = "Vattengruppen"\n[[priorities]]\ntitle = "Vatten"\ntext = "Vattenvård och Östersjön."\n'
    data = {"csrf_token": csrf_of(page), "base_version": "", "mode": "toml", "action": "preview", "toml": text}
    response = klk.post("/workshop/vattenprofil", data=data)
    assert response.status_code == 200
    shown = _page_text(response.text)
    assert "Sparad profil Inga utlysningar." in shown
    entered = shown.split("Kommer in")[1].split("Faller bort")[0]
    assert "Stöd till vattenvård i kommuner" in entered
    assert "Ingen utlysning faller bort." in shown and "Ingen utlysning byter plats." in shown
