"""The web UI's commands: `fundwatch user add/passwd/remove/list` and `fundwatch serve`."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from scheduler import main
from store.engine import make_engine, read_session
from store.models_access import AuditEvent, User
from web.accounts import verify_password

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def config(tmp_path: Path) -> Path:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "skola.toml").write_text(
        'name = "Skola"\n[[priorities]]\ntitle = "t"\ntext = "Skolutveckling"\n', encoding="utf-8"
    )
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "db.sqlite"}"\n', encoding="utf-8")
    return path


def run(config: Path, *args: str, password: str | None = None, monkeypatch=None) -> int:
    if password is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    return main(["--config", str(config), *args])


def users(config: Path) -> list[User]:
    engine = make_engine(f"sqlite:///{config.parent / 'db.sqlite'}")
    with read_session(engine) as db:
        found = list(db.exec(select(User).order_by(User.username)))
    engine.dispose()
    return found


def test_user_add_list_passwd_remove(config, monkeypatch, capsys):
    assert (
        run(
            config,
            "user",
            "add",
            "anna",
            "--role",
            "klk",
            "--name",
            "Anna A",
            "--password-stdin",
            password="ett-långt-lösen",
            monkeypatch=monkeypatch,
        )
        == 0
    )
    assert (
        run(
            config,
            "user",
            "add",
            "bo",
            "--role",
            "staff",
            "--profile",
            "skola",
            "--password-stdin",
            password="bos-lösenord-1",
            monkeypatch=monkeypatch,
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "user anna added (klk)" in out and "user bo added (staff for skola)" in out
    [anna, bo] = users(config)
    assert anna.password_hash.startswith("$argon2id$") and verify_password(anna.password_hash, "ett-långt-lösen")
    assert bo.profiles == ["skola"]
    assert run(config, "user", "list") == 0
    listing = capsys.readouterr().out
    assert re.search(r"anna\s+klk\s+\(all\)\s+Anna A", listing) and re.search(r"bo\s+staff\s+skola", listing)
    assert (
        run(config, "user", "passwd", "bo", "--password-stdin", password="ett-nytt-lösen", monkeypatch=monkeypatch) == 0
    )
    assert verify_password(users(config)[1].password_hash, "ett-nytt-lösen")
    assert run(config, "user", "remove", "bo") == 0
    assert [u.username for u in users(config)] == ["anna"]
    engine = make_engine(f"sqlite:///{config.parent / 'db.sqlite'}")
    with read_session(engine) as db:
        actions = [e.action for e in db.exec(select(AuditEvent).order_by(AuditEvent.id))]
    engine.dispose()
    assert actions == ["user.add", "user.add", "user.password", "user.remove"]


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["Anna", "--role", "klk"], "ett-långt-lösen", None),  # upper case is folded, so this one is fine
        (["x", "--role", "klk"], "ett-långt-lösen", "user name 'x'"),
        (["bo", "--role", "staff"], "ett-långt-lösen", "must be bound to at least one profile"),
        (
            ["bo", "--role", "staff", "--profile", "nope"],
            "ett-långt-lösen",
            "unknown profile(s) nope; known profiles: skola",
        ),
        (["bo", "--role", "klk", "--profile", "skola"], "ett-långt-lösen", "do not give --profile"),
        (["bo", "--role", "klk"], "kort", "at least 10 characters"),
    ],
)
def test_user_add_refuses_bad_input_with_exit_2(config, monkeypatch, capsys, args, password, message):
    code = run(config, "user", "add", *args, "--password-stdin", password=password, monkeypatch=monkeypatch)
    if message is None:
        assert code == 0
        return
    assert code == 2
    assert message in capsys.readouterr().err
    assert users(config) == []


def test_adding_an_existing_user_fails(config, monkeypatch, capsys):
    run(
        config,
        "user",
        "add",
        "anna",
        "--role",
        "klk",
        "--password-stdin",
        password="ett-långt-lösen",
        monkeypatch=monkeypatch,
    )
    code = run(
        config,
        "user",
        "add",
        "anna",
        "--role",
        "klk",
        "--password-stdin",
        password="ett-långt-lösen",
        monkeypatch=monkeypatch,
    )
    assert code == 2 and "user 'anna' already exists" in capsys.readouterr().err


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_starts_the_web_ui_on_a_free_port_and_answers_healthz(config, tmp_path, workers):
    env = {"PATH": "/usr/bin:/bin", "FUNDWATCH_WEB_SECRET": "s" * 40, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "scheduler.py"),
            "--config",
            str(config),
            "serve",
            "--port",
            "0",
            "--workers",
            workers,
        ],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        url = None
        deadline = time.monotonic() + 30
        while url is None and time.monotonic() < deadline:
            line = process.stderr.readline()
            found = re.search(r"web UI listening on (http://127\.0\.0\.1:\d+)", line)
            if found:
                url = found.group(1)
            assert line or process.poll() is None, "the server stopped"
        assert url, "no 'listening' line"
        for _ in range(6):  # with two workers, either process may answer
            response = httpx.get(url + "/healthz", timeout=10)
            assert response.status_code == 200 and response.text == "ok"
        assert '<html lang="sv">' in httpx.get(url + "/", timeout=10).text
    finally:
        process.terminate()
        process.wait(timeout=15)
        process.stderr.close()
    # no worker outlives the server
    deadline = time.monotonic() + 10
    while (
        time.monotonic() < deadline
        and str(config) in subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    ):
        time.sleep(0.1)
    assert str(config) not in subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout


def test_serve_reports_a_taken_port_clearly(config, tmp_path, capsys):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code = main(["--config", str(config), "serve", "--port", str(port)])
    assert code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_the_listening_socket_is_tcp_so_replies_are_not_delayed_by_nagle():
    import socket

    from web.server import bind

    sock = bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP  # asyncio sets TCP_NODELAY on accepted sockets only then
    finally:
        sock.close()


def test_each_worker_process_gets_its_own_socket_on_one_port_and_connections_spread_over_them():
    import socket

    from errors import ConfigError
    from web.server import bind_workers

    sockets = bind_workers("127.0.0.1", 0, 2)
    clients = []
    try:
        port = sockets[0].getsockname()[1]
        assert [s.getsockname()[1] for s in sockets] == [port, port]
        # the port is taken for anyone else, a second fundwatch included
        with pytest.raises(ConfigError, match=f"cannot listen on 127.0.0.1:{port}"):
            bind_workers("127.0.0.1", port, 2)
        for _ in range(20):
            clients.append(socket.create_connection(("127.0.0.1", port)))
        accepted = []
        for sock in sockets:
            sock.settimeout(0.5)
            count = 0
            while True:
                try:
                    conn, _ = sock.accept()
                except (TimeoutError, BlockingIOError):
                    break
                conn.close()
                count += 1
            accepted.append(count)
        # the kernel spreads new connections over the sockets (all 20 on one: odds of 1 in 500,000)
        assert sum(accepted) == 20 and min(accepted) > 0, accepted
    finally:
        for sock in [*sockets, *clients]:
            sock.close()
