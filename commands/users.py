"""Web UI user commands: ``user add``, ``user passwd``, ``user remove`` and ``user list``."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scheduler import App


def cli_actor() -> str:
    """Who a change made on the command line is audited as: ``cli:<system user>``."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _read_password(args: argparse.Namespace) -> str:
    import getpass

    from errors import ConfigError

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            raise ConfigError("the two passwords differ")
    return password


def cmd_user_add(app: App) -> int:
    from matcher.profiles import ID_PATTERN
    from store.engine import write_session
    from web.accounts import create_user

    args = app.args
    folder = app.settings.path(app.settings.paths.profiles_dir)
    known = sorted(p.stem for p in folder.glob("*.toml") if ID_PATTERN.match(p.stem)) if folder.is_dir() else []
    password = _read_password(args)
    with write_session(app.engine) as session:
        user = create_user(
            session,
            args.username,
            args.role,
            password,
            profiles=args.profile or [],
            known_profiles=known,
            display_name=args.name or "",
            actor=cli_actor(),
        )
    bound = f" for {', '.join(user.profiles)}" if user.profiles else ""
    print(f"user {user.username} added ({user.role}{bound})")
    return 0


def cmd_user_passwd(app: App) -> int:
    from store.engine import write_session
    from web.accounts import change_password

    password = _read_password(app.args)
    with write_session(app.engine) as session:
        change_password(session, app.args.username, password, actor=cli_actor())
    print(f"password of {app.args.username} changed; their open sessions have ended")
    return 0


def cmd_user_remove(app: App) -> int:
    from store.engine import write_session
    from web.accounts import delete_user

    with write_session(app.engine) as session:
        delete_user(session, app.args.username, actor=cli_actor())
    print(f"user {app.args.username} removed")
    return 0


def cmd_user_list(app: App) -> int:
    from store.accounts import list_users
    from store.engine import read_session

    with read_session(app.engine) as session:
        users = list_users(session)
    if not users:
        print("no users (add one with: fundwatch user add NAME --role klk)")
        return 0
    print(f"{'user':<24} {'role':<6} {'profiles':<40} name")
    for user in users:
        profiles = ", ".join(user.profiles) if user.role == "staff" else "(all)"
        print(f"{user.username:<24} {user.role:<6} {profiles:<40} {user.display_name}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to the ``fundwatch`` parser."""
    user = sub.add_parser("user", help="manage the web UI's users")
    user_sub = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    p = user_sub.add_parser("add", help="add a user (asks for the password)")
    p.add_argument("username", help="login name: lower-case letters, digits, '.', '_', '@', '-'")
    p.add_argument("--role", required=True, choices=["klk", "staff"], help="klk: everything; staff: own profiles")
    p.add_argument("--profile", action="append", help="profile id a staff user acts for (repeatable)")
    p.add_argument("--name", help="display name")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(func=cmd_user_add)
    p = user_sub.add_parser("passwd", help="set a user's password (ends their sessions)")
    p.add_argument("username")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(func=cmd_user_passwd)
    p = user_sub.add_parser("remove", help="remove a user")
    p.add_argument("username")
    p.set_defaults(func=cmd_user_remove)
    p = user_sub.add_parser("list", help="list users and their roles")
    p.set_defaults(func=cmd_user_list)
