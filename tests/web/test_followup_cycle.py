"""The whole follow-up cycle end to end, each step through the part a person or the scheduler really uses:

match (``fundwatch match``) → the weekly digest (``fundwatch digest``, written to the outbox) → "Markera som
intresserad" from the digest's own link → the application on the call page (staff login, forms) → the deadline
reminder (``fundwatch reminders``, exactly once) → the decision → the yearly report (``fundwatch report``), whose
figures for the administration are checked against what was entered.
"""

from __future__ import annotations

import csv
import email
import email.policy
import io
import re
from pathlib import Path

from scheduler import main
from store.accounts import add_user, audit_events
from store.calls import upsert_calls
from store.engine import read_session, write_session
from store.followup import get_followup
from store.matches import matches_for_call
from tests.web.conftest import Site, csrf_of, password_hash
from tests.web.corpus import NOW, calls
from tests.web.test_followup_pages import form

LINK = re.compile(r"Markera som intresserad: http://fundwatch\.test(/followup-link/\S+)")


def write_config(tmp_path: Path, site: Site) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        "[database]\n"
        f'url = "{site.engine.url.render_as_string(hide_password=False)}"\n'
        "[paths]\n"
        f'profiles_dir = "{site.profiles_dir}"\n'
        f'var_dir = "{tmp_path / "var"}"\n'
        "[email]\n"
        'mode = "outbox"\n'
        f'outbox_dir = "{tmp_path / "outbox"}"\n'
        "[web]\n"
        'base_url = "http://fundwatch.test"\n',
        encoding="utf-8",
    )
    return config


def fundwatch(config: Path, *args: str) -> None:
    assert main(["--config", str(config), *args]) == 0, args


def messages(folder: Path) -> dict[str, email.message.EmailMessage]:
    """The outbox folder's messages by file name."""
    return {
        path.name: email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted(folder.glob("*.eml"))
    }


