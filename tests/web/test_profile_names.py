"""The id -> name list every page shows is reused briefly, but a profile added, removed or saved shows at once."""

from __future__ import annotations

import os

from web.profile_files import NAMES_TTL, ProfileFiles


def write(folder, profile_id: str, name: str) -> None:
    (folder / f"{profile_id}.toml").write_text(
        f'name = "{name}"\n[[priorities]]\ntitle = "Vatten"\ntext = "Vattenvård"\n', encoding="utf-8"
    )


def test_added_removed_and_saved_profiles_show_at_once_in_place_edits_after_the_ttl(tmp_path):
    write(tmp_path, "miljo", "Miljöförvaltningen")
    files = ProfileFiles(tmp_path)
    assert files.names() == {"miljo": "Miljöförvaltningen"}

    write(tmp_path, "skola", "Barn- och ungdomsförvaltningen")  # a new file changes the folder
    assert files.names() == {"skola": "Barn- och ungdomsförvaltningen", "miljo": "Miljöförvaltningen"}

    (tmp_path / "skola.toml").unlink()
    assert files.names() == {"miljo": "Miljöförvaltningen"}

    text = (tmp_path / "miljo.toml").read_text(encoding="utf-8").replace("Miljöförvaltningen", "Miljö")
    files.save("miljo", text, "anna", None)
    assert files.names() == {"miljo": "Miljö"}

    # edited in place (the folder unchanged): reused until the TTL has passed
    mtime = os.stat(tmp_path).st_mtime_ns
    write(tmp_path, "miljo", "Miljö och hälsa")
    os.utime(tmp_path, ns=(mtime, mtime))
    assert files.names() == {"miljo": "Miljö"}
    when, folder_mtime, names = files._names
    files._names = (when - NAMES_TTL, folder_mtime, names)
    assert files.names() == {"miljo": "Miljö och hälsa"}


def test_a_caller_changing_the_returned_names_does_not_change_the_next_answer(tmp_path):
    write(tmp_path, "miljo", "Miljöförvaltningen")
    files = ProfileFiles(tmp_path)
    files.names()["x"] = "y"
    assert files.names() == {"miljo": "Miljöförvaltningen"}