def test_match_interest_application_reminder_decision_and_report(make_site, tmp_path, capsys):
    site = make_site(filled=False)
    with write_session(site.engine) as db:
        upsert_calls(db, calls(), now=NOW)
        add_user(db, "miljo-maja", "staff", password_hash(), profiles=["miljo"], display_name="Maja")
    config = write_config(tmp_path, site)
    year = NOW.year
    today = NOW.date().isoformat()

    # 1. match: the real matcher scores the stored calls against the profiles
    fundwatch(config, "match")
    with read_session(site.engine) as db:
        from sqlmodel import select

        from store.models import Call

        water = db.exec(select(Call).where(Call.external_id == "v1")).one()
        assert "miljo" in {m.profile_id for m in matches_for_call(db, water.id)}

    # 2. the weekly digest goes to the administration's recipients, with a follow-up link per call
    fundwatch(config, "digest")
    digests = [m for m in messages(tmp_path / "outbox").values() if "miljo@kalmar.example" in m["To"]]
    assert len(digests) == 1
    text = digests[0].get_body(("plain",)).get_content()
    assert "Stöd till vattenvård i kommuner" in text
    links = LINK.findall(text)
    listed = len(links)
    assert listed >= 1
    link = next(path for path in links if _call_of_link(site, path) == water.id)

    # 3. the recipient marks interest from the digest: GET asks, POST acts, without a login
    client = site.client()
    assert "Markera som intresserad" in client.get(link).text
    assert client.post(link, data={"status": "intresserad"}).status_code == 200
    with read_session(site.engine) as db:
        record = get_followup(db, "miljo", water.id)
        assert (record.status, record.contact_email) == ("intresserad", "miljo@kalmar.example")

    # 4. the administration's staff decide to apply, naming the responsible person
    maja = site.login("miljo-maja")
    token = csrf_of(maja.get(f"/calls/{water.id}").text)
    steps = {"interested_on": today, "applying_on": today}
    person = {"contact_name": "Maja Ek", "contact_email": "maja.ek@kalmar.example"}
    saved = maja.post(
        f"/calls/{water.id}/followup",
        data=form(token, form_key="miljo", profile_id="miljo", status="ansoker", **steps, **person),
    )
    assert saved.status_code == 303, saved.text

    # 5. the deadline reminder goes to the responsible person, through the ledger, once
    deadline = water.deadline_at
    before = (deadline.astimezone(NOW.tzinfo) - _days(3)).isoformat()
    outbox_before = set(messages(tmp_path / "outbox"))
    fundwatch(config, "reminders", "--now", before)
    fundwatch(config, "reminders", "--now", before)  # a second run sends nothing more
    new = {name: m for name, m in messages(tmp_path / "outbox").items() if name not in outbox_before}
    assert [m["To"] for m in new.values()] == ["maja.ek@kalmar.example"]
    reminder = next(iter(new.values()))
    assert reminder["Subject"].startswith("Påminnelse: deadline om ")
    assert "Stöd till vattenvård i kommuner" in reminder.get_body(("plain",)).get_content()

    # 6. the application is submitted (in euros, with the rate used and a partner) and later granted
    submitted = dict(steps, submitted_on=today)
    money = {"currency": "EUR", "eur_rate": "11,50", "amount_applied": "200000", "cofinancing": "50000"}
    partners = {"partners": "Gdańsk kommun; PL\nEmmaboda kommun; SE"}
    for status, extra in (
        ("inskickad", submitted),
        ("beviljad", dict(submitted, decided_on=today, amount_granted="150000")),
    ):
        saved = maja.post(
            f"/calls/{water.id}/followup",
            data=form(
                token, form_key="miljo", profile_id="miljo", status=status, **extra, **person, **money, **partners
            ),
        )
        assert saved.status_code == 303, saved.text
    with read_session(site.engine) as db:
        record = get_followup(db, "miljo", water.id)
        assert (record.status, record.amount_applied, record.amount_granted) == ("beviljad", 200_000, 150_000)
        events = list(reversed(audit_events(db, action="followup.set")[1]))
        assert [e.detail["changes"]["status"][1] for e in events] == ["intresserad", "ansoker", "inskickad", "beviljad"]
        assert [e.actor for e in events] == ["link:miljo@kalmar.example"] + ["miljo-maja"] * 3

    # 7. the yearly report counts it all for the administration
    capsys.readouterr()
    out = tmp_path / "report.csv"
    fundwatch(config, "report", "--year", str(year), "--format", "csv", "--output", str(out))
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))
    by_id = {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    miljo = by_id["miljo"]
    assert int(miljo["Matchade utlysningar"]) == listed  # every call its digest listed this year
    assert (miljo["Markerade som intressanta"], miljo["Inskickade ansökningar"]) == ("1", "1")
    assert (miljo["Beviljade"], miljo["Avslag"]) == ("1", "0")
    assert _number(miljo["Beviljandegrad (%)"]) == 100
    assert _number(miljo["Sökt belopp (kr)"]) == 200_000 * 11.5
    assert _number(miljo["Beviljat belopp (kr)"]) == 150_000 * 11.5
    assert _number(miljo["Egen medfinansiering i beviljade projekt (kr)"]) == 50_000 * 11.5
    assert miljo["Internationella partner"] == "1"  # Gdańsk; Emmaboda is Swedish
    assert miljo["Partnerländer"] == "Polen"
    assert by_id["skola"]["Inskickade ansökningar"] == "0"


def _days(n: int):
    from datetime import timedelta

    return timedelta(days=n)


def _number(text: str) -> float:
    """A CSV cell as a number, whatever decimal comma or spacing the export uses."""
    return float(text.replace("\u00a0", "").replace(" ", "").replace(",", ".").rstrip("%"))


def _call_of_link(site: Site, path: str) -> int:
    from alerts.tokens import load_web_secret, verify_followup_token

    settings = site.settings
    secret = load_web_secret(settings.web.secret_env, settings.path(settings.paths.var_dir))
    request = verify_followup_token(secret, path.rsplit("/", 1)[1])
    assert request is not None, path
    return request.call_id
